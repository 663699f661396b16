#!/usr/bin/env python3
# @chapter 13
"""An HTTP/1.1 server written on Python's asyncio streams, answering in
chunked transfer coding: a real peer for corio's HTTP client
(tests/http_client_peers_test.cpp).

Usage: http_asyncio_server.py [--host 127.0.0.1] [--port 0] [--lifetime SECONDS]

Prints the port it listens on, alone on the first line. Keeps each
connection alive until the client closes it or sends "Connection: close":

    GET /chunked/N   N bytes of 'x' in chunks of 1000 bytes, then a trailer
    GET /count       how many connections the server has accepted

The server exits when its stdin reaches end of file, or after LIFETIME
seconds (default 60).
"""

import argparse
import asyncio
import sys

accepted = 0


def chunked(body, size=1000):
    out = bytearray()
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return bytes(out) + b"0\r\nX-Trailer: done\r\n\r\n"


async def serve(reader, writer):
    global accepted
    accepted += 1
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ")
            fields = {}
            for line in lines[1:]:
                if line:
                    name, value = line.split(":", 1)
                    fields[name.strip().lower()] = value.strip()
            length = int(fields.get("content-length", "0"))
            if length:
                await reader.readexactly(length)
            if target.startswith("/chunked/"):
                status, body = b"200 OK", b"x" * int(target[len("/chunked/"):])
            elif target == "/count":
                status, body = b"200 OK", str(accepted).encode()
            else:
                status, body = b"404 Not Found", b"no such page"
            close = fields.get("connection", "").lower() == "close"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n" +
                         (b"Connection: close\r\n" if close else b"") + b"\r\n" + chunked(body))
            await writer.drain()
            if close:
                break
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(host, port, lifetime):
    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()

    def on_stdin():
        try:
            data = sys.stdin.buffer.raw.read(4096)
        except BlockingIOError:
            return
        if not data and not stdin_closed.done():
            stdin_closed.set_result(None)

    try:
        loop.add_reader(sys.stdin.fileno(), on_stdin)
        watching = True
    except (OSError, ValueError):  # stdin is a file or a terminal: the lifetime alone
        watching = False
    server = await asyncio.start_server(serve, host, port)
    print(server.sockets[0].getsockname()[1], flush=True)
    try:
        await asyncio.wait_for(stdin_closed, lifetime)
    except asyncio.TimeoutError:
        sys.stderr.write("http_asyncio_server.py: exiting after %g s\n" % lifetime)
    finally:
        if watching:
            loop.remove_reader(sys.stdin.fileno())
        server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port, args.lifetime))
