/* fixture.c — the integration suites' shared fixtures (see fixture.h). */
#include "fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- SQL ---- */

static char *vsqlf(const char *fmt, va_list ap)
{
    char sql[8192];
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    ck_assert_msg(n >= 0 && (size_t)n < sizeof sql, "SQL longer than %zu bytes", sizeof sql);
    return t_sql(sql);
}

char *fx_sqlf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vsqlf(fmt, ap);
    va_end(ap);
    return v;
}

void fx_exec(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(vsqlf(fmt, ap));
    va_end(ap);
}

long long fx_sql_ll(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vsqlf(fmt, ap);
    va_end(ap);
    long long n = atoll(v);
    free(v);
    return n;
}

long long fx_org_rows(const char *slug, const char *table)
{
    return fx_sql_ll("SELECT count(*) FROM %s x JOIN orgs o ON o.id = x.org_id WHERE o.slug = '%s'",
                     table, slug);
}

/* ---- assertions ---- */

/* A JSON string member or "(none)", for messages. */
static const char *or_none(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "(none)";
}

int fx__check_error(const t_resp *r, long status, const char *code, const char *field, int is_error,
                    char *why, size_t cap)
{
    const json_t *e = json_object_get(r->body, "error");
    if (r->status != status)
        snprintf(why, cap, "%s: status %ld, want %ld; body %.600s", r->request, r->status, status,
                 r->raw);
    else if (is_error && !json_is_object(e))
        snprintf(why, cap, "%s: no error object in %.600s", r->request, r->raw);
    else if (is_error && code && strcmp(or_none(e, "code"), code) != 0)
        snprintf(why, cap, "%s: error.code %s, want %s; body %.600s", r->request,
                 or_none(e, "code"), code, r->raw);
    else if (is_error && field && strcmp(or_none(e, "field"), field) != 0)
        snprintf(why, cap, "%s: error.field %s, want %s; body %.600s", r->request,
                 or_none(e, "field"), field, r->raw);
    else
        return 0;
    return -1;
}

/* ---- reading responses ---- */

size_t fx_csv_lines(const char *s)
{
    size_t n = 0;
    for (const char *p = strstr(s, "\r\n"); p; p = strstr(p + 2, "\r\n"))
        n++;
    return n;
}

json_t *fx_body(t_resp resp, long status)
{
    ck_assert_msg(resp.status == status, "%s: status %ld, want %ld; body %.600s", resp.request,
                  resp.status, status, resp.raw);
    json_t *body = json_incref(resp.body);
    t_resp_free(&resp);
    return body;
}

const char *fx_error_message(const t_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->body, "error"), "message"));
}

size_t fx_n_items(const t_resp *r)
{
    return json_array_size(json_object_get(r->body, "items"));
}

json_t *fx_item(const t_resp *r, size_t i)
{
    return json_array_get(json_object_get(r->body, "items"), i);
}

char *fx_joined(const json_t *list, const char *field)
{
    size_t len = 1;
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        len += strlen(or_none(e, field)) + 1;
    }
    char *out = calloc(1, len);
    ck_assert_ptr_nonnull(out);
    json_array_foreach(list, i, e)
    {
        if (i)
            strcat(out, ",");
        strcat(out, or_none(e, field));
    }
    return out;
}

char *fx_list_of(const char *key, const char *field, const char *path_fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof path, path_fmt, ap);
    va_end(ap);
    json_t *body = fx_body(t_get(key, "%s", path), 200);
    char *out = fx_joined(json_object_get(body, "items"), field);
    json_decref(body);
    return out;
}

