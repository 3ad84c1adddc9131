#!/usr/bin/env python3
"""gen.py ROWS [SEED] — writes a deterministic deals CSV (header + ROWS rows) to stdout.

Columns are those of POST /v1/imports/deals. Owners are rep-000..rep-049 and stages are the
seven of bench/import/run.sh's org, so every row is valid and the import inserts ROWS deals."""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
stages = ["prospecting", "qualification", "discovery", "proposal", "negotiation", "won", "lost"]
categories = ["pipeline", "best_case", "commit", "omitted"]
sources = ["marketing", "sales", "partner", "other"]
out = sys.stdout
out.write("external_id,name,account,owner,amount,stage,category,source,created_on,close_date,closed_on\n")
buf = []
for i in range(rows):
    stage = stages[rng.randrange(7)]
    cy, cm, cd = 2023 + rng.randrange(3), 1 + rng.randrange(12), 1 + rng.randrange(28)
    ly, lm = cy + (cm + 2) // 12, (cm + 2) % 12 + 1
    closed = f"{ly}-{lm:02d}-{cd:02d}" if stage in ("won", "lost") else ""
    buf.append(f"crm-{i:07d},\"Deal {i}, renewal\",Account {rng.randrange(20000)},"
               f"rep-{rng.randrange(50):03d},{rng.randrange(500, 200000)}.{rng.randrange(100):02d},"
               f"{stage},{categories[rng.randrange(4)]},{sources[rng.randrange(4)]},"
               f"{cy}-{cm:02d}-{cd:02d},{ly}-{lm:02d}-{cd:02d},{closed}\n")
    if len(buf) == 10000:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
