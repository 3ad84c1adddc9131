/* deals.c — /v1/deals: create, upsert by external id, read, patch, soft delete, history and
 * the filtered, keyset-paginated list. The change and history rules live in the store. */
#include <stdio.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

static const char *const categories[] = {"pipeline", "best_case", "commit", "omitted", NULL};
static const char *const sources[] = {"marketing", "sales", "partner", "other", NULL};
static const char *const statuses[] = {"open", "won", "lost", NULL};

/* The body of every deal write, indexed by gf_deal_field. */
static const gf_field deal_fields[GF_DEAL_NFIELDS] = {
    [GF_DEAL_EXTERNAL_ID] = {"external_id", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 128},
    [GF_DEAL_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 500},
    [GF_DEAL_ACCOUNT] = {"account", GF_F_TEXT, GF_NULLABLE, NULL, 0, 0, 500},
    [GF_DEAL_OWNER] = {"owner", GF_F_KEY, GF_NULLABLE, NULL, 0, 0, 0},
    [GF_DEAL_AMOUNT] = {"amount", GF_F_MONEY, GF_REQUIRED, NULL, 0, 0, 0},
    [GF_DEAL_STAGE] = {"stage", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [GF_DEAL_CATEGORY] = {"category", GF_F_ENUM, 0, categories, 0, 0, 0},
    [GF_DEAL_SOURCE] = {"source", GF_F_ENUM, 0, sources, 0, 0, 0},
    [GF_DEAL_CREATED_ON] = {"created_on", GF_F_DATE, 0, NULL, 0, 0, 0},
    [GF_DEAL_CLOSE_DATE] = {"close_date", GF_F_DATE, GF_NULLABLE, NULL, 0, 0, 0},
    [GF_DEAL_CLOSED_ON] = {"closed_on", GF_F_DATE, GF_NULLABLE, NULL, 0, 0, 0},
    [GF_DEAL_EFFECTIVE_AT] = {"effective_at", GF_F_TIMESTAMP, 0, NULL, 0, 0, 0},
};

static gf_deal_input input_of(const gf_values *v)
{
    gf_deal_input in = {0};
    for (int i = 0; i < GF_DEAL_NFIELDS; i++) {
        in.given[i] = v->present[i];
        in.value[i] = gf_val(v, (size_t)i);
    }
    return in;
}

/* Validates body, runs the write and answers: 201 with Location on creation, else 200. */
static void write_deal(gf_req *req, gf_resp *resp, const json_t *body, gf_vmode vmode,
                       gf_deal_mode mode, int64_t deal_id)
{
    gf_err err = {0};
    gf_values v;
    if (gf_validate(body, deal_fields, GF_DEAL_NFIELDS, vmode, &v, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    gf_deal_input in = input_of(&v);
    gf_deal_outcome outcome = GF_DEAL_UNCHANGED;
    json_t *deal = gf_store_deal_write(req->who.org_id, deal_id, mode, &in, &outcome, &err);
    gf_values_clear(&v);
    if (!deal) {
        gf_resp_error(resp, &err);
        return;
    }
    if (outcome == GF_DEAL_CREATED)
        snprintf(resp->location, sizeof resp->location, "/v1/deals/%lld",
                 (long long)json_integer_value(json_object_get(deal, "id")));
    gf_resp_json(resp, outcome == GF_DEAL_CREATED ? 201 : 200, deal);
}

void gf_api_deals_create(gf_req *req, gf_resp *resp)
{
    write_deal(req, resp, req->body, GF_V_CREATE, GF_DEAL_CREATE, 0);
}

void gf_api_deal_put(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    const char *ext = req->params[0];
    if (!json_is_object(req->body)) {
        gf_err_set(&err, GF_EMALFORMED, NULL, NULL, "the request body must be a JSON object");
        gf_resp_error(resp, &err);
        return;
    }
    const json_t *given = json_object_get(req->body, "external_id");
    if (given && !(json_is_string(given) && strcmp(json_string_value(given), ext) == 0)) {
        gf_err_invalid(&err, "external_id", "external_id in the body must match the path");
        gf_resp_error(resp, &err);
        return;
    }
    json_t *body = json_copy(req->body);
    json_object_set_new(body, "external_id", json_string(ext));
    write_deal(req, resp, body, GF_V_CREATE, GF_DEAL_UPSERT, 0);
    json_decref(body);
}

void gf_api_deal_patch(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    if (gf_api_path_id(req->params[0], "deal", &id, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    write_deal(req, resp, req->body, GF_V_PATCH, GF_DEAL_PATCH, id);
}

void gf_api_deal_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    json_t *deal = NULL;
    if (gf_api_path_id(req->params[0], "deal", &id, &err) == 0)
        deal = gf_store_deal_get(req->who.org_id, id, &err);
    gf_resp_result(resp, 200, deal, &err);
}

void gf_api_deal_get_external(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *deal = gf_store_deal_get_external(req->who.org_id, req->params[0], &err);
    gf_resp_result(resp, 200, deal, &err);
}

void gf_api_deal_delete(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    json_t *deal = NULL;
    const char *eff = gf_req_query(req, "effective_at");
    if (gf_api_path_id(req->params[0], "deal", &id, &err) == 0 &&
        (!eff || gf_validate_text("effective_at", GF_F_TIMESTAMP, eff, &err) == 0))
        deal = gf_store_deal_delete(req->who.org_id, id, eff, &err);
    gf_resp_result(resp, 200, deal, &err);
}

void gf_api_deal_history(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    json_t *history = NULL;
    if (gf_api_path_id(req->params[0], "deal", &id, &err) == 0)
        history = gf_store_deal_history(req->who.org_id, id, &err);
    gf_resp_result(resp, 200, history, &err);
}

/* Reads the list filters from the query; returns 0 or -1 (422 naming the parameter). */
static int filter_params(const gf_req *req, gf_deal_filter *f, gf_err *err)
{
    memset(f, 0, sizeof *f);
    const struct {
        const char *name;
        gf_ftype type;
        const char **dst;
    } params[] = {
        {"stage", GF_F_KEY, &f->stage},        {"owner", GF_F_KEY, &f->owner},
        {"team", GF_F_KEY, &f->team},          {"close_from", GF_F_DATE, &f->close_from},
        {"close_to", GF_F_DATE, &f->close_to}, {"updated_since", GF_F_TIMESTAMP, &f->updated_since},
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        const char *text = gf_req_query(req, params[i].name);
        if (text && gf_validate_text(params[i].name, params[i].type, text, err) < 0)
            return -1;
        *params[i].dst = text;
    }
    f->status = gf_req_query(req, "status");
    if (f->status) {
        size_t i = 0;
        while (statuses[i] && strcmp(statuses[i], f->status) != 0)
            i++;
        if (!statuses[i])
            return gf_err_invalid(err, "status", "status must be one of: open, won, lost");
    }
    return 0;
}

/* The deal list's page function for a streamed CSV: args hold the filter's fields in order. */
static json_t *deal_page(int64_t org_id, char *const *args, int limit, int64_t after, gf_err *err)
{
    const gf_deal_filter f = {args[0], args[1], args[2], args[3], args[4], args[5], args[6]};
    return gf_store_deal_list(org_id, &f, limit, after, err);
}

void gf_api_deals_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    gf_deal_filter f;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0 && filter_params(req, &f, &err) == 0)
        page = gf_store_deal_list(req->who.org_id, &f, limit, after, &err);
    const char *args[] = {f.status,     f.stage,    f.owner,        f.team,
                          f.close_from, f.close_to, f.updated_since};
    if (page)
        gf_api_stream_pages(resp, page, deal_page, req->who.org_id, args, 7);
    gf_resp_result(resp, 200, page, &err);
}
