import Crypto
import Foundation
import ScaleTesting
import Testing

/// Alerts from the real executable to a real SMTP server and a webhook receiver on loopback.
@Suite(.serialized, .awaitsCleanup)
struct AlertTests {
    /// A third role, `worker`, whose snapshot the sim hides while `broken`: `up` fails at resolve-snapshot.
    static func fleet(smtp: String, notifySuccess: Bool = false) async throws -> TestFleet {
        try TestFleet(frontal: 1, celery: 0, extraRoles: """

            [provider.roles.worker]
            no_snapshot = true

            [roles.worker]
            count = 1
            server_type = "cpx11"
            snapshot = { labels = "role=worker" }

            [alerts]
            dedupe = "30m"
            notify_success = \(notifySuccess)

            [alerts.email]
            smtp = "\(smtp)"
            from = "scalectl@example.org"
            to = ["oncall@example.org", "lead@example.org"]
            user_env = "SMTP_USER"
            password_env = "SMTP_PASSWORD"
            timeout = "10s"

            [alerts.webhook]
            url_env = "HOOK_URL"
            format = "json"
            secret_env = "HOOK_SECRET"
            """)
    }

    static func repair(_ fleet: TestFleet) async throws {
        let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
        try text.replacingOccurrences(of: "no_snapshot = true", with: "no_snapshot = false").write(toFile: fleet.config, atomically: true, encoding: .utf8)
    }

    static func addEvent(_ fleet: TestFleet) async throws {
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        try #require(added.status == 0, "\(added)")
    }

