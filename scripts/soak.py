#!/usr/bin/env python3
"""Soak run (issue 9): the real engine at a steady rate for N minutes, with a trigger
subscriber that is killed and restarted, and one engine restart half-way.

    swift build -c release --product ringwatch
    pip install pyzmq
    scripts/soak.py [--minutes 10] [--rate 2000] [--binary .build/release/ringwatch]

Reads go to the engine's lossless PULL endpoint from a PUSH socket, each with a unique `id`.
Around the engine restart the publisher sends the reads of the last seconds again: the engine
ignores ids it already stored (its duplicate filter is rebuilt from SQLite at start), so the
reads that were in a dead connection's buffers arrive and none is stored twice. One read in
200 is of a listed plate, so hotlist triggers flow all along.

The reference subscriber (`ringwatch triggers --follow --state FILE`) is SIGKILLed every 50 s
and restarted 5 s later; it resumes from its state file and fills gaps with `replay`.

At the end it prints, and checks: reads sent (distinct ids) = reads stored in SQLite; triggers
emitted (rows in SQLite, seq 1..N without a gap) = distinct triggers the subscriber handed on.
Exit status 0 when all are equal.
"""
import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

import zmq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cameras():
    with open(os.path.join(ROOT, "Fixtures", "cameras.csv")) as f:
        lines = f.read().splitlines()[1:]
    return [(line.split(",")[0], line.split(",")[4]) for line in lines if line]


class Engine:
    def __init__(self, binary, work, ports):
        self.binary, self.work, self.ports = binary, work, ports
        self.process = None
        self.config = os.path.join(work, "ringwatch.toml")
        with open(self.config, "w") as f:
            f.write(f'''ingest = ["tcp://127.0.0.1:{ports['sub']}"]
ingest_pull = ["tcp://127.0.0.1:{ports['pull']}"]
triggers = "tcp://127.0.0.1:{ports['pub']}"
control = "tcp://127.0.0.1:{ports['control']}"
db = "{work}/soak.sqlite"
cameras = "{ROOT}/Fixtures/cameras.csv"
hotlist = "{work}/hotlist.csv"
metrics = "127.0.0.1:{ports['metrics']}"
''')

    def start(self):
        log = open(os.path.join(self.work, "engine.log"), "a")
        self.process = subprocess.Popen([self.binary, "serve", "--config", self.config], stdout=log, stderr=log, cwd=ROOT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.control({"op": "status"}).get("ok"):
                    return
            except zmq.ZMQError:
                pass
            time.sleep(0.2)
        raise SystemExit("soak: the engine did not answer on its control socket; see engine.log")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)

    def control(self, request, timeout=3000):
        context = zmq.Context.instance()
        client = context.socket(zmq.REQ)
        client.setsockopt(zmq.LINGER, 0)
        client.setsockopt(zmq.RCVTIMEO, timeout)
        client.connect(f"tcp://127.0.0.1:{self.ports['control']}")
        try:
            client.send_string(json.dumps(request))
            return json.loads(client.recv_string())
        finally:
            client.close()


