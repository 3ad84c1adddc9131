/* demo.c — `gapforge demo`: a small, deterministic demo org with real history.
 *
 * Every deal is written through the store's deal write path with effective dates in the past,
 * so its stage steps, close-date pushes, amount changes, wins and losses are genuine
 * deal_events, exactly as a CRM sync would have recorded them. The whole load is one
 * transaction: an org is either fully loaded or untouched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapforge/cli.h"
#include "gapforge/date.h"
#include "gapforge/db.h"
#include "gapforge/log.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

/* ---- a small seeded generator (splitmix64) ---- */
typedef struct demo_rng {
    uint64_t s;
} demo_rng;

static uint64_t rng_next(demo_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(demo_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static int rng_int(demo_rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- the org's shape ---- */
enum { ST_PROSPECTING, ST_QUALIFICATION, ST_DISCOVERY, ST_PROPOSAL, ST_NEGOTIATION, ST_WON,
       ST_LOST, ST_COUNT };

static const struct {
    const char *key, *name, *kind, *probability;
} stages[ST_COUNT] = {
    {"prospecting", "Prospecting", "open", "0.05"},
    {"qualification", "Qualification", "open", "0.10"},
    {"discovery", "Discovery", "open", "0.20"},
    {"proposal", "Proposal", "open", "0.40"},
    {"negotiation", "Negotiation", "open", "0.70"},
    {"closed_won", "Closed won", "won", "1"},
    {"closed_lost", "Closed lost", "lost", "0"},
};

static const struct {
    const char *key, *name, *parent;
} teams[] = {
    {"sales", "Sales", NULL},
    {"emea", "EMEA", "sales"},
    {"americas", "Americas", "sales"},
};

static const struct {
    const char *key, *name, *team;
} reps[] = {
    {"ada", "Ada Lovelace", "emea"},       {"alan", "Alan Turing", "emea"},
    {"marie", "Marie Curie", "emea"},      {"niels", "Niels Bohr", "emea"},
    {"emmy", "Emmy Noether", "emea"},      {"carl", "Carl Gauss", "emea"},
    {"grace", "Grace Hopper", "americas"}, {"john", "John von Neumann", "americas"},
    {"kath", "Katherine Johnson", "americas"}, {"claude", "Claude Shannon", "americas"},
    {"barbara", "Barbara Liskov", "americas"}, {"don", "Donald Knuth", "americas"},
};
#define NREPS (int)(sizeof reps / sizeof reps[0])

static const char *const accounts[] = {
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
    "Tyrell", "Cyberdyne", "Soylent", "Wonka", "Aperture", "Massive Dynamic", "Oscorp", "Nakatomi",
};
#define NACCOUNTS (int)(sizeof accounts / sizeof accounts[0])

static const char *const sources[] = {"marketing", "marketing", "sales", "sales", "partner",
                                      "other"};

/* A deal as it evolves through the simulation. */
typedef struct demo_deal {
    char external_id[32], name[96], owner[16], amount[24], created_on[11], close_date[11];
    const char *account, *source, *category;
    int stage;
} demo_deal;

typedef struct demo_totals {
    long deals, writes;
} demo_totals;

/* Writes the deal's current state as of day through the store's upsert. */
static int put_deal(int64_t org_id, const demo_deal *d, int day, demo_totals *t, gf_err *err)
{
    char eff[11];
    gf_date_format(day, eff);
    gf_deal_input in = {0};
    const char *v[GF_DEAL_NFIELDS] = {
        [GF_DEAL_EXTERNAL_ID] = d->external_id, [GF_DEAL_NAME] = d->name,
        [GF_DEAL_ACCOUNT] = d->account,         [GF_DEAL_OWNER] = d->owner,
        [GF_DEAL_AMOUNT] = d->amount,           [GF_DEAL_STAGE] = stages[d->stage].key,
        [GF_DEAL_CATEGORY] = d->category,       [GF_DEAL_SOURCE] = d->source,
        [GF_DEAL_CREATED_ON] = d->created_on,   [GF_DEAL_CLOSE_DATE] = d->close_date,
        [GF_DEAL_EFFECTIVE_AT] = eff,
    };
    for (int i = 0; i < GF_DEAL_NFIELDS; i++) {
        in.value[i] = v[i];
        in.given[i] = i != GF_DEAL_CLOSED_ON; /* closed_on follows the stage */
    }
    int64_t id = 0;
    gf_deal_outcome outcome;
    if (gf_store_deal_write_tx(org_id, 0, GF_DEAL_UPSERT, &in, &id, &outcome, err) < 0)
        return -1;
    t->writes++;
    return 0;
}

static void set_amount(demo_deal *d, double amount)
{
    snprintf(d->amount, sizeof d->amount, "%.2f", amount);
}

/* Simulates one deal from its creation to its close or to as_of, writing each change. */
static int simulate_deal(int64_t org_id, int n, int created, int as_of, demo_rng *r,
                         demo_totals *t, gf_err *err)
{
    demo_deal d = {0};
    const char *account = accounts[rng_int(r, 0, NACCOUNTS - 1)];
    snprintf(d.external_id, sizeof d.external_id, "demo-%04d", n);
    snprintf(d.name, sizeof d.name, "%s — expansion %d", account, n);
    snprintf(d.owner, sizeof d.owner, "%s", reps[rng_int(r, 0, NREPS - 1)].key);
    d.account = account;
    d.source = sources[rng_int(r, 0, (int)(sizeof sources / sizeof sources[0]) - 1)];
    d.category = "pipeline";
    d.stage = ST_PROSPECTING;
    /* Deal sizes: mostly 5k–40k, with a long tail of larger ones; whole hundreds. */
    double u = rng_unit(r);
    set_amount(&d, 100.0 * (double)(int)((5000.0 + 35000.0 * u * u * u +
                                         (rng_unit(r) < 0.1 ? 120000.0 * rng_unit(r) : 0.0)) /
                                        100.0));
    int close = created + rng_int(r, 30, 110);
    gf_date_format(created, d.created_on);
    gf_date_format(close, d.close_date);
    if (put_deal(org_id, &d, created, t, err) < 0)
        return -1;
    t->deals++;

    for (int day = created + rng_int(r, 3, 20); day < as_of; day += rng_int(r, 4, 21)) {
        if (day > close) { /* the deal slipped: push the close date out */
            close = day + rng_int(r, 14, 45);
            gf_date_format(close, d.close_date);
            if (put_deal(org_id, &d, day, t, err) < 0)
                return -1;
            continue;
        }
        double p = rng_unit(r);
        if (d.stage == ST_NEGOTIATION)
            d.stage = p < 0.6 ? ST_WON : p < 0.85 ? ST_LOST : d.stage;
        else
            d.stage = p < 0.12 ? ST_LOST : p < 0.67 ? d.stage + 1 : d.stage;
        if (d.stage == ST_PROPOSAL)
            d.category = "best_case";
        else if (d.stage == ST_NEGOTIATION)
            d.category = rng_unit(r) < 0.7 ? "commit" : "best_case";
        if (rng_unit(r) < 0.15) /* re-scoped: the amount moves by up to ±25% */
            set_amount(&d, 100.0 * (double)(int)(strtod(d.amount, NULL) *
                                                 (0.75 + 0.5 * rng_unit(r)) / 100.0));
        if (d.stage == ST_WON || d.stage == ST_LOST)
            gf_date_format(day, d.close_date);
        if (put_deal(org_id, &d, day, t, err) < 0)
            return -1;
        if (d.stage == ST_WON || d.stage == ST_LOST)
            break;
    }
    return 0;
}

/* Start (day number) of the calendar quarter holding day. */
static int quarter_start(int day)
{
    int y, m, dd;
    gf_date_to_ymd(day, &y, &m, &dd);
    return gf_date_from_ymd(y, m - (m - 1) % 3, 1);
}

/* Loads stages, teams, reps and deals into the org inside the caller's transaction. */
static int load(int64_t org_id, uint64_t seed, int as_of, demo_totals *t, gf_err *err)
{
    demo_rng r = {seed};
    for (int i = 0; i < ST_COUNT; i++)
        if (gf_store_demo_stage(org_id, stages[i].key, stages[i].name, i + 1, stages[i].kind,
                                stages[i].probability, err) < 0)
            return -1;
    for (size_t i = 0; i < sizeof teams / sizeof teams[0]; i++)
        if (gf_store_demo_team(org_id, teams[i].key, teams[i].name, teams[i].parent, err) < 0)
            return -1;
    for (int i = 0; i < NREPS; i++) {
        char email[64], hired[11];
        snprintf(email, sizeof email, "%s@demo.example", reps[i].key);
        /* Two recent hires still ramping; the rest have one to four years of tenure. */
        gf_date_format(as_of - (i % 6 == 5 ? rng_int(&r, 30, 120) : rng_int(&r, 400, 1500)),
                       hired);
        if (gf_store_demo_rep(org_id, reps[i].key, reps[i].name, email, reps[i].team, hired, 3,
                              err) < 0)
            return -1;
    }
    /* Deals created over the past four quarters and the current one, ordered by date. */
    int first = quarter_start(quarter_start(as_of) - 4 * 91 + 45);
    int span = as_of - first, n = 260 + rng_int(&r, 0, 60);
    for (int i = 0; i < n; i++) {
        int created = first + (int)((double)span * i / n) + rng_int(&r, 0, 2);
        if (created >= as_of)
            created = as_of - 1;
        if (simulate_deal(org_id, i + 1, created, as_of, &r, t, err) < 0)
            return -1;
    }
    return 0;
}

static int fail(const gf_err *err)
{
    fprintf(stderr, "gapforge demo: %s%s%s\n", err->message, err->field[0] ? " — field " : "",
            err->field);
    return 1;
}

int gf_cli_demo(int argc, char **argv)
{
    if (gf_cli_wants_help(argc, argv)) {
        printf("usage: gapforge demo --org SLUG [--seed N] [--as-of YYYY-MM-DD]\n\n"
               "Creates the org (named \"Demo Co\") if it does not exist and, when it has no "
               "deals yet, loads\n7 stages, a team tree (sales > emea, americas), 12 reps and "
               "a few hundred deals\ncreated over the past four quarters and the current one, "
               "with their full history.\nThe same seed and as-of date give the same data "
               "(seed default 1, as-of default today, UTC).\n");
        return 0;
    }
    const char *slug = gf_cli_opt(argc, argv, "--org");
    const char *seed_text = gf_cli_opt(argc, argv, "--seed");
    const char *as_of_text = gf_cli_opt(argc, argv, "--as-of");
    gf_err err = {0};
    char *end = NULL;
    uint64_t seed = seed_text ? strtoull(seed_text, &end, 10) : 1;
    int as_of = (int)(time(NULL) / 86400);
    if (!slug) {
        fprintf(stderr, "gapforge demo: --org is required (see --help)\n");
        return 2;
    }
    if (gf_validate_text("org", GF_F_SLUG, slug, &err) < 0)
        return fail(&err);
    if (seed_text && (*seed_text < '0' || *seed_text > '9' || *end)) {
        fprintf(stderr, "gapforge demo: --seed must be a non-negative integer\n");
        return 2;
    }
    if (as_of_text && gf_date_parse(as_of_text, &as_of) < 0) {
        fprintf(stderr, "gapforge demo: --as-of must be a date YYYY-MM-DD\n");
        return 2;
    }
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_log_set_quiet(1);

    int rc = 1;
    int64_t org_id = 0, existing = 0;
    demo_totals t = {0};
    if (gf_store_org_id(slug, &org_id, &err) < 0) {
        if (err.status != 404)
            goto done;
        gf_err_clear(&err);
        gf_org_fields f = {.slug = slug, .name = "Demo Co"};
        json_t *org = gf_store_org_create(&f, &org_id, &err);
        if (!org)
            goto done;
        json_decref(org);
    }
    if (gf_store_deal_count(org_id, &existing, &err) < 0)
        goto done;
    if (existing > 0) {
        printf("demo org already loaded\n");
        rc = 0;
        goto done;
    }
    if (gf_db_begin(&err) < 0)
        goto done;
    if (load(org_id, seed, as_of, &t, &err) < 0) {
        gf_db_rollback();
        goto done;
    }
    if (gf_db_commit(&err) < 0)
        goto done;
    char day[11];
    gf_date_format(as_of, day);
    printf("loaded demo org %s as of %s (seed %llu): %d stages, %d teams, %d reps, %ld deals, "
           "%ld changes\n",
           slug, day, (unsigned long long)seed, ST_COUNT, (int)(sizeof teams / sizeof teams[0]),
           NREPS, t.deals, t.writes);
    rc = 0;
done:
    gf_db_disconnect();
    return rc == 0 ? 0 : fail(&err);
}
