/* generator.c — simulates a demo org's sales history: reps, lead flow, deal creation and each
 * deal's life through the funnel, written as the events a CRM would have recorded (pure).
 *
 * A deal is decided stage by stage: it dwells a lognormal time in its stage, then advances
 * (or, at the last open stage, is won) with the stage's probability, lowered when it sat far
 * longer than usual, else it is lost. Close dates are set at creation, pushed by the rep after
 * they pass, sometimes pulled in; wins are held to the quarter's last weeks; a share of deals
 * stall for good ("zombies"). A common shock per quarter moves creation and win odds together. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draws.h"
#include "gapforge/date.h"
#include "gapforge/demo.h"
#include "gapforge/model_rng.h"

static const gf_demo_stage stages[GF_DEMO_STAGES] = {
    {"prospecting", "Prospecting", "open", 0.05, 0.65, 6, 0.6},
    {"qualification", "Qualification", "open", 0.10, 0.75, 10, 0.6},
    {"discovery", "Discovery", "open", 0.20, 0.75, 14, 0.6},
    {"demo", "Solution demo", "open", 0.35, 0.80, 12, 0.6},
    {"proposal", "Proposal", "open", 0.55, 0.75, 15, 0.6},
    {"negotiation", "Negotiation", "open", 0.75, 0.70, 12, 0.7},
    {"closed_won", "Closed won", "won", 1, 0, 0, 0},
    {"closed_lost", "Closed lost", "lost", 0, 0, 0, 0},
};

static const gf_demo_team teams[GF_DEMO_TEAMS] = {
    {"sales", "Sales", -1},
    {"americas", "Americas", 0},
    {"emea", "EMEA", 0},
    {"apac", "APAC", 0},
};

static const char *const rep_names[GF_DEMO_REPS] = {
    "Grace Hopper",    "John von Neumann", "Katherine Johnson", "Claude Shannon",
    "Barbara Liskov",  "Donald Knuth",     "Frances Allen",     "Dennis Ritchie",
    "Ada Lovelace",    "Alan Turing",      "Marie Curie",       "Niels Bohr",
    "Emmy Noether",    "Carl Gauss",       "Hedy Lamarr",       "Srinivasa Ramanujan",
    "Chien-Shiung Wu", "Satyendra Bose",   "Tu Youyou",         "Hideki Yukawa",
};
/* Team of each rep: veterans first (7 Americas, 5 EMEA, 2 APAC), then the hires: 9 in the
 * Americas, 7 in EMEA and 4 in APAC, the region that grows fastest. */
static const int rep_team[GF_DEMO_REPS] = {1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
                                           2, 2, 3, 3, 1, 2, 3, 3, 2, 1};

static const char *const accounts[] = {
    "Acme",      "Globex",          "Initech",
    "Umbrella",  "Hooli",           "Vandelay",
    "Stark",     "Wayne",           "Tyrell",
    "Cyberdyne", "Soylent",         "Wonka",
    "Aperture",  "Massive Dynamic", "Oscorp",
    "Nakatomi",  "Pied Piper",      "Dunder Mifflin",
    "Gringotts", "Monarch",         "Virtucon",
    "Blue Sun",  "Weyland",         "Rekall",
    "Oceanic",   "Sterling Cooper", "Prestige Worldwide",
    "Bluth",     "Krusty",          "Los Pollos",
};
#define NACCOUNTS (int)(sizeof accounts / sizeof accounts[0])
static const char *const products[] = {"Platform", "Expansion",          "Renewal upsell",
                                       "Pilot",    "Enterprise licence", "Add-on"};
#define NPRODUCTS (int)(sizeof products / sizeof products[0])
static const char *const sources[] = {"marketing", "marketing", "marketing", "sales",
                                      "sales",     "partner",   "other"};
#define NSOURCES (int)(sizeof sources / sizeof sources[0])

const char *const gf_demo_category_names[4] = {"pipeline", "best_case", "commit", "omitted"};
const char *const gf_demo_field_names[GF_DEMO_NFIELDS] = {"stage", "amount", "close_date",
                                                          "category", "owner"};

