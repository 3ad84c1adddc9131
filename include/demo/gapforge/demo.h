/* demo.h — the demo org generator: a simulated sales org with known ground truth (pure: no I/O).
 *
 * gf_demo_generate turns (seed, quarters, deals per quarter, as_of, fiscal year start month) into
 * plain structs: stages, a two-level team tree, reps with hiring dates and ramps, deals with their
 * full history as events, targets, weekly commits, weekly KPI observations and levers. The same
 * options give byte-identical output. Nothing is dated on or after as_of: every event, commit and
 * observation falls on a day before it. The true parameters that drove the simulation are kept in
 * gf_demo_org.truth so that tests can check a model recovers them (gf_demo_truth_json). */
#ifndef GAPFORGE_DEMO_H
#define GAPFORGE_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"

/* An event value that is SQL NULL (a creation event's old value). */
#define GF_DEMO_NONE INT64_MIN

/* Tracked fields, in the order the deals write path writes their events. */
typedef enum gf_demo_field {
    GF_DEMO_F_STAGE,      /* value: stage index */
    GF_DEMO_F_AMOUNT,     /* value: cents */
    GF_DEMO_F_CLOSE_DATE, /* value: day number */
    GF_DEMO_F_CATEGORY,   /* value: gf_demo_category */
    GF_DEMO_F_OWNER,      /* value: rep index */
    GF_DEMO_NFIELDS
} gf_demo_field;

typedef enum gf_demo_category {
    GF_DEMO_PIPELINE,
    GF_DEMO_BEST_CASE,
    GF_DEMO_COMMIT,
    GF_DEMO_OMITTED
} gf_demo_category;

/* Open stages come first, in funnel order; the last two are won and lost. */
#define GF_DEMO_OPEN_STAGES 6
#define GF_DEMO_STAGES      (GF_DEMO_OPEN_STAGES + 2)
#define GF_DEMO_WON         GF_DEMO_OPEN_STAGES
#define GF_DEMO_LOST        (GF_DEMO_OPEN_STAGES + 1)
#define GF_DEMO_TEAMS       4
#define GF_DEMO_REPS        20
#define GF_DEMO_KPIS        3
#define GF_DEMO_LEVERS      10

typedef struct gf_demo_options {
    uint64_t seed;
    int quarters;          /* complete past quarters of history, 1..40 */
    int deals_per_quarter; /* mean deals created per quarter, 1..100000 */
    int as_of;             /* day number: the simulation stops before this day */
    int fysm;              /* fiscal year start month 1..12 */
} gf_demo_options;

typedef struct gf_demo_stage {
    const char *key, *name, *kind; /* kind: open / won / lost */
    double probability;            /* the CRM's default probability, as a sales ops team sets it */
    double advance;                /* truth: P(advance | decision) before the age effect */
    double dwell_median, dwell_sigma; /* truth: dwell time in days ~ lognormal */
} gf_demo_stage;

typedef struct gf_demo_team {
    const char *key, *name;
    int parent; /* team index, -1 for the root */
} gf_demo_team;

typedef struct gf_demo_rep {
    char key[24], name[64], email[80];
    int team;        /* team index */
    int hired_on;    /* day number */
    int ramp_months; /* months to full productivity */
    double skill;    /* multiplies the odds of winning at the last stage */
    double habit;    /* truth: scales what the rep expects for the rest of the quarter in
                        their weekly call (< 1 a sandbagger, > 1 an optimist); set by the commits
                        (src/demo/inputs.c) */
} gf_demo_rep;

typedef struct gf_demo_deal {
    char external_id[24], name[96];
    const char *account, *source;
    /* State at as_of (the last event of each field). closed_on is -1 while open. */
    int owner, stage, category, created_on, close_date, closed_on;
    int64_t amount;              /* cents */
    bool zombie;                 /* stalled for good: nobody touches it again */
    size_t first_event, nevents; /* its events in gf_demo_org.events, ordered by (day, sec) */
} gf_demo_deal;

/* One changed field of one write, effective at day + sec seconds (org time zone). */
typedef struct gf_demo_event {
    int32_t deal, day, sec;
    int32_t field;                /* gf_demo_field */
    int64_t old_value, new_value; /* GF_DEMO_NONE for NULL */
} gf_demo_event;

typedef struct gf_demo_quarter {
    gf_period period;
    double shock;           /* truth: common multiplier on creation and last-stage win odds */
    double expected_deals;  /* truth: mean deals created */
    int created, won, lost; /* realised: created in the quarter; closed in it (to as_of) */
    int64_t bookings;       /* realised: cents won in the quarter (to as_of for the current) */
    int won_last_weeks;     /* realised: wins in the surge window at the quarter's end */
    bool complete;          /* ended before as_of */
} gf_demo_quarter;

typedef struct gf_demo_target {
    char scope[40];
    const char *metric; /* "bookings" or a KPI key */
    int quarter;        /* index into quarters (nquarters: the quarter after the last) */
    double value;
} gf_demo_target;

typedef struct gf_demo_commit {
    char scope[40];
    int quarter;               /* index into quarters */
    int day, sec;              /* submitted at */
    int64_t commit, best_case; /* cents */
} gf_demo_commit;

