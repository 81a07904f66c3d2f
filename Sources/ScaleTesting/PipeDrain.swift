import Foundation

/// Reads a pipe to its end on a thread of its own: `chunk` gets each piece, `end` is called once at end of
/// file. Blocking reads rather than `readabilityHandler`, whose dispatch source crashed the test process
/// twice on CI (signal 11 in libdispatch's `_dispatch_event_loop_drain`) as child processes came and went.
enum PipeDrain {
    static func start(_ pipe: Pipe, chunk: @escaping @Sendable (Data) -> Void, end: @escaping @Sendable () -> Void) {
        nonisolated(unsafe) let pipe = pipe  // kept open by this thread until the end of file; used by it alone
        let thread = Thread {
            // read(2), which returns what is there; FileHandle's reads wait for a full count or the end.
            let descriptor = pipe.fileHandleForReading.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                chunk(Data(buffer[0..<count]))
            }
            end()
        }
        thread.start()
    }
}
