/* deals_fixture.h — the data every deal test starts from: an org with stages, a team tree and
 * reps made directly in SQL (so the deal suites stand on their own), plus small helpers. */
#ifndef GF_TEST_DEALS_FIXTURE_H
#define GF_TEST_DEALS_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Runs printf-formatted SQL on the test database; returns the first value (caller frees). */
static inline char *sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *sqlf(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return t_sql(sql);
}

/* The first value of printf-formatted SQL as an integer. */
static inline long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline long long sql_ll(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_sql(sql);
    long long n = atoll(v);
    free(v);
    return n;
}

/* A fresh org with stages prospecting, proposal (open), won, lost; teams sales > emea > uk and
 * sales > americas; reps ada (uk), bob (emea), cy (americas) and dee (no team). */
static inline void deals_fixture(char *key, char *slug)
{
    t_new_org(key, slug);
    free(sqlf("INSERT INTO stages (org_id, key, name, position, kind, probability) "
              "SELECT o.id, v.k, v.k, v.p, v.kind, v.prob FROM orgs o, (VALUES "
              "('prospecting', 1, 'open', 0.1), ('proposal', 2, 'open', 0.5), "
              "('won', 3, 'won', 1), ('lost', 4, 'lost', 0)) v(k, p, kind, prob) "
              "WHERE o.slug = '%s'",
              slug));
    free(sqlf("INSERT INTO teams (org_id, key, name) SELECT id, 'sales', 'Sales' FROM orgs "
              "WHERE slug = '%s'",
              slug));
    static const char *const tree[][2] = {{"emea", "sales"}, {"americas", "sales"},
                                          {"uk", "emea"}};
    for (size_t i = 0; i < 3; i++)
        free(sqlf("INSERT INTO teams (org_id, key, name, parent_id) SELECT o.id, '%s', '%s', "
                  "(SELECT t.id FROM teams t WHERE t.org_id = o.id AND t.key = '%s') "
                  "FROM orgs o WHERE o.slug = '%s'",
                  tree[i][0], tree[i][0], tree[i][1], slug));
    free(sqlf("INSERT INTO reps (org_id, key, name, team_id) SELECT o.id, v.k, v.k, "
              "(SELECT t.id FROM teams t WHERE t.org_id = o.id AND t.key = v.team) "
              "FROM orgs o, (VALUES ('ada', 'uk'), ('bob', 'emea'), ('cy', 'americas'), "
              "('dee', NULL)) v(k, team) WHERE o.slug = '%s'",
              slug));
}

/* POSTs a deal body, asserts 201 and returns the new id. */
static inline long long post_deal(const char *key, const char *body)
{
    t_resp r = t_post(key, "/v1/deals", body);
    ck_assert_msg(r.status == 201, "create deal: %ld %s", r.status, r.raw);
    long long id = t_int(r.body, "id");
    t_resp_free(&r);
    return id;
}

/* Number of history events of a deal (straight from the table). */
static inline long long event_count(long long deal_id)
{
    return sql_ll("SELECT count(*) FROM deal_events WHERE deal_id = %lld", deal_id);
}

#endif
