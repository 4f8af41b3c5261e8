#!/usr/bin/env python3
"""Publish plate reads to a Ringwatch engine over ZeroMQ.

A minimal camera-side integration, meant to be copied and adapted. Each read
is one two-frame PUB message (see docs/protocol.md and CONTRACT section 2):

    frame 1  topic   read.<ring>.<camera>       e.g. read.R1.R1-03
    frame 2  body    one UTF-8 JSON object      {"camera": ..., "ts": ..., "plate": ...}

The engine's SUB socket binds (default tcp://127.0.0.1:5550), so this script
connects to it. Requires pyzmq (`pip install pyzmq`).

Examples:

    # ten reads of made-up plates from camera R1-03, five per second
    python3 examples/publish_reads.py --count 10 --camera R1-03

    # one read of a given plate
    python3 examples/publish_reads.py --count 1 --camera R2-07 --plate 1ABC123
"""

import argparse
import json
import random
import string
import sys
import time
import uuid
from datetime import datetime, timezone

import zmq

# Small pool of vehicle classifier outputs used when no --make/--model/--color is given.
VEHICLES = [
    ("Volkswagen", "Golf", "grey"),
    ("Skoda", "Octavia", "black"),
    ("BMW", "3 Series", "blue"),
    ("Peugeot", "308", "white"),
    ("Renault", "Clio", "red"),
    ("Toyota", "Yaris", "silver"),
    ("Mercedes-Benz", "Sprinter", "white"),
]


def rfc3339_now() -> str:
    """Current UTC time as RFC 3339 with milliseconds and a Z suffix."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def random_plate(rng: random.Random) -> str:
    """A made-up plate in the current Belgian format: digit, three letters, three digits."""
    return (
        rng.choice("12")
        + "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        + "".join(rng.choice(string.digits) for _ in range(3))
    )


def ring_of(camera: str) -> str:
    """Ring label from a camera id such as R2-07 (the part before the dash)."""
    return camera.split("-", 1)[0] if "-" in camera else "unknown"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Publish ANPR plate reads to a Ringwatch engine (ZeroMQ PUB, connects).",
    )
    p.add_argument("--endpoint", default="tcp://127.0.0.1:5550",
                   help="engine ingest endpoint to connect to (default: %(default)s)")
    p.add_argument("--count", type=int, default=10,
                   help="number of reads to send (default: %(default)s)")
    p.add_argument("--camera", default="R1-03",
                   help="camera id as in the camera registry (default: %(default)s)")
    p.add_argument("--ring", default=None,
                   help="ring label for the topic (default: taken from the camera id, e.g. R1)")
    p.add_argument("--plate", default=None,
                   help="plate to send in every read (default: a random made-up plate per read)")
    p.add_argument("--rate", type=float, default=5.0,
                   help="reads per second; 0 sends as fast as possible (default: %(default)s)")
    p.add_argument("--direction", choices=["in", "out"], default="in",
                   help="travel direction relative to the centre (default: %(default)s)")
    p.add_argument("--country", default="BE", help="ISO 3166 alpha-2 (default: %(default)s)")
    p.add_argument("--make", default=None, help="classifier make (default: from a small pool)")
    p.add_argument("--model", default=None, help="classifier model")
    p.add_argument("--color", default=None, help="classifier colour")
    p.add_argument("--seq-start", type=int, default=1,
                   help="first per-camera sequence number (default: %(default)s)")
    p.add_argument("--seed", type=int, default=None, help="random seed, for repeatable runs")
    p.add_argument("--verbose", action="store_true", help="print one line per read sent")
    args = p.parse_args()
    if args.count < 0:
        p.error("--count must be 0 or more")
    if args.rate < 0:
        p.error("--rate must be 0 or more")
    return args


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    ring = args.ring or ring_of(args.camera)
    topic = f"read.{ring}.{args.camera}".encode("utf-8")
    interval = 1.0 / args.rate if args.rate > 0 else 0.0

    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUB)
    # Give queued reads up to 2 s to leave the process on close, then give up.
    sock.setsockopt(zmq.LINGER, 2000)
    sock.connect(args.endpoint)

    # PUB/SUB "slow joiner": connect() returns before the TCP connection and the
    # subscription handshake are done, and a PUB socket silently drops messages
    # for peers that have not subscribed yet. Without this pause the first reads
    # would be lost. Long-running publishers only need this once, at start-up.
    time.sleep(0.3)

    sent = 0
    try:
        for i in range(args.count):
            plate = args.plate or random_plate(rng)
            make, model, color = rng.choice(VEHICLES)
            body = {
                "camera": args.camera,
                "ts": rfc3339_now(),
                "plate": plate,
                "id": str(uuid.uuid4()),
                "seq": args.seq_start + i,
                "country": args.country,
                "confidence": round(rng.uniform(0.86, 0.99), 3),
                "make": args.make or make,
                "model": args.model or model,
                "color": args.color or color,
                "direction": args.direction,
            }
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            sock.send_multipart([topic, payload])
            sent += 1
            if args.verbose:
                # Only echo the plate when the user chose it; generated plates stay unprinted.
                shown = f" plate={plate}" if args.plate else ""
                print(f"{topic.decode()} seq={body['seq']}{shown}", flush=True)
            if interval and i + 1 < args.count:
                time.sleep(interval)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        sock.close()
        ctx.term()

    print(f"sent {sent} read(s) from camera {args.camera} to {args.endpoint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
