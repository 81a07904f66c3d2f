"""A loopback HTTP receiver for webhook tests: records every request to a directory, then answers.

Each request becomes NNNN.json with method, path, headers (names in lower case) and the body as text,
written before the answer is sent. A path of /status/NNN answers with that status; any other 200 "ok".

    python3 webhook_receiver.py --port 8080 --dir /tmp/hooks
"""
import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    options = parser.parse_args()
    os.makedirs(options.dir, exist_ok=True)
    counter = {"n": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            record = {
                "method": self.command,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            with lock:
                counter["n"] += 1
                path = os.path.join(options.dir, "%04d.json" % counter["n"])
            with open(path + ".tmp", "w") as file:
                json.dump(record, file)
            os.rename(path + ".tmp", path)
            status = 200
            if self.path.startswith("/status/"):
                status = int(self.path.split("/")[2])
            answer = b"ok" if status < 300 else b"failing on purpose"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *arguments):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    print(server.server_address[1], flush=True)  # the port it got (--port 0: a free one), first line on stdout
    server.serve_forever()


if __name__ == "__main__":
    main()
