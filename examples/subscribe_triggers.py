#!/usr/bin/env python3
"""Print triggers published by a Ringwatch engine.

A minimal dispatch-side listener, meant to be copied and adapted. The engine's
trigger PUB socket binds (default tcp://127.0.0.1:5560); this script connects
to it and prints each message: the topic (trigger.<kind>.<severity>) and the
JSON body, pretty-printed. Requires pyzmq (`pip install pyzmq`).

Examples:

    # everything
    python3 examples/subscribe_triggers.py

    # only critical hotlist hits, stop after the first one or after 60 s of silence
    python3 examples/subscribe_triggers.py --topic trigger.hotlist.critical --count 1 --timeout 60

    # stand in for the engine's ingest socket to see what a camera publisher sends
    python3 examples/subscribe_triggers.py --bind --endpoint tcp://127.0.0.1:5550 --topic read.

Topic filters are prefixes: `trigger.` matches everything, `trigger.convoy.`
only convoys. A PUB socket does not keep messages for absent subscribers; to
fetch what was missed, use `ringwatch triggers --since-seq N` or the control
socket's `replay` operation with the last `seq` you printed.

Exit status: 0 when --count messages arrived, on Ctrl-C, or on --timeout without
--count; 1 when --timeout passed before --count messages arrived.
"""

import argparse
import json
import sys

import zmq


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Print Ringwatch triggers (ZeroMQ SUB, connects).",
    )
    p.add_argument("--endpoint", default="tcp://127.0.0.1:5560",
                   help="engine trigger endpoint to connect to (default: %(default)s)")
    p.add_argument("--topic", action="append", default=None,
                   help="topic prefix to subscribe to; repeatable (default: trigger.)")
    p.add_argument("--count", type=int, default=None,
                   help="exit after this many messages (default: run until Ctrl-C)")
    p.add_argument("--timeout", type=float, default=None,
                   help="exit after this many seconds without a message (default: wait forever)")
    p.add_argument("--bind", action="store_true",
                   help="bind the endpoint instead of connecting (for local testing)")
    p.add_argument("--compact", action="store_true",
                   help="print each body on one line instead of pretty-printing")
    args = p.parse_args()
    if args.count is not None and args.count < 1:
        p.error("--count must be 1 or more")
    if args.timeout is not None and args.timeout <= 0:
        p.error("--timeout must be more than 0")
    return args


def render(body: bytes, compact: bool) -> str:
    """Pretty JSON when the body parses, otherwise the raw text."""
    text = body.decode("utf-8", errors="replace")
    try:
        obj = json.loads(text)
    except ValueError:
        return text
    if compact:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(obj, ensure_ascii=False, indent=2)


def main() -> int:
    args = parse_args()
    topics = args.topic or ["trigger."]

    ctx = zmq.Context()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    for t in topics:
        sock.setsockopt(zmq.SUBSCRIBE, t.encode("utf-8"))
    if args.bind:
        sock.bind(args.endpoint)
    else:
        sock.connect(args.endpoint)

    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    timeout_ms = None if args.timeout is None else int(args.timeout * 1000)

    received = 0
    status = 0
    try:
        while args.count is None or received < args.count:
            if not poller.poll(timeout_ms):
                print(f"no message within {args.timeout:g} s; "
                      f"received {received}", file=sys.stderr)
                status = 1 if args.count is not None else 0
                break
            frames = sock.recv_multipart()
            topic = frames[0].decode("utf-8", errors="replace")
            print(topic)
            for body in frames[1:]:
                print(render(body, args.compact))
            print(flush=True)
            received += 1
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        ctx.term()
    return status


if __name__ == "__main__":
    sys.exit(main())
