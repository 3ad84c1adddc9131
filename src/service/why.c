/* why.c — the "why" of a forecast: the drivers of projected bookings over the quarters before
 * the period (baseline; gf_svc_options.baseline_quarters) and over the period to date and
 * projected (current), and the split of the difference across them (LMDI, exact), with a
 * sentence per driver. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gapforge/model_summary.h"
#include "gapforge/store.h"
#include "service_internal.h"

const char *gf_svc__driver_label(int driver, int *percent)
{
    *percent = driver == GF_MODEL_DRV_WIN_RATE || driver == GF_MODEL_DRV_SLIP ||
               driver == GF_MODEL_DRV_CONVERSION;
    switch (driver) {
    case GF_MODEL_DRV_OPPORTUNITIES:
        return "opportunities created";
    case GF_MODEL_DRV_LEADS:
        return "leads";
    case GF_MODEL_DRV_CONVERSION:
        return "lead conversion";
    case GF_MODEL_DRV_WIN_RATE:
        return "win rate";
    case GF_MODEL_DRV_DEAL_SIZE:
        return "average deal size";
    case GF_MODEL_DRV_CYCLE:
        return "cycle time";
    default:
        return "slip rate";
    }
}

/* A value that leaves bookings unchanged when a driver could not be measured in either state. */
static double neutral(int driver)
{
    return driver == GF_MODEL_DRV_SLIP || driver == GF_MODEL_DRV_CYCLE ? 0.0 : 1.0;
}

/* The baseline window: the baseline_quarters calendar quarters before the period when the
 * calendar has them, else the baseline_days days before it; when as_of comes before the period,
 * the baseline_days days before as_of (nothing later is known). */
static void baseline_window(const gf_svc_forecast_req *p, const gf_store_history *h, gf_day *from,
                            gf_day *to)
{
    const gf_svc_options *opt = gf_svc_options_get();
    const long nq = opt->baseline_quarters;
    *to = p->period.start - 1;
    *from = p->period.start - opt->baseline_days;
    const long q = gf_model_calendar_find(&h->cal, p->period.start);
    if (q >= nq && h->cal.quarters[q].start == p->period.start)
        *from = h->cal.quarters[q - nq].start;
    if (p->as_of <= p->period.start) {
        *to = p->as_of - 1;
        *from = p->as_of - opt->baseline_days;
    }
}

/* The sum of k's observations dated in [from, to] and how many there are. */
static double lead_sum(const gf_store_lead_kpi *k, gf_day from, gf_day to, size_t *n)
{
    double s = 0.0;
    *n = 0;
    for (size_t i = 0; i < k->n; i++) {
        if (k->days[i] >= from && k->days[i] <= to) {
            s += k->values[i];
            (*n)++;
        }
    }
    return s;
}

/* Switches both driver sets to lead volume x conversion when the org has a KPI leading to
 * bookings by sum (gf_svc__leads_primary) observed in both windows. Bookings answer to the leads
 * of lag_days before, so each window is read lag_days earlier: the baseline's [from - lag,
 * to - lag] scaled to the period's length, the period's [start - lag, end - lag], whose days
 * from as_of on are projected at the detector's level (the recent level when it is in alarm,
 * else the baseline's). Before the period starts nothing of it is known: opportunities stay the
 * volume driver. */
