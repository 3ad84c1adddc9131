/* kpis.c — GET/PUT /v1/kpis/{key}, GET /v1/kpis and the observation series
 * (POST/GET /v1/kpis/{key}/observations). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/service.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

#define MAX_OBSERVATIONS 10000

enum { F_NAME, F_UNIT, F_DIRECTION, F_AGGREGATION, F_BUCKET, F_COUNT };
enum { L_METRIC, L_LAG, L_COUNT };

static const char *const directions[] = {"higher_is_better", "lower_is_better", NULL};
static const char *const aggregations[] = {"sum", "mean", "last", NULL};
static const char *const buckets[] = {"day", "week", NULL};

static const gf_field kpi_fields[] = {
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_UNIT] = {"unit", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 32},
    [F_DIRECTION] = {"direction", GF_F_ENUM, GF_REQUIRED, directions, 0, 0, 0},
    [F_AGGREGATION] = {"aggregation", GF_F_ENUM, GF_REQUIRED, aggregations, 0, 0, 0},
    [F_BUCKET] = {"bucket", GF_F_ENUM, GF_REQUIRED, buckets, 0, 0, 0},
};

static const gf_field leads_fields[] = {
    [L_METRIC] = {"metric", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [L_LAG] = {"lag_days", GF_F_INT, GF_REQUIRED, NULL, 0, 365, 0},
};

/* Prefixes err's field with prefix (e.g. "leads_to." or "[3]."). */
static void prefix_field(gf_err *err, const char *prefix)
{
    char field[sizeof err->field];
    size_t n = strlen(prefix);
    if (n >= sizeof field)
        return;
    memcpy(field, prefix, n);
    snprintf(field + n, sizeof field - n, "%.*s", (int)(sizeof field - n - 1), err->field);
    memcpy(err->field, field, sizeof field);
}

/* 422 naming "key" unless the path key is a valid KPI key (and not the reserved "bookings"). */
static int check_key(const char *key, gf_err *err)
{
    if (gf_validate_text("key", GF_F_KEY, key, err) < 0)
        return -1;
    if (strcmp(key, "bookings") == 0)
        return gf_err_invalid(err, "key", "bookings is the built-in metric, not a KPI key");
    return 0;
}

