/// The interactions of an import file, one row at a time: each field found by either spelling (`customer_id` or
/// `customerId`, and so on), each value checked, a bad one reported with its line, column and value.
struct InteractionRows {
    private var reader: any ImportRecordReader
    /// Where each field is: a file may spell a field both ways (JSON Lines whose lines differ), each row gives one.
    private let columns: [Field: [Int]]

    /// The fields of an interaction, with the names a file may give each.
    enum Field: CaseIterable {
        case id, customer, offer, channel, outcome, at

        var names: [String] {
            switch self {
            case .id: ["id"]
            case .customer: ["customer_id", "customerId"]
            case .offer: ["offer_id", "offerId"]
            case .channel: ["channel"]
            case .outcome: ["outcome"]
            case .at: ["at"]
            }
        }

        var isRequired: Bool { [.customer, .offer, .outcome, .at].contains(self) }
    }

    /// Reads the header (or the JSON keys).
    ///
    /// - Throws: `ImportError` `invalidHeader` for an unknown, repeated or missing field.
    init(_ reader: any ImportRecordReader) throws(ImportError) {
        self.reader = reader
        var columns: [Field: [Int]] = [:]
        for (index, name) in reader.fieldNames.enumerated() {
            guard let field = Field.allCases.first(where: { $0.names.contains(name) }) else {
                throw ImportError(
                    .invalidHeader,
                    "unknown field \"\(name)\": an interaction has id, customer_id, offer_id, channel, outcome and at",
                    file: reader.file, line: 1, column: index + 1, field: name)
            }
            guard !reader.fieldNames[..<index].contains(name) else {
                throw ImportError(.invalidHeader, "the field \"\(name)\" is given twice", file: reader.file, line: 1, column: index + 1, field: name)
            }
            columns[field, default: []].append(index)
        }
        for field in Field.allCases where field.isRequired && columns[field] == nil && !(reader is JSONLinesReader) {
            throw ImportError(.invalidHeader, "the header has no \(field.names[0]) column", file: reader.file, line: 1)
        }
        self.columns = columns
    }

    /// The next interaction, or `nil` at the end.
    ///
    /// - Throws: `ImportError` for a row that is not a valid interaction; the next call moves on to the row after it.
    mutating func next() throws(ImportError) -> Interaction? {
        guard try reader.next() else { return nil }
        func text(_ field: Field) throws(ImportError) -> String? {
            let given = (columns[field] ?? []).filter { reader.kind(at: $0) != nil }
            guard let index = given.first else {
                if field.isRequired {
                    throw ImportError(
                        .valueDoesNotFit, "\(field.names[0]) is missing", file: reader.file, line: reader.line,
                        column: columns[field]?.first.map { $0 + 1 }, field: field.names[0])
                }
                return nil
            }
            guard given.count == 1 else {
                throw ImportError(
                    .valueDoesNotFit, "\(field.names[0]) is given twice (as \(given.map { reader.fieldNames[$0] }.joined(separator: " and ")))",
                    file: reader.file, line: reader.line, column: given[1] + 1, field: reader.fieldNames[given[1]])
            }
            let value = reader.text(at: index)
            if let problem = Interaction.problem(field: field == .outcome ? "outcome" : field.names[0], value: value) {
                throw ImportError(
                    .valueDoesNotFit, "\(Self.shown(value)): \(problem)", file: reader.file, line: reader.line, column: index + 1,
                    field: reader.fieldNames[index], value: value)
            }
            return value
        }
        let atText = try text(.at)!
        guard let at = Interaction.time(atText) else {
            let index = columns[.at]!.first { reader.kind(at: $0) != nil }!
            throw ImportError(
                .valueDoesNotFit,
                "\(Self.shown(atText)) is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)",
                file: reader.file, line: reader.line, column: index + 1, field: reader.fieldNames[index], value: atText)
        }
        return Interaction(
            id: try text(.id), customerId: try text(.customer)!, offerId: try text(.offer)!, channel: try text(.channel),
            outcome: try text(.outcome)!, at: at)
    }

    /// A value as an error message quotes it: at most 60 characters, control characters shown as `?`.
    static func shown(_ value: String) -> String {
        let cut = value.count > 60 ? String(value.prefix(60)) + "..." : value
        return "\"" + String(cut.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) }) + "\""
    }

    /// The next valid interaction, or `nil` at the end: an invalid row throws, unless `onRejected` takes it (and
    /// `rejected` counts it) and reading goes on.
    mutating func next(
        onRejected: (@Sendable (ImportError) -> Void)?, rejected: inout Int
    ) throws(ImportError) -> Interaction? {
        while true {
            do throws(ImportError) {
                return try next()
            } catch {
                guard let onRejected else { throw error }
                onRejected(error)
                rejected += 1
            }
        }
    }
}
