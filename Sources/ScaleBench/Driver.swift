import Foundation

/// Runs the workers, prints the table, checks the targets and writes the report.
enum Driver {
    static let parallel = 64

    static func run(sizes: [Int], output: String?) async throws {
        var rows: [(parallel: Measurement, sequential: Measurement)] = []
        for size in sizes {
            log("N=\(size): parallel (concurrency \(parallel))")
            let fast = try await worker(size, concurrency: parallel)
            log("N=\(size): sequential baseline (concurrency 1)")
            let slow = try await worker(size, concurrency: 1)
            rows.append((fast, slow))
        }
        // The budget target: 500 nodes when the project's budget is already down to 1000 requests, so the
        // client must pace (Hetzner's limit: 3600 an hour, refilling one a second).
        log("N=500 against a budget already down to 1000 requests")
        let paced = try await worker(500, concurrency: parallel, initialBudget: 1000)

        let report = Report(rows: rows, paced: paced, model: LatencyModel())
        print(report.text)
        if let output {
            try report.markdown.write(toFile: output, atomically: true, encoding: .utf8)
            log("wrote \(output)")
        }
        if !report.targetsMet { exit(1) }
    }

    static func worker(_ nodes: Int, concurrency: Int, initialBudget: Int? = nil) async throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--worker", String(nodes), "--concurrency", String(concurrency)] + (initialBudget.map { ["--initial-budget", String($0)] } ?? [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(text: "the worker for N=\(nodes) failed with status \(process.terminationStatus)") }
        let measurement = try JSONDecoder().decode(Measurement.self, from: data)
        if !measurement.succeeded { throw BenchError(text: "N=\(nodes): the run failed: \(measurement.failure ?? "?")") }
        return measurement
    }

    static func log(_ text: String) { FileHandle.standardError.write(Data("bench: \(text)\n".utf8)) }
}

struct BenchError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
