/// One REPL command as `:help` lists it: its name, how to call it, a one-line summary and the detailed help.
public struct ReplCommandInfo: Sendable, Hashable {
    /// The name, without the colon.
    public var name: String
    /// The arguments, as `:help` shows them (`KEY`, `[CUSTOMER]`).
    public var arguments: String
    /// What it does, in one line.
    public var summary: String
    /// The detailed help `:help NAME` prints.
    public var detail: String

    /// Every command, in the order `:help` lists them.
    public static let all: [ReplCommandInfo] = [
        .init(name: "help", arguments: "[COMMAND]", summary: "list the commands, or explain one",
              detail: "Any line that does not start with ':' is Lua; '= expr' prints a value."),
        .init(name: "flow", arguments: "KEY", summary: "load a flow, or switch to another",
              detail: "Loads flows/KEY.lua and starts stepping over. An edited flow file (or a module it requires) is reloaded before the next command, with a notice; if it no longer loads, the previous version stays."),
        .init(name: "reload", arguments: "", summary: "re-read the current flow from its file",
              detail: "Re-reads the flow and its modules now, even when they did not change."),
        .init(name: "customer", arguments: "ID | {TABLE}", summary: "load a stored customer, or an inline one",
              detail: "':customer C000000042' loads a customer from the store. ':customer {age = 30, income = 52000, app_user = true}' makes one from a Lua table literal (its id is \"inline\" unless it gives one)."),
        .init(name: "set", arguments: "FIELD = VALUE", summary: "change a field of the customer (a what-if)",
              detail: "VALUE is a Lua expression: ':set income = 90000', ':set app_user = false', ':set segment = \"gold\"'. The trace is computed again and stepping starts over."),
        .init(name: "unset", arguments: "FIELD", summary: "remove a field of the customer",
              detail: "The field becomes missing (nil in the flow)."),
        .init(name: "show", arguments: "", summary: "print the customer",
              detail: "Every field with its value; fields changed with :set or :unset are marked."),
        .init(name: "step", arguments: "", summary: "run the next stage and show the candidates after it",
              detail: "Shows each remaining candidate (offer, name, score, channel) and what the stage dropped, with the reason."),
        .init(name: "back", arguments: "", summary: "step back one stage",
              detail: "Shows the candidates as they were after the previous stage."),
        .init(name: "run", arguments: "", summary: "run the remaining stages",
              detail: "Shows what each remaining stage dropped, then the recommendations."),
        .init(name: "reset", arguments: "", summary: "start stepping from the first stage again",
              detail: "The candidates are every active offer of the flow again."),
        .init(name: "why", arguments: "OFFER", summary: "explain one offer's fate for this customer",
              detail: "The stage and reason that dropped the offer, or its rank, score and channel when it is recommended."),
        .init(name: "trace", arguments: "", summary: "print the whole trace",
              detail: "Every stage with what it kept and dropped, then the recommendations, as 'decide flows explain' prints it."),
        .init(name: "offers", arguments: "", summary: "list the flow's offers",
              detail: "The catalogue in order, with paused offers marked."),
        .init(name: "stages", arguments: "", summary: "list the flow's stages",
              detail: "Each stage with its kind; the current position is marked."),
        .init(name: "history", arguments: "", summary: "the stored customer's interaction history",
              detail: "The newest interactions of the customer loaded with ':customer ID' (or ':next'), newest first, with how long before the decision time each was; those at or after the decision time (':asof') are marked, as decisions never see them. Stepping uses the same history (cap, cooldown and history.count/last). An inline customer has none."),
        .init(name: "asof", arguments: "TIME | now", summary: "decide as of a time instead of now",
              detail: "':asof 2026-11-02' or ':asof 2026-11-02T09:30:00Z' (ISO 8601 with a zone, or a date meaning 00:00 UTC): os.time() and os.date() in the flow return it, as they return a run's decision time. ':asof now' goes back to now. Stepping starts over."),
        .init(name: "segment", arguments: "NAME", summary: "select a saved segment as the audience",
              detail: "Prints how many customers it has. ':next' then walks through them in id order."),
        .init(name: "filter", arguments: "EXPR", summary: "select the customers a filter matches as the audience",
              detail: "The filter language of segments (docs/segments.md), e.g. ':filter age >= 30 and app_user'."),
        .init(name: "next", arguments: "[N]", summary: "decide the next customer of the audience (or the next N)",
              detail: "':next' decides one customer, makes them the current customer and shows their recommendations. ':next 500' decides five hundred and prints the running summary. Ctrl-C stops early."),
        .init(name: "summary", arguments: "", summary: "the summary and breakdowns of the customers decided so far",
              detail: "As 'decide run' prints them: customers, recommendations, offers per customer, then the offer and channel breakdowns."),
        .init(name: "launch", arguments: "", summary: "start the real run of this flow over the audience",
              detail: "Creates and executes the run (with the progress bar), prints its summary and selects it. Ctrl-C cancels it, keeping partial results."),
        .init(name: "runs", arguments: "", summary: "list recent runs",
              detail: "The ten newest runs with their flow, audience and status."),
        .init(name: "use", arguments: "RUN", summary: "select a run",
              detail: "The run ':result' and ':diff' read."),
        .init(name: "result", arguments: "[CUSTOMER]", summary: "what the selected run stored for a customer",
              detail: "For the given customer id, or the current customer."),
        .init(name: "diff", arguments: "", summary: "the current flow against the selected run, for this customer",
              detail: "Decides the current customer again with the flow as it is now (and the run's seed) and shows what changed against what the run stored: useful after editing the flow."),
        .init(name: "quit", arguments: "", summary: "leave (Ctrl-D too)", detail: "History is saved in ~/.decide_history."),
    ]

    /// The command named `name`, if there is one.
    public static func named(_ name: String) -> ReplCommandInfo? {
        all.first { $0.name == name }
    }
}