static int use_leads(gf_svc_forecast *f, gf_day from, gf_day to, gf_model_drivers *b,
                     gf_model_drivers *c, char kpi[72], gf_err *err)
{
    const gf_svc_forecast_req *p = &f->req;
    kpi[0] = '\0';
    if (f->lead_index < 0 || p->as_of <= p->period.start)
        return 0;
    const gf_store_lead_kpi *k = &f->leads->k[f->lead_index];
    const int lag = k->lag_days;
    const double period_days = p->period.end - p->period.start + 1;
    size_t nb, nc;
    const double sb = lead_sum(k, from - lag, to - lag, &nb);
    const gf_day cs = p->period.start - lag, ce = p->period.end - lag;
    const gf_day seen_to = ce < p->as_of - 1 ? ce : p->as_of - 1;
    double lc = seen_to >= cs ? lead_sum(k, cs, seen_to, &nc) : (nc = 0, 0.0);
    const gf_day rest_from = cs > p->as_of ? cs : p->as_of;
    const double rest = ce >= rest_from ? (double)(ce - rest_from + 1) : 0.0;
    if (!nb || (!nc && !(rest > 0.0)))
        return 0;
    double per_day = sb / (double)(to - from + 1);
    gf_model_shift s;
    int first;
    if (rest > 0.0) {
        if (gf_svc__lead_shift(k, p->as_of, &s, &first, NULL) != 0)
            return gf_err_internal(err);
        if (s.state == GF_MODEL_SHIFT_UP || s.state == GF_MODEL_SHIFT_DOWN)
            per_day = s.recent / 7.0;
        lc += per_day * rest;
    }
    const double lb = sb * period_days / (double)(to - from + 1);
    if (!(lb > 0) || !(lc > 0))
        return 0;
    snprintf(kpi, 72, "%s", k->key);
    b->use_leads = c->use_leads = 1;
    b->v[GF_MODEL_DRV_LEADS] = lb;
    b->v[GF_MODEL_DRV_CONVERSION] = b->v[GF_MODEL_DRV_OPPORTUNITIES] / lb;
    c->v[GF_MODEL_DRV_LEADS] = lc;
    c->v[GF_MODEL_DRV_CONVERSION] = c->v[GF_MODEL_DRV_OPPORTUNITIES] / lc;
    return 0;
}

int gf_svc__why(gf_svc_forecast *f, gf_err *err)
{
    const gf_svc_forecast_req *p = &f->req;
    const gf_store_history *h = f->history;
    const uint8_t *mask = f->mask;
    gf_day from, to;
    baseline_window(p, h, &from, &to);
    const int32_t days = p->period.end - p->period.start + 1;
    gf_model_drivers b, c;
    if (gf_model_drivers_from_history(&h->h, &h->cal, mask, from, to, p->as_of, 0, &b) != 0)
        return gf_err_internal(err);
    b.v[GF_MODEL_DRV_OPPORTUNITIES] *= (double)days / (double)(to - from + 1);
    /* Nothing of the period has elapsed: the current drivers are the baseline's. */
    if (p->as_of <= p->period.start)
        c = b;
    else if (gf_model_drivers_from_history(&h->h, &h->cal, mask, p->period.start, p->period.end,
                                           p->as_of, 1, &c) != 0)
        return gf_err_internal(err);
    for (int k = 0; k < GF_MODEL_DRIVERS; k++) {
        if (k == GF_MODEL_DRV_LEADS || k == GF_MODEL_DRV_CONVERSION)
            continue;
        const int bf = isfinite(b.v[k]), cf = isfinite(c.v[k]);
        if (!bf && !cf)
            b.v[k] = c.v[k] = neutral(k);
        else if (!bf)
            b.v[k] = c.v[k];
        else if (!cf)
            c.v[k] = b.v[k];
    }
    /* Early in a quarter a driver rests on a handful of deals: shrink it toward the baseline by
     * its sample size, and keep what was measured to show beside it. */
    for (int k = 0; k < GF_MODEL_DRIVERS; k++)
        f->why_measured[k] = c.v[k];
    if (p->as_of > p->period.start)
        gf_model_drivers_shrink(&c, &b, gf_svc_options_get()->driver_prior_deals);
    if (use_leads(f, from, to, &b, &c, f->lead_kpi, err) < 0)
        return err->code;
    if (gf_model_attrib_split(&b, &c, days, &f->why) != 0)
        return gf_err_internal(err);
    /* On the figure a leader knows: what the baseline quarters booked, per period. */
    const gf_day seen = (to < p->as_of - 1 ? to : p->as_of - 1) - from + 1;
    gf_model_attrib_scale_to(&f->why, b.won_cents * (double)days / (double)seen);
    return 0;
}