/* Random streams: one per purpose, one per deal. */
enum { S_SHOCK = 1, S_REPS, S_LEADS, S_CREATE, S_INPUTS, S_DEAL = 1000 };

static const gf_demo_truth default_truth = {
    .stuck_multiple = 2.0,
    .stuck_advance = 0.4,
    .shock_sigma = 0.12,
    .growth = 1.02,
    .lead_conversion = 0.3,
    .lead_lag_days = 14,
    .lead_downturn = 0.3,
    .lead_downturn_weeks = 8,
    .size_median = 24000,
    .size_sigma = 0.75,
    .enterprise_share = 0.12,
    .enterprise_multiplier = 3.5,
    .amount_change_p = 0.2,
    .amount_change_sigma = 0.15,
    .push_p = 0.85,
    .push_min_days = 14,
    .push_max_days = 45,
    .pull_in_p = 0.08,
    .surge_p = 0.35,
    .surge_days = 14,
    .zombie_p = 0.12,
    .ramp_start = 0.25,
};

/* Monday=0 .. Sunday=6 (day 0, 1970-01-01, was a Thursday). */
static int weekday(int day)
{
    return ((day + 3) % 7 + 7) % 7;
}

static int quarter_index(const gf_demo_org *org, int day)
{
    for (int q = 0; q < org->nquarters; q++)
        if (day >= org->quarters[q].period.start && day <= org->quarters[q].period.end)
            return q;
    return day < org->quarters[0].period.start ? -1 : org->nquarters;
}

/* Productivity of a rep on day: 0 before the hire, ramping linearly to 1. */
static double productivity(const gf_demo_org *org, const gf_demo_rep *r, int day)
{
    if (day < r->hired_on)
        return 0;
    double ramp_days = 30.4 * r->ramp_months, t = day - r->hired_on;
    if (t >= ramp_days)
        return 1;
    return org->truth.ramp_start + (1 - org->truth.ramp_start) * t / ramp_days;
}

static int make_reps(gf_demo_org *org, int first)
{
    gf_model_rng r;
    demo_seed(&r, org->opt.seed, S_REPS);
    int span = org->opt.as_of - first;
    for (int i = 0; i < GF_DEMO_REPS; i++) {
        gf_demo_rep *p = &org->reps[i];
        snprintf(p->name, sizeof p->name, "%s", rep_names[i]);
        const char *sp = strchr(rep_names[i], ' ');
        snprintf(p->key, sizeof p->key, "%.*s", (int)(sp - rep_names[i]), rep_names[i]);
        for (char *c = p->key; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c == '-' ? '_' : *c);
        snprintf(p->email, sizeof p->email, "%s@demo.example", p->key);
        p->team = rep_team[i];
        p->ramp_months = i < 14 ? 3 : 4;
        /* 14 veterans; four hires spread over the history; two recent hires still ramping. */
        if (i < 14)
            p->hired_on = first - demo_int(&r, 120, 1400);
        else if (i < 18)
            p->hired_on = first + (i - 13) * span / 5 + demo_int(&r, 0, 20);
        else
            p->hired_on = org->opt.as_of - demo_int(&r, 30, 110);
        p->skill = 0.8 + 0.4 * gf_model_rng_uniform(&r);
    }
    return 0;
}

/* A deal being simulated: its current values by field, and the writes not yet recorded. */
typedef struct sim {
    gf_demo_org *org;
    gf_demo_deal *d;
    int32_t deal;
    int64_t cur[GF_DEMO_NFIELDS], next[GF_DEMO_NFIELDS];
    int last_day, last_sec;
    size_t cap;
    gf_model_rng *r;
} sim;

/* Records one write at day: an event per field whose value changed, in field order. */
static int flush(sim *s, int day)
{
    gf_demo_org *org = s->org;
    int sec = 8 * 3600 + demo_int(s->r, 0, 10 * 3600);
    if (day == s->last_day && sec <= s->last_sec)
        sec = s->last_sec + 1;
    for (int f = 0; f < GF_DEMO_NFIELDS; f++) {
        if (s->cur[f] == s->next[f])
            continue;
        if (org->nevents == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 4096;
            gf_demo_event *e = realloc(org->events, cap * sizeof *e);
            if (!e)
                return -1;
            org->events = e;
            s->cap = cap;
        }
        org->events[org->nevents++] = (gf_demo_event){s->deal, day, sec, f, s->cur[f], s->next[f]};
        s->d->nevents++;
        s->cur[f] = s->next[f];
    }
    s->last_day = day;
    s->last_sec = sec;
    return 0;
}

