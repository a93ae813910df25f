#!/usr/bin/env python3
"""The baseline a user would otherwise build: a Python host with an embedded Lua 5.4 (lupa) running the same
cross-sell flow over the same SQLite audience, end to end (read customers, decide, store every result), on one
core. It runs Decide's own engine prelude (extracted from Sources/DecisionEngine/EnginePrelude.swift) without the
sandbox, so it does strictly less work per customer than Decide does.

Usage: python_lua_host.py DATABASE FLOWS_DIR   (prints customers per second, customers and recommendations)
"""
import re
import sqlite3
import sys
import time
from pathlib import Path

from lupa import lua54

ROOT = Path(__file__).resolve().parent.parent


def engine_source():
    swift = (ROOT / "Sources/DecisionEngine/EnginePrelude.swift").read_text()
    return re.search(r'#"""\n(.*?)\n\s*"""#', swift, re.S).group(1)


def load_cross_sell(flows):
    """Decide's engine in an unsandboxed Lua state, and the cross_sell flow compiled by it: (engine, flow)."""
    lua = lua54.LuaRuntime()
    lua.globals().package.path = flows + "/?.lua"
    api = lua.eval("""function(getinfo)
        return { base = _G, readonly = function(_, t) return t end, reset = function() end, getinfo = getinfo,
                 rawset = rawset, setmetatable = setmetatable, math_randomseed = math.randomseed }
    end""")(lua.eval("debug.getinfo"))
    engine = lua.execute(engine_source(), api)
    definition = lua.execute((Path(flows) / "cross_sell.lua").read_text())
    return engine, engine.compile(definition, "flows/cross_sell.lua", lua.table())[0]


def open_audience(database):
    """The audience's columns and its customers: (columns, is_boolean, batches), where batches() reads the
    customers in id order, 1,000 rows at a time, starting when it is first iterated."""
    source = sqlite3.connect(database)
    columns = [row[1] for row in source.execute("PRAGMA table_info(customer)")]
    booleans = {row[0] for row in source.execute("SELECT name FROM attribute WHERE type = 'boolean'")}
    is_boolean = [name in booleans for name in columns]

    def batches():
        cursor = source.execute("SELECT %s FROM customer ORDER BY id" % ", ".join('"%s"' % c for c in columns))
        while rows := cursor.fetchmany(1000):
            yield rows

    return columns, is_boolean, batches


def open_results(database):
    """Where every recommendation is stored, one row each, committed once per batch of customers: a SQLite file
    beside the audience, durable the way Decide's store is (WAL, synchronous=NORMAL, keyed by customer and rank),
    though without the breakdowns and progress Decide also commits with each batch."""
    path = Path(database).with_name("python-host-results.sqlite")
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    out = sqlite3.connect(path)
    out.execute("PRAGMA journal_mode = WAL")
    out.execute("PRAGMA synchronous = NORMAL")
    out.execute("CREATE TABLE result (customer_id TEXT NOT NULL, rank INTEGER NOT NULL, offer_id TEXT NOT NULL,"
                " channel TEXT NOT NULL, score REAL, PRIMARY KEY (customer_id, rank)) WITHOUT ROWID")
    return out


def run_end_to_end(database, decide_row):
    """The timed part, the same for every host: read the audience in batches, decide each customer with
    decide_row(columns, is_boolean, row) -> [(offer, channel, score), ...] in rank order, store every result once
    per batch, and print customers per second, customers and recommendations."""
    columns, is_boolean, batches = open_audience(database)
    out = open_results(database)
    started = time.perf_counter()
    processed = 0
    recommendations = 0
    for rows in batches():
        batch = []
        for row in rows:
            for k, (offer, channel, score) in enumerate(decide_row(columns, is_boolean, row), 1):
                batch.append((row[0], k, offer, channel, score))
            processed += 1
        recommendations += len(batch)
        out.executemany("INSERT INTO result VALUES (?, ?, ?, ?, ?)", batch)
        out.commit()
    elapsed = time.perf_counter() - started
    print("%.0f %d %d" % (processed / elapsed, processed, recommendations))


def main(database, flows):
    engine, flow = load_cross_sell(flows)
    offers = [entry.id for entry in flow.offers.values()]
    data, results, channel_names, decide = engine.customer_data, engine.results, engine.channel_names, engine.decide

    def decide_row(columns, is_boolean, row):
        for name, boolean, value in zip(columns, is_boolean, row):
            data[name] = (value == 1) if boolean and value is not None else value
        n = decide(flow, None)
        return [(offers[results[3 * k - 2] - 1], channel_names[results[3 * k - 1]], results[3 * k] or None)
                for k in range(1, n + 1)]

    run_end_to_end(database, decide_row)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
