import Testing
@testable import XMPPServer

/// Stream ids and generated resources must not be guessable (RFC 6120 §4.7.3, §7.6.2.1).
@Suite struct ServerCoreIDTests {
    @Test func lengthAndAlphabet() {
        let alphabet = Set("abcdefghijklmnopqrstuvwxyz234567".utf8)
        for _ in 0..<100 {
            let id = ServerCore.makeID()
            #expect(id.utf8.count == 16)
            #expect(id.utf8.allSatisfy { alphabet.contains($0) }, "\(id)")
        }
    }

    @Test func idsDiffer() {
        let ids = Set((0..<1000).map { _ in ServerCore.makeID() })
        #expect(ids.count == 1000)
    }

    @Test func everyPositionAndSymbolIsUsed() {
        // 2000 ids: each of the 32 symbols should appear at each of the 16 positions (a position
        // fed by shifted-out bits would be stuck at 'a'). Missing one by chance: < 16·32·(31/32)^2000.
        var seen = Array(repeating: Set<UInt8>(), count: 16)
        for _ in 0..<2000 {
            for (position, byte) in ServerCore.makeID().utf8.enumerated() { seen[position].insert(byte) }
        }
        #expect(seen.allSatisfy { $0.count == 32 })
    }
}
