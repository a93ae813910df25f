/// The columns of an import: the file's fields with the type each is stored as.
struct ImportPlan {
    /// The field names, in the reader's order.
    let fieldNames: [String]
    /// The position of `id` among the fields.
    let idIndex: Int
    /// The type of each field (`id` is text).
    let types: [AttributeType]
    /// The fields the schema does not have yet.
    let newAttributes: [Attribute]

    /// Checks the header and settles each field's type: an existing attribute keeps its type, then `--schema`,
    /// then the type the source declares, and otherwise the narrowest type that fits every value of the source
    /// (found by reading it once more; rows that are malformed are left to the import to report).
    ///
    /// - Throws: `ImportError` for a header without `id`, an invalid or repeated name, or a `--schema` type that
    ///   contradicts an existing attribute.
    init(source: ImportSource, reader: some ImportRecordReader, options: ImportOptions, existing: AttributeSchema) throws(ImportError) {
        let names = reader.fieldNames
        func headerError(_ message: String, _ index: Int?) -> ImportError {
            ImportError(.invalidHeader, message, file: reader.file, line: 1, column: index.map { $0 + 1 }, field: index.map { names[$0] })
        }
        guard let idIndex = names.firstIndex(of: Attribute.idName) else {
            throw headerError("no \"id\" field: every customer needs a unique id", nil)
        }
        var seen: Set<String> = []
        for (index, name) in names.enumerated() {
            guard Attribute.isValidName(name) else {
                throw headerError("invalid field name: use letters, digits and \"_\", not starting with a digit", index)
            }
            guard seen.insert(name.lowercased()).inserted else { throw headerError("the field appears twice", index) }
        }
        var types: [AttributeType?] = names.enumerated().map { index, name in
            index == idIndex ? .text : existing.attribute(named: name)?.type ?? options.schema[name] ?? reader.declaredTypes[index]
        }
        for (name, type) in options.schema {
            if let current = existing.attribute(named: name)?.type, current != type {
                throw ImportError(
                    .invalidSchema, "\"\(name)\" is already \(current.rawValue) and cannot become \(type.rawValue)",
                    file: "--schema", field: name, value: type.rawValue)
            }
        }
        if types.contains(nil) {
            var survey = try source.makeReader()
            types = try Self.infer(types, from: &survey)
        }
        self.fieldNames = names
        self.idIndex = idIndex
        self.types = types.map { $0 ?? .text }
        newAttributes = zip(names, self.types).filter { existing.attribute(named: $0.0) == nil }.map { Attribute(name: $0.0, type: $0.1) }
    }

    private static func infer(_ known: [AttributeType?], from reader: inout some ImportRecordReader) throws(ImportError) -> [AttributeType?] {
        let open = known.indices.filter { known[$0] == nil }
        var inferred = known
        while true {
            let more: Bool
            do {
                more = try reader.next()
            } catch where error.code == .unterminatedQuote {
                break
            } catch {
                continue
            }
            guard more else { break }
            for index in open {
                guard let kind = reader.kind(at: index) else { continue }
                inferred[index] = inferred[index].map { $0.widened(with: kind) } ?? kind
            }
        }
        return inferred
    }
}