long fx_count_all(const char *key, const char *path)
{
    long n = 0;
    char cursor[128] = "";
    do {
        json_t *body = fx_body(t_get(key, "%s%slimit=500%s%s", path, strchr(path, '?') ? "&" : "?",
                                     cursor[0] ? "&cursor=" : "", cursor),
                               200);
        n += (long)json_array_size(json_object_get(body, "items"));
        const char *next = json_string_value(json_object_get(body, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(body);
    } while (cursor[0]);
    return n;
}

/* ---- data ---- */

void fx_sales_org(char *key, char *slug)
{
    t_new_org(key, slug);
    fx_exec("INSERT INTO stages (org_id, key, name, position, kind, probability) "
            "SELECT o.id, v.k, v.k, v.p, v.kind, v.prob FROM orgs o, (VALUES "
            "('prospecting', 1, 'open', 0.1), ('proposal', 2, 'open', 0.5), "
            "('won', 3, 'won', 1), ('lost', 4, 'lost', 0)) v(k, p, kind, prob) "
            "WHERE o.slug = '%s'",
            slug);
    fx_exec("INSERT INTO teams (org_id, key, name) SELECT id, 'sales', 'Sales' FROM orgs "
            "WHERE slug = '%s'",
            slug);
    static const char *const tree[][2] = {{"emea", "sales"}, {"americas", "sales"}, {"uk", "emea"}};
    for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++)
        fx_exec("INSERT INTO teams (org_id, key, name, parent_id) SELECT o.id, '%s', '%s', "
                "(SELECT t.id FROM teams t WHERE t.org_id = o.id AND t.key = '%s') "
                "FROM orgs o WHERE o.slug = '%s'",
                tree[i][0], tree[i][0], tree[i][1], slug);
    fx_exec("INSERT INTO reps (org_id, key, name, team_id) SELECT o.id, v.k, v.k, "
            "(SELECT t.id FROM teams t WHERE t.org_id = o.id AND t.key = v.team) "
            "FROM orgs o, (VALUES ('ada', 'uk'), ('bob', 'emea'), ('cy', 'americas'), "
            "('dee', NULL)) v(k, team) WHERE o.slug = '%s'",
            slug);
}

void fx_add_team(const char *slug, const char *team)
{
    char *id = fx_sqlf("INSERT INTO teams (org_id, key, name) SELECT id, '%s', 'Team %s' FROM orgs "
                       "WHERE slug = '%s' RETURNING id",
                       team, team, slug);
    ck_assert_msg(id[0], "no org %s for team %s", slug, team);
    free(id);
}

void fx_add_rep(const char *slug, const char *rep)
{
    char *id = fx_sqlf("INSERT INTO reps (org_id, key, name) SELECT id, '%s', 'Rep %s' FROM orgs "
                       "WHERE slug = '%s' RETURNING id",
                       rep, rep, slug);
    ck_assert_msg(id[0], "no org %s for rep %s", slug, rep);
    free(id);
}

void fx_put_kpi(const char *key, const char *kpi)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/kpis/%s", kpi);
    json_decref(fx_body(t_put(key, path,
                              "{\"name\": \"Qualified leads\", \"unit\": \"leads\", \"direction\": "
                              "\"higher_is_better\", \"aggregation\": \"sum\", \"bucket\": "
                              "\"week\"}"),
                        201));
}

void fx_put_target(const char *key, const char *scope, const char *period, double value)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"scope\": \"%s\", \"metric\": \"bookings\", \"period\": \"%s\", \"value\": %.2f}",
             scope, period, value);
    json_decref(fx_body(t_put(key, "/v1/targets", body), 200));
}

long long fx_post_deal(const char *key, const char *body)
{
    json_t *deal = fx_body(t_post(key, "/v1/deals", body), 201);
    long long id = t_int(deal, "id");
    json_decref(deal);
    return id;
}

void fx_patch_deal(const char *key, long long id, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/deals/%lld", id);
    t_resp r = t_patch(key, path, body);
    ck_assert_msg(r.status == 200, "%s %s: %ld %s", r.request, body, r.status, r.raw);
    t_resp_free(&r);
}

long long fx_deal_id(const char *slug, const char *external_id)
{
    return fx_sql_ll("SELECT d.id FROM deals d JOIN orgs o ON o.id = d.org_id "
                     "WHERE o.slug = '%s' AND d.external_id = '%s'",
                     slug, external_id);
}

long long fx_deal_events(long long deal_id)
{
    return fx_sql_ll("SELECT count(*) FROM deal_events WHERE deal_id = %lld", deal_id);
}

/* ---- gapforge subcommands and demo orgs ---- */