/* "win rate 24% → 19%: -$420k". */
static void sentence(const gf_model_driver_impact *d, const char *currency, char *buf, size_t cap)
{
    int pct;
    const char *label = gf_svc__driver_label(d->driver, &pct);
    char imp[32], b[32], c[32];
    gf_model_money_short(d->impact, currency, imp);
    if (d->impact > 0 && imp[0] != '+')
        memmove(imp + 1, imp, strlen(imp) + 1), imp[0] = '+';
    if (pct) {
        snprintf(buf, cap, "%s %.0f%% \u2192 %.0f%%: %s", label, 100 * d->baseline,
                 100 * d->current, imp);
    } else if (d->driver == GF_MODEL_DRV_DEAL_SIZE) {
        gf_model_money_short(d->baseline, currency, b);
        gf_model_money_short(d->current, currency, c);
        snprintf(buf, cap, "%s %s \u2192 %s: %s", label, b, c, imp);
    } else {
        snprintf(buf, cap, "%s %.0f \u2192 %.0f%s: %s", label, d->baseline, d->current,
                 d->driver == GF_MODEL_DRV_CYCLE ? " days" : "", imp);
    }
}

void gf_svc__gap_split(const gf_svc_forecast *f, gf_model_gap_split *out)
{
    gf_model_gap_split_compute(&f->why, f->target_cents, f->sim.p50, f->sim.expected, out);
}

/* The gap split (gf_model_gap_split) as shown: each part in currency units, drivers by name. */
static json_t *gap_json(const gf_svc_forecast *f, const gf_model_gap_split *g)
{
    const gf_model_attrib *a = &f->why;
    json_t *drivers = json_array();
    for (size_t k = 0; k < a->n; k++)
        json_array_append_new(drivers, json_pack("{s:s, s:o}", "driver",
                                                 gf_model_driver_name(a->items[k].driver), "amount",
                                                 gf_svc__money((double)g->driver[k])));
    char gap[32], stretch[32], timing[32];
    gf_model_money_short((double)g->gap, f->currency, gap);
    gf_model_money_short((double)g->target_stretch, f->currency, stretch);
    gf_model_money_short((double)g->timing, f->currency, timing);
    char text[256];
    snprintf(text, sizeof text,
             "gap to target %s = target stretch %s + drivers (below) + timing and uncertainty %s",
             gap, stretch, timing);
    return json_pack("{s:o, s:o, s:o, s:o, s:s}", "gap", gf_svc__money((double)g->gap),
                     "target_stretch", gf_svc__money((double)g->target_stretch), "drivers", drivers,
                     "timing_and_uncertainty", gf_svc__money((double)g->timing), "text", text);
}

json_t *gf_svc__why_json(const gf_svc_forecast *f)
{
    const gf_model_attrib *a = &f->why;
    const char *kpi = f->lead_kpi, *currency = f->currency;
    json_t *drivers = json_array();
    for (size_t k = 0; k < a->n; k++) {
        const gf_model_driver_impact *d = &a->items[k];
        const double scale = d->driver == GF_MODEL_DRV_DEAL_SIZE ? 100.0 : 1.0;
        char text[160];
        sentence(d, currency, text, sizeof text);
        const double measured = f->why_measured[d->driver];
        json_t *item =
            json_pack("{s:s, s:f, s:f, s:o, s:s, s:f}", "driver", gf_model_driver_name(d->driver),
                      "baseline", d->baseline / scale, "current", d->current / scale, "impact",
                      gf_svc__money(d->impact), "text", text, "n", d->n);
        json_object_set_new(item, "measured",
                            isfinite(measured) ? json_real(measured / scale) : json_null());
        json_array_append_new(drivers, item);
    }
    gf_model_gap_split g;
    gf_svc__gap_split(f, &g);
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:s, s:o}", "kpi", kpi && kpi[0] ? json_string(kpi) : json_null(),
        "baseline_bookings", gf_svc__money(a->baseline_bookings), "current_bookings",
        gf_svc__money(a->current_bookings), "difference", gf_svc__money(a->total), "method",
        a->method == GF_MODEL_ATTRIB_LMDI ? "lmdi" : "shapley", "drivers", drivers);
    json_object_set_new(o, "gap", f->has_target ? gap_json(f, &g) : json_null());
    json_object_set_new(
        o, "expected_change",
        json_pack("{s:o, s:o, s:o}", "change", gf_svc__money((double)g.expected_change), "drivers",
                  gf_svc__money((double)(g.expected_change - g.expected_timing)),
                  "timing_and_uncertainty", gf_svc__money((double)g.expected_timing)));
    return o;
}
