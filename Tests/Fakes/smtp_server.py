"""A real SMTP server on loopback for tests (aiosmtpd), writing each message it accepts to a directory.

Each message becomes NNNN.json: the envelope (mail_from, rcpt_tos), the login that authenticated
(never the password), the headers as a mail reader decodes them (Subject from RFC 2047), the body
decoded from its transfer encoding, and the raw message as received after DATA (dot-stuffing undone).
The file is written before the server answers 250, so a client that got 250 finds it there.

    python smtp_server.py --port 2525 --dir /tmp/inbox [--user alice --password secret]
"""
import argparse
import email
import email.policy
import json
import os
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Inbox:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
            "headers": {name: str(value) for name, value in message.items()},
            "raw_headers": {name: value for name, value in message.raw_items()},
            "body": message.get_content(),
            "raw": raw.decode("utf-8", "replace"),
        }
        with self.lock:
            self.count += 1
            path = os.path.join(self.directory, "%04d.json" % self.count)
        with open(path + ".tmp", "w") as file:
            json.dump(record, file)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    options = parser.parse_args()
    os.makedirs(options.dir, exist_ok=True)

    parameters = {}
    if options.user is not None:
        def authenticator(server, session, envelope, mechanism, auth_data):
            good = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == options.user.encode()
                and auth_data.password == options.password.encode()
            )
            return AuthResult(success=good, handled=False, auth_data=auth_data.login if good else None)

        # Loopback without TLS: the test allows AUTH in clear; real servers should not.
        parameters = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}

    controller = Controller(Inbox(options.dir), hostname="127.0.0.1", port=options.port, **parameters)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
