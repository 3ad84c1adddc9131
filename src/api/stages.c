/* stages.c — GET /v1/stages (read) and PUT /v1/stages (write): the ordered stage list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

/* An upper bound on the list: real pipelines have a handful of stages, and the model keeps
 * per-stage state. A forecast also needs at least one won and one lost stage (checked below). */
#define MAX_STAGES 50

static const char *const stage_kinds[] = {"open", "won", "lost", NULL};

enum { F_KEY, F_NAME, F_KIND, F_PROB, F_COUNT };

static const gf_field stage_fields[] = {
    [F_KEY] = {"key", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_KIND] = {"kind", GF_F_ENUM, GF_REQUIRED, stage_kinds, 0, 0, 0},
    [F_PROB] = {"probability", GF_F_PROB, GF_REQUIRED, NULL, 0, 0, 0},
};

/* {"items": items, "next_cursor": null}, stealing items; NULL (err set) when items is. */
static json_t *wrap_list(json_t *items, gf_err *err)
{
    if (!items)
        return NULL;
    json_t *page = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    if (!page)
        gf_err_internal(err);
    return page;
}

void gf_api_stages_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *page = wrap_list(gf_store_stage_list(req->who.org_id, &err), &err);
    gf_resp_result(resp, 200, page, &err);
}

/* Rewrites an item's validation error so that it names the item: field "items[3].key". */
static void name_item(gf_err *err, size_t i)
{
    char field[sizeof err->field + 32], message[sizeof err->message + 32];
    if (err->field[0])
        snprintf(field, sizeof field, "items[%zu].%s", i, err->field);
    else
        snprintf(field, sizeof field, "items[%zu]", i);
    snprintf(message, sizeof message, "items[%zu]: %s", i, err->message);
    gf_err_invalid(err, field, "%s", message);
}

/* Validates item i into values; returns 0 or -1 (422 naming items[i] or items[i].field). */
static int check_item(const json_t *item, size_t i, gf_values *v, gf_err *err)
{
    if (!json_is_object(item)) {
        memset(v, 0, sizeof *v);
        gf_err_invalid(err, NULL, "must be an object with key, name, kind and probability");
        name_item(err, i);
        return -1;
    }
    if (gf_validate(item, stage_fields, F_COUNT, GF_V_CREATE, v, err) < 0) {
        name_item(err, i);
        return -1;
    }
    return 0;
}

/* 422 naming items[i].key, which repeats the key of items[j]. */
static int duplicate_key(gf_err *err, size_t i, size_t j, const char *key)
{
    char field[32];
    snprintf(field, sizeof field, "items[%zu].key", i);
    return gf_err_invalid(err, field, "items[%zu].key %s repeats items[%zu].key", i, key, j);
}

/* Checks the whole list: size, each item, unique keys, a won and a lost stage. Fills out[] with
 * text borrowed from vals[] (which the caller clears). Returns 0 or -1 (422). */
static int check_list(const json_t *body, gf_values *vals, gf_stage_fields *out, size_t *n,
                      gf_err *err)
{
    *n = 0;
    if (!json_is_object(body))
        return gf_err_set(err, GF_EMALFORMED, NULL, NULL, "the request body must be a JSON object");
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)body, name, value)
    {
        if (strcmp(name, "items") != 0)
            return gf_err_invalid(err, name, "unknown field %s", name);
    }
    const json_t *items = json_object_get(body, "items");
    if (!json_is_array(items))
        return gf_err_invalid(err, "items", "items must be an array of stages");
    size_t count = json_array_size(items);
    if (count == 0)
        return gf_err_invalid(err, "items", "items must list at least one stage");
    if (count > MAX_STAGES)
        return gf_err_invalid(err, "items", "items may list at most %d stages", MAX_STAGES);
    bool won = false, lost = false;
    for (size_t i = 0; i < count; i++) {
        if (check_item(json_array_get(items, i), i, &vals[i], err) < 0)
            return -1;
        *n = i + 1;
        out[i] = (gf_stage_fields){gf_val(&vals[i], F_KEY), gf_val(&vals[i], F_NAME),
                                   gf_val(&vals[i], F_KIND), gf_val(&vals[i], F_PROB)};
        for (size_t j = 0; j < i; j++)
            if (strcmp(out[j].key, out[i].key) == 0)
                return duplicate_key(err, i, j, out[i].key);
        won |= strcmp(out[i].kind, "won") == 0;
        lost |= strcmp(out[i].kind, "lost") == 0;
    }
    if (!won || !lost)
        return gf_err_invalid(err, "items",
                              "items must include a stage of kind won and one of kind lost");
    return 0;
}

void gf_api_stages_replace(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values vals[MAX_STAGES];
    gf_stage_fields items[MAX_STAGES];
    size_t n = 0;
    json_t *page = NULL;
    if (check_list(req->body, vals, items, &n, &err) == 0)
        page = wrap_list(gf_store_stage_replace(req->who.org_id, items, n, &err), &err);
    for (size_t i = 0; i < n; i++)
        gf_values_clear(&vals[i]);
    gf_resp_result(resp, 200, page, &err);
}