static int64_t round_amount(double dollars)
{
    double hundreds = floor(dollars / 100.0 + 0.5);
    return (int64_t)(hundreds < 10 ? 10 : hundreds) * 10000; /* at least $1,000, in cents */
}

/* Remaining expected cycle (sum of dwell medians) from stage on. */
static double remaining_median(int stage)
{
    double t = 0;
    for (int s = stage; s < GF_DEMO_OPEN_STAGES; s++)
        t += stages[s].dwell_median;
    return t;
}

static int open_category(gf_model_rng *r, int stage)
{
    if (stage < 3)
        return GF_DEMO_PIPELINE;
    if (stage < GF_DEMO_OPEN_STAGES - 1)
        return GF_DEMO_BEST_CASE;
    return demo_chance(r, 0.7) ? GF_DEMO_COMMIT : GF_DEMO_BEST_CASE;
}

/* P(advance) at the decision, for the last open stage the win probability with its odds moved
 * by the quarter's shock, the rep's skill and ramp. */
static double advance_p(const gf_demo_org *org, const gf_demo_deal *d, int stage, double dwell,
                        int day)
{
    double p = stages[stage].advance;
    if (stage == GF_DEMO_OPEN_STAGES - 1) {
        int q = quarter_index(org, day);
        double shock = q >= 0 && q < org->nquarters ? org->quarters[q].shock : 1.0;
        const gf_demo_rep *rep = &org->reps[d->owner];
        double ramp = 0.6 + 0.4 * productivity(org, rep, day);
        double odds = p / (1 - p) * shock * rep->skill * ramp;
        p = odds / (1 + odds);
    }
    if (dwell > org->truth.stuck_multiple * stages[stage].dwell_median)
        p *= org->truth.stuck_advance;
    return p;
}

/* Pushes the close date each time it passes before the decision on day until (the rep looks a
 * few days after it passed; sometimes nobody does and the deal sits overdue). */
static int push_until(sim *s, int until)
{
    const gf_demo_truth *t = &s->org->truth;
    while (s->cur[GF_DEMO_F_CLOSE_DATE] < until) {
        int day = (int)s->cur[GF_DEMO_F_CLOSE_DATE] + demo_int(s->r, 1, 5);
        if (day >= until || day >= s->org->opt.as_of || !demo_chance(s->r, t->push_p))
            return 0;
        s->next[GF_DEMO_F_CLOSE_DATE] = day + demo_int(s->r, t->push_min_days, t->push_max_days);
        if (flush(s, day) < 0)
            return -1;
    }
    return 0;
}

