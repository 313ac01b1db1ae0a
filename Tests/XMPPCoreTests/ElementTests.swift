import Testing
import XMPPCore

/// `Element`: the namespaced tree every stanza and payload is carried in (RFC 6120 §4.8 namespaces,
/// §8.1.5 `xml:lang`).
@Suite struct ElementTests {
    static let ns = "urn:example:test"

    static func sample() -> Element {
        Element(name: "item", namespace: ns, attributes: [
            .init(name: "id", value: "1"),
            .init(name: "lang", namespace: Namespace.xml, value: "de"),
            .init(name: "node", value: "n"),
            .init(name: "id", namespace: "urn:other", value: "qualified"),
        ])
    }

    @Test func convenienceInitializerKeepsOrderAndSkipsNilValues() {
        let element = Element("iq", namespace: Namespace.client, ["type": "get", "to": nil, "id": "a1", "from": "x@y"])
        #expect(element.attributes.map(\.name) == ["type", "id", "from"])
        #expect(element.attributes.allSatisfy { $0.namespace == nil })
        #expect(element.children.isEmpty)
    }

    @Test func convenienceInitializerPutsTextAfterChildElements() {
        let child = Element("b", namespace: Self.ns)
        let element = Element("a", namespace: Self.ns, children: [child], text: "t")
        #expect(element.children == [.element(child), .text("t")])
    }

    @Test func subscriptReadsOnlyUnqualifiedAttributes() {
        let element = Self.sample()
        #expect(element[attribute: "id"] == "1")
        #expect(element[attribute: "node"] == "n")
        #expect(element[attribute: "lang"] == nil, "xml:lang is qualified")
        #expect(element[attribute: "missing"] == nil)
    }

    @Test func settingAnExistingAttributeKeepsItsPosition() {
        var element = Self.sample()
        element[attribute: "id"] = "2"
        #expect(element.attributes.map(\.name) == ["id", "lang", "node", "id"])
        #expect(element[attribute: "id"] == "2")
        #expect(element.attributes[3].value == "qualified", "the qualified id is untouched")
    }

    @Test func settingANewAttributeAppendsIt() {
        var element = Self.sample()
        element[attribute: "type"] = "set"
        #expect(element.attributes.last == Element.Attribute(name: "type", value: "set"))
        #expect(element.attributes.count == 5)
    }

    @Test func settingNilRemovesOnlyTheUnqualifiedAttribute() {
        var element = Self.sample()
        element[attribute: "id"] = nil
        #expect(element.attributes.map(\.name) == ["lang", "node", "id"])
        #expect(element[attribute: "id"] == nil)
        element[attribute: "absent"] = nil
        #expect(element.attributes.count == 3)
    }

    @Test func languageIsXMLLang() {
        #expect(Self.sample().language == "de")
        let unqualified = Element(name: "a", namespace: Self.ns, attributes: [.init(name: "lang", value: "fr")])
        #expect(unqualified.language == nil)
        #expect(Element("a", namespace: Self.ns).language == nil)
    }

    static func tree() -> Element {
        Element(name: "parent", namespace: ns, children: [
            .text("one "),
            .element(Element("x", namespace: ns, text: "nested")),
            .element(Element("y", namespace: "urn:other")),
            .text("two"),
            .element(Element("x", namespace: ns, ["n": "2"])),
            .element(Element("x", namespace: "urn:other")),
        ])
    }

    @Test func elementsSkipText() {
        #expect(Self.tree().elements.map(\.name) == ["x", "y", "x", "x"])
    }

    @Test func childFindsTheFirstMatchByNameAndNamespace() {
        let tree = Self.tree()
        #expect(tree.child("x", namespace: Self.ns)?.text == "nested")
        #expect(tree.child("x", namespace: "urn:other")?.name == "x")
        #expect(tree.child(namespace: "urn:other")?.name == "y", "nil name matches any name")
        #expect(tree.child("y", namespace: Self.ns) == nil, "namespace must match")
        #expect(tree.child("z", namespace: Self.ns) == nil)
    }

    @Test func childrenFiltersByNameAndNamespaceInOrder() {
        let tree = Self.tree()
        #expect(tree.children("x", namespace: Self.ns).map { $0[attribute: "n"] } == [nil, "2"])
        #expect(tree.children("x", namespace: "urn:other").count == 1)
        #expect(tree.children("y", namespace: Self.ns).isEmpty)
    }

    @Test func textConcatenatesDirectTextChildrenOnly() {
        #expect(Self.tree().text == "one two")
        #expect(Element("a", namespace: Self.ns).text == "")
    }

    static let emptiness: [(Element, Bool)] = [
        (Element("a", namespace: ns), true),
        (Element(name: "a", namespace: ns, children: [.text(" \n\t ")]), true),
        (Element(name: "a", namespace: ns, children: [.text(" "), .text("\r\n")]), true),
        (Element("a", namespace: ns, text: " x "), false),
        (Element("a", namespace: ns, children: [Element("b", namespace: ns)]), false),
        (Element("a", namespace: ns, ["attr": "v"]), true),
    ]

    @Test(arguments: emptiness)
    func isEmptyIgnoresWhitespaceAndAttributes(_ element: Element, _ empty: Bool) {
        #expect(element.isEmpty == empty)
    }

    @Test func appendAddsAnElementChildAtTheEnd() {
        var element = Element("a", namespace: Self.ns, text: "t")
        element.append(Element("b", namespace: Self.ns))
        #expect(element.children.count == 2)
        #expect(element.children.last == .element(Element("b", namespace: Self.ns)))
    }

    @Test func equalityIsStructural() {
        #expect(Self.tree() == Self.tree())
        var changed = Self.tree()
        changed[attribute: "k"] = "v"
        #expect(changed != Self.tree())
        #expect(Set([Self.tree(), Self.tree(), changed]).count == 2)
        #expect(Element("a", namespace: "urn:1") != Element("a", namespace: "urn:2"))
    }
}
