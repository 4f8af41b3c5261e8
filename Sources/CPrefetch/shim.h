// A cache prefetch hint for Swift, which has no intrinsic for it. Header only: nothing to link.
#ifndef RINGWATCH_PREFETCH_H
#define RINGWATCH_PREFETCH_H

/// Asks the CPU to bring the cache line at `address` in for writing, without waiting for it.
/// Only a hint: any address may be given, and nothing is read or written.
static inline void ringwatch_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
