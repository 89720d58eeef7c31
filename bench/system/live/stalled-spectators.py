#!/usr/bin/env python3
"""Spectators that stop reading, the way a phone in a tunnel does, with the small receive buffer a phone on a mobile
network has: each opens a WebSocket to the gateway with SO_RCVBUF set before connecting (Node cannot set it, and
loopback's default buffers grow to megabytes, so a stalled Node client takes minutes to fill the gateway's queue),
sends its subscribe frames, and never reads again. Standard library only.

usage: stalled-spectators.py HOST PORT COUNT LIFETIME_S RCVBUF HEXFRAME...
Prints `ready N` once every connection has sent its frames; exits after LIFETIME_S or when killed.
"""
import socket
import sys
import time


def client_frame(payload: bytes) -> bytes:
    """A masked binary frame (a zero mask key: the bytes stay as they are; servers must unmask anyway)."""
    n = len(payload)
    header = bytes([0x82, 0x80 | n]) if n < 126 else bytes([0x82, 0x80 | 126, n >> 8, n & 0xFF])
    return header + b"\0\0\0\0" + payload


def main() -> None:
    host, port, count, lifetime, rcvbuf = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    frames = b"".join(client_frame(bytes.fromhex(h)) for h in sys.argv[6:])
    upgrade = (
        f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    held = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect((host, port))
        s.sendall(upgrade)
        answer = b""
        while b"\r\n\r\n" not in answer:  # the 101 (and perhaps the hello frame): the last read this client does
            chunk = s.recv(4096)
            if not chunk:
                raise SystemExit(f"gateway closed the connection: {answer[:80]!r}")
            answer += chunk
        if not answer.startswith(b"HTTP/1.1 101"):
            raise SystemExit(f"upgrade refused: {answer.splitlines()[0]!r}")
        s.sendall(frames)
        held.append(s)
    print(f"ready {len(held)}", flush=True)
    time.sleep(lifetime)


if __name__ == "__main__":
    main()
