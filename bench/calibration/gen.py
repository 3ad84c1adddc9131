#!/usr/bin/env python3
"""gen.py — synthetic sales processes unlike `gapforge demo`, for the calibration harness.

Usage: gen.py --process memoryless|aged --seed S --quarters Q --deals-per-quarter N
              --as-of YYYY-MM-DD [--export [single|current]] --out DIR

Writes to DIR, for an org with a January fiscal year in UTC:
  stages.json     body of PUT /v1/stages (the stage default probabilities are the eventual
                  win rates of the generated deals by stage, rounded to 0.05: a well-kept CRM)
  deals.csv       body of POST /v1/imports/deals, the deals as the CRM shows them on as_of
                  (owners rep-01.., imported with create_missing=true)
  events.csv      body of POST /v1/imports/deal-events (rich variant only): every stage, amount
                  and close-date change with its time, creation included (old empty)
  targets.json    bodies of PUT /v1/targets, one per quarter (1.1 x the trailing 4 quarters)
  truth.json      per quarter: start, end, complete, bookings, wins; per deal: created, closed,
                  outcome, final amount and its stage / amount / close-date history (what the CRM
                  showed on any day), so baselines can be computed at any past as_of
The quarters are the Q - 1 complete quarters before as_of's quarter and that quarter (to
as_of); deals are created from the first quarter's start (the org's first data) to as_of - 1.

Processes (deterministic by seed; one random stream per purpose and per deal):
  memoryless  3 open stages; exponential dwell (the hazards do not depend on age in stage);
              each stage ends in advance (at the last, a win) or a loss with a fixed
              probability; no quarter-end surge; close date set at creation and pushed 14-45
              days out a few days after it passes while the deal is open; list-price amounts,
              the win at a 0-25% discount; creation Poisson on weekdays, flat, with a quarterly
              shock on creation (sigma 0.10) and on the win odds (sigma 0.15).
  aged        6 open stages; lognormal dwell, slower for larger deals; the chance to advance
              falls with the time spent beyond the stage's median (stale deals lose); 15% of
              deals stall at a random stage and are closed lost by the quarterly pipeline scrub
              (first two weeks of a quarter) once older than 180 days; Pareto sizes (alpha 1.4,
              from 6k, capped at 1.5M); a surge different from demo's: a win decided in the
              second or third month of a quarter is held to the last 5 weekdays with
              probability 0.5 (0.7 in Q4) at a deeper discount; close dates at month ends,
              pushed when late (p 0.8) and early-stage deals scrubbed into the next quarter in
              its last 3 days (p 0.6); seasonal creation (Q1..Q4 x 0.85, 1.0, 0.9, 1.25; months
              of a quarter x 1.1, 1.0, 0.9), +3% per quarter trend, quarterly shocks 0.12/0.15.
--export: a plain CRM opportunity export instead of the history: deals.csv only (no events),
  open deals at their list-price amount, closed ones at their final amount, and `single` (the
  default) one open stage `open` for every open deal, or `current` the deal's current stage.
  The truth is the same as for the rich variant of the same seed.
Realism over flattery: nothing here is tuned to the forecast."""
import argparse
import datetime as dt
import json
import math
import os
import random

D = dt.date.fromisoformat