/* Simulates one deal created on day by owner, appending its events. */
static int simulate_deal(gf_demo_org *org, size_t idx, int created, int owner, size_t *cap)
{
    const gf_demo_truth *t = &org->truth;
    const int as_of = org->opt.as_of;
    gf_model_rng r;
    demo_seed(&r, org->opt.seed, S_DEAL + idx);
    gf_demo_deal *d = &org->deals[idx];
    *d = (gf_demo_deal){
        .owner = owner, .created_on = created, .closed_on = -1, .first_event = org->nevents};
    int acct = demo_int(&r, 0, NACCOUNTS - 1);
    d->account = accounts[acct];
    d->source = sources[demo_int(&r, 0, NSOURCES - 1)];
    snprintf(d->external_id, sizeof d->external_id, "demo-%06zu", idx + 1);
    snprintf(d->name, sizeof d->name, "%s %s", accounts[acct],
             products[demo_int(&r, 0, NPRODUCTS - 1)]);

    sim s = {.org = org, .d = d, .deal = (int32_t)idx, .last_day = -1, .cap = *cap, .r = &r};
    for (int f = 0; f < GF_DEMO_NFIELDS; f++)
        s.cur[f] = GF_DEMO_NONE;
    double size = demo_lognormal(&r, t->size_median, t->size_sigma);
    if (demo_chance(&r, t->enterprise_share))
        size *= t->enterprise_multiplier;
    int close = created + (int)lround(remaining_median(0) * demo_lognormal(&r, 1.0, 0.3));
    if (demo_chance(&r, 0.5)) { /* reps like month ends */
        int y, m, dd;
        gf_date_to_ymd(close, &y, &m, &dd);
        close = gf_date_from_ymd(y + m / 12, m % 12 + 1, 1) - 1;
    }
    s.next[GF_DEMO_F_STAGE] = 0;
    s.next[GF_DEMO_F_AMOUNT] = round_amount(size);
    s.next[GF_DEMO_F_CLOSE_DATE] = close;
    s.next[GF_DEMO_F_CATEGORY] = GF_DEMO_PIPELINE;
    s.next[GF_DEMO_F_OWNER] = owner;
    int rc = flush(&s, created);
    int stall = demo_chance(&r, t->zombie_p) ? demo_int(&r, 0, GF_DEMO_OPEN_STAGES - 2) : -1;
    int enter = created;
    while (rc == 0) {
        int stage = (int)s.cur[GF_DEMO_F_STAGE];
        if (stage == stall) {
            d->zombie = true;
            break;
        }
        double dwell = demo_lognormal(&r, stages[stage].dwell_median, stages[stage].dwell_sigma);
        int when = enter + (dwell < 1 ? 1 : (int)lround(dwell));
        bool advance = demo_chance(&r, advance_p(org, d, stage, dwell, when));
        bool last = stage == GF_DEMO_OPEN_STAGES - 1;
        if (last && advance) { /* the quarter-end surge: the win is held to the last weeks */
            int q = quarter_index(org, when);
            int qend = q >= 0 && q < org->nquarters ? org->quarters[q].period.end : when;
            if (when < qend - t->surge_days + 1 && demo_chance(&r, t->surge_p))
                when = demo_int(&r, qend - t->surge_days + 1, qend);
        }
        rc = push_until(&s, when);
        if (rc < 0 || when >= as_of)
            break;
        if (advance && !last) {
            s.next[GF_DEMO_F_STAGE] = stage + 1;
            s.next[GF_DEMO_F_CATEGORY] = open_category(&r, stage + 1);
            if (demo_chance(&r, t->amount_change_p))
                s.next[GF_DEMO_F_AMOUNT] =
                    round_amount((double)s.cur[GF_DEMO_F_AMOUNT] / 100.0 *
                                 demo_lognormal(&r, 1.0, t->amount_change_sigma));
            int64_t cd = s.cur[GF_DEMO_F_CLOSE_DATE];
            if (cd < when + 3)
                s.next[GF_DEMO_F_CLOSE_DATE] = when + (int)lround(remaining_median(stage + 1));
            else if (demo_chance(&r, t->pull_in_p)) {
                int64_t in = cd - demo_int(&r, 10, 30);
                s.next[GF_DEMO_F_CLOSE_DATE] = in < when + 5 ? when + 5 : in;
            }
        } else {
            s.next[GF_DEMO_F_STAGE] = advance ? GF_DEMO_WON : GF_DEMO_LOST;
            s.next[GF_DEMO_F_CATEGORY] = advance ? GF_DEMO_COMMIT : GF_DEMO_OMITTED;
            s.next[GF_DEMO_F_CLOSE_DATE] = when;
            d->closed_on = when;
        }
        rc = flush(&s, when);
        if (rc < 0 || d->closed_on >= 0)
            break;
        enter = when;
    }
    *cap = s.cap;
    d->stage = (int)s.cur[GF_DEMO_F_STAGE];
    d->amount = s.cur[GF_DEMO_F_AMOUNT];
    d->close_date = (int)s.cur[GF_DEMO_F_CLOSE_DATE];
    d->category = (int)s.cur[GF_DEMO_F_CATEGORY];
    return rc;
}

