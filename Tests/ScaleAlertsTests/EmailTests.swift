import Foundation
import ScaleAlerts
import ScaleCore
import ScaleTesting
import Testing

/// Mail through libcurl to a real SMTP server (aiosmtpd) on loopback, read back by Python's mail parser.
@Suite(.serialized, .awaitsCleanup)
struct EmailTests {
    static func settings(_ url: String, user: String? = nil, password: String? = nil) -> SMTPSettings {
        SMTPSettings(
            server: URL(string: url)!, from: "scalectl@example.org", to: ["oncall@example.org", "lead@example.org"],
            username: user.map(Secret.init), password: password.map(Secret.init), connectTimeout: .seconds(5), timeout: .seconds(20))
    }

    @Test func anAlertArrivesWithEnvelopeHeadersAndBody() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await FakeSMTPServer.start(in: directory)
        atEnd { await server.stop() }
        let clock = ManualClock()
        let channel = EmailChannel(settings: Self.settings(server.url), clock: clock)
        let alert = Fixture.failure()

        try await channel.deliver(alert)

        let messages = try server.messages()
        try #require(messages.count == 1)
        let message = messages[0]
        #expect(message["mail_from"] as? String == "scalectl@example.org")
        #expect(message["rcpt_tos"] as? [String] == ["oncall@example.org", "lead@example.org"])
        let headers = try #require(message["headers"] as? [String: String])
        #expect(headers["Subject"] == alert.title, "the decoded subject is the alert's first line")
        #expect(alert.title.hasPrefix("Gala ñandú 2026-11-23 21:00 +01:00: 1 of 3 frontal nodes could not be created, 38 min before start"))
        #expect(headers["Date"] == "Mon, 23 Nov 2026 19:22:00 +0000")
        #expect(headers["From"] == "scalectl@example.org")
        #expect(headers["To"] == "oncall@example.org, lead@example.org")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(headers["Content-Type"]?.hasPrefix("text/plain; charset=") == true)
        #expect(headers["Content-Type"]?.contains("utf-8") == true)
        let messageID = try #require(headers["Message-ID"])
        #expect(messageID.range(of: "^<[0-9a-f-]{36}@example\\.org>$", options: .regularExpression) != nil, "\(messageID)")
        let raw = try #require(message["raw"] as? String)
        #expect(raw.contains("Subject: =?UTF-8?B?"), "a non-ASCII subject goes as RFC 2047 encoded-words")
        #expect(raw.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "no header or body line is longer than 78")
        let body = try #require(message["body"] as? String).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(body.hasPrefix(alert.text + "\n"))
        #expect(body.contains("Step: create (role frontal)"))
        #expect(body.contains("Provider answer: sim resource_unavailable (HTTP 412): server type cpx31 is not available right now [request id sim-1a2b3c4d]"))
        #expect(body.contains("  - t-frontal-1-1 (id 812, 10.0.0.7, running)"))
    }

    @Test func linesStartingWithADotSurviveTheTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await FakeSMTPServer.start(in: directory)
        atEnd { await server.stop() }
        let text = ".hidden line\n.\n..\nend ñ " + String(repeating: "é", count: 80) + "\ntrailing space \n"
        let message = MailMessage(from: "scalectl@example.org", to: ["oncall@example.org"], subject: "dots", body: text, date: Date())

        try await SMTPClient(settings: Self.settings(server.url)).send(message)

        let received = try #require(try server.messages().first)
        let body = try #require(received["body"] as? String).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(body == text, "libcurl stuffs the dots and the server unstuffs them; quoted-printable keeps the rest")
    }

    @Test func authenticatesAndAWrongPasswordFailsClearly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await FakeSMTPServer.start(in: directory, user: "alice", password: "pw-Very-Secret-1")
        atEnd { await server.stop() }

        try await SMTPClient(settings: Self.settings(server.url, user: "alice", password: "pw-Very-Secret-1"))
            .send(MailMessage(from: "scalectl@example.org", to: ["oncall@example.org"], subject: "hello", body: "hi", date: Date()))
        #expect(try server.messages().first?["login"] as? String == "alice")

        let channel = EmailChannel(settings: Self.settings(server.url, user: "alice", password: "pw-Wrong-2"))
        let error = await #expect(throws: AlertDeliveryError.self) { try await channel.deliver(Fixture.failure()) }
        #expect(error?.retryable == false, "a refused login is not tried again")
        #expect(error?.problem.contains("refused the login") == true, "\(String(describing: error))")
        #expect(error?.problem.contains("535") == true, "the server's reply code is quoted")
        #expect(error?.problem.contains("pw-Wrong-2") == false)
        #expect(try server.messages().count == 1, "nothing was delivered with the wrong password")
    }

    @Test func aClosedPortFailsFastAsRetryable() async throws {
        let port = TestTools.freePort()
        let started = ContinuousClock.now
        let error = await #expect(throws: SMTPError.self) {
            try await SMTPClient(settings: Self.settings("smtp://127.0.0.1:\(port)"))
                .send(MailMessage(from: "scalectl@example.org", to: ["oncall@example.org"], subject: "x", body: "x", date: Date()))
        }
        #expect(error?.kind == .connect)
        #expect(error?.retryable == true)
        #expect(error?.description.contains("could not connect to smtp://127.0.0.1:\(port)") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aServerThatNeverAnswersIsCutOffByTheTimeout() async throws {
        // A listener that accepts and says nothing: the greeting never comes.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let silent = try await PortReportingServer.start(
            TestTools.python, ["-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5); print(s.getsockname()[1], flush=True); c=[s.accept() for _ in range(3)]; time.sleep(60)"])
        atEnd { await silent.stop() }
        var settings = Self.settings("smtp://127.0.0.1:\(silent.port)")
        settings.timeout = .milliseconds(700)
        let started = ContinuousClock.now
        let error = await #expect(throws: SMTPError.self) {
            try await SMTPClient(settings: settings).send(MailMessage(from: "scalectl@example.org", to: ["a@example.org"], subject: "x", body: "x", date: Date()))
        }
        #expect(error?.kind == .timeout, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

/// The parts of a message that need no server.
@Suite(.awaitsCleanup)
struct MailMessageTests {
    @Test(arguments: [
        ("short ASCII", false),
        ("Gala 2026-11-23 21:00 +01:00: 2 of 5 frontal nodes unhealthy on mihiluze-lb, 38 min before start", true),
        ("ñandú", true),
        ("looks =?like?= a word", true),
    ])
    func subjectsAreEncodedWhenTheyMustBe(subject: String, encoded: Bool) throws {
        let message = MailMessage(from: "a@example.org", to: ["b@example.org"], subject: subject, body: "", date: Date())
        let text = String(decoding: message.rendered, as: UTF8.self)
        let header = try #require(text.components(separatedBy: "\r\nMessage-ID:").first?.components(separatedBy: "\r\nSubject: ").last)
        #expect(header.hasPrefix("=?UTF-8?B?") == encoded, "\(header)")
        for line in ("Subject: " + header).components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= (encoded ? 76 : 78), "\(line)")
            if encoded { #expect(line.trimmingCharacters(in: .whitespaces).utf8.count <= 75, "an encoded-word is at most 75 characters") }
        }
    }
}
