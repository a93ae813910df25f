/// A recursive-descent parser for the text form of the filter language; `and` binds tighter than `or`.
///
/// ```
/// filter    := or?
/// or        := and ("or" and)*
/// and       := unary ("and" unary)*
/// unary     := "not" unary | "(" or ")" | "true" | "false" | condition
/// condition := field [ comparison literal | ["not"] "in" "(" literal ("," literal)* ")"
///                    | "contains" literal | "starts" "with" literal | "matches" literal | "is" ["not"] "null" ]
/// ```
struct FilterParser {
    private let source: String
    private var tokens: [FilterToken] = []
    private var position = 0

    private static let keywords: Set<String> = ["and", "or", "not", "in", "is", "null", "contains", "starts", "with", "matches"]
    private static let comparisons: [String: FilterOperator] = ["=": .eq, "!=": .ne, "<": .lt, "<=": .lte, ">": .gt, ">=": .gte]

    init(source: String) {
        self.source = source
    }

    mutating func parse() throws(FilterError) -> Filter {
        var lexer = FilterLexer(source: source)
        tokens = try lexer.tokens()
        if current.kind == .end { return .everyone }
        let filter = try parseOr()
        guard current.kind == .end else {
            throw error(.syntax, "unexpected \"\(current.text)\"; expected \"and\", \"or\" or the end of the filter")
        }
        return filter
    }

    private var current: FilterToken { tokens[position] }

    private mutating func advance() -> FilterToken {
        defer { position += 1 }
        return tokens[position]
    }

    private mutating func parseOr() throws(FilterError) -> Filter {
        var filters = [try parseAnd()]
        while current.isKeyword("or") {
            position += 1
            filters.append(try parseAnd())
        }
        return filters.count == 1 ? filters[0] : .any(filters)
    }

    private mutating func parseAnd() throws(FilterError) -> Filter {
        var filters = [try parseUnary()]
        while current.isKeyword("and") {
            position += 1
            filters.append(try parseUnary())
        }
        return filters.count == 1 ? filters[0] : .all(filters)
    }

    private mutating func parseUnary() throws(FilterError) -> Filter {
        if current.isKeyword("not") {
            position += 1
            return .not(try parseUnary())
        }
        if case .literal(.boolean(let constant)) = current.kind {
            position += 1
            return constant ? .everyone : .nobody
        }
        if current.kind == .symbol("(") {
            let open = advance()
            let filter = try parseOr()
            guard current.kind == .symbol(")") else {
                throw expected("\")\" to close the \"(\" at column \(open.column)")
            }
            position += 1
            return filter
        }
        guard case .word(let field) = current.kind, !Self.keywords.contains(field.lowercased()) else {
            throw expected("a condition")
        }
        let fieldColumn = advance().column
        return .condition(try parseCondition(field: field, column: fieldColumn))
    }

    private mutating func parseCondition(field: String, column: Int) throws(FilterError) -> FilterCondition {
        func condition(_ op: FilterOperator, _ literals: [(AttributeValue, Int)]) -> FilterCondition {
            FilterCondition(
                field: field, op: op, values: literals.map(\.0),
                location: FilterLocation(field: column, values: literals.map(\.1)))
        }
        if case .symbol(let symbol) = current.kind, let op = Self.comparisons[symbol] {
            position += 1
            return condition(op, [try parseLiteral()])
        }
        let keyword = current.isKeyword("not") || current.isKeyword("in") || current.isKeyword("contains")
            || current.isKeyword("starts") || current.isKeyword("matches") || current.isKeyword("is")
        guard keyword, case .word(let word) = current.kind else {
            if current.kind == .end || current.isKeyword("and") || current.isKeyword("or") || current.kind == .symbol(")") {
                return condition(.eq, [(.boolean(true), column)])
            }
            throw expected("an operator after the field \"\(field)\"")
        }
        position += 1
        switch word.lowercased() {
        case "in":
            return condition(.in, try parseList())
        case "not":
            try expectKeyword("in")
            return condition(.notIn, try parseList())
        case "contains":
            return condition(.contains, [try parseLiteral()])
        case "starts":
            try expectKeyword("with")
            return condition(.startsWith, [try parseLiteral()])
        case "matches":
            return condition(.matches, [try parseLiteral()])
        default:
            let negated = current.isKeyword("not")
            if negated { position += 1 }
            try expectKeyword("null")
            return condition(negated ? .isNotNull : .isNull, [])
        }
    }

    private mutating func expectKeyword(_ keyword: String) throws(FilterError) {
        guard current.isKeyword(keyword) else { throw expected("\"\(keyword)\"") }
        position += 1
    }

    private mutating func parseList() throws(FilterError) -> [(AttributeValue, Int)] {
        guard current.kind == .symbol("(") else { throw expected("\"(\" to start the list of values") }
        let open = advance()
        if current.kind == .symbol(")") {
            throw FilterError(.emptyList, "empty list \"()\": give at least one value", column: open.column, source: source)
        }
        var literals = [try parseLiteral()]
        while current.kind == .symbol(",") {
            position += 1
            literals.append(try parseLiteral())
        }
        guard current.kind == .symbol(")") else { throw expected("\",\" or \")\" in the list of values") }
        position += 1
        return literals
    }

    private mutating func parseLiteral() throws(FilterError) -> (AttributeValue, Int) {
        if case .literal(let value) = current.kind {
            return (value, advance().column)
        }
        if current.isKeyword("null") {
            throw error(.syntax, "null is not a value: use \"is null\" or \"is not null\"")
        }
        throw expected("a value (a number, a quoted string, true or false)")
    }

    private func error(_ code: FilterError.Code, _ message: String) -> FilterError {
        FilterError(code, message, column: current.column, source: source)
    }

    /// The error for a missing `what`: a dangling operator at the end of the text, or an unexpected token.
    private func expected(_ what: String) -> FilterError {
        guard current.kind == .end else { return error(.syntax, "expected \(what) but found \"\(current.text)\"") }
        let previous = tokens[position - 1]
        return FilterError(
            .unexpectedEnd, "expected \(what) after \"\(previous.text)\" but the filter ends",
            column: previous.column, source: source)
    }
}
