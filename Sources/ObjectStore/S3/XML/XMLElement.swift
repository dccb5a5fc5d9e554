/// One element of a parsed XML document: its local name (namespace prefix dropped), its
/// concatenated character data, and its child elements. Attributes are not kept: S3's
/// responses carry nothing in them that this store needs.
struct XMLElement: Sendable, Equatable {
    var name: String
    var text: String
    var children: [XMLElement]

    init(name: String, text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child named `name`.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child named `name`, in document order.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    func text(of name: String) -> String? { child(name)?.text }
}
