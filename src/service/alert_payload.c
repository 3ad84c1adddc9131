/* alert_payload.c — what a delivery sends: Slack (text plus Block Kit blocks: a header of at most
 * 150 characters, sections of at most 3,000, at most 10 fields, at most 50 blocks), Microsoft
 * Teams (an Adaptive Card in the Workflows message envelope, under 28 KB) or the alert as JSON in
 * the Standard Webhooks shape {type, timestamp, data}. The facts shown depend on the kind: the
 * forecast's (bookings kinds), the KPI's forecast (kpi_miss) or the indicator's shift. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "gapforge/model_summary.h"

#define SLACK_HEADER_MAX  150
#define SLACK_SECTION_MAX 3000
#define SLACK_FIELD_MAX   2000
#define TEAMS_MAX_BYTES   (28 * 1024 - 512) /* a margin under Teams' 28 KB */

/* A copy of s cut to at most max characters (UTF-8 code points), with "…" when cut. */
static json_t *cut(const char *s, size_t max)
{
    size_t chars = 0, i = 0, last = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (chars == max - 1)
                last = i;
            chars++;
        }
    }
    if (chars <= max)
        return json_string(s);
    char *t = malloc(last + 4);
    if (!t)
        return json_string("");
    memcpy(t, s, last);
    memcpy(t + last, "\xe2\x80\xa6", 4); /* … */
    json_t *out = json_string(t);
    free(t);
    return out ? out : json_string("");
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* A money figure of the alert ("$1.2M"), or "n/a". */
static void money(const json_t *figures, const char *k, char out[32])
{
    const json_t *v = json_object_get(figures, k);
    if (!json_is_number(v))
        snprintf(out, 32, "n/a");
    else
        gf_model_money_short(json_number_value(v) * 100.0, str(figures, "currency"), out);
}

static void percent(const json_t *figures, const char *k, char out[32])
{
    const json_t *v = json_object_get(figures, k);
    if (!json_is_number(v))
        snprintf(out, 32, "n/a");
    else
        snprintf(out, 32, "%.0f%%", 100 * json_number_value(v));
}

/* A plain figure of the alert with its unit ("4.1 errors"), "n/a" when it is not a number. */
static void plain(const json_t *figures, const char *k, char out[80])
{
    const json_t *v = json_object_get(figures, k);
    const char *unit = str(figures, "unit");
    if (!json_is_number(v))
        snprintf(out, 80, "n/a");
    else if (strcmp(unit, str(figures, "currency")) == 0 && unit[0])
        gf_model_money_short(json_number_value(v) * 100.0, unit, out);
    else if (strcmp(unit, "share") == 0)
        snprintf(out, 80, "%.1f%%", 100 * json_number_value(v));
    else
        snprintf(out, 80, "%.4g%s%.40s", json_number_value(v), unit[0] ? " " : "", unit);
}

#define FACT(title_, ...)                       \
    do {                                        \
        snprintf(titles[n], 32, "%s", title_);  \
        snprintf(values[n++], 80, __VA_ARGS__); \
    } while (0)

/* kpi_miss: the KPI's P50, band, target, gap, probability and period. */
static size_t kpi_facts(const json_t *f, char titles[8][32], char values[8][80])
{
    size_t n = 0;
    char v[80], w[80];
    plain(f, "p50", v);
    FACT("Forecast (P50)", "%s", v);
    plain(f, "target", v);
    FACT("Target", "%s", v);
    plain(f, "gap", v);
    FACT("Gap", "%s", v);
    plain(f, "p10", v);
    plain(f, "p90", w);
    FACT("P10 \xe2\x80\x93 P90", "%.36s \xe2\x80\x93 %.36s", v, w);
    percent(f, "prob_meet", v);
    FACT("Probability of meeting", "%s", v);
    FACT("KPI", "%.70s", str(f, "kpi_name"));
    FACT("Period", "%.70s", str(json_object_get(f, "period"), "name"));
    return n;
}

