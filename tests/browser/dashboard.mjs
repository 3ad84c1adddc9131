// dashboard.mjs — the dashboard in Debian's chromium through playwright-core (run by run.sh).
//
// GF_URL (a server on a demo org), GF_KEY (a read key of that org), GF_OUT (where screenshots go)
// and GF_CHROMIUM (the browser) come from run.sh. Each case is a behaviour of the page; a case
// that fails is reported and the next ones still run where they can. The last line is Check's
// summary ("100%: Checks: N, Failures: F, Errors: 0"), which scripts/test counts. Waits are for
// states the page announces (data-state, data-points), never fixed sleeps, with generous
// timeouts for a slow shared machine.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const url = process.env.GF_URL;
const key = process.env.GF_KEY;
const out = process.env.GF_OUT;
const executablePath = process.env.GF_CHROMIUM || "/usr/bin/chromium";
const T = 180_000; // the longest wait of one step (a plan on a loaded machine)

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`PASS ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(a, b, msg) {
  if (a !== b) throw new Error(`${msg}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`);
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${key}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(url + path, init);
  const j = await r.json();
  assert(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // As root chromium needs --no-sandbox; the page is our own, served on loopback.
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  timeout: T,
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
const page = await context.newPage();
page.setDefaultTimeout(T);
const problems = [];
page.on("console", (m) => {
  if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
});
page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
page.on("response", (r) => {
  if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
});

const money = (cur) => new Intl.NumberFormat("en-US", { style: "currency", currency: cur, maximumFractionDigits: 0 });
let fc = null;
let org = null;

await check("the page is served with its content type, a strict CSP and no-cache", async () => {
  const r = await page.goto(url + "/", { waitUntil: "load" });
  eq(r.status(), 200, "GET /");
  const h = r.headers();
  assert(h["content-type"].startsWith("text/html"), `content-type ${h["content-type"]}`);
  assert(/default-src 'self'/.test(h["content-security-policy"] || ""), "no CSP default-src 'self'");
  assert(!/unsafe-inline/.test(h["content-security-policy"]), "CSP allows inline script");
  eq(h["cache-control"], "no-cache", "index.html Cache-Control");
  assert(/^"[0-9a-f]{16}"$/.test(h["etag"] || ""), `ETag ${h["etag"]}`);
  const again = await fetch(url + "/", { headers: { "If-None-Match": h["etag"] } });
  eq(again.status, 304, "GET / with its ETag");
});

await check("hashed assets are immutable and typed", async () => {
  const srcs = await page.$$eval("script[src], link[rel=stylesheet]", (es) => es.map((e) => e.getAttribute("src") || e.getAttribute("href")));
  eq(srcs.length, 3, "assets named by the page");
  for (const s of srcs) {
    assert(/^\/assets\/[0-9a-f]{16}\/[\w.-]+$/.test(s), `asset URL ${s}`);
    const r = await fetch(url + s);
    eq(r.status, 200, s);
    eq(r.headers.get("cache-control"), "public, max-age=31536000, immutable", `${s} Cache-Control`);
    const type = s.endsWith(".css") ? "text/css" : "text/javascript";
    assert(r.headers.get("content-type").startsWith(type), `${s}: ${r.headers.get("content-type")}`);
    const stale = await fetch(url + s.replace(/\/assets\/[0-9a-f]{16}\//, "/assets/0000000000000000/"));
    eq(stale.status, 404, `${s} under another hash`);
  }
});

await check("keyboard: before sign-in Tab walks the skip link, the key and Sign in, each with a visible focus", async () => {
  eq(JSON.stringify(await tabWalk(10)), JSON.stringify(["a.skip", "api-key", "signin-button"]), "the Tab order");
  // The skip link works from the keyboard: Enter moves the focus to the page's main part.
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  eq(await page.evaluate(() => document.activeElement.id), "main", "focus after the skip link");
});

await check("a bad key is refused on the page", async () => {
  await page.fill("#api-key", "gf_000000000000_0000");
  await page.press("#api-key", "Enter");
  await page.waitForFunction(() => document.getElementById("signin-error").textContent.length > 0);
  assert(await page.isHidden("#dash"), "the dashboard shows after a bad key");
});
// The 401 of the bad key is expected: forget it.
problems.length = 0;

await check("signing in with a read key shows the org and the forecast", async () => {
  await page.fill("#api-key", key);
  await page.press("#api-key", "Enter");
  await page.waitForSelector('#forecast[data-state="ready"]', { timeout: T });
  org = await api("GET", "/v1/org");
  const shown = await page.textContent("#org-name");
  assert(shown.includes(org.name) && shown.includes(org.currency), `org shown: ${shown}`);
  const stored = await page.evaluate(() => sessionStorage.getItem("gapforge.key"));
  eq(stored, key, "the key in sessionStorage");
  const local = await page.evaluate(() => localStorage.length);
  eq(local, 0, "nothing in localStorage");
});

await check("the figures equal the API's for the same request", async () => {
  const path = await page.getAttribute("#forecast", "data-request");
  assert(path && path.startsWith("/v1/forecast?"), `request ${path}`);
  fc = await api("GET", path);
  const fmt = money(org.currency);
  for (const k of ["booked", "p10", "p50", "p90", "target", "prob_hit", "gap", "coverage"]) {
    const v = await page.getAttribute(`[data-figure="${k}"]`, "data-value");
    eq(v, fc[k] === null ? "" : String(fc[k]), `figure ${k}`);
  }
  for (const k of ["booked", "p10", "p50", "p90", "target"]) {
    eq(await page.textContent(`[data-figure="${k}"]`), fmt.format(fc[k]), `text of ${k}`);
  }
  eq(await page.textContent('[data-figure="prob_hit"]'), `${Math.round(fc.prob_hit * 100)}%`, "text of prob_hit");
  eq(await page.getAttribute('[data-call="model"]', "data-value"), String(fc.p50), "the model's call");
  eq(await page.getAttribute('[data-call="commit"]', "data-value"), String(fc.call.commit), "closed + commit");
  const mc = fc.call.manager_call;
  eq(await page.getAttribute('[data-call="manager_call"]', "data-value"), mc === null ? "" : String(typeof mc === "number" ? mc : mc.value), "the manager's call");
});

// Pixels drawn on a canvas (not transparent), and the chart's own count of drawn elements.
async function drawn(id) {
  return page.evaluate((cid) => {
    const c = document.getElementById(cid);
    const ch = window.Chart.getChart(c);
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
    return {
      ink,
      datasets: ch.data.datasets.length,
      elements: ch.data.datasets.map((_, i) => ch.getDatasetMeta(i).data.length),
    };
  }, id);
}

// The focused element: its id (or tag and class), whether it is a control, and whether its focus
// is visible (a computed outline or box-shadow).
async function focused() {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const cs = getComputedStyle(e);
    const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow && cs.boxShadow !== "none";
    const control = /^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(e.tagName);
    return { id: e.id || `${e.tagName.toLowerCase()}.${e.className}`, control, visible: outline || shadow };
  });
}

// Tab from the top of the page to its end: the controls reached, in order (an element reached
// more than once in a row, as a date input's parts, counts once). Every stop must show its focus;
// the only stops that are not controls may be scrollable regions (Chromium makes them focusable).
async function tabWalk(max = 120) {
  // Start before the first element: a focus point (not itself a Tab stop) at the top of the body.
  await page.evaluate(() => {
    window.getSelection().removeAllRanges();
    const start = document.createElement("span");
    start.id = "tab-walk-start";
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
    window.scrollTo(0, 0);
  });
  const order = [];
  let prev = null;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (i === 0) await page.evaluate(() => document.getElementById("tab-walk-start").remove());
    const f = await focused();
    if (!f) break; // past the last stop, into the browser's own UI
    if (order.length && f.id === order[0] && prev !== null) break; // wrapped round
    assert(f.visible, `no visible focus on ${f.id}`);
    if (f.id !== prev && f.control) order.push(f.id);
    prev = f.id;
  }
  return order;
}

await check("the fan chart draws P90, P10, P50, booked and target over the quarter", async () => {
  await page.waitForSelector("#fan-chart[data-points]", { timeout: T });
  const n = Number(await page.getAttribute("#fan-chart", "data-points"));
  assert(n >= 2, `fan points ${n}`);
  const d = await drawn("fan-chart");
  eq(d.datasets, 5, "fan datasets");
  for (const e of d.elements) eq(e, n, "points of each fan line");
  assert(d.ink > 1000, `fan canvas nearly empty (${d.ink} pixels)`);
  // Its last point is today's forecast, the figures above.
  const last = await page.evaluate(() => {
    const ch = window.Chart.getChart(document.getElementById("fan-chart"));
    return ch.data.datasets.map((s) => s.data[s.data.length - 1]);
  });
  eq(last[2], fc.p50, "the fan's last P50");
  // The current period has no snapshot here (run.sh turns them off) and has not ended: replayed.
  eq(await page.getAttribute("#fan-chart", "data-source"), "replayed", "the fan's source");
  assert((await page.textContent("#fan-source")).startsWith("Replayed:"), "the caption names the source");
});

await check("the histogram draws one bar per bucket", async () => {
  const d = await drawn("hist-chart");
  eq(d.elements[0], fc.histogram.length, "histogram bars");
  assert(d.ink > 500, "histogram canvas empty");
});

await check("the why waterfall draws one bar per driver between baseline, forecast and target", async () => {
  const d = await drawn("why-chart");
  const want = fc.why.drivers.length + 5; // baseline, drivers, timing, P50, gap, target
  eq(d.elements[0], want, "waterfall bars");
  assert(d.ink > 1000, "waterfall canvas empty");
  const items = await page.$$eval("#why-list li", (ls) => ls.map((l) => l.textContent));
  eq(items.length, fc.why.drivers.length, "a sentence per driver");
  fc.why.drivers.forEach((dr, i) => assert(items[i].startsWith(dr.text), `sentence ${i}: ${items[i]}`));
  // The bars end at the API's figures: the forecast's P50 and the target.
  const ranges = await page.evaluate(() => window.Chart.getChart(document.getElementById("why-chart")).data.datasets[0].data);
  eq(ranges[0][1], fc.why.baseline_bookings, "the baseline bar");
  eq(ranges[want - 3][1], fc.p50, "the forecast bar");
  eq(ranges[want - 1][1], fc.target, "the target bar");
});

await check("keyboard: Tab reaches the plan button with a visible focus, Enter runs the plan, the ask is shown", async () => {
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  let id = null;
  for (let i = 0; i < 80 && id !== "plan-button"; i++) {
    await page.keyboard.press("Tab");
    id = await page.evaluate(() => document.activeElement && document.activeElement.id);
  }
  eq(id, "plan-button", "focused after Tab presses");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== "none", "no visible focus on the plan button");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#plan[data-state="ready"]', { timeout: T });
  const sel = await page.evaluate(() => ({ period: document.getElementById("period").value, scope: document.getElementById("scope").value }));
  const plan = await api("POST", "/v1/plans", { period: sel.period, scope: sel.scope, goal: { type: "p50" } });
  eq(await page.getAttribute("#plan-ask", "data-value"), String(plan.total_cost), "the ask");
  eq(await page.textContent("#plan-ask"), money(org.currency).format(plan.total_cost), "the ask's text");
  eq(await page.textContent("#plan-summary"), plan.summary, "the board summary");
  const rows = await page.$$eval("#actions-body tr", (r) => r.length);
  eq(rows, Math.max(1, plan.actions.length), "action rows");
  const d = await drawn("plan-chart");
  eq(d.datasets, 7, "the plan's fan: three lines each for the status quo and the plan, and the target");
  for (const e of d.elements) eq(e, 2, "points of each plan line (today, the period's end)");
  assert(d.ink > 1000, "plan canvas empty");
  const sets = await page.evaluate(() => window.Chart.getChart(document.getElementById("plan-chart")).data);
  eq(JSON.stringify(sets.labels), JSON.stringify([plan.as_of < plan.end ? plan.as_of : plan.end, plan.end]), "the plan fan's days");
  const want = [plan.baseline.p90, plan.baseline.p10, plan.baseline.p50, plan.result.p90, plan.result.p10, plan.result.p50];
  want.forEach((v, i) => eq(JSON.stringify(sets.datasets[i].data), JSON.stringify([fc.booked, v]), `plan fan line ${sets.datasets[i].label}`));
  eq(JSON.stringify(sets.datasets[6].data), JSON.stringify([plan.target, plan.target]), "the plan fan's target");
  assert((await page.textContent("#plan-fan-source")).includes("straight line from today's booked"), "the plan fan's caption");
  await page.click("#copy-board");
  await page.waitForFunction(() => document.getElementById("copy-status").textContent.length > 0);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  eq(copied, plan.summary_markdown, "copied for the board");
});

await check("a lever picker: unticking a lever (Space) gives a plan without it, equal to the API's for the same body", async () => {
  const levers = await api("GET", "/v1/levers?limit=500");
  const boxes = await page.$$eval("#lever-picks input[type=checkbox]", (bs) => bs.map((b) => ({ key: b.value, checked: b.checked, label: b.labels[0] && b.labels[0].textContent })));
  eq(boxes.length, levers.items.length, "a box per lever");
  boxes.forEach((b) => assert(b.checked && b.label, `box ${b.key} ticked and labelled`));
  const sel = await page.evaluate(() => ({ period: document.getElementById("period").value, scope: document.getElementById("scope").value }));
  const before = await api("POST", "/v1/plans", { period: sel.period, scope: sel.scope, goal: { type: "p50" } });
  assert(before.actions.length >= 1, "the demo's plan uses no lever");
  const drop = before.actions[0].lever;
  const id = await page.$eval(`#lever-picks input[value="${drop}"]`, (b) => b.id);
  await page.focus(`#${id}`);
  await page.keyboard.press("Space");
  eq(await page.isChecked(`#${id}`), false, "Space unticks the box");
  await page.evaluate(() => { document.getElementById("plan").dataset.state = ""; });
  await page.focus("#plan-button");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#plan[data-state="ready"]', { timeout: T });
  const body = JSON.parse(await page.getAttribute("#plan", "data-request"));
  eq(JSON.stringify(body.levers), JSON.stringify(levers.items.map((l) => l.key).filter((k) => k !== drop)), "the levers sent");
  const plan = await api("POST", "/v1/plans", body);
  assert(!plan.actions.some((a) => a.lever === drop), `the API's plan still uses ${drop}`);
  eq(await page.getAttribute("#plan-ask", "data-value"), String(plan.total_cost), "the ask without the lever");
  eq(await page.textContent("#plan-summary"), plan.summary, "the summary without the lever");
  const shown = await page.$$eval("#actions-body tr", (rs) => rs.map((r) => r.cells[0].textContent));
  eq(shown.length, Math.max(1, plan.actions.length), "action rows without the lever");
  const name = levers.items.find((l) => l.key === drop).name;
  assert(!shown.includes(name), `the page's plan uses ${name}`);
  await page.focus(`#${id}`);
  await page.keyboard.press("Space");
  eq(await page.isChecked(`#${id}`), true, "Space ticks it again");
});

