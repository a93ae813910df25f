import DecisionEngine
import DecideText
import Foundation
import LuaRuntime

extension ReplSession {
    /// `:flow KEY`: loads the flow and starts stepping over.
    func selectFlow(_ key: String) throws {
        flow = try load(try library.source(of: key))
        brokenVersion = nil
        startOver()
        let description = flow!.description
        say("\(style.bold(description.name)) (\(description.key)): \(description.offers.count) offers, "
            + "\(description.stages.count) stages")
        if let note = description.constraintsNote { say(note) }
    }

    /// `:reload`: reads the flow's files again now.
    func reload() throws {
        let current = try requireFlow()
        flow = try load(try library.source(of: current.source.path))
        brokenVersion = nil
        startOver()
        say("reloaded \(current.source.path)")
    }

    /// Before each command: when the flow's file or one of its modules changed on disk, loads the new version
    /// (with a one-line notice); when the new version does not load, keeps the previous one and says why, once.
    func reloadIfChanged() {
        guard let current = flow else { return }
        let onDisk = filesOnDisk(of: current.source)
        let version = onDisk?.contentHash ?? "missing"
        guard version != current.source.contentHash, version != brokenVersion else { return }
        do {
            flow = try load(try library.source(of: current.source.path))
            brokenVersion = nil
            startOver()
            notice("\(current.source.path) changed: reloaded")
        } catch {
            brokenVersion = version
            notice("\(current.source.path) changed but no longer loads; still using the previous version:\n\(error)")
        }
    }

    /// The flow and the modules it required, as they are on disk now (`nil` when one is missing).
    private func filesOnDisk(of source: FlowSource) -> FlowSource? {
        guard let text = (try? ScriptFile.read(source.path)) ?? nil else { return nil }
        var modules: [String: String] = [:]
        for name in (source.modules ?? [:]).keys {
            let path = library.directory + "/" + name.replacingOccurrences(of: ".", with: "/") + ".lua"
            guard let module = (try? ScriptFile.read(path)) ?? nil else { return nil }
            modules[name] = module
        }
        return FlowSource(key: source.key, path: source.path, source: text, modules: modules)
    }

    private func load(_ source: FlowSource) throws -> LoadedFlow {
        let snapshot = try worker.snapshot(of: source)
        return LoadedFlow(
            source: snapshot, description: try worker.describe(snapshot), catalogue: try worker.catalogue(of: snapshot))
    }

    /// Forgets the trace and steps back to the start (a new flow, customer or what-if).
    func startOver() {
        cachedTrace = nil
        position = 0
    }

    /// The flow in use, or an error saying to load one.
    func requireFlow() throws -> LoadedFlow {
        guard let flow else {
            let keys = library.keys()
            throw ReplError(.missing, "no flow loaded; use :flow KEY" + (keys.isEmpty ? "" : " (\(keys.joined(separator: ", ")))"))
        }
        return flow
    }

    /// `:offers`: the catalogue.
    func showOffers() throws {
        let flow = try requireFlow()
        var rows: [[String]] = []
        for (index, offer) in flow.description.offers.enumerated() {
            let data: LuaValue = flow.catalogue.indices.contains(index) ? flow.catalogue[index] : .nil
            var channels = ""
            if case .array(let list) = data["channels"] { channels = list.compactMap(\.stringValue).joined(separator: ",") }
            rows.append([offer.id + (offer.active ? "" : " (paused)"), offer.name, data["category"].stringValue ?? "",
                         data["value"].doubleValue.map(TraceText.format) ?? "", channels])
        }
        say(TextTable(headers: ["OFFER", "NAME", "CATEGORY", "VALUE", "CHANNELS"], rows: rows).render())
    }

    /// `:stages`: the stages, the current position marked.
    func showStages() throws {
        let flow = try requireFlow()
        say(TextTable(headers: ["", "#", "STAGE", "KIND"], rows: flow.description.stages.enumerated().map { index, stage in
            [index + 1 == position ? "▸" : "", String(index + 1), stage.name, stage.kind]
        }).render())
    }
}
