#!/usr/bin/env python3
"""processes.py — the body of bench/calibration/processes.sh (read its header): generates the
orgs with gen.py, loads them over HTTP, backtests them with GET /v1/forecast and prints the
calibration table beside the weighted-pipeline and run-rate baselines. Standard library only.

Usage: processes.py URL ADMIN_TOKEN DIR  (settings from the environment, see processes.sh)"""
import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

URL, TOKEN, DIR = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
PROCESSES = os.environ.get("PROCESSES", "memoryless aged").split()
VARIANTS = os.environ.get("VARIANTS", "rich export").split()
SEEDS = os.environ.get("SEEDS", "1 2 3 4 5 6").split()
QUARTERS = int(os.environ.get("QUARTERS", "11"))
YOUNG_QUARTERS = int(os.environ.get("YOUNG_QUARTERS", "6"))
DPQ = int(os.environ.get("DEALS_PER_QUARTER", "200"))
DAYS = [int(x) for x in os.environ.get("DAYS", "0 30 60").split()]
TRIALS = os.environ.get("TRIALS", "2000")
AS_OF = os.environ.get("AS_OF", "2026-11-15")
JOBS = int(os.environ.get("JOBS", "2"))
D = dt.date.fromisoformat


def call(method, path, key, body=None, ctype="application/json"):
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key,
                                          "Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read()[:500]!r}")


def load(process, variant, seed, quarters, case):
    """Generates one org's files and loads them; returns (slug, key, truth)."""
    slug = f"{process}-{variant}-{case}-s{seed}"
    out = os.path.join(DIR, slug)
    cmd = [sys.executable, os.path.join(HERE, "gen.py"), "--process", process, "--seed", seed,
           "--quarters", str(quarters), "--deals-per-quarter", str(DPQ), "--as-of", AS_OF,
           "--out", out]
    if variant != "rich":
        cmd += ["--export", "current" if variant == "export-stages" else "single"]
    subprocess.run(cmd, check=True)
    org = call("POST", "/v1/orgs", TOKEN, {"slug": slug, "name": slug, "currency": "USD",
                                           "fiscal_year_start_month": 1, "time_zone": "UTC"})
    key = org["api_key"]["secret"]
    call("PUT", "/v1/stages", key, json.load(open(f"{out}/stages.json")))
    # The rich variant's history follows in the events file, so its deals are created at the
    # effective time (backdate=false); an export has nothing else, so its rows are backdated.
    opts = f"effective_at={AS_OF}&create_missing=true"
    if variant == "rich" or os.environ.get("EXPORT_BACKDATE") == "false":
        opts += "&backdate=false"
    r = call("POST", f"/v1/imports/deals?{opts}", key, open(f"{out}/deals.csv").read(), "text/csv")
    assert r["committed"] and not r["problems"], r
    if variant == "rich":
        r = call("POST", "/v1/imports/deal-events", key, open(f"{out}/events.csv").read(),
                 "text/csv")
        assert r["committed"] and not r["problems"], r
    for t in json.load(open(f"{out}/targets.json")):
        call("PUT", "/v1/targets", key, t)
    return slug, key, json.load(open(f"{out}/truth.json"))


def at(hist, day):
    """A [day, value] history as the CRM showed it at the start of day (None: not yet)."""
    v = None
    for when, x in hist:
        if D(when) < day:
            v = x
    return v


def points(process, variant, case, seed, slug, key, truth, first):
    """The backtest rows of one org: every complete quarter from index first on, at DAYS."""
    qs = truth["quarters"]
    prob = truth["stage_probability"]
    deals = truth["deals"]
    data_start = D(truth["data_start"])
    work = []
    for k, q in enumerate(qs):
        if not q["complete"] or k < first:
            continue
        start, end = D(q["start"]), D(q["end"])
        prev = qs[max(0, k - 4):k]
        prev_days = sum((D(p["end"]) - max(D(p["start"]), data_start)).days + 1 for p in prev)
        rate = sum(p["bookings"] for p in prev) / prev_days if prev_days else 0.0
        for d in DAYS:
            t = start + dt.timedelta(days=d)
            if t > end:
                continue
            booked = opened = new = weighted = 0.0
            for x in deals:
                created = D(x["created"])
                closed = D(x["closed"]) if x["closed"] else None
                won_in = x["outcome"] == "won" and start <= closed <= end
                if won_in and closed < t:
                    booked += x["amount"]
                elif won_in:
                    if created >= t:
                        new += x["amount"]
                    else:
                        opened += x["amount"]
                if created < t and (closed is None or closed >= t):
                    close = at(x["close_dates"], t)
                    if close and start <= D(close) <= end:
                        weighted += at(x["amounts"], t) * prob[at(x["stage"], t)]
            work.append(dict(process=process, variant=variant, case=case, seed=seed,
                             quarter=q["name"], day=d, as_of=str(t), actual=q["bookings"],
                             actual_booked=booked, actual_open=opened, actual_new=new,
                             weighted=booked + weighted,
                             run_rate=booked + rate * ((end - max(t, start)).days + 1)))

    def forecast(w):
        f = call("GET", f"/v1/forecast?period={w['quarter']}&as_of={w['as_of']}"
                 f"&trials={TRIALS}", key)
        c = f["components"]
        sig = f["model"]["sigma"]
        w.update(p10=f["p10"], p50=f["p50"], p90=f["p90"], expected=f["expected"],
                 booked=c["booked"], expected_open=c["expected_open"],
                 expected_new=c["expected_new"], sigma=sig.get("value"))
        return w

    with ThreadPoolExecutor(JOBS) as ex:
        return list(ex.map(forecast, work))