await check("keyboard: Tab walks every control in order with a visible focus, each operable", async () => {
  // Run the plan again with every lever, so that the copy button is there to reach.
  await page.evaluate(() => { document.getElementById("plan").dataset.state = ""; });
  await page.focus("#plan-button");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#plan[data-state="ready"]', { timeout: T });
  const boxes = await page.$$eval("#lever-picks input[type=checkbox]", (bs) => bs.map((b) => b.id));
  const want = ["a.skip", "sign-out", "period", "scope", "goal", "budget", ...boxes, "plan-button", "copy-board",
    "pipe-from", "pipe-to", "pipeline-button"];
  eq(JSON.stringify(await tabWalk()), JSON.stringify(want), "the Tab order");
  // Arrow keys on a select: the goal (the confidence is enabled for a probability goal only).
  await page.focus("#goal");
  await page.keyboard.press("ArrowDown");
  eq(await page.inputValue("#goal"), "probability", "ArrowDown on the goal");
  eq(await page.isEnabled("#confidence"), true, "the confidence enabled for a probability goal");
  await page.keyboard.press("Tab");
  eq(await page.evaluate(() => document.activeElement.id), "confidence", "Tab reaches the confidence once enabled");
  await page.focus("#goal");
  await page.keyboard.press("ArrowUp");
  eq(await page.inputValue("#goal"), "p50", "ArrowUp on the goal");
  eq(await page.isEnabled("#confidence"), false, "the confidence disabled again");
  // Typing in the budget.
  await page.focus("#budget");
  await page.keyboard.type("50000");
  eq(await page.inputValue("#budget"), "50000", "the budget typed");
  await page.fill("#budget", "");
  // Space and Enter on the check boxes and buttons.
  for (const b of boxes) {
    await page.focus(`#${b}`);
    await page.keyboard.press("Space");
    eq(await page.isChecked(`#${b}`), false, `Space on ${b}`);
    await page.keyboard.press("Space");
    eq(await page.isChecked(`#${b}`), true, `Space again on ${b}`);
  }
  await page.evaluate(() => { document.getElementById("copy-status").textContent = ""; });
  await page.focus("#copy-board");
  await page.keyboard.press("Space");
  await page.waitForFunction(() => document.getElementById("copy-status").textContent.length > 0);
  await page.evaluate(() => { document.getElementById("pipeline").dataset.state = ""; });
  await page.focus("#pipeline-button");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#pipeline[data-state="ready"]', { timeout: T });
});

