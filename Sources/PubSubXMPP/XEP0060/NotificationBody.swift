import Foundation
import PubSub
import XMPPCore

/// The `<body/>` XEP-0060 §13.8 adds to item notifications for subscriptions with
/// `pubsub#include_body`: "XML character data [that] summarizes or represents the information contained
/// in the payload", for clients that do not understand the payload format.
///
/// Starling's transform, the same for every node (telemetry payloads have no Atom `<summary/>` to map):
/// the node's title (or NodeID when untitled) with the NodeID, the ItemID, and — when the node delivers
/// payloads and the payload is a plain reading (an element holding only text, like
/// `<temp xmlns='urn:example'>21.5</temp>`) — that text, trimmed and cut to ``maximumValueLength``.
///
/// ```
/// <body>Floor 2 temperature (site-a/floor-2/temp), item r1: 21.5</body>
/// ```
public enum NotificationBody {
    /// The longest payload text copied into a body, in characters.
    public static let maximumValueLength = 256

    public static func text(node: NodeID, title: String, itemID: String, payload: Element?) -> String {
        let label = title.isEmpty ? node.rawValue : "\(title) (\(node.rawValue))"
        var text = "\(label), item \(itemID)"
        if let value = payload.flatMap(reading) { text += ": \(value)" }
        return text
    }

    /// `<body>` in the stream's default namespace (RFC 6121 §5.2.3), for a notification's extras.
    public static func element(_ text: String) -> Element {
        Element("body", namespace: Namespace.client, text: text)
    }

    /// The text of a payload with no element children; nil for structured or empty payloads.
    private static func reading(_ payload: Element) -> String? {
        guard payload.elements.isEmpty else { return nil }
        let value = payload.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return nil }
        return value.count > maximumValueLength ? String(value.prefix(maximumValueLength)) + "…" : value
    }
}
