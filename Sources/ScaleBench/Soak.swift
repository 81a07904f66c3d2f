import Foundation
import Logging
import ScaleApp
import ScaleCore
import ScaleStore

/// `scalectl-bench --soak RUNS [--every K] [--busy-every B]`: the daemon's reconcile
/// (``Daemon/reconcileOnce()``, what its loop calls at every wake) RUNS times in one process, inside an
/// open window on the sim with no latency, printing the process's resident memory and the database's
/// size every K runs. Most runs have nothing to do; every B-th run an override changes the front-end
/// count, so that run creates or deletes a node (and the next one undoes it).
enum Soak {
    struct Sample: Codable, Sendable {
        var run: Int
        var rssKB: Int
        var databaseKB: Int
        var seconds: Double
    }

    static func run(runs: Int, every: Int, busyEvery: Int) async throws -> [Sample] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scalectl-soak-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = "\(directory)/scalectl.toml"
        try """
            [controller]
            fleet = "soak"
            timezone = "UTC"
            database = "scalectl.sqlite"
            drain = "0s"
            poll_interval = "10ms"
            probe_interval = "10ms"

            [provider]
            kind = "sim"
            api_latency = "0s"
            boot_time = "0s"
            boot_spread = "0s"
            health_delay = "0s"
            delete_time = "0s"

            [roles.frontal]
            count = 2
            server_type = "cpx31"
            snapshot = { labels = "role=frontal", max_age = "30h" }
            load_balancer = "soak-lb"

            [roles.celery]
            count = 1
            server_type = "cpx41"
            snapshot = { labels = "role=celery", max_age = "30h" }
            """.write(toFile: config, atomically: true, encoding: .utf8)

        var logger = Logger(label: "soak")
        logger.logLevel = .error
        let context = try AppContext(GlobalOptions(config: config, quiet: true), logger: logger)
        let now = context.clock.now()
        _ = try await context.store.addEvent(NewEvent(name: "Soak", start: now - .seconds(3600), end: now + .seconds(30 * 86_400), timeZone: "UTC"))
        let daemon = Daemon(context: context, control: Control(context: context))

        var samples: [Sample] = []
        let started = ContinuousClock.now
        for run in 1...runs {
            if busyEvery > 0, run % busyEvery == 0 {
                let count = (run / busyEvery) % 2 == 1 ? 3 : 2
                _ = try await context.store.addOverride(
                    .setCount(role: "frontal", count: count, eventID: nil), reason: "soak", author: "bench", at: context.clock.now(), expiresAt: nil)
            }
            let status = await daemon.reconcileOnce()
            guard status == .ok else { throw SoakFailure(description: "run \(run) ended with \(status)") }
            if run == 1 || run % every == 0 {
                samples.append(Sample(
                    run: run, rssKB: residentKB(), databaseKB: databaseBytes(context.configuration.database) / 1024,
                    seconds: (ContinuousClock.now - started).timeInterval))
                FileHandle.standardError.write(Data("soak: run \(run): resident \(samples.last!.rssKB) KB, database \(samples.last!.databaseKB) KB\n".utf8))
            }
        }
        return samples
    }

    struct SoakFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The process's resident set size, from /proc/self/statm (pages).
    static func residentKB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }

    /// The database with its write-ahead log.
    static func databaseBytes(_ path: String) -> Int {
        ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }
}
