/* inputs_fixtures.h — data the input suites build: teams and reps straight in SQL (so the suites
 * stand alone), KPIs through the API, and assertion shorthands. Included by one test file each. */
#ifndef GF_TEST_INPUTS_FIXTURES_H
#define GF_TEST_INPUTS_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static inline void add_team(const char *slug, const char *key)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO teams (org_id, key, name) SELECT id, '%s', 'Team %s' FROM orgs "
             "WHERE slug = '%s' RETURNING id",
             key, key, slug);
    free(t_sql(sql));
}

static inline void add_rep(const char *slug, const char *key)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO reps (org_id, key, name) SELECT id, '%s', 'Rep %s' FROM orgs "
             "WHERE slug = '%s' RETURNING id",
             key, key, slug);
    free(t_sql(sql));
}

static inline void add_kpi(const char *key_, const char *kpi)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/kpis/%s", kpi);
    t_resp r = t_put(key_, path,
                     "{\"name\": \"Qualified leads\", \"unit\": \"leads\", \"direction\": "
                     "\"higher_is_better\", \"aggregation\": \"sum\", \"bucket\": \"week\"}");
    ck_assert_int_eq(r.status, 201);
    t_resp_free(&r);
}

/* Asserts the error status, code and field of a request, then frees it. */
static inline void expect_422(t_resp r, const char *field)
{
    t_expect_error(r, 422, "invalid_argument", field);
    t_resp_free(&r);
}

static inline size_t item_count(const t_resp *r)
{
    return json_array_size(json_object_get(r->body, "items"));
}

static inline json_t *item(const t_resp *r, size_t i)
{
    return json_array_get(json_object_get(r->body, "items"), i);
}

static inline long long sql_count(const char *sql)
{
    char *v = t_sql(sql);
    long long n = atoll(v);
    free(v);
    return n;
}

#endif
