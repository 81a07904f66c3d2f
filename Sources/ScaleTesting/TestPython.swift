import Foundation

/// Runs the helper scripts of `Tests/Fakes` with the test virtual environment's Python.
public enum TestPython {
    /// Runs `script` to completion and returns its standard output.
    /// - Throws: when it exits non-zero, with what it wrote on standard error.
    public static func run(_ script: String, _ arguments: [String], input: Data? = nil) async throws -> Data {
        let directory = try TemporaryDirectory("scalectl-python")
        defer { directory.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestTools.venv("python"))
        process.arguments = ["\(TestTools.repositoryRoot)/Tests/Fakes/\(script)"] + arguments
        _ = FileManager.default.createFile(atPath: directory.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: directory.file("err"), contents: nil)
        _ = FileManager.default.createFile(atPath: directory.file("in"), contents: input ?? Data())
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("out")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("err")))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: directory.file("in")))
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let output = FileManager.default.contents(atPath: directory.file("out")) ?? Data()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let errors = String(decoding: FileManager.default.contents(atPath: directory.file("err")) ?? Data(), as: UTF8.self)
            throw TestPythonError(description: "\(script) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)):\n\(errors)")
        }
        return output
    }
}

/// A helper script that failed, with what it wrote on standard error.
public struct TestPythonError: Error, CustomStringConvertible {
    public var description: String
}
