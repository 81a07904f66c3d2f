import Foundation
import ScaleStore

/// Requests or messages a fake server wrote to a directory, one JSON file each (see `Tests/Fakes/`).
public struct RecordingDirectory: Sendable {
    public let path: String

    /// Every record so far, oldest first.
    public func records() throws -> [[String: Any]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(path)/\(name)"))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CLIError(description: "\(path)/\(name) is not a JSON object")
            }
            return object
        }
    }
}

/// A real SMTP server (aiosmtpd from the test virtual environment) on loopback that keeps each message
/// it accepts: envelope, decoded headers, decoded body and the raw text.
public struct FakeSMTPServer: Sendable {
    public let server: PortReportingServer
    public let inbox: RecordingDirectory

    public var port: Int { server.port }
    public var url: String { "smtp://127.0.0.1:\(server.port)" }

    /// Starts the server; with `user` and `password` it requires AUTH (allowed without TLS on loopback).
    public static func start(in directory: TemporaryDirectory, user: String? = nil, password: String? = nil) async throws -> FakeSMTPServer {
        let inbox = directory.file("inbox-\(UUID().uuidString.prefix(6))")
        var arguments = ["--dir", inbox]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        return FakeSMTPServer(server: try await .fake("smtp_server.py", arguments), inbox: RecordingDirectory(path: inbox))
    }

    public func messages() throws -> [[String: Any]] { try inbox.records() }

    public func stop() async { await server.stop() }
}

/// A loopback HTTP server that records every POST; `/status/NNN` answers NNN, any other path 200.
public struct FakeWebhookReceiver: Sendable {
    public let server: PortReportingServer
    public let requests: RecordingDirectory

    public func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(server.port)\(path)" }

    public static func start(in directory: TemporaryDirectory) async throws -> FakeWebhookReceiver {
        let requests = directory.file("hooks-\(UUID().uuidString.prefix(6))")
        return FakeWebhookReceiver(server: try await .fake("webhook_receiver.py", ["--dir", requests]), requests: RecordingDirectory(path: requests))
    }

    /// The recorded requests, with the body parsed as JSON under `json`.
    public func received() throws -> [[String: Any]] {
        try requests.records().map { record in
            var record = record
            if let body = record["body"] as? String, let data = body.data(using: .utf8) {
                record["json"] = try? JSONSerialization.jsonObject(with: data)
            }
            return record
        }
    }

    public func stop() async { await server.stop() }
}

/// One row of the alert journal, as end-to-end tests check it.
public struct JournaledAlert: Sendable {
    public var channel: String
    public var kind: String
    public var title: String
    public var delivered: Bool
    public var attempts: Int
    public var error: String?
    public var resolved: Bool
}

extension TestFleet {
    /// The alert journal of fleet `fleet` in this configuration's database, newest first.
    public func alertJournal(fleet: String = "t") async throws -> [JournaledAlert] {
        let store = try Store(path: database, fleet: fleet)
        return try await store.alerts(limit: 1000).map {
            JournaledAlert(
                channel: $0.channel, kind: $0.alert.kind.rawValue, title: $0.alert.title, delivered: $0.deliveredAt != nil,
                attempts: $0.attempts, error: $0.error, resolved: $0.resolvedAt != nil)
        }
    }

    /// Every byte of the database files (the main file, and the write-ahead log beside it).
    public func databaseBytes() -> Data {
        ["", "-wal", "-shm"].reduce(into: Data()) { data, suffix in
            data.append(FileManager.default.contents(atPath: database + suffix) ?? Data())
        }
    }
}
