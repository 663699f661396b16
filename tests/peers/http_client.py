#!/usr/bin/env python3
# @chapter 13
"""A client written with Python's http.client: a real peer for corio's
HTTP server (tests/http_peers_test.cpp).

Usage: http_client.py PORT [--host 127.0.0.1] [--timeout SECONDS]

On one HTTPConnection (HTTP/1.1, kept alive between requests) it asks:
GET /, GET /json/python, POST /echo with a 100 KB body, HEAD /bytes/10,
GET /chunked/3000, GET /status/404, then GET / again, and prints one line
per answer:

    STATUS REASON length=LEN sha256=HEX16 [header=value ...]

(HEX16: the first 16 hex digits of the body's SHA-256; the headers shown
are Content-Length, Transfer-Encoding and Connection when present). Then it
prints "connections=N", the TCP connections it opened (1 when the server
kept the connection alive throughout), and exits 0; 3 when a request took
more than TIMEOUT seconds (default 20).
"""

import argparse
import hashlib
import http.client
import socket
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()

    opened = []

    class CountingConnection(http.client.HTTPConnection):
        def connect(self):
            opened.append(1)
            super().connect()

    conn = CountingConnection(args.host, args.port, timeout=args.timeout)
    body = bytes(i % 251 for i in range(100_000))
    requests = [
        ("GET", "/", None),
        ("GET", "/json/python", None),
        ("POST", "/echo", body),
        ("HEAD", "/bytes/10", None),
        ("GET", "/chunked/3000", None),
        ("GET", "/status/404", None),
        ("GET", "/", None),
    ]
    try:
        for method, target, payload in requests:
            conn.request(method, target, body=payload)
            response = conn.getresponse()
            data = response.read()
            shown = []
            for name in ("Content-Length", "Transfer-Encoding", "Connection"):
                value = response.getheader(name)
                if value is not None:
                    shown.append(f"{name}={value}")
            line = f"{response.status} {response.reason} length={len(data)} "
            line += f"sha256={hashlib.sha256(data).hexdigest()[:16]}"
            if shown:
                line += " " + " ".join(shown)
            if method == "POST":
                line += " same=" + ("yes" if data == payload else "no")
            print(line, flush=True)
    except socket.timeout:
        print(f"timed out after {args.timeout} s", flush=True)
        return 3
    finally:
        conn.close()
    print(f"connections={len(opened)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
