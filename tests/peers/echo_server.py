#!/usr/bin/env python3
# @chapter 12
"""An echo server written with Python's asyncio streams: a real peer for
corio's tests (tests/streams_interop_test.cpp), nobody's code but asyncio's.

Usage: echo_server.py [--host 127.0.0.1] [--port 0] [--lifetime SECONDS]

Listens on HOST:PORT (port 0: the kernel picks one) and prints the port on
stdout, alone on the first line, as soon as it listens. Each connection gets
back every byte it sends, as it arrives; when the client half-closes
(write_eof), the server echoes what is left, closes its side and prints one
line on stdout:

    closed received=N echoed=N eof=yes sha256=HEX

The server exits when its stdin, a pipe, reaches end of file (the test that
started it closed the pipe, or died) or after LIFETIME seconds (default 60), so a
test that goes wrong never leaves it running.
"""

import argparse
import asyncio
import hashlib
import sys


async def echo(reader, writer):
    digest = hashlib.sha256()
    received = 0
    while True:
        data = await reader.read(65536)
        if not data:
            break
        received += len(data)
        digest.update(data)
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        writer.write_eof()
    writer.close()
    await writer.wait_closed()
    print("closed received=%d echoed=%d eof=yes sha256=%s" % (received, received, digest.hexdigest()), flush=True)


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
    server = await asyncio.start_server(echo, host, port)
    print(server.sockets[0].getsockname()[1], flush=True)
    try:
        await asyncio.wait_for(stdin_closed, lifetime)
    except asyncio.TimeoutError:
        sys.stderr.write("echo_server.py: exiting after %g s\n" % lifetime)
    finally:
        if watching:
            loop.remove_reader(sys.stdin.fileno())
        server.close()
        await server.wait_closed()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port, args.lifetime))
