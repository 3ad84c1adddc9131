/* demo.c — `gapforge demo`: generates a realistic demo org with known ground truth and loads it.
 *
 * The simulation (src/demo/generator.c) is pure and seeded; the load (src/demo/load.c) is one
 * transaction, so an org is either fully loaded or untouched. An org that already has deals is
 * left alone, which makes re-runs of setup scripts no-ops. The true parameters go to a JSON
 * file beside it. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapforge/cli.h"
#include "gapforge/date.h"
#include "gapforge/demo.h"
#include "gapforge/log.h"
#include "gapforge/service_demo.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

static const char usage[] =
    "usage: gapforge demo --org SLUG [--seed N] [--quarters Q] [--deals-per-quarter D]\n"
    "                     [--as-of YYYY-MM-DD] [--truth FILE]\n\n"
    "Creates the org (named \"Demo Co\") if it does not exist and, when it has no deals yet,\n"
    "loads a simulated sales org: 8 stages, a team tree (sales > americas, emea, apac), 20 reps\n"
    "with hiring dates and ramps, Q past quarters (default 8) of deals with their full history\n"
    "(about D created per quarter, default 150) and the current quarter in progress at the\n"
    "as-of date (default today in the org's time zone), quarterly targets, weekly commits, three\n"
    "weekly KPIs and a lever of every kind. Nothing is dated on or after the as-of date.\n"
    "The true parameters of the simulation are written as JSON to FILE (default\n"
    "<slug>-truth.json). The same seed, quarters, deals and as-of date give the same org\n"
    "(seed default 1).\n";

/* Parses a non-negative decimal integer (digits only) within [lo, hi]; -1 otherwise. */
static int parse_count(const char *text, long long lo, long long hi, long long *out)
{
    if (!text || !*text)
        return -1;
    for (const char *c = text; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno || v < (unsigned long long)lo || v > (unsigned long long)hi)
        return -1;
    *out = (long long)v;
    return 0;
}

typedef struct demo_args {
    const char *slug, *truth;
    gf_demo_options opt;
    bool has_as_of;
    char truth_default[128];
} demo_args;

/* Reads the options; prints the problem and returns 2 on a usage error, else 0. */
static int read_args(int argc, char **argv, demo_args *a)
{
    long long seed = 1, quarters = 8, deals = 150;
    const char *seed_text = gf_cli_opt(argc, argv, "--seed");
    const char *q_text = gf_cli_opt(argc, argv, "--quarters");
    const char *d_text = gf_cli_opt(argc, argv, "--deals-per-quarter");
    const char *as_of = gf_cli_opt(argc, argv, "--as-of");
    gf_err err = {0};
    a->slug = gf_cli_opt(argc, argv, "--org");
    a->truth = gf_cli_opt(argc, argv, "--truth");
    if (!a->slug) {
        fprintf(stderr, "gapforge demo: --org is required (see --help)\n");
        return 2;
    }
    if (gf_validate_text("org", GF_F_SLUG, a->slug, &err) < 0) {
        gf_cli_fail(&err);
        return 2;
    }
    if (seed_text && parse_count(seed_text, 0, INT64_MAX, &seed) < 0) {
        fprintf(stderr, "gapforge demo: --seed must be a non-negative integer\n");
        return 2;
    }
    if (q_text && parse_count(q_text, 1, 40, &quarters) < 0) {
        fprintf(stderr, "gapforge demo: --quarters must be an integer from 1 to 40\n");
        return 2;
    }
    if (d_text && parse_count(d_text, 1, 100000, &deals) < 0) {
        fprintf(stderr, "gapforge demo: --deals-per-quarter must be an integer from 1 to 100000\n");
        return 2;
    }
    if (as_of && gf_date_parse(as_of, &a->opt.as_of) < 0) {
        fprintf(stderr, "gapforge demo: --as-of must be a date YYYY-MM-DD\n");
        return 2;
    }
    if (a->truth && !*a->truth) {
        fprintf(stderr, "gapforge demo: --truth must name a file\n");
        return 2;
    }
    a->has_as_of = as_of != NULL;
    a->opt.seed = (uint64_t)seed;
    a->opt.quarters = (int)quarters;
    a->opt.deals_per_quarter = (int)deals;
    if (!a->truth) {
        snprintf(a->truth_default, sizeof a->truth_default, "%s-truth.json", a->slug);
        a->truth = a->truth_default;
    }
    return 0;
}

/* The org's id, creating it when the slug is new. */
static int find_or_create_org(const char *slug, int64_t *org_id, gf_err *err)
{
    if (gf_store_org_id(slug, org_id, err) == 0)
        return 0;
    if (err->code != GF_ENOTFOUND)
        return -1;
    gf_err_clear(err);
    gf_org_fields f = {.slug = slug, .name = "Demo Co"};
    json_t *org = gf_store_org_create(&f, org_id, err);
    if (!org)
        return -1;
    json_decref(org);
    return 0;
}

/* Writes the truth JSON to path; 0 or -1 (printed). */
static int write_truth(const gf_demo_org *org, const char *path)
{
    json_t *truth = gf_demo_truth_json(org);
    int rc = truth ? json_dump_file(truth, path, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : -1;
    json_decref(truth);
    if (rc < 0)
        fprintf(stderr, "gapforge demo: cannot write the truth file %s\n", path);
    return rc;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int gf_cli_demo(int argc, char **argv)
{
    if (gf_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    demo_args a = {0};
    int rc = read_args(argc, argv, &a);
    if (rc)
        return rc;
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_log_set_quiet(1);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    gf_err err = {0};
    gf_demo_org org = {0};
    gf_demo_counts n = {0};
    int64_t org_id = 0, existing = 0;
    int today = 0;
    bool truth_written = false;
    rc = 1;
    if (find_or_create_org(a.slug, &org_id, &err) < 0 ||
        gf_store_deal_count(org_id, &existing, &err) < 0)
        goto done;
    if (existing > 0) {
        printf("demo org already loaded\n");
        rc = 0;
        goto done;
    }
    if (gf_store_org_calendar(org_id, &a.opt.fysm, &today, &err) < 0)
        goto done;
    if (!a.has_as_of)
        a.opt.as_of = today;
    if (gf_demo_generate(&a.opt, &org, &err) < 0)
        goto done;
    if (write_truth(&org, a.truth) < 0) {
        rc = 2;
        goto done;
    }
    truth_written = true;
    if (gf_svc_demo_load(org_id, &org, &n, &err) < 0)
        goto done;
    char day[11];
    gf_date_format(a.opt.as_of, day);
    printf("loaded demo org %s as of %s (seed %llu, %d quarters, %d deals per quarter): "
           "%d stages, %d teams, %d reps, %ld deals, %ld events, %ld targets, %ld commits, "
           "%d KPIs with %ld observations, %ld levers in %.2fs\n",
           a.slug, day, (unsigned long long)a.opt.seed, a.opt.quarters, a.opt.deals_per_quarter,
           GF_DEMO_STAGES, GF_DEMO_TEAMS, GF_DEMO_REPS, n.deals, n.events, n.targets, n.commits,
           GF_DEMO_KPIS, n.observations, n.levers, seconds_since(&t0));
    printf("truth: %s\n", a.truth);
    rc = 0;
done:
    if (rc != 0 && truth_written)
        remove(a.truth);
    gf_demo_free(&org);
    gf_store_disconnect();
    if (rc == 1)
        return gf_cli_fail(&err);
    return rc == 2 ? 1 : rc;
}