/* indicator_shift: the indicator, its level against the baseline, the change and since when. */
static size_t indicator_facts(const json_t *f, char titles[8][32], char values[8][80])
{
    size_t n = 0;
    char v[80];
    FACT("Indicator", "%.70s", str(f, "indicator_name"));
    plain(f, "value", v);
    FACT("Recent (a week)", "%s", v);
    plain(f, "baseline", v);
    FACT("Baseline", "%s", v);
    const json_t *rel = json_object_get(json_object_get(f, "change"), "relative");
    if (json_is_number(rel))
        FACT("Change", "%+.0f%%", 100 * json_number_value(rel));
    else
        FACT("Change", "n/a");
    FACT("Direction", "%.70s",
         json_is_string(json_object_get(f, "direction")) ? str(f, "direction") : "none");
    FACT("Since", "%.70s", json_is_string(json_object_get(f, "since")) ? str(f, "since") : "n/a");
    if (json_is_number(json_object_get(f, "bookings_change"))) {
        money(f, "bookings_change", v);
        FACT("Bookings effect", "%s", v);
    }
    return n;
}

/* The facts a chat message shows, as (title, value) pairs; returns their count (<= 8). */
static size_t facts(const json_t *alert, char titles[8][32], char values[8][80])
{
    const json_t *f = json_object_get(alert, "figures");
    const char *kind = str(alert, "kind");
    if (strcmp(kind, "kpi_miss") == 0)
        return kpi_facts(f, titles, values);
    if (strcmp(kind, "indicator_shift") == 0)
        return indicator_facts(f, titles, values);
    size_t n = 0;
    char v[32];
    if (json_object_get(f, "p50")) {
        static const char *const money_keys[] = {"p50", "target", "gap", "booked"};
        static const char *const money_titles[] = {"Forecast (P50)", "Target", "Gap", "Booked"};
        for (size_t k = 0; k < 4; k++) {
            money(f, money_keys[k], v);
            snprintf(titles[n], 32, "%s", money_titles[k]);
            snprintf(values[n++], 80, "%s", v);
        }
        char p10[32], p90[32];
        money(f, "p10", p10);
        money(f, "p90", p90);
        snprintf(titles[n], 32, "P10 \xe2\x80\x93 P90");
        snprintf(values[n++], 80, "%s \xe2\x80\x93 %s", p10, p90);
        percent(f, "prob_hit", v);
        snprintf(titles[n], 32, "Probability of hitting");
        snprintf(values[n++], 80, "%s", v);
        const json_t *cov = json_object_get(f, "coverage");
        snprintf(titles[n], 32, "Coverage");
        if (json_is_number(cov))
            snprintf(values[n++], 80, "%.2fx", json_number_value(cov));
        else
            snprintf(values[n++], 80, "n/a");
    }
    if (json_object_get(f, "deals")) {
        money(f, "amount", v);
        snprintf(titles[n], 32, "Deals slipped");
        snprintf(values[n++], 80, "%lld (%s)",
                 (long long)json_integer_value(json_object_get(f, "count")), v);
    }
    return n;
}