class Publisher(threading.Thread):
    def __init__(self, endpoint, rate, seconds, listed):
        super().__init__(daemon=True)
        self.endpoint, self.rate, self.seconds, self.listed = endpoint, rate, seconds, listed
        self.sent = []          # (monotonic time, topic, body) of every read, in order
        self.resend_from = None  # set by the driver: resend reads sent after this time
        self.random = random.Random(7)
        self.cameras = cameras()

    def body(self, index):
        camera, ring = self.cameras[self.random.randrange(len(self.cameras))]
        if index % 200 == 0:
            plate = self.listed[self.random.randrange(len(self.listed))]
        else:
            plate = "1" + "".join(self.random.choice("ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(3)) + f"{self.random.randrange(1000):03d}"
        ts = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        read = {"camera": camera, "ts": ts, "plate": plate, "id": f"soak-{index}", "confidence": 0.9}
        return f"read.{ring}.{camera}", json.dumps(read)

    def run(self):
        push = zmq.Context.instance().socket(zmq.PUSH)
        push.setsockopt(zmq.SNDHWM, 0)
        push.connect(self.endpoint)
        began = time.monotonic()
        index = 0
        while True:
            elapsed = time.monotonic() - began
            if elapsed >= self.seconds:
                break
            if self.resend_from is not None:
                since, self.resend_from = self.resend_from, None
                again = [(topic, body) for (at, topic, body) in self.sent if at >= since]
                for topic, body in again:
                    push.send_multipart([topic.encode(), body.encode()])
                print(f"soak: sent {len(again)} reads again after the engine restart", flush=True)
            due = int(elapsed * self.rate)
            while index < due:
                topic, body = self.body(index)
                push.send_multipart([topic.encode(), body.encode()])
                self.sent.append((time.monotonic(), topic, body))
                index += 1
            time.sleep(0.002)
        self.push = push  # kept open until the driver is done


class Follower:
    """ringwatch triggers --follow, killed and restarted; collects the seqs it hands on."""

    def __init__(self, binary, work, ports):
        self.binary, self.work, self.ports = binary, work, ports
        self.state = os.path.join(work, "follow.state")
        self.output = os.path.join(work, "follow.jsonl")
        self.process = None
        self.restarts = 0
        # Position 0: hand on every trigger from the first (without a state file the follower
        # starts at the engine's newest seq, and triggers before its start are not its business).
        with open(self.state, "w") as f:
            f.write("0\n")

    def start(self):
        out = open(self.output, "a")
        self.process = subprocess.Popen(
            [self.binary, "triggers", "--follow", "--triggers", f"tcp://127.0.0.1:{self.ports['pub']}",
             "--control", f"tcp://127.0.0.1:{self.ports['control']}", "--state", self.state,
             "--db", os.path.join(self.work, "soak.sqlite"), "--format", "jsonl", "--reason", "soak run", "--user", "soak"],
            stdout=out, stderr=open(os.path.join(self.work, "follow.log"), "a"), cwd=ROOT)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.restarts += 1

    def seqs(self):
        seen = set()
        with open(self.output) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        seen.add(json.loads(line)["seq"])
                    except (ValueError, KeyError):
                        pass  # a line cut by SIGKILL; its trigger comes again after the restart
        return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "ringwatch"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    arguments = parser.parse_args()
    if not os.access(arguments.binary, os.X_OK):
        raise SystemExit(f"soak: {arguments.binary} not found; build it: swift build -c release --product ringwatch")

    work = tempfile.mkdtemp(prefix="ringwatch-soak-")
    listed = [f"9SOA{n:03d}" for n in range(50)]
    with open(os.path.join(work, "hotlist.csv"), "w") as f:
        f.write("plate,category,severity,reason,expires\n")
        for plate in listed:
            f.write(f"{plate},stolen_vehicle,high,soak run,\n")
    ports = {name: free_port() for name in ("sub", "pull", "pub", "control", "metrics")}
    engine = Engine(arguments.binary, work, ports)
    engine.start()
    follower = Follower(arguments.binary, work, ports)
    follower.start()
    seconds = arguments.minutes * 60
    publisher = Publisher(f"tcp://127.0.0.1:{ports['pull']}", arguments.rate, seconds, listed)
    began = time.monotonic()
    publisher.start()
    print(f"soak: {arguments.minutes:g} min at {arguments.rate} reads/s into {work}", flush=True)

    restarted = False
    next_kill = began + 50
    while publisher.is_alive():
        now = time.monotonic()
        if not restarted and now - began >= seconds / 2:
            stop_at = time.monotonic()
            engine.stop()
            engine.start()
            publisher.resend_from = stop_at - 5
            restarted = True
            print(f"soak: engine restarted at {now - began:.0f} s (down {time.monotonic() - stop_at:.1f} s)", flush=True)
        if now >= next_kill:
            follower.kill()
            time.sleep(5)
            follower.start()
            next_kill = time.monotonic() + 50
        time.sleep(0.2)

    sent_ids = {json.loads(body)["id"] for (_, _, body) in publisher.sent}
    # Let the engine store what is in flight, the subscriber catch up, then stop both.
    deadline = time.time() + 120
    database = os.path.join(work, "soak.sqlite")

    def stored_ids():
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        try:
            tables = [row[0] for row in connection.execute("SELECT table_name FROM read_partitions")]
            ids = set()
            for table in tables:
                ids.update(row[0] for row in connection.execute(f"SELECT source_id FROM {table} WHERE source_id LIKE 'soak-%'"))
            seqs = [row[0] for row in connection.execute("SELECT seq FROM triggers ORDER BY seq")]
            return ids, seqs
        finally:
            connection.close()

    while time.time() < deadline:
        status = engine.control({"op": "status"})
        ids, seqs = stored_ids()
        if len(ids) >= len(sent_ids) and status.get("writer_queue", 1) == 0 and follower.seqs() >= set(seqs):
            break
        time.sleep(1)
    follower.kill()
    engine.stop()
    ids, seqs = stored_ids()
    received = follower.seqs()
    duplicates_stored = None
    connection = sqlite3.connect(database)
    tables = [row[0] for row in connection.execute("SELECT table_name FROM read_partitions")]
    rows = sum(connection.execute(f"SELECT COUNT(*) FROM {t} WHERE source_id LIKE 'soak-%'").fetchone()[0] for t in tables)
    duplicates_stored = rows - len(ids)
    connection.close()

    gapless = seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True
    result = {
        "minutes": arguments.minutes, "rate": arguments.rate,
        "reads_sent": len(sent_ids), "reads_stored": len(ids), "reads_stored_twice": duplicates_stored,
        "triggers_emitted": len(seqs), "triggers_seq_gapless": gapless,
        "triggers_received_after_catch_up": len(received & set(seqs)),
        "subscriber_restarts": follower.restarts, "engine_restarts": 1,
    }
    print(json.dumps(result, indent=2))
    ok = (len(ids) == len(sent_ids) and duplicates_stored == 0 and gapless and set(seqs) <= received and len(seqs) > 0)
    print("soak: PASS" if ok else "soak: FAIL", flush=True)
    if not arguments.keep and ok:
        subprocess.run(["rm", "-rf", work])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
