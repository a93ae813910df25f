#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A realistic synthetic audience for demos and benchmarks, the same for the same seed.
///
/// Ages are roughly normal; income is log-normal and peaks in mid-life; credit scores follow income and tenure;
/// balances follow income; younger customers use the app more; churn risk rises with days since the last purchase
/// and falls with app use and tenure. About 4% of incomes, 3% of credit scores and 2% of last purchases are missing.
struct AudienceGenerator: ImportRecordReader {
    /// The generated attributes, in column order.
    static let attributes: [Attribute] = ([
        ("id", .text), ("name", .text), ("age", .integer), ("income", .integer), ("region", .text),
        ("tenure_months", .integer), ("credit_score", .integer), ("balance", .real), ("has_credit_card", .boolean),
        ("has_loan", .boolean), ("email_opt_in", .boolean), ("sms_opt_in", .boolean), ("app_user", .boolean),
        ("churn_risk", .real), ("last_purchase_days", .integer),
    ] as [(String, AttributeType)]).map { Attribute(name: $0.0, type: $0.1) }

    private static let firstNames = [
        "Ada", "Ben", "Chloé", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kaia", "Liam", "Maya",
        "Noah", "Olga", "Pablo", "Qiu", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Xavier", "Yara", "Zoë",
    ]
    private static let lastNames = [
        "Anders", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova", "Jensen", "Kim",
        "López", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Urquhart", "Varga", "Weber",
    ]
    private static let regions: [(String, Double)] = [
        ("north", 0.22), ("south", 0.24), ("east", 0.2), ("west", 0.2), ("central", 0.14),
    ]

    let file = "generated audience"
    let fieldNames = Self.attributes.map(\.name)
    let declaredTypes: [AttributeType?] = Self.attributes.map(\.type)
    private(set) var line = 0

    private let count: Int
    private var random: SeededRandom
    private var values: [AttributeValue] = []

    /// Creates a generator of `count` customers for `seed`.
    init(count: Int, seed: UInt64) {
        self.count = count
        random = SeededRandom(seed: seed)
    }

    mutating func next() throws(ImportError) -> Bool {
        guard line < count else { return false }
        line += 1
        values = makeCustomer(number: line)
        return true
    }

    func kind(at index: Int) -> AttributeType? { values[index].type }

    func value(at index: Int, as type: AttributeType) -> AttributeValue? { values[index].converted(to: type) }

    func text(at index: Int) -> String { values[index].plainText }

    private mutating func makeCustomer(number: Int) -> [AttributeValue] {
        let digits = String(number)
        let id = "C" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits
        let name = Self.firstNames[Int(random.next() % UInt64(Self.firstNames.count))] + " "
            + Self.lastNames[Int(random.next() % UInt64(Self.lastNames.count))]
        let age = min(90, max(18, Int(random.normal(mean: 42, deviation: 15))))
        let prime = 1 - pow((Double(age) - 50) / 40, 2)
        let income = (random.normal(mean: log(38_000) + 0.45 * prime, deviation: 0.5)).rounded(toward: 100)
        let tenure = min((age - 18) * 12, Int(random.exponential(mean: 48)))
        let credit = min(850, max(300, Int(560 + 75 * log(income / 20_000) + Double(tenure) / 5 + random.normal(mean: 0, deviation: 45))))
        let balance = (exp(random.normal(mean: log(income * 0.08), deviation: 1)) * 100).rounded() / 100
        let emailOptIn = random.chance(0.62)
        let appUser = random.chance(min(0.9, max(0.1, 0.85 - Double(age - 18) * 0.011)))
        let lastPurchase = min(730, Int(random.exponential(mean: appUser ? 25 : 70)))
        let risk = -2.4 + 0.03 * Double(lastPurchase) - 0.6 * (appUser ? 1 : 0) - 0.01 * Double(tenure)
            + random.normal(mean: 0, deviation: 0.4)
        return [
            .text(id), .text(name), .integer(Int64(age)),
            random.chance(0.04) ? .null : .integer(Int64(income)),
            .text(random.pick(Self.regions)), .integer(Int64(tenure)),
            random.chance(0.03) ? .null : .integer(Int64(credit)),
            .real(balance), .boolean(random.chance(1 / (1 + exp(-Double(credit - 620) / 60)))),
            .boolean(random.chance((25...55).contains(age) ? 0.38 : 0.18)),
            .boolean(emailOptIn), .boolean(random.chance(emailOptIn ? 0.45 : 0.15)), .boolean(appUser),
            .real((1000 / (1 + exp(-risk))).rounded() / 1000),
            random.chance(0.02) ? .null : .integer(Int64(lastPurchase)),
        ]
    }
}

private extension Double {
    /// The exponential of `self` rounded to a multiple of `step`.
    func rounded(toward step: Double) -> Double {
        (exp(self) / step).rounded() * step
    }
}
