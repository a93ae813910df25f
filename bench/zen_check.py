#!/usr/bin/env python3
"""Checks zen_host.py's decision graph against Decide itself: every customer's recommendations (rank, offer,
channel, and score to 6 decimals) against those of the latest run stored in the same database, which must be a
`decide run cross_sell --segment all` over the whole audience.

Usage: zen_check.py DATABASE FLOWS_DIR   (prints customers and recommendations compared, and every difference;
                                          exits 1 if there is one)
"""
import sqlite3
import sys
from itertools import groupby

from python_lua_host import open_audience
from zen_host import context, cross_sell_engine


def main(database, flows):
    engine = cross_sell_engine(flows)
    columns, is_boolean, batches = open_audience(database)
    run = sqlite3.connect(database).execute("""
        SELECT customer_id, offer_id, channel, score FROM run_result
        WHERE run_seq = (SELECT max(seq) FROM run) ORDER BY customer_id, rank""")
    decided = {customer: [(offer, channel, round(score, 6)) for _, offer, channel, score in rows]
               for customer, rows in groupby(run, key=lambda row: row[0])}
    customers = recommendations = differences = 0
    for rows in batches():
        for row in rows:
            picks = engine.evaluate("cross_sell", context(columns, is_boolean, row))["result"]["recommendations"]
            mine = [(pick["offer"], pick["channel"], round(pick["score"], 6)) for pick in picks]
            theirs = decided.get(row[0], [])
            if mine != theirs:
                differences += 1
                print("%s: decide %s, zen %s" % (row[0], theirs, mine))
            customers += 1
            recommendations += len(mine)
    print("%d customers, %d recommendations, %d differ" % (customers, recommendations, differences))
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