int fx_gapforge(const char *env, const char *args, char *out, size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s \"$GAPFORGE_BIN\" %s", env ? env : "", args);
    FILE *p = popen(cmd, "r");
    ck_assert_msg(p != NULL, "cannot run %s", cmd);
    char sink[4096];
    size_t n = 0, got;
    if (out && cap) {
        while (n + 1 < cap) {
            got = fread(out + n, 1, cap - 1 - n, p);
            if (got == 0)
                break;
            n += got;
        }
        out[n] = '\0';
    }
    while (fread(sink, 1, sizeof sink, p) > 0)
        ; /* the rest, so the command never blocks on a full pipe */
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_t *fx_demo_org(char *key, char *slug, fx_demo_spec spec)
{
    char truth_path[160], args[1024], out[2048];
    t_new_org(key, slug);
    snprintf(truth_path, sizeof truth_path, "/tmp/gapforge-test-%s-truth.json", slug);
    snprintf(args, sizeof args,
             "demo --org %s --seed %d --quarters %d --deals-per-quarter %d --as-of %s --truth %s",
             slug, spec.seed, spec.quarters, spec.deals_per_quarter, spec.as_of, truth_path);
    int rc = fx_gapforge(NULL, args, out, sizeof out);
    ck_assert_msg(rc == 0, "gapforge %s: exit %d: %s", args, rc, out);
    ck_assert_msg(strstr(out, "loaded demo org") && strstr(out, slug), "%s", out);
    ck_assert_msg(strstr(out, truth_path) != NULL, "%s", out);
    json_error_t jerr;
    json_t *truth = json_load_file(truth_path, 0, &jerr);
    ck_assert_msg(truth != NULL, "%s: %s", truth_path, jerr.text);
    unlink(truth_path);
    return truth;
}

static struct {
    fx_demo_spec spec;
    char key[128];
    char slug[64];
    json_t *truth;
} g_shared;

static void shared_demo_setup(void)
{
    g_shared.truth = fx_demo_org(g_shared.key, g_shared.slug, g_shared.spec);
}

static void shared_demo_teardown(void)
{
    json_decref(g_shared.truth);
    g_shared.truth = NULL;
}

void fx_shared_demo_add(TCase *tc, fx_demo_spec spec)
{
    g_shared.spec = spec;
    tcase_add_unchecked_fixture(tc, shared_demo_setup, shared_demo_teardown);
}

const char *fx_shared_key(void)
{
    ck_assert_msg(g_shared.truth != NULL, "the shared demo org was not loaded");
    return g_shared.key;
}

const char *fx_shared_slug(void)
{
    ck_assert_msg(g_shared.truth != NULL, "the shared demo org was not loaded");
    return g_shared.slug;
}

const json_t *fx_shared_truth(void)
{
    ck_assert_msg(g_shared.truth != NULL, "the shared demo org was not loaded");
    return g_shared.truth;
}

/* ---- imports ---- */

t_resp fx_post_csv(const char *key, const char *path, const char *body)
{
    return t_request("POST", path, key, body, "text/csv", NULL);
}

t_resp fx_post_ndjson(const char *key, const char *path, const char *body)
{
    return t_request("POST", path, key, body, "application/x-ndjson", NULL);
}

int fx__check_counts(const t_resp *r, long status, long long ins, long long upd, long long same,
                     long long rej, char *why, size_t cap)
{
    const long long got[4] = {t_int(r->body, "inserted"), t_int(r->body, "updated"),
                              t_int(r->body, "unchanged"), t_int(r->body, "rejected")};
    if (r->status != status || got[0] != ins || got[1] != upd || got[2] != same || got[3] != rej) {
        snprintf(why, cap,
                 "%s: status %ld, inserted %lld, updated %lld, unchanged %lld, rejected %lld; "
                 "want %ld, %lld, %lld, %lld, %lld; body %.500s",
                 r->request, r->status, got[0], got[1], got[2], got[3], status, ins, upd, same, rej,
                 r->raw);
        return -1;
    }
    return 0;
}

int fx__check_problem(const t_resp *r, size_t i, long long line, const char *column,
                      const char *reason_part, char *why, size_t cap)
{
    const json_t *p = json_array_get(json_object_get(r->body, "problems"), i);
    const json_t *col = json_object_get(p, "column");
    const char *reason = json_string_value(json_object_get(p, "reason"));
    if (!p)
        snprintf(why, cap, "%s: no problem %zu in %.600s", r->request, i, r->raw);
    else if (t_int(p, "line") != line)
        snprintf(why, cap, "%s: problem %zu is on line %lld, want %lld", r->request, i,
                 t_int(p, "line"), line);
    else if (column ? !json_is_string(col) || strcmp(json_string_value(col), column) != 0
                    : !json_is_null(col))
        snprintf(why, cap, "%s: problem %zu has column %s, want %s", r->request, i,
                 json_is_string(col) ? json_string_value(col) : "null", column ? column : "null");
    else if (!reason || !strstr(reason, reason_part))
        snprintf(why, cap, "%s: problem %zu's reason \"%s\" lacks \"%s\"", r->request, i,
                 reason ? reason : "(none)", reason_part);
    else
        return 0;
    return -1;
}
