#!/usr/bin/env python3
"""Writes a Decide store's customers, in id order, one per line as a Lua table constructor with each attribute
typed as the store types it (integers, reals, text, booleans; missing values left out), for bench/plain_loop.lua.

Usage: dump_customers.py DATABASE OUTPUT
"""
import sqlite3
import sys


def lua_string(text):
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        out.append(ch if 32 <= byte < 127 and ch not in '"\\' else "\\%03d" % byte)
    return '"' + "".join(out) + '"'


def lua_value(value, kind):
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "real":
        return repr(float(value))
    if kind == "integer":
        return str(int(value))
    return lua_string(str(value))


def main(database, output):
    db = sqlite3.connect(database)
    kinds = dict(db.execute("SELECT name, type FROM attribute"))
    columns = [row[1] for row in db.execute("PRAGMA table_info(customer)")]
    with open(output, "w") as out:
        query = "SELECT %s FROM customer ORDER BY id" % ", ".join('"%s"' % c for c in columns)
        for row in db.execute(query):
            fields = ["%s=%s" % (name, lua_value(value, kinds.get(name, "text")))
                      for name, value in zip(columns, row) if value is not None]
            out.write("{" + ",".join(fields) + "}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
