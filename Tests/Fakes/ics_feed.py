"""A loopback iCalendar feed for the calendar-sync tests, shaped like a Google "secret address" feed.

GET of any path answers the file FEED_DIR/feed.ics as text/calendar with an ETag (a hash of the
content) and a fixed Last-Modified; If-None-Match with the current ETag answers 304 Not Modified.
If FEED_DIR/status exists, its number is the answer's status instead (500 for an outage). Each
request's path and If-None-Match are appended to FEED_DIR/requests.log. Only a path containing
the expected secret (--secret) is served; others answer 404, as Google does.

    python3 ics_feed.py --port 8080 --dir /tmp/feed --secret s3cr3t
"""
import argparse
import hashlib
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--secret", required=True)
    options = parser.parse_args()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            with lock:
                with open(os.path.join(options.dir, "requests.log"), "a") as log:
                    log.write("%s if-none-match=%s\n" % (self.path, self.headers.get("If-None-Match", "")))
            status_file = os.path.join(options.dir, "status")
            if os.path.exists(status_file):
                with open(status_file) as handle:
                    status = int(handle.read().strip())
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if options.secret not in self.path:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with open(os.path.join(options.dir, "feed.ics"), "rb") as handle:
                body = handle.read()
            etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Tue, 01 Dec 2026 06:00:00 GMT")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    print(server.server_address[1], flush=True)  # the port it got (--port 0: a free one), first line on stdout
    server.serve_forever()


if __name__ == "__main__":
    main()
