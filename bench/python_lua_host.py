#!/usr/bin/env python3
"""The baseline a user would otherwise build: a Python host with an embedded Lua 5.4 (lupa) running a flow over a
SQLite audience, end to end (read customers, decide, store every result), on one core. It runs the straightforward
engine of bench/plain_engine.lua, unsandboxed, so it does strictly less work per customer than Decide does.

Usage: python_lua_host.py DATABASE FLOWS_DIR [FLOW]   (prints customers per second, customers and recommendations)
"""
import sqlite3
import sys
import time
from pathlib import Path

from lupa import lua54

ROOT = Path(__file__).resolve().parent.parent


def load_flow(flows, key="cross_sell"):
    """bench/plain_engine.lua in an unsandboxed Lua state with the flow loaded: (lua, decide, definition)."""
    lua = lua54.LuaRuntime()
    engine = lua.execute((ROOT / "bench/plain_engine.lua").read_text())
    decide, definition = engine(flows, key)
    return lua, decide, definition


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


def main(database, flows, key="cross_sell"):
    lua, decide, _ = load_flow(flows, key)
    table = lua.table_from

    def decide_row(columns, is_boolean, row):
        customer = table({name: (value == 1 if boolean else value)
                          for name, boolean, value in zip(columns, is_boolean, row) if value is not None})
        n, offers, scores, channels = decide(customer)
        return [(offers[k].id, channels[k], scores[k]) for k in range(1, n + 1)]

    run_end_to_end(database, decide_row)


if __name__ == "__main__":
    main(*sys.argv[1:4])