typedef struct gf_demo_kpi {
    const char *key, *name, *unit, *direction, *aggregation, *leads_to;
    int lag_days; /* when leads_to is set */
    size_t nobs;  /* weekly observations, dated on the week's Monday */
    int *days;
    double *values;
} gf_demo_kpi;

typedef struct gf_demo_lever {
    const char *key, *name, *kind, *kpi, *notes;
    double effect, unit_cost;
    int max_units, ramp_days;
} gf_demo_lever;

/* The simulation's parameters (the ground truth) beside the per-stage ones in stages[]. */
typedef struct gf_demo_truth {
    double stuck_multiple;          /* a decision after this many dwell medians ... */
    double stuck_advance;           /* ... multiplies P(advance) by this */
    double shock_sigma;             /* quarter shock ~ lognormal(0, sigma) */
    double growth;                  /* creation grows by this factor per quarter */
    double lead_conversion;         /* qualified lead -> opportunity */
    int lead_lag_days;              /* a lead becomes an opportunity this many days later */
    double lead_downturn;           /* qualified leads fall by this share ... */
    int lead_downturn_weeks;        /* ... over the last this many whole weeks before as_of
                                       (0: no downturn), and the deals they bring with them */
    double size_median, size_sigma; /* deal size ~ lognormal (dollars) */
    double enterprise_share, enterprise_multiplier;
    double amount_change_p, amount_change_sigma; /* re-scoping at a stage step */
    double push_p; /* P(rep pushes the close date once it has passed) */
    int push_min_days, push_max_days;
    double pull_in_p; /* P(close date pulled in at a stage step) */
    double surge_p;   /* P(a win is held to the last surge_days of its quarter) */
    int surge_days;
    double zombie_p;   /* P(a new deal stalls for good at some open stage) */
    double ramp_start; /* productivity of a new hire, rising linearly to 1 */
} gf_demo_truth;

typedef struct gf_demo_org {
    gf_demo_options opt;
    gf_demo_truth truth;
    const gf_demo_stage *stages; /* GF_DEMO_STAGES, static */
    const gf_demo_team *teams;   /* GF_DEMO_TEAMS, static */
    gf_demo_rep reps[GF_DEMO_REPS];
    gf_demo_deal *deals;
    size_t ndeals;
    gf_demo_event *events; /* grouped by deal, each deal's in time order */
    size_t nevents;
    gf_demo_quarter *quarters; /* opt.quarters past ones, then the current one */
    int nquarters;
    gf_demo_target *targets;
    size_t ntargets;
    gf_demo_commit *commits;
    size_t ncommits;
    gf_demo_kpi kpis[GF_DEMO_KPIS];
    const gf_demo_lever *levers; /* GF_DEMO_LEVERS, static */
} gf_demo_org;

/* Simulates the org. out is overwritten; release it with gf_demo_free (also after a failure).
 * Returns 0, or -1 with a 422 naming the option that is out of range, or a 500 when memory
 * runs out. */
int gf_demo_generate(const gf_demo_options *opt, gf_demo_org *out, gf_err *err) GF_MUST_CHECK;

/* Frees what gf_demo_generate allocated; safe on a zeroed or partly built org. */
void gf_demo_free(gf_demo_org *org);

/* Writes value of field as the deals write path records it in deal_events ("proposal",
 * "24500.00", "2026-03-31", "commit", rep key) into buf; an empty string for GF_DEMO_NONE. */
void gf_demo_value_text(const gf_demo_org *org, int field, int64_t value, char *buf, size_t len);

/* Category names as stored, indexed by gf_demo_category; field names by gf_demo_field. */
extern const char *const gf_demo_category_names[4];
extern const char *const gf_demo_field_names[GF_DEMO_NFIELDS];

/* Deal state at the end of day (replaying its events): fills stage, amount, close_date and
 * category. Returns false when the deal did not exist yet. (src/demo/inputs.c) */
typedef struct gf_demo_state {
    int stage, close_date, category, owner;
    int64_t amount;
} gf_demo_state;
bool gf_demo_state_at(const gf_demo_org *org, const gf_demo_deal *d, int day, gf_demo_state *st);

/* Truth in closed form: P(won | a deal entering stage), for an average rep in an average
 * quarter, with the age effect; and the mean deal size in dollars. (src/demo/inputs.c) */
double gf_demo_win_probability(const gf_demo_org *org, int stage);
double gf_demo_mean_deal_size(const gf_demo_org *org);

/* The Monday from which the demo's qualified leads run lead_downturn lower (INT32_MAX when
 * there is no downturn). */
int gf_demo_downturn_start(const gf_demo_org *org);

/* The ground truth as a new JSON object (caller owns it; see README "Demo org"): parameters the
 * simulation drew from beside what it realised. NULL when memory runs out. (src/demo/truth.c) */
struct json_t;
struct json_t *gf_demo_truth_json(const gf_demo_org *org);

/* Internal: adds targets, commits, KPIs and levers to an org whose deals are simulated
 * (src/demo/inputs.c). 0 or -1 (500: out of memory). */
int gf_demo__inputs(gf_demo_org *org, uint64_t seed, gf_err *err) GF_MUST_CHECK;

#endif
