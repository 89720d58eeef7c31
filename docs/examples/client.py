#!/usr/bin/python3
"""A Pitwall spectator client in Python, written from docs/protocol.md alone.

Follows one session over the gateway's WebSocket: waits for `hello`, sends `subscribe`, takes the `snapshot`,
applies each `diff` in seq order (fields set, clear markers, car order), and on a seq gap sends `resync` and
takes the snapshot that answers it. When it stops (stdin closed, Ctrl-D, Ctrl-C or SIGTERM) it prints the final
view and its seq as one JSON object on stdout.

    /usr/bin/python3 docs/examples/client.py ws://127.0.0.1:8080/ws sebring race-1

Needs Debian's python3-websockets and python3-msgpack (apt-get install python3-websockets python3-msgpack), or
`pip install websockets msgpack`.

With --events every frame applied is also reported as a JSON line on stdout (`{"kind": "diff", "seq": 42}`),
before the final object, which then has "kind": "final".
"""

import argparse
import asyncio
import json
import signal
import sys
import threading

import msgpack
import websockets

PROTOCOL_VERSION = 1


class ProtocolError(Exception):
    """A frame this client cannot apply (e.g. an order naming a car that has no row)."""


def apply_diff(view, diff):
    """Returns `view` with `diff` applied (docs/protocol.md, "Applying a diff"); `view` is not modified."""
    header = {k: v for k, v in view.items() if k != "rows"}
    header.update(diff.get("header") or {})
    for name in diff.get("headerClear") or []:
        header.pop(name, None)

    rows = {row["number"]: row for row in view["rows"]}
    for number, patch in (diff.get("rows") or {}).items():
        row = dict(rows.get(number, {}))
        row.update(patch.get("set") or {})
        for name in patch.get("clear") or []:
            row.pop(name, None)
        rows[number] = row

    order = diff.get("order")
    if order is None:
        order = [row["number"] for row in view["rows"]]
    missing = [number for number in order if number not in rows]
    if missing:
        raise ProtocolError(f"diff orders car {missing[0]} but has no row for it")
    header["rows"] = [rows[number] for number in order]
    return header


class Follower:
    """The state of one followed session: its seq and view, and whether a resync is on its way."""

    def __init__(self, track, session, report, drop_seq=None):
        self.track = track
        self.session = session
        self.seq = None
        self.view = None
        self.resyncing = False
        self.report = report
        self.drop_seq = drop_seq  # for tests: a diff to ignore, as if backpressure had skipped it

    def mine(self, frame):
        return frame.get("track") == self.track and frame.get("session") == self.session

    def on_frame(self, frame):
        """Applies one server frame; returns a client frame to send (a resync) or None."""
        kind = frame.get("type")
        if kind == "hello":
            if frame.get("protocol") != PROTOCOL_VERSION:
                self.report({"kind": "warning", "message": f"gateway speaks protocol {frame.get('protocol')}, "
                                                           f"this client {PROTOCOL_VERSION}"})
            return None
        if kind == "error":
            self.report({"kind": "error", "code": frame.get("code"), "message": frame.get("message")})
            return None
        if kind == "snapshot" and self.mine(frame):
            self.seq, self.view, self.resyncing = frame["seq"], frame["view"], False
            self.report({"kind": "snapshot", "seq": self.seq})
            return None
        if kind == "diff" and self.mine(frame):
            return self.on_diff(frame)
        return None  # another session's frame, or a frame type this version does not know: ignored

    def on_diff(self, frame):
        seq = frame["seq"]
        if seq == self.drop_seq:
            self.drop_seq = None
            return None
        if self.view is None or seq <= self.seq:
            return None  # before the first snapshot, or already contained in the snapshot
        if seq != self.seq + 1:
            return self.resync(self.seq + 1, seq)
        try:
            self.view = apply_diff(self.view, frame["diff"])
        except ProtocolError as error:
            self.report({"kind": "warning", "message": str(error)})
            return self.resync(seq, seq)
        self.seq = seq
        self.report({"kind": "diff", "seq": seq})
        return None

    def resync(self, expected, got):
        if self.resyncing:
            return None  # one resync at a time: its snapshot covers every later diff
        self.resyncing = True
        self.report({"kind": "resync", "expected": expected, "got": got})
        return {"type": "resync", "track": self.track, "session": self.session}


async def follow(url, follower, stop):
    async with websockets.connect(url, max_size=16 * 1024 * 1024) as ws:
        await ws.send(msgpack.packb({"type": "subscribe", "track": follower.track, "session": follower.session}))
        stopping = asyncio.ensure_future(stop.wait())
        while not stop.is_set():
            receiving = asyncio.ensure_future(ws.recv())
            await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not receiving.done():
                receiving.cancel()
                break
            data = receiving.result()
            if isinstance(data, str):
                continue  # the protocol has binary frames only
            reply = follower.on_frame(msgpack.unpackb(data, raw=False))
            if reply is not None:
                await ws.send(msgpack.packb(reply))


def main():
    parser = argparse.ArgumentParser(description="Follow one Pitwall session and print its final standings as JSON.")
    parser.add_argument("url", help="the gateway's WebSocket, e.g. ws://127.0.0.1:8080/ws")
    parser.add_argument("track")
    parser.add_argument("session")
    parser.add_argument("--events", action="store_true", help="also print one JSON line per frame applied")
    parser.add_argument("--drop-diff", type=int, metavar="SEQ", help="testing: ignore the diff with this seq (forces a resync)")
    args = parser.parse_args()

    def report(event):
        if args.events:
            print(json.dumps(event), flush=True)

    follower = Follower(args.track, args.session, report, args.drop_diff)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def wait_for_stdin_eof():
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_stdin_eof, daemon=True).start()
    try:
        loop.run_until_complete(follow(args.url, follower, stop))
    finally:
        loop.close()
    final = {"track": args.track, "session": args.session, "seq": follower.seq, "view": follower.view}
    if args.events:
        final = {"kind": "final", **final}
    print(json.dumps(final), flush=True)


if __name__ == "__main__":
    main()
