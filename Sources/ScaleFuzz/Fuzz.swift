import Foundation
import ScaleApp

// Built with `-DFUZZING -sanitize=fuzzer` (see `make fuzz`), libFuzzer supplies `main` and calls this
// with mutated inputs. Built normally, `scalectl-fuzz DIR...` replays every file in the directories
// (and writes the seeds with `--seeds DIR`), so the harness always compiles and its corpus can be rerun.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ParserFuzzing.exercise(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
/// libFuzzer's driver: parses its flags, then calls the callback with mutated inputs until time is up.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM names an executable's entry point `<Target>_main`; under the fuzzer it starts libFuzzer.
@_cdecl("ScaleFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        guard let data else { return 0 }
        return fuzzOneInput(data, size)
    }
}
#else
@main
enum Replay {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--seeds", arguments.count >= 3 {
            for seed in ParserFuzzing.seeds(root: arguments[2]) {
                FileManager.default.createFile(atPath: "\(arguments[1])/\(seed.name)", contents: Data(seed.bytes))
            }
            return
        }
        var count = 0
        while let directory = arguments.popLast() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)") else { continue }
                ParserFuzzing.exercise(Array(data))
                count += 1
            }
        }
        print("replayed \(count) inputs without a crash")
    }
}
#endif
