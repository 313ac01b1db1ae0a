import NIOCore
import XMPPCore

/// What one session hands a component at once: stanzas it sent in a row, to be handled in order
/// (RFC 6120 §10.1).
public struct ComponentBatch: Sendable {
    public let session: Session
    public let stanzas: [Stanza]

    public init(session: Session, stanzas: [Stanza]) {
        self.session = session
        self.stanzas = stanzas
    }
}

/// One event loop's hand-overs to components during one loop turn. Every session whose input the
/// loop read in this turn and that addressed a component adds its batch here; when the loop has
/// finished its I/O for the turn, the batches go to each component in one call, from one task.
/// So a thousand devices publishing at once cost one task, one hop into the service and one wait
/// for the store per loop turn instead of one each; each session still waits (its promise) until
/// its own batch is done before its next input is processed.
final class ComponentInbox: Sendable {
    private struct Entry {
        let component: any ComponentHandler
        let batch: ComponentBatch
        let promise: EventLoopPromise<Void>
    }

    let eventLoop: EventLoop
    private let entries: NIOLoopBoundBox<[Entry]>

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.entries = NIOLoopBoundBox.makeBoxSendingValue([], eventLoop: eventLoop)
    }

    /// On the loop: queues `batch` for `component`; the future completes when the component has
    /// handled it.
    func add(_ batch: ComponentBatch, for component: any ComponentHandler) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let first = entries.value.isEmpty
        entries.value.append(Entry(component: component, batch: batch, promise: promise))
        // Tasks queued during a loop turn run after the turn's I/O: every read of this turn is in.
        if first { eventLoop.assumeIsolated().execute { self.handOver() } }
        return promise.futureResult
    }

    private func handOver() {
        let taken = entries.value
        entries.value = []
        var groups: [(component: any ComponentHandler, entries: [Entry])] = []
        for entry in taken {
            if let index = groups.firstIndex(where: { $0.component.domain == entry.component.domain }) {
                groups[index].entries.append(entry)
            } else {
                groups.append((entry.component, [entry]))
            }
        }
        for group in groups {
            let component = group.component
            let batches = group.entries.map(\.batch)
            let promises = group.entries.map(\.promise)
            eventLoop.makeFutureWithTask { await component.handle(batches) }.whenComplete { _ in
                for promise in promises { promise.succeed(()) }
            }
        }
    }
}
