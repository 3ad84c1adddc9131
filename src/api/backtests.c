/* backtests.c — POST /v1/backtests and GET /v1/backtests/{id}: the body's types checked into
 * the service's arguments (the service checks the values), one service call, the job out: 200
 * when it finished within the wait, 202 with its Location while it runs on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/service_backtest.h"

/* The fields of a backtest body and the JSON type each takes. */
typedef enum bt_type { BT_STRING, BT_INTEGER, BT_STRINGS, BT_INTEGERS } bt_type;

static const struct {
    const char *name;
    bt_type type;
    const char *what;
} bt_fields[] = {
    {"scope", BT_STRING, "a string: org, team:KEY or rep:KEY"},
    {"periods", BT_STRINGS, "an array of period names like 2026-Q1"},
    {"last", BT_INTEGER, "an integer"},
    {"offsets", BT_INTEGERS, "an array of integers (days from each period's start)"},
    {"trials", BT_INTEGER, "an integer"},
    {"seed", BT_INTEGER, "an integer"},
};
#define N_FIELDS (sizeof bt_fields / sizeof bt_fields[0])

static int type_ok(const json_t *v, bt_type type)
{
    switch (type) {
    case BT_STRING:
        return json_is_string(v);
    case BT_INTEGER:
        return json_is_integer(v);
    case BT_STRINGS:
    case BT_INTEGERS:
        break;
    }
    if (!json_is_array(v))
        return 0;
    size_t k;
    const json_t *x;
    json_array_foreach(v, k, x)
    {
        if (type == BT_STRINGS ? !json_is_string(x) : !json_is_integer(x))
            return 0;
    }
    return 1;
}

/* The body's types: every field known and of its type (null counts as absent). */
static int check_types(const json_t *body, gf_err *err)
{
    if (!json_is_object(body))
        return gf_err_set(err, GF_EMALFORMED, NULL, NULL, "the request body must be a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        size_t f = 0;
        while (f < N_FIELDS && strcmp(bt_fields[f].name, key) != 0)
            f++;
        if (f == N_FIELDS)
            return gf_err_invalid(err, key, "%s is not a field of a backtest", key);
        if (!json_is_null(v) && !type_ok(v, bt_fields[f].type))
            return gf_err_invalid(err, key, "%s must be %s", key, bt_fields[f].what);
    }
    return 0;
}

/* A present, non-null field of body, or NULL. */
static const json_t *field(const json_t *body, const char *name)
{
    const json_t *v = json_object_get(body, name);
    return v && !json_is_null(v) ? v : NULL;
}

/* The service's arguments from a body whose types check_types accepted; the arrays go to
 * *periods and *offsets (owned by the caller). */
static int read_args(const json_t *body, gf_svc_backtest_args *a, const char ***periods,
                     int64_t **offsets, gf_err *err)
{
    memset(a, 0, sizeof *a);
    a->scope = json_string_value(field(body, "scope"));
    const json_t *p = field(body, "periods"), *o = field(body, "offsets");
    const json_t *last = field(body, "last"), *t = field(body, "trials"), *s = field(body, "seed");
    if (p) {
        a->n_periods = json_array_size(p);
        *periods = calloc(a->n_periods + 1, sizeof **periods);
        if (!*periods)
            return gf_err_internal(err);
        for (size_t k = 0; k < a->n_periods; k++)
            (*periods)[k] = json_string_value(json_array_get(p, k));
        a->periods = *periods;
    }
    if (o) {
        a->n_offsets = json_array_size(o);
        *offsets = calloc(a->n_offsets + 1, sizeof **offsets);
        if (!*offsets)
            return gf_err_internal(err);
        for (size_t k = 0; k < a->n_offsets; k++)
            (*offsets)[k] = (int64_t)json_integer_value(json_array_get(o, k));
        a->offsets = *offsets;
    }
    a->has_last = last != NULL;
    a->last = (int64_t)json_integer_value(last);
    a->has_trials = t != NULL;
    a->trials = (int64_t)json_integer_value(t);
    a->has_seed = s != NULL;
    a->seed = (int64_t)json_integer_value(s);
    return 0;
}

void gf_api_backtest_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_backtest_args a;
    gf_svc_backtest_req br;
    const char **periods = NULL;
    int64_t *offsets = NULL;
    json_t *job = NULL;
    int finished = 0;
    if (check_types(req->body, &err) == 0 &&
        read_args(req->body, &a, &periods, &offsets, &err) == 0 &&
        gf_svc_backtest_req_parse(req->who.org_id, &a, &br, &err) == 0) {
        br.request_id = req->request_id;
        job = gf_svc_backtest_submit(&br, &finished, &err);
    }
    free(periods);
    free(offsets);
    if (job && !finished)
        snprintf(resp->location, sizeof resp->location, "/v1/backtests/%lld",
                 (long long)json_integer_value(json_object_get(job, "id")));
    gf_resp_result(resp, finished ? 200 : 202, job, &err);
}

void gf_api_backtest_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    json_t *job = NULL;
    if (gf_api_path_id(req->params[0], "backtest", &id, &err) == 0)
        job = gf_svc_backtest_get(req->who.org_id, id, &err);
    gf_resp_result(resp, 200, job, &err);
}
