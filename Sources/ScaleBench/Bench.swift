import Foundation

/// `scalectl-bench`: scale-up and scale-down speed, provider calls and footprint on the sim provider,
/// against the physical limit, for several fleet sizes, each in a fresh process.
///
///     scalectl-bench [--out docs/benchmarks.md] [--sizes 1,10,50,100,200]
///     scalectl-bench --worker N --concurrency C [--initial-budget B]    (one run; prints JSON)
///     scalectl-bench --soak RUNS [--every K] [--busy-every B]           (the daemon's memory; prints JSON)
@main
enum Bench {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            if let index = arguments.firstIndex(of: "--soak") {
                let samples = try await Soak.run(
                    runs: Int(arguments[index + 1]) ?? 10_000, every: value(arguments, "--every").flatMap(Int.init) ?? 1000,
                    busyEvery: value(arguments, "--busy-every").flatMap(Int.init) ?? 500)
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                FileHandle.standardOutput.write(try encoder.encode(samples) + Data("\n".utf8))
            } else if let index = arguments.firstIndex(of: "--worker") {
                let nodes = Int(arguments[index + 1]) ?? 1
                let concurrency = value(arguments, "--concurrency").flatMap(Int.init) ?? 64
                var model = LatencyModel()
                model.initialBudget = value(arguments, "--initial-budget").flatMap(Int.init)
                let measurement = try await Worker.run(nodes: nodes, concurrency: concurrency, model: model)
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                FileHandle.standardOutput.write(try encoder.encode(measurement) + Data("\n".utf8))
            } else {
                let sizes = value(arguments, "--sizes").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 10, 50, 100, 200]
                try await Driver.run(sizes: sizes, output: value(arguments, "--out"))
            }
        } catch {
            FileHandle.standardError.write(Data("scalectl-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func value(_ arguments: [String], _ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
