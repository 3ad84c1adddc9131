-- soak.lua — the request mix of bench/http/soak.sh for wrk (LuaJIT): weighted reads, writes,
-- forecasts, scenarios and plans on one org, with each request's latency timed per kind.
--
-- Run with as many wrk threads as connections (-tN -cN): a thread then drives one connection,
-- whose requests and responses alternate, so the time from request() to response() is that
-- request's latency (queueing in the server included). Arguments after `--`:
--   KEY NONCE AS_OF PERIOD CLOSE_DATE REP STAGE TEAMS LEVERS OUT_DIR OPEN_DEALS
-- TEAMS and LEVERS are comma-separated keys, OPEN_DEALS comma-separated ids of open deals; NONCE
-- makes the created deals' external ids unique to the run. Each thread writes one line per response to OUT_DIR/lat-<thread>.txt:
--   <kind> <status> <ms>
-- (files, not wrk's thread:get, which crashed LuaJIT now and then when copying large tables at
-- the end), and done() prints wrk's own figures:
--   ERRORS <connect> <read> <write> <timeout>
--   ALL <requests> <p50 ms> <p99 ms>
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clock, soak_timespec *ts);
]])
local ts = ffi.new("soak_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- The mix: kind, weight (of 100).
local mix = {
    { "projections", 25 }, -- GET /v1/projections (cached until the next write)
    { "forecast", 10 },    -- GET /v1/forecast
    { "deals", 12 },       -- GET /v1/deals?limit=50
    { "stages", 8 },       -- GET /v1/stages
    { "commit", 15 },      -- POST /v1/commits
    { "deal", 10 },        -- PATCH /v1/deals/{id} (an amount), one in four POST /v1/deals
    { "scenario", 10 },    -- POST /v1/scenarios
    { "plan", 10 },        -- POST /v1/plans
}

local threads = {}
function setup(thread)
    threads[#threads + 1] = thread
    thread:set("tid", #threads)
end

local key, nonce, as_of, period, close_date, rep, stage
local teams, levers, open_deals = {}, {}, {}
local schedule, slot, seq = {}, 0, 0
local current, started, out

local function split(text)
    local parts = {}
    for part in string.gmatch(text or "", "[^,]+") do
        parts[#parts + 1] = part
    end
    return parts
end

function init(args)
    key, nonce, as_of, period, close_date = args[1], args[2], args[3], args[4], args[5]
    rep, stage, teams, levers = args[6], args[7], split(args[8]), split(args[9])
    out = assert(io.open(string.format("%s/lat-%d.txt", args[10], tid or 0), "w"))
    open_deals = split(args[11])
    out:setvbuf("line")
    for _, m in ipairs(mix) do
        for _ = 1, m[2] do
            schedule[#schedule + 1] = m[1]
        end
    end
    -- The same shuffle in every run, a different one in every thread.
    math.randomseed(7919 * (tid or 1))
    for i = #schedule, 2, -1 do
        local j = math.random(i)
        schedule[i], schedule[j] = schedule[j], schedule[i]
    end
end

local function send(method, path, body)
    return wrk.format(method, path, {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
    }, body)
end

local function post(path, body)
    return send("POST", path, body)
end

local function get(path)
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. key })
end

local builders = {
    projections = function()
        return get("/v1/projections?as_of=" .. as_of .. "&period=" .. period .. "&by=team")
    end,
    forecast = function()
        return get("/v1/forecast?as_of=" .. as_of .. "&period=" .. period)
    end,
    deals = function()
        return get("/v1/deals?limit=50")
    end,
    stages = function()
        return get("/v1/stages")
    end,
    commit = function()
        local team = teams[seq % #teams + 1]
        local amount = 100000 + (seq % 50) * 1000
        return post("/v1/commits", string.format(
            '{"scope": "team:%s", "period": "%s", "commit": %d, "best_case": %d, "notes": "soak"}',
            team, period, amount, amount + 50000))
    end,
    deal = function()
        if seq % 4 ~= 0 then -- most CRM writes change a deal that exists
            local id = open_deals[(seq + (tid or 0)) % #open_deals + 1]
            return send("PATCH", "/v1/deals/" .. id, string.format('{"amount": %d}',
                5000 + (seq % 40) * 500))
        end
        return post("/v1/deals", string.format(
            '{"external_id": "soak-%s-%d-%d", "name": "Soak %d", "account": "Soak Inc", ' ..
            '"owner": "%s", "amount": %d, "stage": "%s", "close_date": "%s"}',
            nonce, tid, seq, seq, rep, 5000 + (seq % 40) * 500, stage, close_date))
    end,
    scenario = function()
        local lever = levers[seq % #levers + 1]
        return post("/v1/scenarios", string.format(
            '{"period": "%s", "as_of": "%s", "trials": 2000, "levers": [{"key": "%s", "units": %d}]}',
            period, as_of, lever, 1 + seq % 2))
    end,
    plan = function()
        local names = {}
        for i, l in ipairs(levers) do
            names[i] = '"' .. l .. '"'
        end
        return post("/v1/plans", string.format(
            '{"period": "%s", "as_of": "%s", "trials": 2000, "goal": {"type": "max_p50"}, ' ..
            '"budget": %d, "levers": [%s]}', period, as_of, 40000 + (seq % 3) * 10000, table.concat(names, ", ")))
    end,
}

function request()
    slot = slot % #schedule + 1
    seq = seq + 1
    current = schedule[slot]
    started = now_ms()
    return builders[current]()
end

function response(status, headers, body)
    out:write(string.format("%s %d %.3f\n", current, status, now_ms() - started))
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("ERRORS %d %d %d %d\n", e.connect, e.read, e.write, e.timeout))
    io.write(string.format("ALL %d %.1f %.1f\n", summary.requests, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000))
end
