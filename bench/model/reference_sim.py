#!/usr/bin/python3
"""Reference implementation of gapforge's Monte Carlo in Python with numpy, vectorised.

Reads the inputs bench_model wrote (CSV), runs the same simulation -- per trial a common
lognormal multiplier (mean one) on every deal's odds and on the new-deal rate, a Bernoulli draw per open
deal, a Poisson count of new deals with bootstrapped amounts -- and prints the median wall time
of several runs. Usage: reference_sim.py INPUTS.csv [runs]
"""
import sys
import time

import numpy as np


def load(path):
    with open(path) as f:
        header = f.readline().lstrip("# ").split()
    params = dict(kv.split("=") for kv in header)
    kind = np.genfromtxt(path, delimiter=",", skip_header=2, usecols=0, dtype=str)
    vals = np.genfromtxt(path, delimiter=",", skip_header=2, usecols=(1, 2))
    deals = kind == "deal"
    return (
        int(params["trials"]), float(params["sigma"]), float(params["lambda"]),
        int(params["booked"]), int(params["target"]),
        vals[deals, 0], vals[deals, 1].astype(np.int64), vals[kind == "new", 1].astype(np.int64),
    )


def simulate(trials, sigma, lam, booked, target, p, amount, new_amounts, rng, chunk=200):
    certain = p >= 1.0
    live = (p > 0.0) & ~certain
    base = booked + int(amount[certain].sum())
    p, amount = p[live], amount[live].astype(np.float64)
    odds = p / (1.0 - p)
    totals = np.empty(trials, dtype=np.int64)
    for lo in range(0, trials, chunk):
        k = min(chunk, trials - lo)
        m = np.exp(sigma * rng.standard_normal(k) - 0.5 * sigma * sigma)  # E[m] = 1
        mo = m[:, None] * odds[None, :]
        pm = mo / (1.0 + mo)
        won = rng.random((k, p.size), dtype=np.float32) < pm
        open_part = won @ amount
        counts = rng.poisson(lam * m)
        picks = rng.integers(0, new_amounts.size, counts.sum())
        owner = np.repeat(np.arange(k), counts)
        new_part = np.bincount(owner, weights=new_amounts[picks], minlength=k)
        totals[lo:lo + k] = base + np.rint(open_part + new_part).astype(np.int64)
    q = np.quantile(totals, [0.1, 0.5, 0.9], method="inverted_cdf")
    return totals.mean(), q, (totals >= target).mean()


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    trials, sigma, lam, booked, target, p, amount, new_amounts = load(path)
    rng = np.random.default_rng(42)
    times = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        mean, q, hit = simulate(trials, sigma, lam, booked, target, p, amount, new_amounts, rng)
        times.append((time.perf_counter() - t0) * 1e3)
    times = sorted(times[1:])
    print(f"deals={p.size} trials={trials} runs={runs}")
    print(f"mean={mean:.0f} p10={q[0]:.0f} p50={q[1]:.0f} p90={q[2]:.0f} prob_hit={hit:.4f}")
    print(f"numpy median_ms={times[len(times) // 2]:.3f}")


if __name__ == "__main__":
    main()