def quarter_of(day):
    q = (day.month - 1) // 3
    start = dt.date(day.year, 3 * q + 1, 1)
    end = (dt.date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
    return f"{day.year}-Q{q + 1}", start, end


def month_end(day):
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def last_weekdays(end, n):
    days, d = [], end
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    return days


class Deal:
    def __init__(self, i, created, owner):
        self.id = f"{i:06d}"
        self.created = created
        self.owner = owner
        self.stage = []   # (day, stage key)
        self.amount = []  # (day, amount)
        self.close = []   # (day, close date)
        self.outcome = None
        self.closed = None
        self.list_amount = None


def poisson(rng, lam):
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


class Process:
    """Common frame: quarters, creation, the deal life left to the subclass."""
    open_stages = []
    names = {}

    def __init__(self, seed, quarters, dpq, as_of):
        self.seed, self.dpq, self.as_of = seed, dpq, as_of
        name, start, _ = quarter_of(as_of)
        qs = []
        d = start
        for _ in range(quarters):
            qs.append(quarter_of(d))
            d = qs[-1][1] - dt.timedelta(days=1)
        self.quarters = sorted(qs, key=lambda q: q[1])
        self.data_start = self.quarters[0][1]
        self.shock_rng = random.Random(f"{seed}-shock")
        self.create_shock, self.win_shock = {}, {}
        # Shocks for every quarter a deal of this org can close in (well past as_of).
        d = self.data_start
        while d < as_of + dt.timedelta(days=800):
            q = quarter_of(d)
            self.create_shock[q[0]] = math.exp(self.shock_rng.gauss(0, self.create_sigma))
            self.win_shock[q[0]] = math.exp(self.shock_rng.gauss(0, self.win_sigma))
            d = q[2] + dt.timedelta(days=1)
        self.reps = [f"rep-{k:02d}" for k in range(1, 13)]

    def creation_rate(self, day, qindex):
        return self.dpq / 65.0

    def deals(self):
        rng = random.Random(f"{self.seed}-create")
        out, i, day = [], 0, self.data_start
        while day < self.as_of:
            if day.weekday() < 5:
                qi = sum(1 for q in self.quarters if q[1] <= day) - 1
                lam = self.creation_rate(day, qi) * self.create_shock[quarter_of(day)[0]]
                for _ in range(poisson(rng, lam)):
                    d = Deal(i, day, self.reps[rng.randrange(len(self.reps))])
                    self.live(d, random.Random(f"{self.seed}-deal-{i}"))
                    out.append(d)
                    i += 1
            day += dt.timedelta(days=1)
        return out

    def win_odds(self, p, day):
        o = p / (1 - p) * self.win_shock[quarter_of(day)[0]]
        return o / (1 + o)


class Memoryless(Process):
    open_stages = ["lead", "evaluation", "commit"]
    names = {"lead": "Lead", "evaluation": "Evaluation", "commit": "Commit"}
    dwell_mean = [20.0, 25.0, 18.0]
    advance = [0.45, 0.55, 0.60]
    create_sigma, win_sigma = 0.10, 0.15

    def live(self, d, rng):
        day = d.created
        amount = round(18000 * math.exp(rng.gauss(0, 0.7)), -1)
        d.list_amount = amount
        d.stage.append((day, "lead"))
        d.amount.append((day, amount))
        close = day + dt.timedelta(days=max(7, round(sum(self.dwell_mean) *
                                                     math.exp(rng.gauss(0, 0.3)))))
        d.close.append((day, close))
        horizon = self.as_of + dt.timedelta(days=700)
        for k, st in enumerate(self.open_stages):
            # Exponential dwell: the hazard of leaving the stage is constant in age.
            leave = day + dt.timedelta(days=max(1, math.ceil(rng.expovariate(1 / self.dwell_mean[k]))))
            # Pushes: a few days after the close date passes, the rep moves it out.
            while True:
                late = close + dt.timedelta(days=rng.randint(1, 10))
                if late >= leave or late > horizon:
                    break
                close = late + dt.timedelta(days=rng.randint(14, 45))
                d.close.append((late, close))
            day = leave
            if day > horizon:
                return
            p = self.advance[k]
            if k == len(self.open_stages) - 1:
                p = self.win_odds(p, day)
            if rng.random() >= p:
                self.finish(d, rng, day, "lost")
                return
            if k == len(self.open_stages) - 1:
                self.finish(d, rng, day, "won")
                return
            d.stage.append((day, self.open_stages[k + 1]))
            if rng.random() < 0.2:
                amount = round(amount * math.exp(rng.gauss(0, 0.2)), -1)
                d.list_amount = amount
                d.amount.append((day, amount))

    def finish(self, d, rng, day, outcome):
        d.outcome, d.closed = outcome, day
        d.stage.append((day, outcome))
        if d.close[-1][1] != day:
            d.close.append((day, day))
        if outcome == "won":
            final = round(d.amount[-1][1] * (1 - rng.uniform(0, 0.25)), 2)
            d.amount.append((day, final))


class Aged(Process):
    open_stages = ["new", "qualified", "discovery", "proposal", "negotiation", "contract"]
    names = {"new": "New", "qualified": "Qualified", "discovery": "Discovery",
             "proposal": "Proposal", "negotiation": "Negotiation", "contract": "Contract"}
    dwell_median = [7, 12, 15, 14, 12, 8]
    advance = [0.80, 0.85, 0.80, 0.80, 0.75, 0.85]
    create_sigma, win_sigma = 0.12, 0.15
    season = [0.85, 1.0, 0.9, 1.25]
    month_season = [1.1, 1.0, 0.9]

    def creation_rate(self, day, qindex):
        q = (day.month - 1) // 3
        return (self.dpq / 65.0 * self.season[q] * self.month_season[(day.month - 1) % 3] *
                1.03 ** qindex)

    def live(self, d, rng):
        day = d.created
        amount = round(min(1.5e6, 6000 * (1 - rng.random()) ** (-1 / 1.4)), -1)
        d.list_amount = amount
        d.stage.append((day, "new"))
        d.amount.append((day, amount))
        close = month_end(day + dt.timedelta(days=round(75 * math.exp(rng.gauss(0, 0.4)))))
        d.close.append((day, close))
        slow = (amount / 20000) ** 0.15
        stall = rng.randrange(5) if rng.random() < 0.15 else -1
        horizon = self.as_of + dt.timedelta(days=700)
        for k, st in enumerate(self.open_stages):
            med = self.dwell_median[k] * slow
            if k == stall:
                leave = self.scrub_day(d.created, day)
                outcome = "lost"
            else:
                dwell = max(1, math.ceil(med * math.exp(rng.gauss(0, 0.7))))
                leave = day + dt.timedelta(days=dwell)
                p = self.advance[k] * math.exp(-0.4 * max(0.0, dwell / med - 1.5))
                if k == len(self.open_stages) - 1:
                    p = self.win_odds(min(p, 0.99), leave)
                outcome = "advance" if rng.random() < p else "lost"
                if outcome == "advance" and k == len(self.open_stages) - 1:
                    outcome = "won"
                    leave, held = self.surge(rng, leave)
            close = self.move_close(d, rng, k, day, leave, close, horizon)
            day = leave
            if day > horizon:
                return
            if outcome != "advance":
                self.finish(d, rng, day, outcome, held if outcome == "won" else False)
                return
            d.stage.append((day, self.open_stages[k + 1]))
            if rng.random() < 0.25:
                amount = round(amount * math.exp(rng.gauss(0, 0.25)), -1)
                d.list_amount = amount
                d.amount.append((day, amount))

    def scrub_day(self, created, day):
        # The quarterly scrub: in the first two weeks of a quarter stale deals (older than 180
        # days) are closed lost; a stalled deal waits for the first scrub after it goes stale.
        stale = created + dt.timedelta(days=181)
        _, qs, qe = quarter_of(max(stale, day + dt.timedelta(days=1)))
        scrub = qs + dt.timedelta(days=(created.toordinal() % 10) + 1)
        if scrub < max(stale, day + dt.timedelta(days=1)):
            scrub = qe + dt.timedelta(days=(created.toordinal() % 10) + 2)
        return scrub

    def surge(self, rng, when):
        name, qs, qe = quarter_of(when)
        if when >= qs + dt.timedelta(days=30):
            p = 0.7 if name.endswith("Q4") else 0.5
            window = last_weekdays(qe, 5)
            if when < window[-1] and rng.random() < p:
                return rng.choice(window), True
        return when, False

    def move_close(self, d, rng, k, day, leave, close, horizon):
        """Close-date changes while the deal sits in stage k from day to leave."""
        look = close + dt.timedelta(days=rng.randint(1, 7))  # the first look once it passed
        while True:
            # The end-of-quarter scrub: early-stage deals dated in the quarter move out.
            _, qs, qe = quarter_of(close)
            scrub = qe - dt.timedelta(days=rng.randint(0, 2))
            if k < 3 and day <= scrub < min(leave, look) and rng.random() < 0.6:
                close = month_end(qe + dt.timedelta(days=rng.randint(15, 80)))
                d.close.append((scrub, close))
                look = close + dt.timedelta(days=rng.randint(1, 7))
                continue
            if look >= leave or look > horizon:
                return close
            if rng.random() < 0.8:
                close = month_end(look + dt.timedelta(days=rng.randint(10, 60)))
                d.close.append((look, close))
                look = close + dt.timedelta(days=rng.randint(1, 7))
            else:
                look += dt.timedelta(days=30)  # left overdue until the next look

    def finish(self, d, rng, day, outcome, held=False):
        d.outcome, d.closed = outcome, day
        d.stage.append((day, outcome))
        if d.close[-1][1] != day:
            d.close.append((day, day))
        if outcome == "won":
            disc = rng.uniform(0.10, 0.35) if held else rng.uniform(0, 0.2)
            d.amount.append((day, round(d.amount[-1][1] * (1 - disc), 2)))


PROCESSES = {"memoryless": Memoryless, "aged": Aged}


def state_at(changes, day):
    """The value of a (day, value) history as the CRM showed it at the start of day."""
    v = None
    for when, x in changes:
        if when < day:
            v = x
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--process", required=True, choices=sorted(PROCESSES))
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--quarters", type=int, default=11)
    ap.add_argument("--deals-per-quarter", type=int, default=200)
    ap.add_argument("--as-of", default="2026-11-15")
    ap.add_argument("--export", nargs="?", const="single", choices=["single", "current"])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    as_of = D(a.as_of)
    proc = PROCESSES[a.process](a.seed, a.quarters, a.deals_per_quarter, as_of)
    deals = proc.deals()
    # Everything after as_of is cut: the CRM on as_of.
    for d in deals:
        d.stage = [x for x in d.stage if x[0] < as_of]
        d.amount = [x for x in d.amount if x[0] < as_of]
        d.close = [x for x in d.close if x[0] < as_of]
        if d.closed is not None and d.closed >= as_of:
            d.outcome = d.closed = None
    os.makedirs(a.out, exist_ok=True)

    # Stage default probabilities: eventual win rate of the closed deals that reached the stage.
    reached = {s: [0, 0] for s in proc.open_stages}
    for d in deals:
        if d.outcome is None:
            continue
        for s in {x[1] for x in d.stage if x[1] in reached}:
            reached[s][0] += 1
            reached[s][1] += d.outcome == "won"
    prob = {s: max(0.05, round(20 * (w / n if n else 0.1)) / 20) for s, (n, w) in reached.items()}
    closed = [d for d in deals if d.outcome]
    overall = sum(d.outcome == "won" for d in closed) / max(1, len(closed))
    flat = a.export == "single"
    if flat:
        items = [{"key": "open", "name": "Open", "kind": "open",
                  "probability": max(0.05, round(20 * overall) / 20)}]
    else:
        items = [{"key": s, "name": proc.names[s], "kind": "open", "probability": prob[s]}
                 for s in proc.open_stages]
    items += [{"key": "won", "name": "Closed won", "kind": "won", "probability": 1},
              {"key": "lost", "name": "Closed lost", "kind": "lost", "probability": 0}]
    json.dump({"items": items}, open(f"{a.out}/stages.json", "w"), indent=1)

    with open(f"{a.out}/deals.csv", "w") as f:
        f.write("external_id,name,owner,amount,stage,created_on,close_date,closed_on\n")
        for d in deals:
            stage = d.stage[-1][1]
            if flat and d.outcome is None:
                stage = "open"
            amount = d.amount[-1][1]  # open: the current list price; closed: the final one
            f.write(f"crm-{d.id},Deal {d.id},{d.owner},{amount:.2f},{stage},{d.created},"
                    f"{d.close[-1][1]},{d.closed or ''}\n")
    if os.path.exists(f"{a.out}/events.csv"):
        os.remove(f"{a.out}/events.csv")
    if not a.export:
        with open(f"{a.out}/events.csv", "w") as f:
            f.write("external_id,at,field,old,new\n")
            for d in deals:
                rows = []
                for field, hist in (("stage", d.stage), ("amount", d.amount),
                                    ("close_date", d.close)):
                    old = ""
                    for k, (day, v) in enumerate(hist):
                        v = f"{v:.2f}" if field == "amount" else str(v)
                        rows.append((day, k > 0, field, old, v))
                        old = v
                # Creation at 08:00, changes from 12:00 on, one second apart within a day.
                rows.sort(key=lambda r: (r[0], r[1]))
                for n, (day, change, field, old, v) in enumerate(rows):
                    t = dt.datetime(day.year, day.month, day.day, 12 if change else 8) + \
                        dt.timedelta(seconds=n)
                    f.write(f"crm-{d.id},{t.isoformat()}Z,{field},{old},{v}\n")

    quarters, prev = [], []
    for name, start, end in proc.quarters:
        won = [d for d in deals if d.outcome == "won" and start <= d.closed <= end]
        bookings = round(sum(d.amount[-1][1] for d in won), 2)
        quarters.append({"name": name, "start": str(start), "end": str(end),
                         "complete": end < as_of, "bookings": bookings, "wins": len(won),
                         "created": sum(1 for d in deals if start <= d.created <= end)})
    targets = []
    for k, q in enumerate(quarters):
        base = [x["bookings"] for x in quarters[max(0, k - 4):k]]
        value = 1.1 * sum(base) / len(base) if base else 1.1 * a.deals_per_quarter * 3000
        targets.append({"scope": "org", "metric": "bookings", "period": q["name"],
                        "value": round(value, 2)})
    json.dump(targets, open(f"{a.out}/targets.json", "w"), indent=1)
    truth = {
        "process": a.process, "seed": a.seed, "as_of": str(as_of), "export": a.export,
        "deals_per_quarter": a.deals_per_quarter, "data_start": str(proc.data_start),
        "stage_probability": prob, "open_stages": proc.open_stages, "quarters": quarters,
        "deals": [{"id": f"crm-{d.id}", "created": str(d.created),
                   "closed": str(d.closed) if d.closed else None, "outcome": d.outcome,
                   "amount": d.amount[-1][1],
                   "stage": [[str(x), s] for x, s in d.stage],
                   "amounts": [[str(x), v] for x, v in d.amount],
                   "close_dates": [[str(x), str(c)] for x, c in d.close]} for d in deals],
    }
    json.dump(truth, open(f"{a.out}/truth.json", "w"))


if __name__ == "__main__":
    main()