/* The "why" lines and the plan's ask as text (may be empty). */
static void why_text(const json_t *alert, char *out, size_t cap)
{
    const json_t *why = json_object_get(json_object_get(alert, "figures"), "why");
    size_t i, used = 0;
    const json_t *d;
    out[0] = '\0';
    json_array_foreach(why, i, d)
    {
        int w =
            snprintf(out + used, cap - used, "%s\xe2\x80\xa2 %s", used ? "\n" : "", str(d, "text"));
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

static void deals_text(const json_t *alert, char *out, size_t cap)
{
    const json_t *f = json_object_get(alert, "figures");
    const json_t *deals = json_object_get(f, "deals");
    size_t i, used = 0;
    const json_t *d;
    out[0] = '\0';
    json_array_foreach(deals, i, d)
    {
        char amount[32];
        gf_model_money_short(json_number_value(json_object_get(d, "amount")) * 100.0,
                             str(f, "currency"), amount);
        int w = snprintf(out + used, cap - used, "%s\xe2\x80\xa2 %s (%s): %s \xe2\x86\x92 %s",
                         used ? "\n" : "", str(d, "name"), amount, str(d, "from"), str(d, "to"));
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

static void title_text(const json_t *alert, char *out, size_t cap)
{
    const bool resolved = strcmp(str(alert, "status"), "resolved") == 0;
    snprintf(out, cap, "%s %s: %s %s",
             resolved ? "\xe2\x9c\x85 Resolved" : "\xf0\x9f\x94\x94 Alert", str(alert, "rule"),
             str(alert, "scope"), str(alert, "period"));
}

/* The plan's ask in one line: its cost and actions ("" when the alert has no plan). */
static const char *plan_summary(const json_t *alert, char *out, size_t cap)
{
    const json_t *f = json_object_get(alert, "figures");
    const json_t *plan = json_object_get(f, "plan");
    out[0] = '\0';
    if (!plan)
        return out;
    char cost[32];
    if (!json_is_number(json_object_get(plan, "total_cost")))
        snprintf(cost, sizeof cost, "n/a");
    else
        gf_model_money_short(json_number_value(json_object_get(plan, "total_cost")) * 100.0,
                             str(f, "currency"), cost);
    size_t used = (size_t)snprintf(out, cap, "Ask %s%s:", cost,
                                   json_is_true(json_object_get(plan, "achieves"))
                                       ? ", reaches the target"
                                       : ", still short of the target");
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        int w = snprintf(out + used, cap - used, "%s %s \u00d7 %lld", i ? "," : "", str(a, "name"),
                         (long long)json_integer_value(json_object_get(a, "units")));
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
    return out;
}

static json_t *mrkdwn(const char *text, size_t max)
{
    return json_pack("{s:s, s:o}", "type", "mrkdwn", "text", cut(text, max));
}

static json_t *slack_body(const json_t *alert)
{
    char title[256], text[4096];
    title_text(alert, title, sizeof title);
    json_t *blocks = json_array();
    json_array_append_new(blocks, json_pack("{s:s, s:{s:s, s:o, s:b}}", "type", "header", "text",
                                            "type", "plain_text", "text",
                                            cut(title, SLACK_HEADER_MAX), "emoji", 1));
    json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "section", "text",
                                            mrkdwn(str(alert, "message"), SLACK_SECTION_MAX)));
    char titles[8][32], values[8][80];
    const size_t n = facts(alert, titles, values);
    if (n) {
        json_t *fields = json_array();
        for (size_t k = 0; k < n && k < 10; k++) {
            char f[768];
            snprintf(f, sizeof f, "*%s*\n%s", titles[k], values[k]);
            json_array_append_new(fields, mrkdwn(f, SLACK_FIELD_MAX));
        }
        json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "section", "fields", fields));
    }
    why_text(alert, text, sizeof text);
    if (text[0]) {
        char s[4200];
        snprintf(s, sizeof s, "*Why*\n%s", text);
        json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "section", "text",
                                                mrkdwn(s, SLACK_SECTION_MAX)));
    }
    deals_text(alert, text, sizeof text);
    if (text[0]) {
        char s[4200];
        snprintf(s, sizeof s, "*Deals*\n%s", text);
        json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "section", "text",
                                                mrkdwn(s, SLACK_SECTION_MAX)));
    }
    char ask[1024];
    if (plan_summary(alert, ask, sizeof ask)[0]) {
        char s[1200];
        snprintf(s, sizeof s, "*The plan's ask*\n%s", ask);
        json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "section", "text",
                                                mrkdwn(s, SLACK_SECTION_MAX)));
    }
    const json_t *ref = json_object_get(alert, "reference");
    char ctx[512];
    snprintf(ctx, sizeof ctx, "%s \xc2\xb7 %s \xc2\xb7 as of %s \xc2\xb7 `%s`", str(ref, "period"),
             str(ref, "scope"), str(ref, "as_of"), str(ref, "href"));
    json_array_append_new(
        blocks, json_pack("{s:s, s:[o]}", "type", "context", "elements", mrkdwn(ctx, 2000)));
    char fallback[1200];
    snprintf(fallback, sizeof fallback, "%s \xe2\x80\x94 %s", title, str(alert, "message"));
    return json_pack("{s:o, s:o}", "text", cut(fallback, SLACK_SECTION_MAX), "blocks", blocks);
}

