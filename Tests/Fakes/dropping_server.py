#!/usr/bin/env python3
"""An HTTP/1.1 server that drops the answer to the first POST it gets.

It reads that request whole (headers and Content-Length bytes of body) and closes the connection
without answering: what a server or proxy does when it dies or restarts mid-exchange. A client that had
reused the connection sees it die before any answer and may re-send the request on a new one (libcurl
does); every request is logged with the body bytes that arrived, at GET /__log.

Run: python3 dropping_server.py --port 8080
"""
import argparse
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = []
LOCK = threading.Lock()
DROPPED = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.served = 0
        self.connection.settimeout(20)

    def do_GET(self):
        if self.path == "/__log":
            with LOCK:
                return self.answer(200, {"requests": LOG})
        self.serve("GET")

    def do_POST(self):
        self.serve("POST")

    def serve(self, method):
        self.served += 1
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = self.rfile.read(length) if length else b""
        except socket.timeout:
            body = None
        entry = {"method": method, "path": self.path, "declared": length, "received": None if body is None else len(body),
                 "nth_on_connection": self.served}
        with LOCK:
            LOG.append(entry)
        print(json.dumps(entry), flush=True)
        if body is None or len(body) < length:
            self.close_connection = True
            return
        with LOCK:
            drop = method == "POST" and not DROPPED
            if drop:
                DROPPED.append(self.path)
        if drop:
            # Lost answer: the request was read whole; the connection goes without a word.
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.answer(200, {"received": len(body)})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)  # the port it got (--port 0: a free one), first line on stdout
    server.serve_forever()


if __name__ == "__main__":
    main()
