import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A report page parsed as XML: the elements in document order with their attributes and text.
/// The report is written as well-formed markup precisely so that this works; a parse failure
/// is a failing test.
struct ReportMarkup {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
    }

    let elements: [Element]

    init(_ html: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw ParseFailure(description: "not well-formed at line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        elements = collector.elements
    }

    struct ParseFailure: Error, CustomStringConvertible { let description: String }

    /// Elements whose `class` attribute holds `name`.
    func withClass(_ name: String) -> [Element] {
        elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(name)) }
    }

    func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// Everything in the markup that would make the page reach outside itself: an element that
    /// loads something, an attribute pointing elsewhere, a URL in the style sheet. Empty for a
    /// self-contained page. (Text may mention a URL, e.g. in a reason; as text it loads nothing.)
    var externalReferences: [String] {
        var found: [String] = []
        let loaders: Set<String> = ["script", "link", "img", "iframe", "object", "embed", "image", "use", "audio", "video", "source", "base"]
        for element in elements {
            if loaders.contains(element.name.lowercased()) { found.append("<\(element.name)>") }
            for (name, value) in element.attributes {
                let lowered = value.lowercased()
                if ["src", "srcset", "data", "action", "xlink:href"].contains(name.lowercased())
                    || (name == "href" && !value.hasPrefix("#"))
                    || lowered.contains("http:") || lowered.contains("https:") || lowered.contains("url(") {
                    found.append("\(element.name) \(name)=\(value)")
                }
            }
            if element.name == "style", element.text.contains("url(") || element.text.contains("@import") || element.text.contains("http") {
                found.append("style sheet loads something")
            }
        }
        return found
    }

    /// The issue's plain check: no `http://` or `https://` anywhere in the file.
    static func mentionsTheWeb(_ html: String) -> Bool {
        html.lowercased().contains("http://") || html.lowercased().contains("https://")
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            // Text counts for every open element, so a cell's text includes its children's.
            for index in open { elements[index].text += string }
        }
    }
}
