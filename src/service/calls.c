/* calls.c — the human calls beside the model's P50 for a scope and period: the rep's call (the
 * latest commit submitted for it) and the manager's call (the latest adjustment), as forecasts
 * and roll-ups show them. */
#include "gapforge/store.h"
#include "gapforge/store_adjustments.h"
#include "service_internal.h"

/* The rep call of a commit document (gf_commit_json): {id, value, best_case, notes, at}; JSON
 * null for null. New reference. */
static json_t *rep_call_of(const json_t *commit)
{
    if (!json_is_object(commit))
        return json_null();
    return json_pack(
        "{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(commit, "id"), "value",
        json_object_get(commit, "commit"), "best_case", json_object_get(commit, "best_case"),
        "notes", json_object_get(commit, "notes"), "at", json_object_get(commit, "submitted_at"));
}

json_t *gf_svc__rep_call(const json_t *latest_commit)
{
    json_t *call = rep_call_of(latest_commit);
    return call ? call : json_null();
}

int gf_svc__calls(int64_t org_id, const char *scope, const gf_period *period, int as_of,
                  json_t **rep_call, json_t **manager_call, gf_err *err)
{
    *rep_call = *manager_call = NULL;
    json_t *commit = gf_store_forecast_latest_commit(org_id, scope, period, as_of, err);
    if (!commit)
        return err->code;
    *rep_call = gf_svc__rep_call(commit);
    json_decref(commit);
    *manager_call = gf_store_adjustment_latest(org_id, scope, period, as_of, err);
    if (!*manager_call) {
        json_decref(*rep_call);
        *rep_call = NULL;
        return err->code;
    }
    return 0;
}
