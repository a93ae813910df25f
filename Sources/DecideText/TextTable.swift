/// An aligned plain-text table: a header row and columns padded to their widest cell.
public struct TextTable {
    /// The column headings.
    public var headers: [String]
    /// The rows, one cell per heading.
    public var rows: [[String]]

    /// A table with these headings and rows.
    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
    }

    /// The table as lines of text, columns separated by two spaces, trailing spaces removed; cells are escaped for
    /// the terminal, line breaks included.
    public func render() -> String {
        let headers = headers.map { $0.escapedForTerminal(keepingLineBreaks: false) }
        let rows = rows.map { $0.map { $0.escapedForTerminal(keepingLineBreaks: false) } }
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        return ([headers] + rows).map { cells in
            cells.enumerated().map { $1.paddedRight(to: widths[$0]) }.joined(separator: "  ").trimmingSuffix(" ")
        }.joined(separator: "\n")
    }
}
