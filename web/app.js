/* app.js — the gapforge dashboard: sign in with an API key, pick a period and a scope, and see
 * the forecast, its fan over the quarter, why, and the plan that closes the gap.
 *
 * It calls only the public API (openapi.yaml) with the key kept in sessionStorage, and draws with
 * Chart.js (web/vendor/, loaded before this file). No framework, no inline script: the page's
 * Content-Security-Policy allows scripts from this origin only. Every figure shown carries the
 * API's raw value in data-value, so tests can compare the page with the API. */
(function () {
  "use strict";

  var KEY_ITEM = "gapforge.key";
  var FAN_TRIALS = 2000; /* the replayed days of the fan: a cheaper run than today's figures */
  var state = { key: null, org: null, money: null, compact: null, charts: {}, forecast: null, seq: 0 };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  /* ---- the API ---- */

  function ApiError(status, body) {
    var e = (body && body.error) || {};
    this.status = status;
    this.code = e.code || "http_" + status;
    this.message = e.message || "the server answered " + status;
    this.field = e.field || null;
  }

  function api(method, path, body) {
    if (!state.key) return Promise.reject(new Error("signed out"));
    var init = { method: method, headers: { Authorization: "Bearer " + state.key } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (t) {
        var j = null;
        try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
        if (!r.ok) throw new ApiError(r.status, j);
        return j;
      });
    });
  }

  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== "")
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  /* Every item of a paginated list. */
  function all(path, params) {
    var items = [];
    function page(cursor) {
      var p = Object.assign({ limit: 500 }, params || {});
      if (cursor) p.cursor = cursor;
      return api("GET", path + qs(p)).then(function (j) {
        items = items.concat(j.items || []);
        return j.next_cursor ? page(j.next_cursor) : items;
      });
    }
    return page(null);
  }

  /* ---- formatting: the org's currency, shares as percentages, never colour alone ---- */

  function money(v) { return v === null || v === undefined ? "—" : state.money.format(v); }
  function compact(v) { return v === null || v === undefined ? "—" : state.compact.format(v); }
  function pct(v) { return v === null || v === undefined ? "—" : Math.round(v * 100) + "%"; }
  function ratio(v) { return v === null || v === undefined ? "—" : v.toFixed(2) + "×"; }
  function signed(v) { return (v > 0 ? "+" : v < 0 ? "−" : "") + money(Math.abs(v)); }

  function setFigure(node, raw, text) {
    node.textContent = text;
    node.dataset.value = raw === null || raw === undefined ? "" : String(raw);
  }

  function status(text) { $("status").textContent = text || ""; }

  function describe(err) {
    if (err instanceof ApiError) return err.message + (err.field ? " (" + err.field + ")" : "");
    return String(err && err.message ? err.message : err);
  }

  /* ---- sign-in ---- */

  function signIn(key) {
    state.key = key;
    return api("GET", "/v1/org").then(function (org) {
      state.org = org;
      state.money = new Intl.NumberFormat("en-US", { style: "currency", currency: org.currency, maximumFractionDigits: 0 });
      state.compact = new Intl.NumberFormat("en-US", { style: "currency", currency: org.currency, notation: "compact", maximumFractionDigits: 1 });
      sessionStorage.setItem(KEY_ITEM, key);
      $("org-name").textContent = org.name + " (" + org.slug + ", " + org.currency + ")";
      $("signin").hidden = true;
      $("dash").hidden = false;
      $("sign-out").hidden = false;
      return loadPickers();
    });
  }

  function signOut() {
    sessionStorage.removeItem(KEY_ITEM);
    state.key = null;
    state.seq++; /* what is still loading stops and draws nothing */
    Object.keys(state.charts).forEach(function (k) { state.charts[k].destroy(); });
    state.charts = {};
    $("dash").hidden = true;
    $("sign-out").hidden = true;
    $("signin").hidden = false;
    $("org-name").textContent = "";
    $("api-key").value = "";
    $("api-key").focus();
  }

  /* ---- pickers: period, and the scope as org > team tree > reps ---- */

  function loadPickers() {
    return Promise.all([api("GET", "/v1/periods"), all("/v1/teams"), all("/v1/reps", { active: "true" })])
      .then(function (r) {
        var periods = r[0].items, teams = r[1], reps = r[2];
        var ps = $("period");
        ps.textContent = "";
        /* A period has ended when it comes before the current one (the list is oldest first). */
        var before = periods.some(function (p) { return p.current; });
        state.closed = {};
        periods.forEach(function (p) {
          if (p.current) before = false;
          state.closed[p.name] = before;
        });
        periods.forEach(function (p) {
          var o = el("option", p.name + (p.current ? " (current)" : ""));
          o.value = p.name;
          if (p.current) o.selected = true;
          ps.appendChild(o);
        });
        var ss = $("scope");
        ss.textContent = "";
        var org = el("option", "Whole org");
        org.value = "org";
        ss.appendChild(org);
        var tg = el("optgroup");
        tg.label = "Teams";
        var children = {};
        teams.forEach(function (t) { (children[t.parent || ""] = children[t.parent || ""] || []).push(t); });
        (function walk(parent, depth) {
          (children[parent] || []).forEach(function (t) {
            var o = el("option", "\u00a0\u00a0".repeat(depth) + t.name);
            o.value = "team:" + t.key;
            tg.appendChild(o);
            walk(t.key, depth + 1);
          });
        })("", 0);
        ss.appendChild(tg);
        var rg = el("optgroup");
        rg.label = "Reps";
        reps.forEach(function (p) {
          var o = el("option", p.name);
          o.value = "rep:" + p.key;
          rg.appendChild(o);
        });
        ss.appendChild(rg);
        return Promise.all([loadLevers(), refresh()]);
      });
  }

  function selection() { return { period: $("period").value, scope: $("scope").value }; }

  /* ---- the forecast ---- */

  function refresh() {
    var sel = selection(), seq = ++state.seq;
    var path = "/v1/forecast" + qs({ period: sel.period, scope: sel.scope, explain: "true" });
    $("forecast").dataset.request = path;
    $("forecast").dataset.state = "loading";
    status("Loading the forecast for " + sel.period + "…");
    $("plan-result").hidden = true;
    return api("GET", path).then(function (fc) {
      if (seq !== state.seq) return null;
      state.forecast = fc;
      showForecast(fc);
      showHistogram(fc);
      showWhy(fc);
      showRisk(fc);
      $("forecast").dataset.state = "ready";
      status("Forecast as of " + fc.as_of + ".");
      if (!$("pipe-from").value || $("pipe-from").dataset.period !== fc.period) {
        $("pipe-from").value = fc.start;
        $("pipe-to").value = fc.as_of < fc.end ? fc.as_of : fc.end;
        $("pipe-from").dataset.period = fc.period;
      }
      return Promise.all([loadFan(fc, seq), loadRollup(sel, seq), loadAlerts(seq), loadPipeline(),
        loadKpis(sel, seq), loadScorecard(sel, seq)]);
    }).catch(function (err) {
      $("forecast").dataset.state = "error";
      status("Could not load the forecast: " + describe(err));
    });
  }

  function showForecast(fc) {
    $("fc-title").textContent = fc.period + " · " + fc.scope + " · as of " + fc.as_of;
    var f = function (name) { return document.querySelector('[data-figure="' + name + '"]'); };
    ["booked", "p10", "p50", "p90", "target"].forEach(function (k) { setFigure(f(k), fc[k], money(fc[k])); });
    setFigure(f("prob_hit"), fc.prob_hit, pct(fc.prob_hit));
    var gap = fc.gap;
    setFigure(f("gap"), gap, gap === null ? "—" : gap > 0 ? money(gap) + " short" : money(-gap) + " ahead");
    setFigure(f("coverage"), fc.coverage, ratio(fc.coverage));
    var call = fc.call || {};
    var calls = { model: fc.p50, latest_commit: valueOf(call.latest_commit), manager_call: valueOf(call.manager_call),
      commit: call.commit, best_case: call.best_case };
    Object.keys(calls).forEach(function (k) {
      var v = calls[k];
      setFigure(document.querySelector('[data-call="' + k + '"]'), v, v === null || v === undefined ? "no call" : money(v));
      var vs = document.querySelector('[data-call-vs="' + k + '"]');
      vs.textContent = v === null || v === undefined || fc.target === null ? "—"
        : v >= fc.target ? "reaches it (" + signed(v - fc.target) + ")" : "short by " + money(fc.target - v);
    });
  }

  /* A call is a number or an object with value (latest commit, manager call), or null. */
  function valueOf(c) { return c === null || c === undefined ? null : typeof c === "number" ? c : c.value; }

  function chart(id, config) {
    if (state.charts[id]) state.charts[id].destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    state.charts[id] = new Chart($(id), config);
    return state.charts[id];
  }

  var moneyAxis = function () {
    return { ticks: { callback: function (v) { return compact(v); } } };
  };

  function showHistogram(fc) {
    var h = fc.histogram || [];
    chart("hist-chart", {
      type: "bar",
      data: {
        labels: h.map(function (b) { return compact(b.lower) + "–" + compact(b.upper); }),
        datasets: [{ label: "Trials", data: h.map(function (b) { return b.count; }), backgroundColor: "#5b7db1" }]
      },
      options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { maxRotation: 60 } } } }
    });
  }

  /* ---- the fan: snapshots of the period; else, for a period that has ended, a backtest at each
   * of its weeks beside the actual; else (the open period) the forecast replayed as of each week ---- */

  var BACKTEST_OFFSETS = [0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77]; /* weeks 0-11: at most 12 */
  var BACKTEST_POLL_MS = 1000;

  function isoDay(d) { return d.toISOString().slice(0, 10); }

  function replayDays(fc) {
    var days = [], d = new Date(fc.start + "T00:00:00Z"), last = new Date(fc.as_of + "T00:00:00Z");
    var end = new Date(fc.end + "T00:00:00Z");
    if (end < last) last = end;
    for (; d < last; d.setUTCDate(d.getUTCDate() + 7)) days.push(isoDay(d));
    return days;
  }

  /* Runs fn over items, at most n at a time; resolves to the results in order. It stops (rejects)
   * once the page has moved on (state.seq is no longer seq: another pick, or signed out). */
  function pool(items, n, fn, seq) {
    var out = new Array(items.length), next = 0;
    function worker() {
      if (seq !== state.seq) return Promise.reject(new Error("superseded"));
      if (next >= items.length) return Promise.resolve();
      var i = next++;
      return fn(items[i]).then(function (v) { out[i] = v; return worker(); });
    }
    var ws = [];
    for (var k = 0; k < Math.min(n, items.length); k++) ws.push(worker());
    return Promise.all(ws).then(function () { return out; });
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* POST /v1/backtests, then, while the job runs (202), GET /v1/backtests/{id} until it ends. */
  function backtest(body, seq) {
    function settle(job) {
      if (job.status === "done") return job.result;
      if (job.status === "failed") throw new Error("the backtest failed: " + (job.error ? job.error.message : "no reason given"));
      if (seq !== state.seq) throw new Error("superseded");
      return wait(BACKTEST_POLL_MS).then(function () {
        return api("GET", "/v1/backtests/" + encodeURIComponent(job.id));
      }).then(settle);
    }
    return api("POST", "/v1/backtests", body).then(settle);
  }

  function backtestFan(fc, seq) {
    var days = Math.round((Date.parse(fc.end) - Date.parse(fc.start)) / 86400000);
    var offsets = BACKTEST_OFFSETS.filter(function (o) { return o <= days; });
    var body = { scope: fc.scope, periods: [fc.period], offsets: offsets, trials: FAN_TRIALS };
    return backtest(body, seq).then(function (r) {
      var rows = r.rows;
      return {
        kind: "backtests",
        points: rows.map(function (x) { return { as_of: x.as_of, p10: x.p10, p50: x.p50, p90: x.p90, booked: x.booked }; }),
        actual: rows.length ? rows[0].actual : null,
        request: body,
        source: "From backtests: the period has ended and has no snapshots, so each week (days " + offsets[0] + "–" +
          offsets[offsets.length - 1] + ") is the forecast as it would have been then (POST /v1/backtests, " + r.trials +
          " trials), beside the actual won in the period."
      };
    });
  }

  function replayFan(fc, seq) {
    return pool(replayDays(fc), 3, function (day) {
      return api("GET", "/v1/forecast" + qs({ period: fc.period, scope: fc.scope, as_of: day, trials: FAN_TRIALS }));
    }, seq).then(function (rs) {
      return {
        kind: "replayed",
        points: rs.map(function (r) { return { as_of: r.as_of, p10: r.p10, p50: r.p50, p90: r.p90, booked: r.booked }; })
          .concat([{ as_of: fc.as_of, p10: fc.p10, p50: fc.p50, p90: fc.p90, booked: fc.booked }]),
        source: "Replayed: no snapshots yet, so each week is GET /v1/forecast?as_of= (" + FAN_TRIALS + " trials), then today's forecast."
      };
    });
  }

  function loadFan(fc, seq) {
    $("fan-chart").removeAttribute("data-points");
    $("fan-chart").removeAttribute("data-source");
    $("fan-source").textContent = "Drawing the fan…";
    return all("/v1/forecast/snapshots", { period: fc.period, scope: fc.scope }).then(function (snaps) {
      var byDay = {};
      snaps.forEach(function (s) {
        if (s.as_of < fc.as_of && !byDay[s.as_of]) byDay[s.as_of] = {
          as_of: s.as_of, p10: s.p10, p50: s.p50, p90: s.p90, booked: s.forecast ? s.forecast.booked : null };
      });
      var points = Object.keys(byDay).sort().map(function (k) { return byDay[k]; });
      if (points.length >= 2) return { kind: "snapshots", source: "From snapshots: the stored forecasts of " + fc.scope + ", then today's.",
        points: points.concat([{ as_of: fc.as_of, p10: fc.p10, p50: fc.p50, p90: fc.p90, booked: fc.booked }]) };
      if (!(state.closed && state.closed[fc.period])) return replayFan(fc, seq);
      /* A backtest that cannot run (busy, no deal before the period's first day, ...) falls back to the replay. */
      return backtestFan(fc, seq).catch(function (err) {
        if (seq !== state.seq) throw err;
        return replayFan(fc, seq).then(function (fan) {
          fan.source = "Replayed (the backtest could not run: " + describe(err) + "): each week is GET /v1/forecast?as_of= (" +
            FAN_TRIALS + " trials), then today's forecast.";
          return fan;
        });
      });
    }).then(function (fan) {
      if (seq !== state.seq) return;
      var pts = fan.points;
      $("fan-source").textContent = fan.source;
      var col = function (k) { return pts.map(function (p) { return p[k]; }); };
      var sets = [
        { label: "P90", data: col("p90"), borderColor: "#7a9cc6", backgroundColor: "rgba(91,125,177,0.25)", borderDash: [4, 3], pointRadius: 2, fill: false },
        { label: "P10 (band: P10–P90)", data: col("p10"), borderColor: "#7a9cc6", backgroundColor: "rgba(91,125,177,0.25)", borderDash: [4, 3], pointRadius: 2, fill: "-1" },
        { label: "P50", data: col("p50"), borderColor: "#1f3f73", borderWidth: 3, pointRadius: 3, pointStyle: "circle", fill: false },
        { label: "Booked so far", data: col("booked"), borderColor: "#2e7d32", pointStyle: "rect", pointRadius: 3, fill: false },
        { label: "Target", data: pts.map(function () { return fc.target; }), borderColor: "#b23b3b", borderDash: [8, 4], pointRadius: 0, fill: false }
      ];
      if (fan.kind === "backtests")
        sets.push({ label: "Actual (won in the period)", data: pts.map(function () { return fan.actual; }), borderColor: "#6a1b9a",
          borderDash: [2, 2], borderWidth: 2, pointRadius: 0, fill: false });
      chart("fan-chart", {
        type: "line",
        data: { labels: col("as_of"), datasets: sets },
        options: { interaction: { mode: "index", intersect: false }, scales: { y: moneyAxis() },
          plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + money(c.parsed.y); } } } } }
      });
      $("fan-chart").dataset.source = fan.kind;
      if (fan.request) $("fan-chart").dataset.request = JSON.stringify(fan.request);
      else $("fan-chart").removeAttribute("data-request");
      $("fan-chart").dataset.points = String(pts.length);
    }).catch(function (err) {
      if (seq !== state.seq) return;
      $("fan-source").textContent = "Could not draw the fan: " + describe(err);
    });
  }

  /* ---- why: baseline, one bar per driver, timing, the forecast (P50), the gap, the target ---- */

  function showWhy(fc) {
    var why = fc.why, list = $("why-list");
    list.textContent = "";
    if (!why || !why.gap || fc.target === null) {
      $("why-gap").textContent = why ? "No bookings target for this scope and period: no gap to explain." : "No explanation for this scope.";
      chart("why-chart", { type: "bar", data: { labels: [], datasets: [{ label: "", data: [] }] } });
      return;
    }
    var bars = [], level = why.baseline_bookings;
    bars.push({ label: "Baseline (trailing 4 quarters)", range: [0, level], kind: "total" });
    why.drivers.forEach(function (d) {
      bars.push({ label: d.driver, range: [level, level + d.impact], kind: d.impact >= 0 ? "up" : "down", text: d.text });
      level += d.impact;
      list.appendChild(el("li", d.text + (d.impact >= 0 ? " (raises the forecast)" : " (lowers the forecast)")));
    });
    var timing = -why.gap.timing_and_uncertainty;
    bars.push({ label: "Timing and uncertainty", range: [level, level + timing], kind: timing >= 0 ? "up" : "down" });
    level += timing;
    bars.push({ label: "Forecast (P50)", range: [0, fc.p50], kind: "total" });
    bars.push({ label: "Gap to target", range: [fc.p50, fc.target], kind: fc.target >= fc.p50 ? "gap" : "ahead" });
    bars.push({ label: "Target", range: [0, fc.target], kind: "total" });
    $("why-gap").textContent = why.gap.text;
    var colours = { total: "#1f3f73", up: "#2e7d32", down: "#b23b3b", gap: "#c77c02", ahead: "#2e7d32" };
    chart("why-chart", {
      type: "bar",
      data: {
        labels: bars.map(function (b) { return b.label; }),
        datasets: [{ label: "Bookings", data: bars.map(function (b) { return b.range; }),
          backgroundColor: bars.map(function (b) { return colours[b.kind]; }),
          borderColor: "#222", borderWidth: 1 }]
      },
      options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) {
        var b = bars[c.dataIndex], d = b.range[1] - b.range[0];
        return b.kind === "total" ? money(b.range[1]) : signed(d);
      } } } }, scales: { y: moneyAxis(), x: { ticks: { maxRotation: 50 } } } }
    });
    $("why-chart").dataset.bars = String(bars.length);
  }

  /* ---- deals at risk (the explain's flags) ---- */

  function showRisk(fc) {
    var body = $("risk-body");
    body.textContent = "";
    var risky = (fc.deals || []).filter(function (d) { return d.flags && d.flags.length; })
      .sort(function (a, b) { return b.amount - a.amount; }).slice(0, 10);
    if (!risky.length) {
      var tr = el("tr"), td = el("td", "No open deal is overdue, stale or pushed.");
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    risky.forEach(function (d) {
      var tr = el("tr");
      [d.name, money(d.amount), d.stage, d.close_date, pct(d.p_in_period), d.flags.join(", ")].forEach(function (v) { tr.appendChild(el("td", v)); });
      body.appendChild(tr);
    });
  }

  /* ---- roll-up and alerts ---- */

  function loadRollup(sel, seq) {
    var body0 = $("rollup-body");
    if (sel.scope.indexOf("rep:") === 0) { /* a rep has no children to roll up */
      body0.textContent = "";
      var tr0 = el("tr"), td0 = el("td", "A rep has no roll-up: pick the org or a team.");
      td0.colSpan = 6;
      tr0.appendChild(td0);
      body0.appendChild(tr0);
      return Promise.resolve();
    }
    return api("GET", "/v1/forecast/rollup" + qs(sel)).then(function (r) {
      if (seq !== state.seq) return;
      var body = $("rollup-body");
      body.textContent = "";
      r.rows.concat([r.total]).forEach(function (row, i) {
        var tr = el("tr", null, i === r.rows.length ? "total" : "");
        [row.scope + (i === r.rows.length ? " (total)" : ""), money(row.p50), money(valueOf(row.rep_call)),
          money(valueOf(row.manager_call)), money(row.expected), money(row.target)].forEach(function (v) { tr.appendChild(el("td", v)); });
        body.appendChild(tr);
      });
    }).catch(function (err) { $("rollup-body").textContent = ""; status("Roll-up: " + describe(err)); });
  }

  function loadAlerts(seq) {
    return api("GET", "/v1/alerts" + qs({ limit: 10 })).then(function (r) {
      if (seq !== state.seq) return;
      var list = $("alerts-list");
      list.textContent = "";
      if (!r.items.length) list.appendChild(el("li", "No alert has fired."));
      r.items.forEach(function (a) {
        list.appendChild(el("li", a.status + " · " + a.rule + " (" + a.kind + ") · " + a.scope + " " + a.period +
          " as of " + a.as_of + " — " + a.message));
      });
    }).catch(function (err) { $("alerts-list").textContent = "Alerts: " + describe(err); });
  }

  /* ---- the pipeline waterfall: start, what came in, what went out, end (to the cent) ---- */

  var PIPE_STEPS = [["new", 1, "New"], ["pulled_in", 1, "Pulled in"], ["reopened", 1, "Reopened"],
    ["amount_up", 1, "Amount up"], ["amount_down", -1, "Amount down"], ["won", -1, "Won"],
    ["lost", -1, "Lost"], ["pushed_out", -1, "Pushed out"], ["deleted", -1, "Deleted"]];

  function loadPipeline() {
    var sel = selection();
    var q = { period: sel.period, scope: sel.scope, from: $("pipe-from").value, to: $("pipe-to").value };
    $("pipeline").dataset.state = "loading";
    return api("GET", "/v1/pipeline/changes" + qs(q)).then(function (r) {
      var b = r.buckets, level = b.start.amount, bars = [];
      bars.push({ label: "Start " + r.from + " (" + b.start.count + ")", range: [0, level], kind: "total" });
      PIPE_STEPS.forEach(function (st) {
        var x = b[st[0]];
        var d = st[1] * x.amount;
        bars.push({ label: st[2] + " (" + x.count + ")", range: [level, level + d], kind: d >= 0 ? "up" : "down" });
        level += d;
      });
      bars.push({ label: "End " + r.to + " (" + b.end.count + ")", range: [0, b.end.amount], kind: "total" });
      $("pipeline-note").textContent = "Open pipeline closing in " + r.period.name + ": " + money(b.start.amount) + " on " + r.from +
        ", " + money(b.end.amount) + " on " + r.to + "; " + b.stage_advanced.count + " stage advances, " + b.stage_regressed.count + " moves back.";
      var colours = { total: "#1f3f73", up: "#2e7d32", down: "#b23b3b" };
      chart("pipeline-chart", {
        type: "bar",
        data: { labels: bars.map(function (x) { return x.label; }),
          datasets: [{ label: "Pipeline", data: bars.map(function (x) { return x.range; }),
            backgroundColor: bars.map(function (x) { return colours[x.kind]; }), borderColor: "#222", borderWidth: 1 }] },
        options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) {
          var x = bars[c.dataIndex];
          return x.kind === "total" ? money(x.range[1]) : signed(x.range[1] - x.range[0]);
        } } } }, scales: { y: moneyAxis(), x: { ticks: { maxRotation: 50 } } } }
      });
      $("pipeline-chart").dataset.bars = String(bars.length);
      $("pipeline").dataset.state = "ready";
    }).catch(function (err) {
      $("pipeline").dataset.state = "error";
      $("pipeline-note").textContent = "Could not load the pipeline's changes: " + describe(err);
    });
  }

  /* ---- KPI forecasts ---- */

  function num(v) {
    return v === null || v === undefined ? "—" : new Intl.NumberFormat("en-US", { maximumFractionDigits: Math.abs(v) < 10 ? 2 : 0 }).format(v);
  }

  function loadKpis(sel, seq) {
    return all("/v1/kpis").then(function (kpis) {
      return pool(kpis, 2, function (k) {
        return api("GET", "/v1/kpis/" + encodeURIComponent(k.key) + "/forecast" + qs({ period: sel.period, scope: sel.scope }))
          .catch(function (err) { return { kpi: k, error: describe(err) }; });
      }, seq);
    }).then(function (rows) {
      if (seq !== state.seq) return;
      var body = $("kpis-body");
      body.textContent = "";
      rows.forEach(function (f) {
        var tr = el("tr");
        if (f.error) {
          [f.kpi.name, f.error, "", "", "", ""].forEach(function (v) { tr.appendChild(el("td", v)); });
        } else {
          var better = f.kpi.direction === "lower_is_better" ? " (lower is better)" : "";
          [f.kpi.name + better, num(f.actual_to_date ? f.actual_to_date.value : null) + " " + (f.kpi.unit || ""),
            num(f.value.p10) + "–" + num(f.value.p90), num(f.value.p50), num(f.target), pct(f.prob_meet)]
            .forEach(function (v) { tr.appendChild(el("td", v)); });
        }
        body.appendChild(tr);
      });
    }).catch(function (err) {
      if (seq !== state.seq) return;
      $("kpis-body").textContent = "";
      status("KPIs: " + describe(err));
    });
  }

  /* ---- a rep's scorecard: said, did, bias, next quarter ---- */

  function loadScorecard(sel, seq) {
    var box = $("scorecard-body");
    if (sel.scope.indexOf("rep:") !== 0) {
      box.textContent = "";
      box.appendChild(el("p", "Pick a rep under Scope to see their scorecard.", "hint"));
      return Promise.resolve();
    }
    var rep = sel.scope.slice(4);
    return api("GET", "/v1/reps/" + encodeURIComponent(rep) + "/scorecard" + qs({ period: sel.period })).then(function (c) {
      if (seq !== state.seq) return;
      box.textContent = "";
      var said = c.said || {}, did = c.did || {};
      var dl = el("dl", null, "figures");
      [["First commit", said.first ? money(said.first.commit) : "none"], ["Last commit", said.last ? money(said.last.commit) : "none"],
        ["Booked", money(did.booked)], ["Won", did.won ? did.won.count + " · " + money(did.won.value) : "—"],
        ["Lost", did.lost ? did.lost.count + " · " + money(did.lost.value) : "—"],
        ["Pipeline created", did.pipeline_created ? did.pipeline_created.count + " · " + money(did.pipeline_created.value) : "—"],
        ["Next quarter's pipeline", c.next && c.next.open_pipeline ? money(c.next.open_pipeline.value) : "—"]].forEach(function (f) {
        var d = el("div");
        d.appendChild(el("dt", f[0]));
        d.appendChild(el("dd", f[1]));
        dl.appendChild(d);
      });
      box.appendChild(dl);
      var t = el("table"), head = el("tr");
      t.appendChild(el("caption", "Commit bias: what was won against the first and last commit"));
      ["Quarter", "Won", "First commit", "Last commit", "Won ÷ last"].forEach(function (h) { var th = el("th", h); th.scope = "col"; head.appendChild(th); });
      var th0 = el("thead");
      th0.appendChild(head);
      t.appendChild(th0);
      var tb = el("tbody");
      ((c.bias && c.bias.quarters) || []).forEach(function (q) {
        var tr = el("tr");
        [q.name, money(q.actual), money(q.first_commit), money(q.last_commit), q.actual_over_last === null ? "—" : ratio(q.actual_over_last)]
          .forEach(function (v) { tr.appendChild(el("td", v)); });
        tb.appendChild(tr);
      });
      t.appendChild(tb);
      box.appendChild(t);
    }).catch(function (err) { box.textContent = "Scorecard: " + describe(err); });
  }

  /* ---- the plan ---- */

  function loadLevers() {
    return all("/v1/levers").then(function (levers) {
      var body = $("levers-body"), pick = $("lever-picks");
      body.textContent = "";
      pick.textContent = "";
      levers.forEach(function (l) {
        var tr = el("tr");
        [l.name + " (" + l.key + ")", l.kind, money(l.unit_cost), l.kind === "concession" ? pct(l.effect) + " of the amount" : pct(l.effect),
          l.ramp_days + " days", l.max_units].forEach(function (v) { tr.appendChild(el("td", v)); });
        body.appendChild(tr);
        var id = "lever-" + l.key.replace(/[^A-Za-z0-9_-]/g, "_");
        var box = el("input");
        box.type = "checkbox";
        box.id = id;
        box.value = l.key;
        box.checked = true;
        box.name = "levers";
        var label = el("label", l.name + " (" + (l.kind === "kpi" ? "kpi: " + l.kpi : l.kind) + ")");
        label.htmlFor = id;
        var item = el("span", null, "pick");
        item.appendChild(box);
        item.appendChild(label);
        pick.appendChild(item);
      });
      $("levers-pick").hidden = !pick.children.length;
    });
  }

  /* The ticked levers: null when every one is (the API's default, every usable lever), else their keys. */
  function pickedLevers() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("#lever-picks input[type=checkbox]"));
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    return on.length === boxes.length ? null : on;
  }

  function runPlan() {
    var sel = selection(), goal = { type: $("goal").value };
    if (goal.type === "probability") goal.confidence = Number($("confidence").value);
    var req = { period: sel.period, scope: sel.scope, goal: goal };
    if ($("budget").value !== "") req.budget = Number($("budget").value);
    var levers = pickedLevers();
    if (levers) req.levers = levers;
    $("plan").dataset.request = JSON.stringify(req);
    $("plan-error").textContent = "";
    $("plan-button").disabled = true;
    $("plan").dataset.state = "loading";
    status("Searching for the plan…");
    return api("POST", "/v1/plans", req).then(function (p) {
      showPlan(p);
      $("plan").dataset.state = "ready";
      status("Plan found (" + p.search + " search).");
    }).catch(function (err) {
      $("plan").dataset.state = "error";
      $("plan-error").textContent = "No plan: " + describe(err);
      status("");
    }).then(function () { $("plan-button").disabled = false; });
  }

  function showPlan(p) {
    setFigure($("plan-ask"), p.total_cost, money(p.total_cost));
    $("plan-achieves").textContent = p.achieves === true ? "— reaches the goal."
      : p.achieves === false ? "— does not reach the goal; " + money(p.residual_gap) + " would still be missing." : "";
    var body = $("actions-body");
    body.textContent = "";
    if (!p.actions.length) {
      var tr0 = el("tr"), td = el("td", p.achieves === false ? "No action: no lever it may use helps." : "No action: the status quo already meets the goal.");
      td.colSpan = 5;
      tr0.appendChild(td);
      body.appendChild(tr0);
    }
    p.actions.forEach(function (a) {
      var tr = el("tr");
      [a.name || a.lever, a.units, money(a.cost), signed(a.uplift.p50), a.start_by].forEach(function (v) { tr.appendChild(el("td", v)); });
      body.appendChild(tr);
    });
    $("plan-summary").textContent = p.summary;
    $("plan-summary").dataset.markdown = p.summary_markdown;
    $("plan-result").hidden = false;
    showPlanFan(p);
  }

  /* The plan answers the period's end only (baseline and result: P10/P50/P90 at the end), not a path:
   * each fan goes straight from today's booked to those figures, and the caption says so. */
  function showPlanFan(p) {
    var fc = state.forecast, booked = fc && fc.period === p.period && fc.scope === p.scope ? fc.booked : null;
    var from = p.as_of < p.end ? p.as_of : p.end;
    var two = function (end) { return [booked, end]; };
    var base = "rgba(120,120,120,0.22)", plan = "rgba(46,125,50,0.25)";
    $("plan-fan-source").textContent = "The plan gives the period's end only (P10, P50 and P90 on " + p.end +
      ", with and without it), so each fan is a straight line from today's booked (" + money(booked) + " on " + from +
      ") to those figures: the path in between is not a forecast.";
    chart("plan-chart", {
      type: "line",
      data: {
        labels: [from, p.end],
        datasets: [
          { label: "If nothing changes: P90", data: two(p.baseline.p90), borderColor: "#888", backgroundColor: base, borderDash: [4, 3], pointRadius: 2, fill: false },
          { label: "If nothing changes: P10 (band P10–P90)", data: two(p.baseline.p10), borderColor: "#888", backgroundColor: base, borderDash: [4, 3], pointRadius: 2, fill: "-1" },
          { label: "If nothing changes: P50", data: two(p.baseline.p50), borderColor: "#555", borderWidth: 3, pointStyle: "rect", pointRadius: 4, fill: false },
          { label: "With the plan: P90", data: two(p.result.p90), borderColor: "#4c9a50", backgroundColor: plan, borderDash: [4, 3], pointRadius: 2, fill: false },
          { label: "With the plan: P10 (band P10–P90)", data: two(p.result.p10), borderColor: "#4c9a50", backgroundColor: plan, borderDash: [4, 3], pointRadius: 2, fill: "-1" },
          { label: "With the plan: P50", data: two(p.result.p50), borderColor: "#1b5e20", borderWidth: 3, pointStyle: "triangle", pointRadius: 5, fill: false },
          { label: "Target", data: [p.target, p.target], borderColor: "#b23b3b", borderDash: [8, 4], pointRadius: 0, fill: false }
        ]
      },
      options: { interaction: { mode: "index", intersect: false }, scales: { y: moneyAxis() },
        plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + money(c.parsed.y); } } } } }
    });
  }

  function copyBoard() {
    var text = $("plan-summary").dataset.markdown || $("plan-summary").textContent;
    var done = function () { $("copy-status").textContent = "Copied."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { selectSummary(); });
    } else {
      selectSummary();
    }
  }

  /* Without clipboard access the summary is selected, ready for Ctrl-C. */
  function selectSummary() {
    var r = document.createRange();
    r.selectNodeContents($("plan-summary"));
    var s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
    $("copy-status").textContent = "Selected: press Ctrl-C (⌘-C) to copy.";
  }

  /* ---- wiring ---- */

  document.addEventListener("DOMContentLoaded", function () {
    $("signin-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var key = $("api-key").value.trim();
      $("signin-error").textContent = "";
      if (!key) { $("signin-error").textContent = "Enter an API key."; return; }
      signIn(key).catch(function (err) {
        state.key = null;
        sessionStorage.removeItem(KEY_ITEM);
        $("signin").hidden = false;
        $("dash").hidden = true;
        $("signin-error").textContent = err instanceof ApiError && err.status === 401
          ? "That key is not valid (or was revoked)." : "Could not sign in: " + describe(err);
      });
    });
    $("sign-out").addEventListener("click", signOut);
    $("period").addEventListener("change", refresh);
    $("scope").addEventListener("change", refresh);
    $("pickers").addEventListener("submit", function (e) { e.preventDefault(); });
    $("plan-form").addEventListener("submit", function (e) { e.preventDefault(); runPlan(); });
    $("copy-board").addEventListener("click", copyBoard);
    $("pipeline-form").addEventListener("submit", function (e) { e.preventDefault(); loadPipeline(); });
    $("goal").addEventListener("change", function () { $("confidence").disabled = $("goal").value !== "probability"; });
    $("confidence").disabled = true;
    var saved = sessionStorage.getItem(KEY_ITEM);
    if (saved) {
      signIn(saved).catch(function () { signOut(); });
    } else {
      $("api-key").focus();
    }
  });
})();
