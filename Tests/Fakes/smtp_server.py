"""A real SMTP server on loopback for tests (aiosmtpd), writing each message it accepts to a directory.

Each message becomes NNNN.json: the envelope (mail_from, rcpt_tos), the login that authenticated
(never the password), the headers as a mail reader decodes them (Subject from RFC 2047), the body
decoded from its transfer encoding, and the raw message as received after DATA (dot-stuffing undone).
The file is written before the server answers 250, so a client that got 250 finds it there.

    python smtp_server.py --port 2525 --dir /tmp/inbox [--user alice --password secret]
    python smtp_server.py --port 0 --dir /tmp/inbox --tls starttls --require-starttls --ca-out /tmp/ca.pem

`--port 0` binds a free port and prints it as the first line on stdout once the server listens.
`--tls starttls` offers STARTTLS (RFC 3207) and `--tls smtps` speaks TLS from the first byte (RFC 8314),
both with a certificate for 127.0.0.1 issued by a test CA made at start (trustme) and written to
`--ca-out`. Each record says whether the message came over TLS; each AUTH attempt is appended to
auth.log in the directory (the login only), so a test can see that no password crossed in clear.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


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
            "tls": server.transport.get_extra_info("ssl_object") is not None or bool(getattr(session, "ssl", None)),
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


def tls_context(ca_out):
    """A server context with a certificate for 127.0.0.1 from a CA made now; the CA goes to ca_out."""
    import trustme

    authority = trustme.CA()
    authority.cert_pem.write_to_path(ca_out)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--tls", choices=["none", "starttls", "smtps"], default="none")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--ca-out")
    options = parser.parse_args()
    os.makedirs(options.dir, exist_ok=True)
    context = tls_context(options.ca_out) if options.tls != "none" else None

    parameters = {}
    if options.user is not None:
        def authenticator(server, session, envelope, mechanism, auth_data):
            good = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == options.user.encode()
                and auth_data.password == options.password.encode()
            )
            with open(os.path.join(options.dir, "auth.log"), "a") as log:
                login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
                log.write("%s %s\n" % (login, "ok" if good else "refused"))
            return AuthResult(success=good, handled=False, auth_data=auth_data.login if good else None)

        # Without TLS (loopback) the test allows AUTH in clear; with STARTTLS only after it, as servers should
        # (implicit TLS is encrypted from the start).
        parameters = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": options.tls == "starttls"}

    inbox = Inbox(options.dir)

    def factory():
        return SMTP(
            inbox, hostname="smtp.test", tls_context=context if options.tls == "starttls" else None,
            require_starttls=options.require_starttls, **parameters,
        )

    loop = asyncio.new_event_loop()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", options.port))
    listener.listen(64)
    server = loop.run_until_complete(
        loop.create_server(factory, sock=listener, ssl=context if options.tls == "smtps" else None)
    )
    print(listener.getsockname()[1], flush=True)
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, loop.stop)
    loop.run_forever()
    server.close()
    loop.run_until_complete(server.wait_closed())


if __name__ == "__main__":
    main()