static json_t *text_block(const char *text, const char *weight, const char *size)
{
    json_t *b =
        json_pack("{s:s, s:o, s:b}", "type", "TextBlock", "text", cut(text, 4000), "wrap", 1);
    if (weight)
        json_object_set_new(b, "weight", json_string(weight));
    if (size)
        json_object_set_new(b, "size", json_string(size));
    return b;
}

static json_t *teams_body(const json_t *alert, bool brief)
{
    char title[256], text[4096];
    title_text(alert, title, sizeof title);
    json_t *body = json_array();
    json_array_append_new(body, text_block(title, "Bolder", "Medium"));
    json_array_append_new(body, text_block(str(alert, "message"), NULL, NULL));
    char titles[8][32], values[8][80];
    const size_t n = facts(alert, titles, values);
    if (n) {
        json_t *fs = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(fs,
                                  json_pack("{s:s, s:s}", "title", titles[k], "value", values[k]));
        json_array_append_new(body, json_pack("{s:s, s:o}", "type", "FactSet", "facts", fs));
    }
    if (!brief) {
        why_text(alert, text, sizeof text);
        if (text[0]) {
            json_array_append_new(body, text_block("Why", "Bolder", NULL));
            json_array_append_new(body, text_block(text, NULL, NULL));
        }
        deals_text(alert, text, sizeof text);
        if (text[0]) {
            json_array_append_new(body, text_block("Deals", "Bolder", NULL));
            json_array_append_new(body, text_block(text, NULL, NULL));
        }
        char ask[1024];
        if (plan_summary(alert, ask, sizeof ask)[0]) {
            json_array_append_new(body, text_block("The plan's ask", "Bolder", NULL));
            json_array_append_new(body, text_block(ask, NULL, NULL));
        }
    }
    const json_t *ref = json_object_get(alert, "reference");
    char ctx[512];
    snprintf(ctx, sizeof ctx, "%s \xc2\xb7 %s \xc2\xb7 as of %s \xc2\xb7 %s", str(ref, "period"),
             str(ref, "scope"), str(ref, "as_of"), str(ref, "href"));
    json_t *foot = text_block(ctx, NULL, "Small");
    json_object_set_new(foot, "isSubtle", json_true());
    json_array_append_new(body, foot);
    json_t *card = json_pack("{s:s, s:s, s:s, s:o}", "$schema",
                             "http://adaptivecards.io/schemas/adaptive-card.json", "type",
                             "AdaptiveCard", "version", "1.4", "body", body);
    return json_pack("{s:s, s:[{s:s, s:n, s:o}]}", "type", "message", "attachments", "contentType",
                     "application/vnd.microsoft.card.adaptive", "contentUrl", "content", card);
}

char *gf_svc__alert_body(const char *kind, const json_t *alert, const char *event_type)
{
    json_t *doc = NULL;
    if (strcmp(kind, "slack") == 0)
        doc = slack_body(alert);
    else if (strcmp(kind, "teams") == 0)
        doc = teams_body(alert, false);
    else
        doc = json_pack("{s:s, s:O, s:O}", "type", event_type, "timestamp",
                        json_object_get(alert, "created_at"), "data", alert);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    if (text && strcmp(kind, "teams") == 0 && strlen(text) > TEAMS_MAX_BYTES) {
        free(text);
        doc = teams_body(alert, true);
        text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
    }
    return text;
}
