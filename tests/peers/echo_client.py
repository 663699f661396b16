#!/usr/bin/env python3
# @chapter 12
"""An echo client written with Python's asyncio streams: a real peer for
corio's tests (tests/streams_interop_test.cpp).

Usage: echo_client.py PORT [--host 127.0.0.1] [--size BYTES] [--chunk BYTES]
                      [--half-close] [--timeout SECONDS]

Connects with asyncio.open_connection, sends SIZE bytes (default 64, at most
10 MiB and more; byte i is i % 251) in writes of CHUNK bytes (default 65536)
with a drain after each, and reads the echo at the same time, in a second
task, so that neither side's buffers fill up and stop the other. Without
--half-close it reads exactly SIZE bytes back and closes; with --half-close
it calls write_eof() after the last byte and reads until the server closes
its side. Prints one line on stdout:

    received=N sent=N same=yes eof=yes|no sha256=HEX

and exits 0 when what came back is what was sent, 1 otherwise, 3 when the
whole exchange took more than TIMEOUT seconds (default 30).
"""

import argparse
import asyncio
import hashlib
import sys


def payload(size):
    block = bytes(range(251))
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


async def exchange(host, port, size, chunk, half_close):
    reader, writer = await asyncio.open_connection(host, port)
    data = payload(size)

    async def send():
        view = memoryview(data)
        for start in range(0, size, chunk):
            writer.write(view[start:start + chunk])
            await writer.drain()
        if half_close:
            writer.write_eof()

    async def receive():
        got = bytearray()
        if half_close:
            while True:
                part = await reader.read(65536)
                if not part:
                    return bytes(got), True
                got += part
        while len(got) < size:
            part = await reader.read(min(65536, size - len(got)))
            if not part:
                return bytes(got), True
            got += part
        return bytes(got), False

    _, (got, eof) = await asyncio.gather(send(), receive())
    writer.close()
    await writer.wait_closed()
    same = got == data
    print("received=%d sent=%d same=%s eof=%s sha256=%s"
          % (len(got), size, "yes" if same else "no", "yes" if eof else "no",
             hashlib.sha256(got).hexdigest()), flush=True)
    return 0 if same else 1


async def main(args):
    try:
        return await asyncio.wait_for(
            exchange(args.host, args.port, args.size, args.chunk, args.half_close), args.timeout)
    except asyncio.TimeoutError:
        sys.stderr.write("echo_client.py: no full echo within %g s\n" % args.timeout)
        return 3


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--chunk", type=int, default=65536)
    parser.add_argument("--half-close", action="store_true")
    parser.add_argument("--timeout", type=float, default=30.0)
    sys.exit(asyncio.run(main(parser.parse_args())))
