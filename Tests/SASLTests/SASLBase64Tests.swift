import Foundation
import SASL
import Testing

/// RFC 6120 §6.4.2 payload encoding.
@Suite struct SASLBase64Tests {
    @Test func emptyResponse() throws {
        #expect(try SASLBase64.decode("=") == [])
        #expect(try SASLBase64.decode("") == [])
        #expect(SASLBase64.encode([]) == "=")
        #expect(try SASLBase64.decodeInitialResponse("") == nil)
        #expect(try SASLBase64.decodeInitialResponse("=") == [])
    }

    @Test func knownValues() throws {
        #expect(try SASLBase64.decode("biws") == bytes("n,,"))
        #expect(try SASLBase64.decode("cGVuY2ls") == bytes("pencil"))
        #expect(try SASLBase64.decode("cGVuY2lsMQ==") == bytes("pencil1"))
        #expect(try SASLBase64.decode("cGVuY2lsMTI=") == bytes("pencil12"))
        #expect(SASLBase64.encode(bytes("pencil1")) == "cGVuY2lsMQ==")
    }

    /// Every length and byte value against Foundation's encoder.
    @Test func roundTripAgainstFoundation() throws {
        for length in 1...40 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ length &* 31) }
            let encoded = SASLBase64.encode(data)
            #expect(encoded == Data(data).base64EncodedString())
            #expect(try SASLBase64.decode(encoded) == data)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(try SASLBase64.decode(SASLBase64.encode(all)) == all)
    }

    @Test(arguments: ["a", "ab", "abc", "abcde", "a===", "ab=c", "====", "==", "@@@@", "ab c", " biws", "biws\n",
                      "YQ==YQ==", "YQ=\u{3D}=", "biw-", "biw_", "bi\u{E9}s", "YQ=", "Y===", "=abc"])
    func invalid(_ text: String) {
        #expect(throws: SASLFailure.incorrectEncoding) { try SASLBase64.decode(text) }
    }
}
