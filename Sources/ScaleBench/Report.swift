import Foundation

/// The benchmark's figures, its targets, and the markdown report.
struct Report {
    let rows: [(parallel: Measurement, sequential: Measurement)]
    let paced: Measurement
    let model: LatencyModel

    private func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    var table: [String] {
        var lines = [
            "| N | up (s) | up / limit | down (s) | down / limit | calls up+down (2N+20) | creates / lists / health / deletes / other | CPU up+down (s) | peak MB | sequential up (s) | sequential down (s) | speed-up up |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for (fast, slow) in rows {
            let calls = fast.upCalls + fast.downCalls
            let other = calls - (fast.calls["create"] ?? 0) - (fast.calls["list"] ?? 0) - (fast.calls["health"] ?? 0) - (fast.calls["delete"] ?? 0)
            lines.append(
                "| \(fast.nodes) | \(f(fast.upSeconds)) | \(f(fast.upSeconds / fast.upLimit)) | \(f(fast.downSeconds)) | \(f(fast.downSeconds / fast.downLimit)) | "
                    + "\(calls) (\(2 * fast.nodes + 20)) | \(fast.calls["create"] ?? 0) / \(fast.calls["list"] ?? 0) / \(fast.calls["health"] ?? 0) / \(fast.calls["delete"] ?? 0) / \(other) | "
                    + "\(f(fast.upCPU + fast.downCPU, 3)) | \(f(fast.peakMemoryMB, 1)) | \(f(slow.upSeconds)) | \(f(slow.downSeconds)) | \(f(slow.upSeconds / fast.upSeconds, 1))x |")
        }
        return lines
    }

    var targets: [(String, Bool, String)] {
        var checks: [(String, Bool, String)] = []
        let one = rows.first { $0.parallel.nodes == 1 }?.parallel
        let hundred = rows.first { $0.parallel.nodes == 100 }?.parallel
        if let one, let hundred {
            let ratio = hundred.upSeconds / one.upSeconds
            checks.append(("Up wall time for N = 100 at most 1.25 x that for N = 1", ratio <= 1.25, "\(f(hundred.upSeconds)) s / \(f(one.upSeconds)) s = \(f(ratio)) x"))
            checks.append(("Controller CPU at most 0.5 s for N = 100", hundred.upCPU + hundred.downCPU <= 0.5, "\(f(hundred.upCPU + hundred.downCPU, 3)) s (up \(f(hundred.upCPU, 3)), down \(f(hundred.downCPU, 3)))"))
            checks.append(("Peak memory at most 64 MB for N = 100", hundred.peakMemoryMB <= 64, "\(f(hundred.peakMemoryMB, 1)) MB"))
        }
        let overBudget = rows.map(\.parallel).filter { $0.upCalls + $0.downCalls > 2 * $0.nodes + 20 }
        checks.append(("Provider calls for up + down at most 2N + 20", overBudget.isEmpty, rows.map { "N=\($0.parallel.nodes): \($0.parallel.upCalls + $0.parallel.downCalls) of \(2 * $0.parallel.nodes + 20)" }.joined(separator: ", ")))
        checks.append(("No 429 under the Hetzner-like limit for N up to 500 (the budget paces instead)", paced.rejected == 0 && rows.allSatisfy { $0.parallel.rejected == 0 && $0.sequential.rejected == 0 },
                       "N=500 from a budget of 1000: \(paced.upCalls + paced.downCalls) calls, \(paced.rejected) refused, \(f(paced.pacedSeconds, 1)) s paced, up \(f(paced.upSeconds, 1)) s, down \(f(paced.downSeconds, 1)) s"))
        return checks
    }

    var targetsMet: Bool { targets.allSatisfy(\.1) }

    var text: String {
        (table + [""] + targets.map { "\($0.1 ? "PASS" : "FAIL")  \($0.0): \($0.2)" }).joined(separator: "\n")
    }

    var machine: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return "\(cores) cores (\(cpu)), \(f(memory, 0)) GiB memory, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }

    var markdown: String {
        """
        # Benchmarks

        `make bench` runs `scalectl-bench`, which rebuilds this page. Each run below is `up` then `down` of
        one role of N front-end nodes behind a load balancer, on the sim provider, in a fresh process; the
        sequential baseline runs the same with concurrency 1, in the same benchmark run.

        Measured \(ISO8601DateFormatter().string(from: Date())) on \(machine).

        ## Latency model

        A Hetzner-like cloud with its times scaled down so a run takes seconds:

        | what | value |
        | --- | --- |
        | every API call | \(f(model.apiLatency * 1000, 0)) ms |
        | create to running | \(f(model.bootTime, 1)) s, plus up to \(f(model.bootSpread, 1)) s per node (fixed by its name) |
        | running to healthy on the load balancer | \(f(model.healthDelay, 1)) s |
        | running to ready | \(f(model.readinessDelay, 1)) s |
        | delete to gone | \(f(model.deleteTime, 1)) s |
        | request budget | \(model.perHour) an hour, refilling one a second, bucket of \(model.burst) (Hetzner's); 429 when empty |

        The controller polls from 500 ms, backing off by half to 2 s within a wait; readiness is read from the
        sim's physics (no process per node). The physical limit of `up` is the slowest node's own create +
        boot + ready time; that of `down` is detach + delete + gone.

        ## Results

        \(table.joined(separator: "\n"))

        "calls" counts every provider call of up and down (including the observation each command starts
        with). CPU is user + system time of the whole process, which also runs the simulated cloud (its
        SQLite writes); peak MB is the process's maximum resident set.

        ## Targets

        \(targets.map { "- \($0.1 ? "**met**" : "**missed**"): \($0.0) — \($0.2)" }.joined(separator: "\n"))

        ## Reproduce

        ```sh
        make bench        # builds in release mode, runs, rewrites docs/benchmarks.md
        ```

        or `swift build -c release --product scalectl-bench && .build/release/scalectl-bench --out docs/benchmarks.md`;
        one size alone: `.build/release/scalectl-bench --worker 100 --concurrency 64`.

        """
    }
}
