import Foundation

/// An exclusive lock on a database, held by the running engine, so that a second engine on the
/// same file refuses to start instead of interleaving its writes.
///
/// Uses `flock` on `<database>.lock`: the kernel releases it when the process dies, even by
/// `kill -9`, so a crash never leaves a stale lock behind.
public final class EngineLock: @unchecked Sendable {
    // @unchecked: the descriptor is only closed in deinit.
    private let descriptor: Int32
    public let path: String

    public struct Held: Error, CustomStringConvertible {
        public let description: String
    }

    public init(database: String) throws {
        path = database + ".lock"
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Held(description: "cannot create lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(descriptor)
            throw Held(description: "another engine (pid \(holder)) is already running on \(database); stop it first or use another --db")
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