/* Expected deals created per weekday of quarter q. */
static double weekday_rate(const gf_demo_org *org, int q)
{
    const gf_demo_quarter *qu = &org->quarters[q];
    int weekdays = 0;
    for (int day = qu->period.start; day <= qu->period.end; day++)
        weekdays += weekday(day) < 5;
    return qu->expected_deals / weekdays;
}

int gf_demo_downturn_start(const gf_demo_org *org)
{
    if (org->truth.lead_downturn_weeks <= 0)
        return INT32_MAX;
    /* The Monday of the last whole week before as_of, less the downturn's other weeks. */
    const int last = org->opt.as_of - 7 - weekday(org->opt.as_of - 7);
    return last - 7 * (org->truth.lead_downturn_weeks - 1);
}

/* Weekly qualified leads (KPI 0) from three weeks before the history to the last complete week,
 * then deals created each weekday from the leads of lead_lag_days before. */
static int make_deals(gf_demo_org *org)
{
    const gf_demo_truth *t = &org->truth;
    gf_model_rng lr, cr;
    demo_seed(&lr, org->opt.seed, S_LEADS);
    demo_seed(&cr, org->opt.seed, S_CREATE);
    int first = org->quarters[0].period.start, as_of = org->opt.as_of;
    int base = first - t->lead_lag_days - 21;
    base -= weekday(base);
    size_t nweeks = (size_t)((as_of - base) / 7 + 1);
    gf_demo_kpi *leads = &org->kpis[0];
    leads->days = calloc(nweeks, sizeof *leads->days);
    leads->values = calloc(nweeks, sizeof *leads->values);
    double *lead_rate = calloc(nweeks, sizeof *lead_rate);
    if (!leads->days || !leads->values || !lead_rate) {
        free(lead_rate);
        return -1;
    }
    for (size_t w = 0; w < nweeks; w++) {
        int monday = base + 7 * (int)w, q = quarter_index(org, monday + t->lead_lag_days);
        q = q < 0 ? 0 : q >= org->nquarters ? org->nquarters - 1 : q;
        double want = 5 * weekday_rate(org, q) / t->lead_conversion;
        if (monday >= gf_demo_downturn_start(org))
            want *= 1.0 - t->lead_downturn;
        lead_rate[w] = floor(want * demo_lognormal(&lr, 1.0, 0.1) + 0.5);
        if (monday + 6 < as_of) {
            leads->days[leads->nobs] = monday;
            leads->values[leads->nobs++] = lead_rate[w];
        }
    }
    size_t cap = 0, dcap = 0;
    int rc = 0;
    for (int day = first; day < as_of && rc == 0; day++) {
        if (weekday(day) >= 5)
            continue;
        size_t w = (size_t)((day - t->lead_lag_days - base) / 7);
        int n = demo_poisson(&cr, t->lead_conversion * lead_rate[w] / 5.0);
        double weights[GF_DEMO_REPS], total = 0;
        for (int i = 0; i < GF_DEMO_REPS; i++)
            total += weights[i] = productivity(org, &org->reps[i], day);
        for (int k = 0; k < n && rc == 0; k++) {
            double u = gf_model_rng_uniform(&cr) * total;
            int owner = 0;
            while (owner < GF_DEMO_REPS - 1) {
                u -= weights[owner];
                if (u < 0)
                    break;
                owner++;
            }
            if (org->ndeals == dcap) {
                dcap = dcap ? 2 * dcap : 1024;
                gf_demo_deal *dd = realloc(org->deals, dcap * sizeof *dd);
                if (!dd) {
                    rc = -1;
                    break;
                }
                org->deals = dd;
            }
            rc = simulate_deal(org, org->ndeals++, day, owner, &cap);
        }
    }
    free(lead_rate);
    return rc;
}