await check("the pipeline waterfall reconciles start to end with the API's buckets", async () => {
  await page.waitForSelector('#pipeline[data-state="ready"]', { timeout: T });
  const q = await page.evaluate(() => ({
    period: document.getElementById("period").value, scope: document.getElementById("scope").value,
    from: document.getElementById("pipe-from").value, to: document.getElementById("pipe-to").value }));
  const r = await api("GET", `/v1/pipeline/changes?${new URLSearchParams(q)}`);
  const d = await drawn("pipeline-chart");
  eq(d.elements[0], 11, "pipeline bars (start, nine changes, end)");
  assert(d.ink > 1000, "pipeline canvas empty");
  const ranges = await page.evaluate(() => window.Chart.getChart(document.getElementById("pipeline-chart")).data.datasets[0].data);
  eq(ranges[0][1], r.buckets.start.amount, "the start bar");
  eq(ranges[10][1], r.buckets.end.amount, "the end bar");
  assert(Math.abs(ranges[9][1] - r.buckets.end.amount) < 0.005, `the changes end at ${ranges[9][1]}, not ${r.buckets.end.amount}`);
});

await check("a KPI forecast row per KPI", async () => {
  const kpis = await api("GET", "/v1/kpis");
  await page.waitForFunction((n) => document.querySelectorAll("#kpis-body tr").length === n, kpis.items.length, { timeout: T });
});