    @Test func aFailureIsSentOnceThenResolved() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let password = "smtp-pw-\(UUID().uuidString)"
        let signingKey = "hook-key-\(UUID().uuidString)"
        let smtp = try await FakeSMTPServer.start(in: directory, user: "alice", password: password)
        atEnd { await smtp.stop() }
        let hooks = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await hooks.stop() }
        let fleet = try await Self.fleet(smtp: smtp.url)
        atEnd { await fleet.cleanUp() }
        let environment = ["SMTP_USER": "alice", "SMTP_PASSWORD": password, "HOOK_URL": hooks.url("/hooks/scalectl"), "HOOK_SECRET": signingKey]
        try await Self.addEvent(fleet)

        let first = try await fleet.run("up", "--at", "2026-11-23T20:30", environment: environment)
        #expect(first.status == 1, "\(first)")
        #expect(first.stderr.contains("Step: resolve-snapshot (role worker)"), "the console still shows the alert: \(first.stderr)")
        #expect(first.stdout.contains("alert: failure sent to email"), "\(first)")
        var messages = try smtp.messages()
        try #require(messages.count == 1, "one mail for one failure: \(messages)")
        #expect(messages[0]["rcpt_tos"] as? [String] == ["oncall@example.org", "lead@example.org"])
        #expect(messages[0]["login"] as? String == "alice")
        let subject = (messages[0]["headers"] as? [String: String])?["Subject"] ?? ""
        #expect(subject.hasPrefix("Gala 2026-11-23 21:00 +01:00: "), "\(subject)")
        #expect(subject.hasSuffix(", 30 min before start"), "\(subject)")
        #expect((messages[0]["body"] as? String)?.contains("Step: resolve-snapshot (role worker)") == true)
        var requests = try hooks.received()
        try #require(requests.count == 1, "one webhook call for one failure")
        let document = try #require(requests[0]["json"] as? [String: Any])
        #expect(document["kind"] as? String == "failure")
        #expect(document["step"] as? String == "resolve-snapshot" && document["role"] as? String == "worker")
        #expect(document["title"] as? String == subject)
        try await Self.expectSigned(requests[0], key: signingKey)

        let second = try await fleet.run("up", "--at", "2026-11-23T20:35", environment: environment)
        #expect(second.status == 1, "\(second)")
        #expect(second.stdout.contains("not sent again within 30m"), "\(second)")
        #expect(try smtp.messages().count == 1, "nothing new within the dedupe period")
        #expect(try hooks.received().count == 1)

        try await Self.repair(fleet)
        let third = try await fleet.run("up", "--at", "2026-11-23T20:40", environment: environment)
        #expect(third.status == 0, "\(third)")
        messages = try smtp.messages()
        try #require(messages.count == 2, "a resolved mail: \(messages)")
        let resolved = (messages[1]["headers"] as? [String: String])?["Subject"] ?? ""
        #expect(resolved == "Gala 2026-11-23 21:00 +01:00: resolved: worker resolve-snapshot passes again (failed in 2 runs since 20:30), 20 min before start")
        requests = try hooks.received()
        try #require(requests.count == 2)
        #expect((requests[1]["json"] as? [String: Any])?["kind"] as? String == "resolved")
        try await Self.expectSigned(requests[1], key: signingKey)
        #expect(try await fleet.alertJournal().allSatisfy { $0.delivered && ($0.kind != "failure" || $0.resolved) })

        let fourth = try await fleet.run("up", "--at", "2026-11-23T20:45", environment: environment)
        #expect(fourth.status == 0)
        #expect(try smtp.messages().count == 2 && hooks.received().count == 2, "nothing more once resolved, and no summaries unless asked")

        // The secrets appear nowhere: output, database, what was sent.
        let seen = [first, second, third, fourth].map { $0.stdout + $0.stderr }.joined()
            + String(decoding: fleet.databaseBytes(), as: UTF8.self)
            + messages.compactMap { $0["raw"] as? String }.joined()
            + requests.compactMap { $0["body"] as? String }.joined()
        for secret in [password, signingKey, "/hooks/scalectl"] {
            #expect(!seen.contains(secret), "\(secret) leaked")
        }
    }

    @Test func deadChannelsLeaveTheExitStatusAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hooks = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await hooks.stop() }
        let closed = "smtp://127.0.0.1:\(TestTools.freePort())"
        let fleet = try await Self.fleet(smtp: closed, notifySuccess: true)
        atEnd { await fleet.cleanUp() }
        let environment = ["SMTP_USER": "alice", "SMTP_PASSWORD": "pw", "HOOK_URL": hooks.url("/status/500"), "HOOK_SECRET": "k"]
        try await Self.addEvent(fleet)

        let started = ContinuousClock.now
        let failing = try await fleet.run("up", "--at", "2026-11-23T20:30", environment: environment)
        #expect(failing.status == 1, "the step failed, whatever the channels did: \(failing)")
        #expect(failing.stderr.contains("warning: alert (failure) to email not delivered: could not connect to \(closed)"), "\(failing.stderr)")
        #expect(failing.stderr.contains("warning: alert (failure) to webhook not delivered: http://127.0.0.1:\(hooks.server.port) answered HTTP 500"), "\(failing.stderr)")
        #expect(try hooks.received().count == 2, "one retry after a 500")
        let journal = try await fleet.alertJournal()
        #expect(journal.count == 2)
        #expect(journal.allSatisfy { !$0.delivered && $0.attempts == 2 && $0.error != nil }, "\(journal)")

        try await Self.repair(fleet)
        let good = try await fleet.run("up", "--at", "2026-11-23T20:35", environment: environment)
        #expect(good.status == 0, "\(good)")
        #expect(good.stderr.contains("warning: alert (success) to webhook not delivered"), "the success summary was tried: \(good.stderr)")
        #expect(try await fleet.alertJournal().filter { $0.kind == "success" }.count == 2)
        #expect(try await fleet.alertJournal().filter { $0.kind == "resolved" }.isEmpty, "nobody was told of the failure, so no resolved message")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func alertTestReportsEachChannel() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let smtp = try await FakeSMTPServer.start(in: directory, user: "alice", password: "pw-test")
        atEnd { await smtp.stop() }
        let hooks = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await hooks.stop() }
        let fleet = try await Self.fleet(smtp: smtp.url)
        defer { fleet.directory.remove() }
        var environment = ["SMTP_USER": "alice", "SMTP_PASSWORD": "pw-test", "HOOK_URL": hooks.url(), "HOOK_SECRET": "k"]

        let good = try await fleet.run("alert", "test", environment: environment)
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("email (\(smtp.url), 2 recipients): delivered"), "\(good.stdout)")
        #expect(good.stdout.contains("webhook (http://127.0.0.1:\(hooks.server.port) (json)): delivered"), "\(good.stdout)")
        #expect((try smtp.messages().first?["headers"] as? [String: String])?["Subject"]?.contains("test alert from scalectl") == true)
        #expect((try hooks.received().first?["json"] as? [String: Any])?["kind"] as? String == "test")

        environment["SMTP_PASSWORD"] = "wrong"
        let bad = try await fleet.run("alert", "test", "--json", environment: environment)
        #expect(bad.status == 1, "\(bad)")
        let channels = try #require(try bad.json()["channels"] as? [[String: Any]])
        #expect(channels.map { $0["delivered"] as? Bool } == [false, true])
        #expect((channels[0]["error"] as? String)?.contains("refused the login") == true)

        environment["SMTP_PASSWORD"] = nil
        let unset = try await fleet.run("alert", "test", environment: environment)
        #expect(unset.status == 2)
        #expect(unset.stderr.contains("alerts.email.password_env: the environment variable SMTP_PASSWORD is not set"), "\(unset.stderr)")

        let bare = try TestFleet()
        defer { bare.directory.remove() }
        let none = try await bare.run("alert", "test")
        #expect(none.status == 2)
        #expect(none.stderr.contains("no alert channel is configured"), "\(none.stderr)")
    }

    static func expectSigned(_ request: [String: Any], key: String) async throws {
        let headers = try #require(request["headers"] as? [String: String])
        let timestamp = try #require(headers["x-scalectl-timestamp"])
        let signature = try #require(headers["x-scalectl-signature"])
        let body = try #require(request["body"] as? String)
        let expected = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(key.utf8)))
        #expect(signature == "sha256=" + expected.map { String(format: "%02x", $0) }.joined())
    }
}
