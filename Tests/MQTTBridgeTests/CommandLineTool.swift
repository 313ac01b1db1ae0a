import Foundation
import Synchronization

/// Runs the mosquitto command-line clients (`mosquitto_pub`, `mosquitto_sub`) as an independent
/// peer, through Foundation's `Process`, without blocking a cooperative thread while they run.
final class CommandLineTool: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    private let process: Process
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let exit = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    /// Starts `tool` (looked up on PATH) with `arguments`.
    init(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        // Holds `self` until the tool exits, which is what a running tool should do.
        process.terminationHandler = { [self] finished in
            let waiters = exit.withLock { state in
                state.status = finished.terminationStatus
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: finished.terminationStatus) }
        }
        try process.run()
    }

    var hasExited: Bool { exit.withLock { $0.status != nil } }

    /// Waits for the exit, then reads what the tool wrote (small outputs: they fit the pipe buffer).
    func result() async -> Result {
        let status = await withCheckedContinuation { (waiter: CheckedContinuation<Int32, Never>) in
            let known = exit.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(waiter)
                return nil
            }
            if let known { waiter.resume(returning: known) }
        }
        let stdout = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let stderr = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        return Result(status: status, stdout: Array(stdout), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func terminate() {
        if !hasExited { process.terminate() }
    }

    /// Runs `tool` to completion.
    static func run(_ tool: String, _ arguments: [String]) async throws -> Result {
        try await CommandLineTool(tool, arguments).result()
    }

    /// A temporary file holding `bytes`, for `mosquitto_pub -f` (binary-safe, unlike `-m`).
    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("starling-mqtt-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }
}