await check("the recent alerts are listed", async () => {
  const alerts = await api("GET", "/v1/alerts?limit=10");
  assert(alerts.items.length >= 1, "run.sh's rule fired no alert");
  await page.waitForFunction((n) => document.querySelectorAll("#alerts-list li").length === n, alerts.items.length, { timeout: T });
  const first = await page.textContent("#alerts-list li");
  assert(first.includes(alerts.items[0].message), `alert shown: ${first}`);
});

await check("screenshots at 1280×800 and at 390 px wide, nothing wider than the screen", async () => {
  // The top of the page (what a leader sees first), and the whole page.
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  await page.screenshot({ path: join(out, "dashboard-1280.png"), fullPage: false });
  await page.screenshot({ path: join(out, "dashboard-1280-full.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => window.Chart.getChart(document.getElementById("fan-chart")).width <= 390);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(wide <= 390, `the page is ${wide} px wide at 390`);
  // No element sticks out of the viewport, but inside a region that scrolls on its own (a table).
  const over = await page.evaluate(() => {
    const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
    return [...document.querySelectorAll("body *")].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > 390.5 || r.left < -0.5) && !scrolls(e) && !e.matches("a.skip");
    }).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
  });
  eq(over.length, 0, `elements wider than 390 px: ${over.slice(0, 5).join(", ")}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, "dashboard-390.png"), fullPage: false });
  await page.screenshot({ path: join(out, "dashboard-390-full.png"), fullPage: true });
});

await check("a period that has ended (ArrowUp on the period): the fan from backtests, equal to the API's", async () => {
  const periods = (await api("GET", "/v1/periods")).items;
  const cur = periods.findIndex((p) => p.current);
  assert(cur > 0, "no period before the current one");
  await page.focus("#period");
  await page.keyboard.press("ArrowUp");
  eq(await page.inputValue("#period"), periods[cur - 1].name, "ArrowUp on the period");
  await page.waitForSelector(`#fan-chart[data-points][data-source="backtests"]`, { timeout: T });
  const body = JSON.parse(await page.getAttribute("#fan-chart", "data-request"));
  eq(body.periods[0], periods[cur - 1].name, "the backtest's period");
  let job = await api("POST", "/v1/backtests", body);
  for (let i = 0; job.status === "running" && i < 600; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    job = await api("GET", `/v1/backtests/${job.id}`);
  }
  eq(job.status, "done", "the API's backtest");
  const rows = job.result.rows;
  const sets = await page.evaluate(() => {
    const ch = window.Chart.getChart(document.getElementById("fan-chart"));
    return { labels: ch.data.labels, data: ch.data.datasets.map((d) => d.data), names: ch.data.datasets.map((d) => d.label) };
  });
  eq(Number(await page.getAttribute("#fan-chart", "data-points")), rows.length, "a point per backtest row");
  eq(JSON.stringify(sets.labels), JSON.stringify(rows.map((r) => r.as_of)), "the fan's days");
  const col = (k) => JSON.stringify(rows.map((r) => r[k]));
  eq(JSON.stringify(sets.data[0]), col("p90"), "the fan's P90");
  eq(JSON.stringify(sets.data[1]), col("p10"), "the fan's P10");
  eq(JSON.stringify(sets.data[2]), col("p50"), "the fan's P50");
  eq(JSON.stringify(sets.data[3]), col("booked"), "the fan's booked");
  eq(sets.names.length, 6, "P90, P10, P50, booked, target and the actual");
  eq(JSON.stringify(sets.data[5]), col("actual"), "the actual");
  assert((await page.textContent("#fan-source")).startsWith("From backtests:"), "the caption names the backtests");
  // And back to the current period: replayed again.
  await page.keyboard.press("ArrowDown");
  eq(await page.inputValue("#period"), periods[cur].name, "ArrowDown on the period");
  await page.waitForSelector(`#fan-chart[data-points][data-source="replayed"]`, { timeout: T });
  // Arrow keys on the scope: the first team, then the whole org again.
  await page.focus("#scope");
  await page.keyboard.press("ArrowDown");
  assert((await page.inputValue("#scope")).startsWith("team:"), "ArrowDown on the scope picks a team");
  await page.waitForFunction(() => document.getElementById("forecast").dataset.request.includes("scope=team"), null, { timeout: T });
  await page.keyboard.press("ArrowUp");
  eq(await page.inputValue("#scope"), "org", "ArrowUp on the scope");
  await page.waitForFunction(() => document.getElementById("forecast").dataset.request.includes("scope=org") &&
    document.getElementById("forecast").dataset.state === "ready", null, { timeout: T });
});

await check("a backtest that cannot run (503 backtests_busy) falls back to the replay, saying why", async () => {
  const before = problems.length;
  const busy = { error: { code: "backtests_busy", message: "too many backtests are running: retry later" } };
  await page.route("**/v1/backtests", (r) => r.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify(busy) }));
  try {
    await page.focus("#period");
    await page.keyboard.press("ArrowUp");
    // Until the ended period's fan is drawn, the current period's replayed fan is still on the
    // page: wait for the caption this request gives, not for any replayed fan.
    await page.waitForFunction(() => {
      const fan = document.getElementById("fan-chart");
      return fan.dataset.points && fan.dataset.source === "replayed" &&
        document.getElementById("fan-source").textContent.startsWith("Replayed (");
    }, null, { timeout: T });
    const cap = await page.textContent("#fan-source");
    assert(cap.startsWith("Replayed (the backtest could not run: too many backtests are running"), `caption: ${cap}`);
  } finally {
    await page.unroute("**/v1/backtests");
    // The 503s above were ours: forget what they logged, whatever the outcome.
    const ours = problems.splice(before).filter((m) => !/503|Service Unavailable/.test(m));
    problems.push(...ours);
  }
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(() => {
    const fan = document.getElementById("fan-chart");
    return document.getElementById("forecast").dataset.state === "ready" && fan.dataset.points &&
      document.getElementById("fan-source").textContent.startsWith("Replayed:");
  }, null, { timeout: T });
});

