#!/usr/bin/env python3
"""gen.py ROWS [SEED] [SPELLING] — writes a deterministic deals CSV (header + ROWS rows) to stdout.

Columns are those of POST /v1/imports/deals. Owners are rep-000..rep-049 and stages are the
seven of bench/import/run.sh's org, so every row is valid and the import inserts ROWS deals.
SPELLING "keys" (the default) writes them as the org's keys and categories and sources as ours;
"crm" writes them as a CRM export does: owners as names (Rep-015, found by gf_key_of), stages by
name (Won), categories and lead sources in CRM words (Best Case, Partner Referral) and
created_on as a timestamp (2024-01-05T10:00:00.000+0000)."""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
crm = len(sys.argv) > 3 and sys.argv[3] == "crm"
stages = ["prospecting", "qualification", "discovery", "proposal", "negotiation", "won", "lost"]
categories = ["pipeline", "best_case", "commit", "omitted"]
sources = ["marketing", "sales", "partner", "other"]
if crm:
    categories = ["Pipeline", "Best Case", "Commit", "Omitted"]
    sources = ["Web", "Cold Call", "Partner Referral", "Other"]
out = sys.stdout
out.write("external_id,name,account,owner,amount,stage,category,source,created_on,close_date,closed_on\n")
buf = []
for i in range(rows):
    stage = stages[rng.randrange(7)]
    cy, cm, cd = 2023 + rng.randrange(3), 1 + rng.randrange(12), 1 + rng.randrange(28)
    ly, lm = cy + (cm + 2) // 12, (cm + 2) % 12 + 1
    closed = f"{ly}-{lm:02d}-{cd:02d}" if stage in ("won", "lost") else ""
    account = rng.randrange(20000)
    owner = f"{'Rep' if crm else 'rep'}-{rng.randrange(50):03d}"
    created = f"{cy}-{cm:02d}-{cd:02d}" + ("T10:00:00.000+0000" if crm else "")
    buf.append(f"crm-{i:07d},\"Deal {i}, renewal\",Account {account},"
               f"{owner},{rng.randrange(500, 200000)}.{rng.randrange(100):02d},"
               f"{stage.capitalize() if crm else stage},{categories[rng.randrange(4)]},"
               f"{sources[rng.randrange(4)]},{created},{ly}-{lm:02d}-{cd:02d},{closed}\n")
    if len(buf) == 10000:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
