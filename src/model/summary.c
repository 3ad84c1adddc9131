/* summary.c — the board-ready paragraph of a recovery plan. */
#include "gapforge/model_summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gapforge/date.h"

/* A growing text in a fixed buffer; further writes are dropped once it is full. */
typedef struct text {
    char *buf;
    size_t cap, len;
    int full;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(text *t, const char *fmt, ...)
{
    if (t->full || t->cap == 0)
        return;
    char piece[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (n < 0 || t->len + (size_t)n + 1 > t->cap) {
        t->full = 1; /* keep what fits up to the last whole piece */
        return;
    }
    memcpy(t->buf + t->len, piece, (size_t)n + 1);
    t->len += (size_t)n;
}

void gf_model_money_short(double cents, const char *currency, char out[32])
{
    double v = cents / 100.0;
    const char *sign = v < 0 ? "-" : "";
    v = fabs(v);
    const char *sym = strcmp(currency, "USD") == 0   ? "$"
                      : strcmp(currency, "EUR") == 0 ? "€"
                      : strcmp(currency, "GBP") == 0 ? "£"
                                                     : NULL;
    char num[24];
    if (v >= 1e6)
        snprintf(num, sizeof num, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(num, sizeof num, "%.1fk", v / 1e3);
    else
        snprintf(num, sizeof num, "%.0f", v);
    if (sym)
        snprintf(out, 32, "%s%s%s", sign, sym, num);
    else
        snprintf(out, 32, "%s%s %s", sign, currency, num);
}

/* "win rate 24% → 19%", "deal size $40.1k → $36.0k" or "cycle time 40 → 52 days". */
static void driver_change(const gf_model_summary_driver *d, const char *currency, char *out,
                          size_t cap)
{
    if (d->percent) {
        snprintf(out, cap, "%s %.0f%% → %.0f%%", d->label, d->baseline * 100, d->current * 100);
        return;
    }
    if (d->unit) {
        snprintf(out, cap, "%s %.0f → %.0f%s%s", d->label, d->baseline, d->current,
                 d->unit[0] ? " " : "", d->unit);
        return;
    }
    char a[32], b[32];
    gf_model_money_short(d->baseline * 100, currency, a);
    gf_model_money_short(d->current * 100, currency, b);
    snprintf(out, cap, "%s %s → %s", d->label, a, b);
}

/* "Why: win rate 24% → 19% (-$420k); ...". */
static void why_list(text *t, const gf_model_summary_input *in)
{
    if (!in->n_drivers)
        return;
    add(t, " Why:");
    for (size_t i = 0; i < in->n_drivers && i < GF_MODEL_SUMMARY_MAX_DRIVERS; i++) {
        char change[128], impact[32];
        driver_change(&in->drivers[i], in->currency, change, sizeof change);
        gf_model_money_short(in->drivers[i].impact_cents, in->currency, impact);
        add(t, "%s %s (%s%s)", i ? ";" : "", change, in->drivers[i].impact_cents >= 0 ? "+" : "",
            impact);
    }
    add(t, ".");
}

/* "Of that gap, $800k is target stretch, $420k win rate 24% → 19%, -$50k the other drivers and
 * $30k timing and uncertainty." -- the forecast's own split, adding up to the gap. */
static void gap_split(text *t, const gf_model_summary_input *in)
{
    const gf_model_summary_gap *g = in->gap;
    char stretch[32], timing[32], part[32], others[32], change[128];
    gf_model_money_short(g->stretch_cents, in->currency, stretch);
    gf_model_money_short(g->timing_cents, in->currency, timing);
    add(t, " Of that gap, %s is target stretch (above the trailing baseline)", stretch);
    if (g->has_largest) {
        driver_change(&g->largest, in->currency, change, sizeof change);
        gf_model_money_short(g->largest.impact_cents, in->currency, part);
        gf_model_money_short(g->other_drivers_cents, in->currency, others);
        add(t, ", %s %s, %s the other drivers", part, change, others);
    }
    add(t, " and %s timing and uncertainty.", timing);
}

size_t gf_model_summary_write(const gf_model_summary_input *in, int markdown, char *out, size_t cap)
{
    text t = {out, cap, 0, 0};
    if (cap)
        out[0] = '\0';
    const char *b = markdown ? "**" : "";
    char target[32], p50[32], gap[32], cost[32], after[32];
    gf_model_money_short(in->target_cents, in->currency, target);
    gf_model_money_short(in->baseline_p50_cents, in->currency, p50);
    gf_model_money_short(in->target_cents - in->baseline_p50_cents, in->currency, gap);
    gf_model_money_short(in->total_cost_cents, in->currency, cost);
    gf_model_money_short(in->result_p50_cents, in->currency, after);
    const int maximise =
        in->goal == GF_MODEL_SUMMARY_MAX_P50 || in->goal == GF_MODEL_SUMMARY_MAX_EXPECTED;

    if (in->no_target) {
        add(&t, "If nothing changes, %s lands at %s%s%s (P50; no target is set).", in->period, b,
            p50, b);
    } else {
        add(&t,
            "If nothing changes, %s lands at %s%s%s against a target of %s (%.0f%% chance of "
            "hitting it)",
            in->period, b, p50, b, target, in->baseline_prob_hit * 100);
        if (in->target_cents > in->baseline_p50_cents)
            add(&t, ", a gap of %s%s%s.", b, gap, b);
        else
            add(&t, ", at or above target.");
    }
    if (!in->no_target && in->gap && in->gap->gap_cents > 0)
        gap_split(&t, in);
    else
        why_list(&t, in);
    if (in->n_actions == 0) {
        if (maximise) {
            char budget[32];
            gf_model_money_short(in->budget_cents, in->currency, budget);
            add(&t, " No action within the budget of %s raises the forecast.", budget);
        } else {
            add(&t, in->achieves ? " No action is needed to reach the goal."
                                 : " No affordable action moves the forecast.");
        }
        return t.len;
    }
    add(&t, markdown ? "\n\nThe plan:\n" : " The plan:");
    for (size_t i = 0; i < in->n_actions && i < GF_MODEL_SUMMARY_MAX_ACTIONS; i++) {
        const gf_model_summary_action *a = &in->actions[i];
        char c[32], u[32], by[11];
        gf_model_money_short(a->cost_cents, in->currency, c);
        gf_model_money_short(a->uplift_p50_cents, in->currency, u);
        gf_date_format(a->start_by, by);
        if (markdown)
            add(&t, "- %s × %u, start by %s: costs %s, adds %s to P50\n", a->lever_name, a->units,
                by, c, u);
        else
            add(&t, "%s %s × %u (start by %s, costs %s, adds %s)", i ? ";" : "", a->lever_name,
                a->units, by, c, u);
    }
    if (!markdown)
        add(&t, ".");
    if (maximise) {
        char budget[32], e0[32], e1[32];
        gf_model_money_short(in->budget_cents, in->currency, budget);
        gf_model_money_short(in->baseline_expected_cents, in->currency, e0);
        gf_model_money_short(in->result_expected_cents, in->currency, e1);
        add(&t, "%sWith %s%s%s of the %s budget, ", markdown ? "\n" : " ", b, cost, b, budget);
        if (in->goal == GF_MODEL_SUMMARY_MAX_P50)
            add(&t, "the P50 rises from %s to %s%s%s (expected %s to %s)", p50, b, after, b, e0,
                e1);
        else
            add(&t, "expected bookings rise from %s to %s%s%s (P50 %s to %s)", e0, b, e1, b, p50,
                after);
        if (!in->no_target)
            add(&t, " and the chance of hitting the target from %.0f%% to %.0f%%",
                in->baseline_prob_hit * 100, in->result_prob_hit * 100);
        add(&t, ". If it is refused, expect %s.", p50);
        return t.len;
    }
    add(&t, "%sThe ask is %s%s%s. ", markdown ? "\n" : " ", b, cost, b);
    if (in->achieves)
        add(&t, "With it, P50 rises to %s and the chance of hitting the target to %.0f%%.", after,
            in->result_prob_hit * 100);
    else {
        char rest[32];
        gf_model_money_short(in->residual_gap_cents, in->currency, rest);
        add(&t,
            "Even with it the goal is out of reach: P50 rises to %s and %s%s%s still "
            "remains to find.",
            after, b, rest, b);
    }
    add(&t, " If it is refused, expect %s (%.0f%% chance of hitting the target).", p50,
        in->baseline_prob_hit * 100);
    return t.len;
}
