import Foundation

/// Rendezvous between the shards of one run (`--shard i/n`) and with the caller that samples
/// /proc (`--gate`), through empty files in one directory: a file exists once its event happened.
/// Files, not sockets, because the caller is a shell script and the shards are plain processes.
///
/// Events: `nodes-ready` (shard 0 created the nodes), `subscribed-i` (shard i's sessions are set
/// up), `ready` (measured phase may start; the caller samples), `go` (caller: start), `start`
/// (shard 0 to the others: publishing begins), `done-i` (shard i counted everything), `measured`
/// (measured phase over; the caller samples), `finish` (caller/shard 0: clean up).
struct SyncDirectory: Sendable {
    let path: String?

    func signal(_ event: String) {
        guard let path else { return }
        _ = FileManager.default.createFile(atPath: "\(path)/\(event)", contents: Data())
    }

    /// Waits until `event` happened; true at once without a directory. The run's `--timeout`
    /// bounds the wait (the deadline task ends the process).
    func wait(for event: String) async -> Bool {
        guard let path else { return true }
        while !FileManager.default.fileExists(atPath: "\(path)/\(event)") {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
