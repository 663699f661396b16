#!/usr/bin/env python3
# @chapter 13
"""An HTTP server written with Python's http.server: a real peer for corio's
HTTP client (tests/http_client_peers_test.cpp), nobody's code but the
standard library's.

Usage: http_server.py [--host 127.0.0.1] [--port 0] [--lifetime SECONDS]

Prints the port it listens on, alone on the first line. HTTP/1.1 with
keep-alive (protocol_version), a thread per connection:

    GET  /hello   "Hello from http.server" (Content-Length)
    GET  /big     1 MiB of 'x' (Content-Length)
    GET  /http10  an HTTP/1.0 answer with no Content-Length, ended by
                  closing the connection
    POST /echo    the request's body back

Every answer carries X-Client-Port, the client's port: the same port on two
answers means one connection carried both. The server exits when its stdin
reaches end of file, or after LIFETIME seconds (default 60).
"""

import argparse
import http.server
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def answer(self, body, status=200):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Client-Port", str(self.client_address[1]))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/hello":
            self.answer(b"Hello from http.server")
        elif self.path == "/big":
            self.answer(b"x" * (1024 * 1024))
        elif self.path == "/http10":
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Client-Port: %d\r\n\r\n"
                             % self.client_address[1])
            self.wfile.write(b"read to the close")
            self.close_connection = True
        else:
            self.answer(b"no such page", 404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/echo":
            self.answer(body)
        else:
            self.answer(b"no such page", 404)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    done = threading.Event()

    def watch_stdin():
        try:
            sys.stdin.buffer.read()
        finally:
            done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if not done.wait(args.lifetime):
        sys.stderr.write("http_server.py: exiting after %g s\n" % args.lifetime)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
