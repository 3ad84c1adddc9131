/* demo_load.c — writes a generated demo org through the store, in one transaction: the few
 * stages, teams, reps, KPIs and levers row by row, deals, their events, targets and commits as
 * bulk COPY rows. Events keep the write path's shape (one row per changed tracked field, a
 * creation writes one per field with a value and old NULL) and are inserted in time order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/service_demo.h"
#include "gapforge/store.h"

/* A growing text buffer with a sticky failure flag: write many rows, check once. */
typedef struct buf {
    char *data;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

/* One column in COPY text format: NULL as \N, backslash, tab and newlines escaped; then a tab,
 * or a newline after the row's last column. */
static void col(buf *b, const char *s, bool last)
{
    if (!s)
        put(b, "\\N", 2);
    for (; s && *s; s++) {
        const char *esc = *s == '\\'   ? "\\\\"
                          : *s == '\t' ? "\\t"
                          : *s == '\n' ? "\\n"
                          : *s == '\r' ? "\\r"
                                       : NULL;
        put(b, esc ? esc : s, esc ? 2 : 1);
    }
    put(b, last ? "\n" : "\t", 1);
}

static void colf(buf *b, bool last, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void colf(buf *b, bool last, const char *fmt, ...)
{
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    col(b, text, last);
}

static void col_day(buf *b, int day, bool last)
{
    char d[11];
    gf_date_format(day, d);
    col(b, day < 0 ? NULL : d, last);
}

static void col_money(buf *b, int64_t cents, bool last)
{
    colf(b, last, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static int org_rows(int64_t org_id, const gf_demo_org *org, gf_err *err)
{
    for (int s = 0; s < GF_DEMO_STAGES; s++) {
        const gf_demo_stage *g = &org->stages[s];
        char prob[16];
        snprintf(prob, sizeof prob, "%.2f", g->probability);
        if (gf_store_demo_stage(org_id, g->key, g->name, s + 1, g->kind, prob, err) < 0)
            return -1;
    }
    for (int t = 0; t < GF_DEMO_TEAMS; t++) {
        const gf_demo_team *g = &org->teams[t];
        if (gf_store_demo_team(org_id, g->key, g->name,
                               g->parent < 0 ? NULL : org->teams[g->parent].key, err) < 0)
            return -1;
    }
    for (int i = 0; i < GF_DEMO_REPS; i++) {
        const gf_demo_rep *r = &org->reps[i];
        char hired[11];
        gf_date_format(r->hired_on, hired);
        if (gf_store_demo_rep(org_id, r->key, r->name, r->email, org->teams[r->team].key, hired,
                              r->ramp_months, err) < 0)
            return -1;
    }
    return 0;
}

/* KPIs with their weekly series, then levers (a kpi lever names its KPI). */
static int kpis_and_levers(int64_t org_id, const gf_demo_org *org, long *observations, gf_err *err)
{
    for (int k = 0; k < GF_DEMO_KPIS; k++) {
        const gf_demo_kpi *g = &org->kpis[k];
        char lag[16];
        snprintf(lag, sizeof lag, "%d", g->lag_days);
        gf_kpi_fields f = {g->key,         g->name, g->unit,     g->direction,
                           g->aggregation, "week",  g->leads_to, g->leads_to ? lag : NULL};
        int created = 0;
        json_t *j = gf_store_kpi_put(org_id, &f, &created, err);
        if (!j)
            return -1;
        json_decref(j);
        if (g->nobs) {
            j = gf_store_kpi_observe(org_id, g->key, g->nobs, g->days, g->values, err);
            if (!j)
                return -1;
            json_decref(j);
        }
        *observations += (long)g->nobs;
    }
    for (int i = 0; i < GF_DEMO_LEVERS; i++) {
        const gf_demo_lever *l = &org->levers[i];
        char effect[32], cost[32], max[16], ramp[16];
        snprintf(effect, sizeof effect, "%g", l->effect);
        snprintf(cost, sizeof cost, "%.2f", l->unit_cost);
        snprintf(max, sizeof max, "%d", l->max_units);
        snprintf(ramp, sizeof ramp, "%d", l->ramp_days);
        gf_lever_fields f = {l->key, l->name, l->kind, effect, cost, max, ramp, l->kpi, l->notes};
        int created = 0;
        json_t *j = gf_store_lever_put(org_id, &f, &created, err);
        if (!j)
            return -1;
        json_decref(j);
    }
    return 0;
}

static void deal_rows(const gf_demo_org *org, buf *b)
{
    for (size_t i = 0; i < org->ndeals; i++) {
        const gf_demo_deal *d = &org->deals[i];
        colf(b, false, "%zu", i);
        col(b, d->external_id, false);
        col(b, d->name, false);
        col(b, d->account, false);
        col(b, org->reps[d->owner].key, false);
        col_money(b, d->amount, false);
        col(b, org->stages[d->stage].key, false);
        col(b, gf_demo_category_names[d->category], false);
        col(b, d->source, false);
        col_day(b, d->created_on, false);
        col_day(b, d->close_date, false);
        col_day(b, d->closed_on, true);
    }
}

/* Time order across deals; a write's fields keep their order. ctx is the event array. */
static int by_time(const void *a, const void *b, void *ctx)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const gf_demo_event *ev = ctx, *x = &ev[i], *y = &ev[j];
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->sec != y->sec)
        return x->sec < y->sec ? -1 : 1;
    if (x->deal != y->deal)
        return x->deal < y->deal ? -1 : 1;
    return i < j ? -1 : i > j;
}

static int event_rows(const gf_demo_org *org, buf *b)
{
    size_t *order = malloc((org->nevents ? org->nevents : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < org->nevents; i++)
        order[i] = i;
    qsort_r(order, org->nevents, sizeof *order, by_time, org->events);
    for (size_t n = 0; n < org->nevents; n++) {
        const gf_demo_event *e = &org->events[order[n]];
        char day[11], old[64], new[64];
        gf_date_format(e->day, day);
        gf_demo_value_text(org, e->field, e->old_value, old, sizeof old);
        gf_demo_value_text(org, e->field, e->new_value, new, sizeof new);
        colf(b, false, "%zu", n);
        col(b, org->deals[e->deal].external_id, false);
        colf(b, false, "%s %02d:%02d:%02d", day, e->sec / 3600, e->sec / 60 % 60, e->sec % 60);
        col(b, gf_demo_field_names[e->field], false);
        col(b, e->old_value == GF_DEMO_NONE ? NULL : old, false);
        col(b, new, true);
    }
    free(order);
    return 0;
}

static void period_cols(buf *b, const gf_period *p)
{
    col(b, p->name, false);
    col_day(b, p->start, false);
    col_day(b, p->end, false);
}

static void target_rows(const gf_demo_org *org, buf *b)
{
    gf_period next = org->quarters[org->nquarters - 1].period; /* the quarter after the last */
    if (gf_period_quarter_add(&org->quarters[org->nquarters - 1].period, 1, org->opt.fysm, &next) <
        0)
        return;
    for (size_t i = 0; i < org->ntargets; i++) {
        const gf_demo_target *t = &org->targets[i];
        colf(b, false, "%zu", i);
        col(b, t->scope, false);
        col(b, t->metric, false);
        period_cols(b, t->quarter < org->nquarters ? &org->quarters[t->quarter].period : &next);
        colf(b, true, "%.15g", t->value);
    }
}

static void commit_rows(const gf_demo_org *org, buf *b)
{
    for (size_t i = 0; i < org->ncommits; i++) {
        const gf_demo_commit *c = &org->commits[i];
        char day[11];
        gf_date_format(c->day, day);
        colf(b, false, "%zu", i);
        col(b, c->scope, false);
        period_cols(b, &org->quarters[c->quarter].period);
        col_money(b, c->commit, false);
        col_money(b, c->best_case, false);
        colf(b, true, "%s %02d:%02d:%02d", day, c->sec / 3600, c->sec / 60 % 60, c->sec % 60);
    }
}

/* Writes every row of the org inside the caller's open transaction. */
static int load_rows(int64_t org_id, const gf_demo_org *org, gf_demo_counts *counts, gf_err *err)
{
    buf b = {0};
    int rc = -1;
    memset(counts, 0, sizeof *counts);
    if (org_rows(org_id, org, err) < 0 ||
        kpis_and_levers(org_id, org, &counts->observations, err) < 0)
        goto cleanup;
    counts->levers = GF_DEMO_LEVERS;
    static const gf_demo_table tables[] = {GF_DEMO_T_DEALS, GF_DEMO_T_EVENTS, GF_DEMO_T_TARGETS,
                                           GF_DEMO_T_COMMITS};
    long *dest[] = {&counts->deals, &counts->events, &counts->targets, &counts->commits};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        b.len = 0;
        if (tables[t] == GF_DEMO_T_DEALS)
            deal_rows(org, &b);
        else if (tables[t] == GF_DEMO_T_EVENTS && event_rows(org, &b) < 0)
            b.failed = true;
        else if (tables[t] == GF_DEMO_T_TARGETS)
            target_rows(org, &b);
        else if (tables[t] == GF_DEMO_T_COMMITS)
            commit_rows(org, &b);
        if (b.failed) {
            gf_err_internal(err);
            goto cleanup;
        }
        if (gf_store_demo_copy(org_id, tables[t], b.data ? b.data : "", b.len, dest[t], err) < 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    free(b.data);
    return rc;
}

int gf_svc_demo_load(int64_t org_id, const gf_demo_org *org, gf_demo_counts *counts, gf_err *err)
{
    if (gf_store_begin(err) < 0)
        return err->code;
    if (load_rows(org_id, org, counts, err) < 0) {
        gf_store_rollback();
        return err->code;
    }
    return gf_store_commit(err);
}