await check("picking a rep shows that rep's forecast (equal to the API's) and scorecard", async () => {
  const reps = await api("GET", "/v1/reps?active=true&limit=500");
  const rep = reps.items[0].key;
  await page.selectOption("#scope", `rep:${rep}`);
  await page.waitForFunction((s) => {
    const f = document.getElementById("forecast");
    return f.dataset.state === "ready" && f.dataset.request.includes(encodeURIComponent(s));
  }, `rep:${rep}`, { timeout: T });
  const path = await page.getAttribute("#forecast", "data-request");
  const rf = await api("GET", path);
  for (const k of ["booked", "p10", "p50", "p90", "expected"].filter((k) => k !== "expected")) {
    eq(await page.getAttribute(`[data-figure="${k}"]`, "data-value"), String(rf[k]), `rep figure ${k}`);
  }
  await page.waitForSelector("#scorecard-body table", { timeout: T });
});

await check("keyboard: Space on Sign out signs out, the key and Enter sign in again", async () => {
  await page.focus("#sign-out");
  await page.keyboard.press("Space");
  await page.waitForSelector("#signin-form", { state: "visible" });
  eq(await page.evaluate(() => document.activeElement.id), "api-key", "focus after signing out");
  await page.keyboard.type(key);
  await page.keyboard.press("Enter");
  await page.waitForSelector('#forecast[data-state="ready"]', { timeout: T });
  await page.waitForSelector("#fan-chart[data-points]", { timeout: T });
});

await check("no console error or warning, no failed request", async () => {
  eq(problems.length, 0, `problems: ${problems.join(" | ")}`);
});

await browser.close();
const failed = results.filter((r) => !r[1]).length;
const pct = results.length ? Math.floor((100 * (results.length - failed)) / results.length) : 0;
console.log(`screenshots: ${join(out, "dashboard-1280.png")} ${join(out, "dashboard-390.png")}`);
console.log(`${pct}%: Checks: ${results.length}, Failures: ${failed}, Errors: 0`);
process.exit(failed ? 1 : 0);
