import Foundation
import TestSupport
import Testing

/// The built `decide` binary, run as a subprocess.
@Suite("decide CLI")
struct CLITests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-cli-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// `decide` sits in the build products directory, next to the test bundle's resources.
    static let binary = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("decide")

    private func decide(_ arguments: String...) async throws -> ChildProcess.Outcome {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary.path),
            "build the decide product first: \(Self.binary.path) is missing")
        return try await ChildProcess(Self.binary, arguments + ["--db", directory.appendingPathComponent("cli.sqlite").path]).run()
    }

    private func json(_ result: ChildProcess.Outcome) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }

    @Test("a hostile flow leaves explain and a 2-worker run under 300 MiB, with its text escaped and its bad customers failing alone")
    func hostileFlow() async throws {
        let flows = directory.appendingPathComponent("flows")
        try FileManager.default.createDirectory(at: flows, withIntermediateDirectories: true)
        try #"""
            local defs = {}
            for i = 1, 12 do defs["offer_" .. i] = i end
            local offers = {}
            for id in pairs(defs) do offers[#offers + 1] = { id = id, name = "Offer\27[2J" .. id, channel = "email" } end
            hoard = {}
            return flow { name = "Evil\27]0;owned\7", offers = offers, stages = {
              filter("f", function(c, o)
                if c.id == "C000000007" then while true do end end
                if c.id == "C000000009" or c.id == "C000000010" then
                  for i = 1, 200 do hoard[#hoard + 1] = string.rep("x", 2^20) .. i end
                end
                return true
              end),
              score("s", function(c, o) return #o.id + c.age end),
              rank { top = 2 } } }
            """#.write(to: flows.appendingPathComponent("evil.lua"), atomically: true, encoding: .utf8)
        _ = try await decide("customers", "generate", "--count", "2000")
        let explained = try await decide("flows", "explain", "evil", "--customer", "C000000009", "--flows", flows.path)
        #expect(explained.status == 1)
        #expect(explained.peakMemoryBytes < 300 << 20)
        let run = try await decide(
            "run", "evil", "--segment", "all", "--workers", "2", "--max-errors", "10", "--flows", flows.path)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.peakMemoryBytes < 300 << 20)
        #expect(!run.output.contains("\u{1B}") && !run.error.contains("\u{1B}"))
        #expect(run.output.contains("Offer\\u001B[2J"))
        #expect(run.output.contains("Customers with errors            3"))
    }

    /// Every leaf command of `decide`'s tree, from its own help dump, with its path (`runs prune`).
    private func leafCommands() async throws -> [(path: String, command: [String: Any])] {
        let dump = try await decide("--experimental-dump-help")
        let root = try #require(try json(dump) as? [String: Any])
        var leaves: [(path: String, command: [String: Any])] = []
        func visit(_ command: [String: Any], path: [String]) {
            let path = path + [command["commandName"] as? String ?? ""]
            if let subcommands = command["subcommands"] as? [[String: Any]], !subcommands.isEmpty {
                for subcommand in subcommands where subcommand["commandName"] as? String != "help" {
                    visit(subcommand, path: path)
                }
            } else {
                leaves.append((path.dropFirst().joined(separator: " "), command))
            }
        }
        visit(root["command"] as? [String: Any] ?? [:], path: [])
        return leaves
    }

    private func options(of command: [String: Any]) -> [[String: Any]] {
        command["arguments"] as? [[String: Any]] ?? []
    }

    @Test("every command that prints takes --json (the REPL, the server and CSV/JSONL exports excepted)")
    func everyCommandTakesJSON() async throws {
        let leaves = try await leafCommands().filter { !["repl", "serve", "runs export"].contains($0.path) }
        let missing = leaves.filter { leaf in
            !options(of: leaf.command).contains { ($0["names"] as? [[String: Any]])?.contains { $0["name"] as? String == "json" } == true }
        }
        #expect(leaves.count >= 20)
        #expect(missing.isEmpty, "commands without --json: \(missing.map(\.path))")
    }

    @Test("every command and option has a help text, and none states its default twice (in its text and as the parser's own)")
    func helpTextsComplete() async throws {
        var problems: [String] = []
        for leaf in try await leafCommands() {
            if (leaf.command["abstract"] as? String ?? "").isEmpty { problems.append("\(leaf.path): no abstract") }
            for option in options(of: leaf.command) {
                let name = "\(leaf.path) \(option["valueName"] as? String ?? "?")"
                let text = option["abstract"] as? String ?? ""
                if text.isEmpty { problems.append("\(name): no help") }
                if option["defaultValue"] != nil, text.contains("(default") { problems.append("\(name): \(text)") }
            }
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("runs delete exits 2 for an unknown run; runs prune lists, then deletes, finished runs by age")
    func retention() async throws {
        #expect(try await decide("runs", "delete", "r-nope").status == 2)
        #expect(try await decide("runs", "prune", "--older-than", "soon").status == 2)
        let dry = try await decide("runs", "prune", "--older-than", "0s", "--dry-run", "--json")
        #expect(dry.status == 0)
        #expect(try json(dry) as? [String: [String]] == ["wouldDelete": []])
    }

    @Test("help texts list every command and option of the runs family")
    func helpTexts() async throws {
        let runs = try await decide("runs", "--help")
        #expect(runs.status == 0)
        for name in ["list", "show", "results", "export", "compare", "cancel", "resume", "delete", "prune"] {
            #expect(runs.output.contains("  \(name) "), "runs --help lacks \(name)")
        }
        let prune = try await decide("runs", "prune", "--help")
        for option in ["--older-than <older-than>", "--keep <keep>", "--dry-run", "--json"] {
            #expect(prune.output.contains(option), "runs prune --help lacks \(option)")
        }
        let run = try await decide("run", "--help")
        for option in ["--memory-limit-mib", "--instruction-budget", "--deadline-seconds", "--max-errors"] {
            #expect(run.output.contains(option), "run --help lacks \(option)")
        }
    }

    @Test("the help texts of runs delete and runs prune, whole")
    func wholeHelpTexts() async throws {
        let delete = try await decide("runs", "delete", "--help")
        #expect(delete.output == """
            OVERVIEW: Delete a finished run with its results and breakdowns (not a pending
            or running one).

            Exit 1 for a pending or running run (cancel it first), 2 for an unknown one.

            USAGE: decide runs delete [--db <db>] <id> [--json]

            ARGUMENTS:
              <id>                    The run's id.

            OPTIONS:
              --db <db>               The store: a SQLite file, or
                                      postgresql://USER@HOST[:PORT]/DB (default:
                                      $DECIDE_DB, else ./decide.sqlite).
              --json                  Print the result as JSON.
              --version               Show the version.
              -h, --help              Show help information.


            """)
        let prune = try await decide("runs", "prune", "--help")
        #expect(prune.output == """
            OVERVIEW: Delete finished runs older than a duration (from their creation),
            keeping the newest.

            Pending and running runs are never pruned. --keep N keeps the N newest runs
            overall.

            USAGE: decide runs prune [--db <db>] --older-than <older-than> [--keep <keep>] [--dry-run] [--json]

            OPTIONS:
              --db <db>               The store: a SQLite file, or
                                      postgresql://USER@HOST[:PORT]/DB (default:
                                      $DECIDE_DB, else ./decide.sqlite).
              --older-than <older-than>
                                      How old a run must be: a number and a unit, s, m, h,
                                      d or w (30d, 12h).
              --keep <keep>           Keep the N newest runs whatever their age. (default:
                                      0)
              --dry-run               List the runs that would be deleted, and delete
                                      nothing.
              --json                  Print the result as JSON.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test("decide --version names Decide's, Lua's and SQLite's versions")
    func version() async throws {
        let result = try await decide("--version")
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("decide "))
        #expect(result.output.contains("Lua 5.4.") && result.output.contains("SQLite 3."))
    }

    @Test("customers import - reads standard input of any size, CSV or JSON Lines by --format")
    func importFromStandardInput() async throws {
        var lines = ["id,age,app_user"]
        for index in 1...30000 { lines.append("c\(index),\(18 + index % 60),\(index % 2 == 0)") }
        let csv = directory.appendingPathComponent("pipe.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("cli.sqlite").path
        let piped = try await ChildProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "cat \"$1\" | \"$2\" customers import - --db \"$3\"", "sh", csv.path, Self.binary.path, database]
        ).run()
        #expect(piped.status == 0, "\(piped.error)")
        #expect(piped.output.hasPrefix("Imported 30000 customers"))
        let jsonl = directory.appendingPathComponent("more.txt")
        try #"{"id": "j1", "age": 40}"#.appending("\n").write(to: jsonl, atomically: true, encoding: .utf8)
        let typed = try await decide("customers", "import", jsonl.path, "--format", "jsonl")
        #expect(typed.status == 0, "\(typed.error)")
        #expect(try await decide("customers", "count").output == "30001\n")
    }

    @Test("import then count, with and without a filter")
    func importAndCount() async throws {
        let people = Bundle.module.url(forResource: "Fixtures/people.csv", withExtension: nil)!.path
        let imported = try await decide("customers", "import", people)
        #expect(imported.status == 0)
        #expect(imported.output.hasPrefix("Imported 6 customers"))
        #expect(try await decide("customers", "count").output == "6\n")
        #expect(try await decide("customers", "count", "--filter", "age >= 30").output == "4\n")
        let shown = try json(try await decide("customers", "show", "c3", "--json")) as? [String: Any]
        #expect((shown?["attributes"] as? [String: Any])?["name"] as? String == "Ágnes")
    }

    @Test("an invalid filter exits 2 with its position on standard error")
    func invalidFilter() async throws {
        _ = try await decide("customers", "generate", "--count", "10")
        let result = try await decide("customers", "count", "--filter", "age >= 30 and agee > 3")
        #expect(result.status == 2)
        #expect(result.error.hasPrefix(#"decide: filter: column 15: unknown field "agee" (did you mean "age"?)"#))
        let created = try await decide("segments", "create", "bad", "--filter", "age >")
        #expect(created.status == 2)
        let unknownOption = try await decide("customers", "count", "--bogus")
        #expect(unknownOption.status == 2)
        #expect(unknownOption.error.contains("Unknown option '--bogus'"))
        #expect(created.error.contains("column 5"))
    }

    @Test("segments create, list, show and delete with --json")
    func segments() async throws {
        _ = try await decide("customers", "generate", "--count", "500", "--seed", "3")
        let created = try json(try await decide("segments", "create", "young", "--filter", "age < 30", "--description", "Young", "--json")) as? [String: Any]
        #expect(created?["name"] as? String == "young")
        let count = try #require(created?["count"] as? Int)
        let listed = try json(try await decide("segments", "list", "--json")) as? [[String: Any]]
        #expect(listed?.map { $0["name"] as? String } == ["all", "young"])
        #expect(listed?.map { $0["count"] as? Int } == [500, count])
        let shown = try json(try await decide("segments", "show", "young", "--json")) as? [String: Any]
        #expect(shown?["filter"] as? String == "age < 30")
        #expect((shown?["sample"] as? [Any])?.count == min(5, count))
        #expect(try await decide("segments", "delete", "young", "--json").status == 0)
        #expect(try await decide("segments", "show", "young").status == 2)
        #expect(try await decide("segments", "delete", "all").status == 2)
    }

    @Test("decide run --volume adds and overrides constraints; a bad one exits 2 naming it; results and exports show what was dropped")
    func volumeConstraints() async throws {
        let flows = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("flows").path
        _ = try await decide("customers", "generate", "--count", "300")
        let run = try await decide(
            "run", "cross_sell", "--segment", "all", "--volume", "total=40", "--volume", "offer:card_premium=2",
            "--volume", "channel:sms=0", "--json", "--flows", flows)
        #expect(run.status == 0, "\(run.error)")
        let document = try #require(try json(run) as? [String: Any])
        let constraints = try #require(document["constraints"] as? [[String: Any]])
        #expect(constraints.map { $0["name"] as? String } == ["total", "offer card_premium", "channel sms"])
        #expect(constraints.map { $0["max"] as? Int } == [40, 2, 0])
        #expect((document["summary"] as? [String: Any])?["totalRecommendations"] as? Int == constraints[0]["used"] as? Int)
        let id = try #require(document["id"] as? String)

        let csv = try await decide("runs", "export", id, "--format", "csv", "--with-dropped")
        #expect(csv.output.hasPrefix("customer_id,rank,offer_id,channel,score,dropped\n"))
        let dropped = csv.output.split(separator: "\n").first { $0.hasSuffix("volume 'total' full (40)") }
        let customer = try #require(dropped?.split(separator: ",").first.map(String.init))
        let results = try await decide("runs", "results", id, "--customer", customer)
        #expect(results.output.contains("DROPPED BECAUSE") && results.output.contains("volume 'total' full (40)"))
        let plain = try await decide("runs", "export", id, "--format", "jsonl")
        #expect(!plain.output.contains("dropped"))

        let unknown = try await decide("run", "cross_sell", "--segment", "all", "--volume", "offer:nope=3", "--flows", flows)
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("constraint offer:nope=3: the flow has no offer \"nope\""))
        for bad in ["bogus=3", "total=-1", "total", "offer:=2"] {
            let refused = try await decide("run", "cross_sell", "--segment", "all", "--volume", bad, "--flows", flows)
            #expect(refused.status == 2, "\(bad)")
            #expect(refused.error.contains("constraint \(bad)"), "\(bad): \(refused.error)")
        }
    }

    @Test("interactions import from standard input, show, count and delete; a bad row exits 2 naming line, column and value")
    func interactions() async throws {
        let database = directory.appendingPathComponent("cli.sqlite").path
        /// `decide interactions import - ARGS` with `text` piped in.
        func piped(_ text: String, _ arguments: String...) async throws -> ChildProcess.Outcome {
            let file = directory.appendingPathComponent("piped-\(UUID()).csv")
            try text.write(to: file, atomically: true, encoding: .utf8)
            return try await ChildProcess(
                URL(fileURLWithPath: "/bin/sh"),
                ["-c", "f=$1 b=$2 d=$3; shift 3; cat \"$f\" | \"$b\" interactions import - --db \"$d\" \"$@\"", "sh", file.path,
                 Self.binary.path, database]
                    + arguments
            ).run()
        }
        let csv = "id,customer_id,offer_id,channel,outcome,at\nh1,C1,card,email,sent,2026-11-01\nh2,C1,loan,sms,declined,2026-11-02T08:00:00Z\n"
        let imported = try await piped(csv, "--json")
        #expect(imported.status == 0, "\(imported.error)")
        #expect((try json(imported) as? [String: Any])?["stored"] as? Int == 2)
        let again = try await piped(csv)
        #expect(again.output.contains("Stored 0 interactions, skipped 2 already stored"))
        let shown = try json(try await decide("interactions", "show", "C1", "--json")) as? [String: Any]
        #expect((shown?["interactions"] as? [[String: Any]])?.map { $0["id"] as? String } == ["h2", "h1"])
        #expect(try await decide("interactions", "count", "--outcome", "sent").output == "1\n")
        let bad = "customer_id,offer_id,outcome,at\nC2,card,sent,2026-11-01\nC2,card,sent,soon\n"
        let refused = try await piped(bad)
        #expect(refused.status == 2)
        #expect(refused.error.contains(":3: column 4 \"at\": \"soon\" is not a time"), "\(refused.error)")
        #expect(try await decide("interactions", "count", "--customer", "C2").output == "0\n")
        #expect(try await decide("interactions", "delete", "--customer", "C1").output.contains("Deleted 2 interactions"))
    }

    @Test("flows explain decides with --history-json, or a stored customer's history before --as-of; a bad history file exits 2 naming the entry")
    func explainWithHistory() async throws {
        let flows = directory.appendingPathComponent("flows")
        try FileManager.default.createDirectory(at: flows, withIntermediateDirectories: true)
        try """
            return flow {
              name = "Polite",
              offers = { { id = "card", name = "Card", channel = "email" }, { id = "loan", name = "Loan", channel = "sms" } },
              stages = { cooldown { days = 30, name = "declined lately" }, cap { max = 1, days = 7, channel = "sms" } },
            }
            """.write(to: flows.appendingPathComponent("polite.lua"), atomically: true, encoding: .utf8)
        let history = directory.appendingPathComponent("history.json")
        try #"[{"offerId": "card", "outcome": "declined", "at": "2026-11-20T00:00:00Z"}, {"offer_id": "x", "channel": "sms", "outcome": "sent", "at": "2026-11-29"}]"#
            .write(to: history, atomically: true, encoding: .utf8)
        let explained = try await decide(
            "flows", "explain", "polite", "--flows", flows.path, "--customer-json", #"{"id": "c1"}"#, "--history-json", history.path,
            "--as-of", "2026-11-30", "--json")
        #expect(explained.status == 0, "\(explained.error)")
        let trace = try json(explained) as? [String: Any]
        #expect((trace?["recommendations"] as? [Any])?.isEmpty == true)
        #expect(explained.output.contains("cooldown 'declined lately': declined 10 days ago"))
        #expect(explained.output.contains("cap 'cap': 1 sent on sms in 7 days (max 1)"))
        // The stored customer's own history, before the decision time only.
        _ = try await decide("customers", "generate", "--count", "3")
        let csv = directory.appendingPathComponent("h.csv")
        try "customer_id,offer_id,outcome,at\nC000000001,card,declined,2026-11-20\n".write(to: csv, atomically: true, encoding: .utf8)
        _ = try await decide("interactions", "import", csv.path)
        let before = try await decide("flows", "explain", "polite", "--flows", flows.path, "--customer", "C000000001", "--as-of", "2026-11-19")
        #expect(before.output.contains("card") && !before.output.contains("dropped card"), "\(before.output)")
        let after = try await decide("flows", "explain", "polite", "--flows", flows.path, "--customer", "C000000001", "--as-of", "2026-11-21")
        #expect(after.output.contains("declined 1 day ago"), "\(after.output)")
        try #"[{"offerId": "card", "outcome": "declined", "at": "yesterday"}]"#.write(to: history, atomically: true, encoding: .utf8)
        let bad = try await decide(
            "flows", "explain", "polite", "--flows", flows.path, "--customer-json", #"{"id": "c1"}"#, "--history-json", history.path)
        #expect(bad.status == 2)
        #expect(bad.error.contains("history.json: [0].at \"yesterday\" is not a time"), "\(bad.error)")
    }
}