void gf_api_kpi_put(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v = {0}, lv = {0};
    json_t *body = json_deep_copy(req->body), *kpi = NULL;
    json_t *leads = json_is_object(body) ? json_incref(json_object_get(body, "leads_to")) : NULL;
    int created = 0;
    if (leads)
        json_object_del(body, "leads_to");
    if (check_key(req->params[0], &err) < 0 ||
        gf_validate(body, kpi_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto done;
    if (leads && !json_is_null(leads)) {
        if (!json_is_object(leads)) {
            gf_err_invalid(&err, "leads_to", "leads_to must be an object {metric, lag_days}");
            goto done;
        }
        if (gf_validate(leads, leads_fields, L_COUNT, GF_V_CREATE, &lv, &err) < 0) {
            prefix_field(&err, "leads_to.");
            goto done;
        }
    }
    gf_kpi_fields f = {req->params[0],          gf_val(&v, F_NAME),        gf_val(&v, F_UNIT),
                       gf_val(&v, F_DIRECTION), gf_val(&v, F_AGGREGATION), gf_val(&v, F_BUCKET),
                       gf_val(&lv, L_METRIC),   gf_val(&lv, L_LAG)};
    kpi = gf_store_kpi_put(req->who.org_id, &f, &created, &err);
done:
    gf_values_clear(&v);
    gf_values_clear(&lv);
    json_decref(leads);
    json_decref(body);
    if (kpi)
        gf_resp_json(resp, created ? 201 : 200, kpi);
    else
        gf_resp_error(resp, &err);
}

void gf_api_kpi_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *kpi = gf_store_kpi_get(req->who.org_id, req->params[0], &err);
    gf_resp_result(resp, 200, kpi, &err);
}

void gf_api_kpis_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_kpi_list(req->who.org_id, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

/* Checks item i ({date, value}, nothing else) into days[i], values[i]; 422 naming "[i].x". */
static int check_observation(const json_t *item, size_t i, int *day, double *value, gf_err *err)
{
    char field[48];
    if (!json_is_object(item)) {
        snprintf(field, sizeof field, "[%zu]", i);
        return gf_err_invalid(err, field, "%s must be an object {date, value}", field);
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)item, name, v)
    {
        if (strcmp(name, "date") != 0 && strcmp(name, "value") != 0) {
            snprintf(field, sizeof field, "[%zu].%.32s", i, name);
            return gf_err_invalid(err, field, "unknown field %s", field);
        }
    }
    const json_t *d = json_object_get(item, "date"), *x = json_object_get(item, "value");
    if (!json_is_string(d) || gf_date_parse(json_string_value(d), day) < 0) {
        snprintf(field, sizeof field, "[%zu].date", i);
        return gf_err_invalid(err, field, "%s must be a date YYYY-MM-DD", field);
    }
    if (!json_is_number(x) || !isfinite(json_number_value(x)) ||
        fabs(json_number_value(x)) > 1e15) {
        snprintf(field, sizeof field, "[%zu].value", i);
        return gf_err_invalid(err, field, "%s must be a number between -10^15 and 10^15", field);
    }
    *value = json_number_value(x);
    return 0;
}

typedef struct day_index {
    int day;
    size_t i;
} day_index;

static int cmp_day_index(const void *a, const void *b)
{
    const day_index *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* 422 naming "[j].date" for the first item j whose date an earlier item already has. */
static int check_unique_days(const int *days, size_t n, gf_err *err)
{
    day_index *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return gf_err_internal(err);
    for (size_t i = 0; i < n; i++)
        sorted[i] = (day_index){days[i], i};
    qsort(sorted, n, sizeof *sorted, cmp_day_index);
    size_t first = n;
    for (size_t k = 1; k < n; k++)
        if (sorted[k].day == sorted[k - 1].day && sorted[k].i < first)
            first = sorted[k].i;
    free(sorted);
    if (first == n)
        return 0;
    char field[48];
    snprintf(field, sizeof field, "[%zu].date", first);
    return gf_err_invalid(err, field, "%s repeats the date of an earlier item", field);
}

void gf_api_kpi_observations_add(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int *days = NULL;
    double *values = NULL;
    json_t *out = NULL;
    size_t n = json_array_size(req->body);
    if (!json_is_array(req->body)) {
        gf_err_set(&err, GF_EMALFORMED, NULL, NULL,
                   "the request body must be a JSON array of {date, value}");
        goto done;
    }
    if (n < 1 || n > MAX_OBSERVATIONS) {
        gf_err_invalid(&err, NULL, "send 1 to %d observations", MAX_OBSERVATIONS);
        goto done;
    }
    days = malloc(n * sizeof *days);
    values = malloc(n * sizeof *values);
    if (!days || !values) {
        gf_err_internal(&err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (check_observation(json_array_get(req->body, i), i, &days[i], &values[i], &err) < 0)
            goto done;
    if (check_unique_days(days, n, &err) < 0)
        goto done;
    out = gf_store_kpi_observe(req->who.org_id, req->params[0], n, days, values, &err);
done:
    free(days);
    free(values);
    gf_resp_result(resp, 200, out, &err);
}

/* The observations' page function for a streamed CSV: args are the key, from and to. */
static json_t *observation_page(int64_t org_id, char *const *args, int limit, int64_t after,
                                gf_err *err)
{
    return gf_store_kpi_observations(org_id, args[0], args[1], args[2], limit, after, err);
}

void gf_api_kpi_observations_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit, from_day = 0, to_day = 0;
    int64_t after;
    json_t *page = NULL;
    const char *from = gf_req_query(req, "from"), *to = gf_req_query(req, "to");
    if (gf_api_page_params(req, &limit, &after, &err) < 0)
        goto done;
    if (from && gf_date_parse(from, &from_day) < 0) {
        gf_err_invalid(&err, "from", "from must be a date YYYY-MM-DD");
        goto done;
    }
    if (to && (gf_date_parse(to, &to_day) < 0 || (from && to_day < from_day))) {
        gf_err_invalid(&err, "to", "to must be a date YYYY-MM-DD not before from");
        goto done;
    }
    page = gf_store_kpi_observations(req->who.org_id, req->params[0], from, to, limit, after, &err);
    const char *args[] = {req->params[0], from, to};
    if (page)
        gf_api_stream_pages(resp, page, observation_page, req->who.org_id, args, 3);
done:
    gf_resp_result(resp, 200, page, &err);
}

void gf_api_kpi_forecast(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_forecast_req fr;
    json_t *body = NULL;
    const gf_svc_forecast_args a = {
        .period = gf_req_query(req, "period"),
        .scope = gf_req_query(req, "scope"),
        .as_of = gf_req_query(req, "as_of"),
        .trials = gf_req_query(req, "trials"),
        .seed = gf_req_query(req, "seed"),
    };
    if (gf_svc_forecast_req_parse(req->who.org_id, &a, &fr, &err) == 0) {
        fr.request_id = req->request_id;
        body = gf_svc_kpi_forecast_answer(&fr, req->params[0], a.trials != NULL, &err);
    }
    gf_resp_result(resp, 200, body, &err);
}