/* Realised figures per quarter: deals created, won and lost, bookings, wins in the surge. */
static void tally(gf_demo_org *org)
{
    for (size_t i = 0; i < org->ndeals; i++) {
        const gf_demo_deal *d = &org->deals[i];
        int q = quarter_index(org, d->created_on);
        if (q >= 0 && q < org->nquarters)
            org->quarters[q].created++;
        if (d->closed_on < 0)
            continue;
        q = quarter_index(org, d->closed_on);
        if (q < 0 || q >= org->nquarters)
            continue;
        gf_demo_quarter *qu = &org->quarters[q];
        if (d->stage == GF_DEMO_WON) {
            qu->won++;
            qu->bookings += d->amount;
            qu->won_last_weeks += d->closed_on > qu->period.end - org->truth.surge_days;
        } else {
            qu->lost++;
        }
    }
}

static int check_options(const gf_demo_options *o, gf_err *err)
{
    if (o->quarters < 1 || o->quarters > 40)
        return gf_err_invalid(err, "quarters", "quarters must be between 1 and 40");
    if (o->deals_per_quarter < 1 || o->deals_per_quarter > 100000)
        return gf_err_invalid(err, "deals_per_quarter",
                              "deals per quarter must be between 1 and 100000");
    if (o->fysm < 1 || o->fysm > 12)
        return gf_err_invalid(err, "fysm", "fiscal year start month must be 1..12");
    return 0;
}

int gf_demo_generate(const gf_demo_options *opt, gf_demo_org *out, gf_err *err)
{
    memset(out, 0, sizeof *out);
    if (check_options(opt, err) < 0)
        return -1;
    out->opt = *opt;
    out->truth = default_truth;
    out->stages = stages;
    out->teams = teams;
    out->nquarters = opt->quarters + 1;
    out->quarters = calloc((size_t)out->nquarters, sizeof *out->quarters);
    if (!out->quarters)
        goto oom;
    gf_period cur;
    if (gf_period_quarter_of(opt->as_of, opt->fysm, &cur) < 0)
        return gf_err_invalid(err, "as_of", "as_of is out of range");
    gf_model_rng r;
    demo_seed(&r, opt->seed, S_SHOCK);
    for (int q = 0; q < out->nquarters; q++) {
        gf_demo_quarter *qu = &out->quarters[q];
        if (gf_period_quarter_add(&cur, q - opt->quarters, opt->fysm, &qu->period) < 0)
            return gf_err_invalid(err, "quarters", "the history starts before year 1900");
        qu->shock = demo_lognormal(&r, 1.0, out->truth.shock_sigma);
        qu->expected_deals =
            opt->deals_per_quarter * pow(out->truth.growth, q - opt->quarters) * qu->shock;
        qu->complete = qu->period.end < opt->as_of;
    }
    if (make_reps(out, out->quarters[0].period.start) < 0 || make_deals(out) < 0)
        goto oom;
    tally(out);
    if (gf_demo__inputs(out, opt->seed ^ S_INPUTS, err) < 0)
        return -1;
    return 0;
oom:
    gf_err_internal(err);
    return -1;
}

void gf_demo_free(gf_demo_org *org)
{
    free(org->deals);
    free(org->events);
    free(org->quarters);
    free(org->targets);
    free(org->commits);
    for (int k = 0; k < GF_DEMO_KPIS; k++) {
        free(org->kpis[k].days);
        free(org->kpis[k].values);
    }
    memset(org, 0, sizeof *org);
}

void gf_demo_value_text(const gf_demo_org *org, int field, int64_t value, char *buf, size_t len)
{
    if (value == GF_DEMO_NONE) {
        snprintf(buf, len, "%s", "");
        return;
    }
    switch (field) {
    case GF_DEMO_F_STAGE:
        snprintf(buf, len, "%s", org->stages[value].key);
        break;
    case GF_DEMO_F_AMOUNT:
        snprintf(buf, len, "%lld.%02lld", (long long)(value / 100), (long long)(value % 100));
        break;
    case GF_DEMO_F_CLOSE_DATE: {
        char d[11];
        gf_date_format((int)value, d);
        snprintf(buf, len, "%s", d);
        break;
    }
    case GF_DEMO_F_CATEGORY:
        snprintf(buf, len, "%s", gf_demo_category_names[value]);
        break;
    default:
        snprintf(buf, len, "%s", org->reps[value].key);
        break;
    }
}
