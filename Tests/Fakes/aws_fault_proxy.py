#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of moto_server, for scalectl's AWS tests: standard library only.

Every request is forwarded to moto (`--upstream`), unless a fault says otherwise. The faults follow what
AWS documents for its query APIs (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html,
"Query API request rate" / RequestLimitExceeded, and the ELBv2 "Throttling" error): an error answer is
`<Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors><RequestID>..</RequestID></Response>`.

POST /__faults with {"rules": [...], "seed": N, "error_rate": r, "lost_rate": r, "echo": "text"}:
  a rule {"action": "TerminateInstances", "status": 503, "code": "RequestLimitExceeded", "times": n}
  answers that action with that error n times (always without `times`); {"action": ..., "lost": true}
  forwards it to moto and then drops the connection without an answer (AWS did it; the answer was lost);
  {"action": ..., "drop": true} drops it without forwarding (the request never arrived).
  A rule with "match": {"InstanceType": "t3.small", "SubnetId": "subnet-1"} applies only to requests
  whose form parameters have all those values (a capacity shortage of one type in one subnet's zone:
  {"action": "RunInstances", "status": 500, "code": "InsufficientInstanceCapacity", "match": {...}});
  "message" replaces the injected error's message.
  error_rate answers that share of requests 500 InternalError; lost_rate loses that share of answers.
  echo: text appended to every injected error message (a provider echoing a secret back).
  "idempotency": true: RunInstances keeps EC2's ClientToken rule: a token seen before (whatever that
  request's outcome, the conservative reading of AWS's docs) with other parameters is answered
  400 IdempotentParameterMismatch (moto ignores ClientToken).
GET /__log: every request seen: action, what was done (forwarded, injected CODE, lost, dropped), and the
  parameters InstanceType, SubnetId and ClientToken when the request has them.

Run: python3 aws_fault_proxy.py --port 8080 --upstream http://127.0.0.1:5000
"""
import argparse
import json
import random
import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

LOGGED = ("InstanceType", "SubnetId", "ClientToken")


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules, self.log = [], []
        self.random = random.Random(0)
        self.error_rate = self.lost_rate = 0.0
        self.echo = ""
        self.idempotency = False
        self.tokens = {}

    def update(self, body):
        with self.lock:
            self.rules = [dict(r) for r in body.get("rules", self.rules)]
            if "seed" in body:
                self.random = random.Random(body["seed"])
            self.error_rate = body.get("error_rate", self.error_rate)
            self.lost_rate = body.get("lost_rate", self.lost_rate)
            self.echo = body.get("echo", self.echo)
            self.idempotency = body.get("idempotency", self.idempotency)

    def decide(self, action, params):
        with self.lock:
            if self.idempotency and action == "RunInstances" and "ClientToken" in params:
                others = sorted((k, v) for k, v in params.items() if k != "ClientToken")
                if self.tokens.setdefault(params["ClientToken"], others) != others:
                    return "injected", (400, "IdempotentParameterMismatch", None)
            for rule in self.rules:
                if rule.get("action") != action or rule.get("times", -1) == 0:
                    continue
                if any(params.get(key) != value for key, value in rule.get("match", {}).items()):
                    continue
                if rule.get("times", -1) > 0:
                    rule["times"] -= 1
                if rule.get("lost"):
                    return "lost", None
                if rule.get("drop"):
                    return "dropped", None
                return "injected", (rule.get("status", 500), rule.get("code", "InternalError"), rule.get("message"))
            if self.error_rate and self.random.random() < self.error_rate:
                return "injected", (500, "InternalError", None)
            if self.lost_rate and self.random.random() < self.lost_rate:
                return "lost", None
            return "forwarded", None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        faults = self.server.faults
        if self.path == "/__log":
            with faults.lock:
                return self.answer(200, json.dumps({"requests": faults.log}).encode(), "application/json")
        self.forward("GET", b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__faults":
            self.server.faults.update(json.loads(body or b"{}"))
            return self.answer(200, b'{"ok": true}', "application/json")
        self.forward("POST", body)

    def forward(self, method, body):
        faults = self.server.faults
        params = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
        action = params.get("Action", "?")
        what, error = faults.decide(action, params)
        with faults.lock:
            entry = {"action": action, "done": what if error is None else "injected %s" % error[1]}
            entry.update({key: params[key] for key in LOGGED if key in params})
            faults.log.append(entry)
        if what == "dropped":
            return self.drop()
        if what == "injected":
            status, code, text = error
            message = (text or "injected %s for %s" % (code, action)) + ((" " + faults.echo) if faults.echo else "")
            xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>"
                   "</Error></Errors><RequestID>proxy-%d</RequestID></Response>" % (code, message, len(faults.log)))
            return self.answer(status, xml.encode(), "text/xml")
        request = urllib.request.Request(self.server.upstream + self.path, data=body if method == "POST" else None, method=method)
        for name, value in self.headers.items():
            if name.lower() not in ("host", "content-length", "connection", "expect"):
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, data, kind = reply.status, reply.read(), reply.headers.get("Content-Type", "text/xml")
        except urllib.error.HTTPError as error:
            status, data, kind = error.code, error.read(), error.headers.get("Content-Type", "text/xml")
        if what == "lost":
            return self.drop()
        self.answer(status, data, kind)

    def drop(self):
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def answer(self, status, data, kind):
        self.send_response(status)
        if self.close_connection:  # asked with "Connection: close": say so (RFC 9112 §9.6), or the client may reuse it
            self.send_header("Connection", "close")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.faults = Faults()
    server.upstream = args.upstream.rstrip("/")
    print(server.server_address[1], flush=True)  # the port it got (--port 0: a free one), first line on stdout
    server.serve_forever()


if __name__ == "__main__":
    main()