def table(rows, label):
    n = len(rows)
    if not n:
        return
    act = sum(r["actual"] for r in rows)
    wape = lambda f: sum(abs(r[f] - r["actual"]) for r in rows) / act  # noqa: E731
    logs = [math.log(r["actual"] / r["p50"]) for r in rows if r["actual"] > 0 and r["p50"] > 0]
    m, wp, rr = wape("p50"), wape("weighted"), wape("run_rate")
    print(f"| {label} | {n} | {sum(r['actual'] < r['p10'] for r in rows) / n:.1%} "
          f"| {sum(r['actual'] < r['p50'] for r in rows) / n:.1%} "
          f"| {sum(r['actual'] > r['p90'] for r in rows) / n:.1%} "
          f"| {m:.1%} | {wp:.1%} | {rr:.1%} | {1 - m / min(wp, rr):+.0%} "
          f"| {sum(logs) / len(logs):+.3f} |")


def components(rows, label):
    s = lambda f: sum(r[f] for r in rows)  # noqa: E731
    ratio = lambda a, b: f"{s(a) / s(b):.2f}" if s(b) > 0 else "-"  # noqa: E731
    mism = sum(abs(r["booked"] - r["actual_booked"]) > 0.5 for r in rows)
    print(f"| {label} | {ratio('actual_booked', 'booked')} "
          f"| {ratio('actual_open', 'expected_open')} "
          f"| {ratio('actual_new', 'expected_new')} "
          f"| {ratio('actual', 'expected')} "
          f"| {sum(r['p90'] / r['p10'] for r in rows if r['p10'] > 0) / len(rows):.2f} "
          f"| {mism} |")


def main():
    rows = []
    cases = [("main", QUARTERS, 4)]
    if YOUNG_QUARTERS:
        cases.append(("young", YOUNG_QUARTERS, 1))
    for process in PROCESSES:
        for variant in VARIANTS:
            for case, quarters, first in cases:
                for seed in SEEDS:
                    slug, key, truth = load(process, variant, seed, quarters, case)
                    rows += points(process, variant, case, seed, slug, key, truth, first)
                    print(f"{slug}: {len(rows)} forecasts so far", file=sys.stderr, flush=True)
    with open(os.path.join(DIR, "forecasts.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"Backtest: GET /v1/forecast?trials={TRIALS} at days {' '.join(map(str, DAYS))} of each "
          f"complete quarter with >= 4 earlier quarters (main: {QUARTERS} quarters per org) or "
          f">= 1 (young: {YOUNG_QUARTERS}); seeds {' '.join(SEEDS)}, {DPQ} deals per quarter.")
    print("Skill = 1 - model WAPE / the better baseline's WAPE (target >= +30%).\n")
    print("| process / variant / case | n | below P10 | below P50 | above P90 | P50 WAPE "
          "| weighted WAPE | run-rate WAPE | skill | mean ln(actual/P50) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    groups = []
    for process in PROCESSES:
        for variant in VARIANTS:
            for case, _, _ in cases:
                g = [r for r in rows if (r["process"], r["variant"], r["case"]) ==
                     (process, variant, case)]
                groups.append((f"{process} / {variant} / {case}", g))
                table(g, f"**{process} / {variant} / {case}**")
                for d in DAYS:
                    table([r for r in g if r["day"] == d], f"day {d}")
    print("\nWhere the error comes from (sums over the points): actual / model per component, "
          "mean P90/P10, forecasts whose booked differs from the truth's.\n")
    print("| process / variant / case | booked | open | new | total vs expected | P90/P10 "
          "| booked mismatch |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, g in groups:
        components(g, label)
        for d in DAYS:
            components([r for r in g if r["day"] == d], f"day {d}")
    print(f"\nper-forecast rows: {DIR}/forecasts.csv")


if __name__ == "__main__":
    main()
