/* history_build.c — assembling the deals and events read by history_copy.c into the model's
 * arrays, the data digest, and scope membership (which reps a scope covers, the deal mask). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/store.h"
#include "history_internal.h"

/* Stable insertion sort of one deal's event indices by time (they mostly arrive sorted). */
static void sort_by_time(const hist_event *ev, uint32_t *idx, size_t n)
{
    for (size_t k = 1; k < n; k++) {
        uint32_t x = idx[k];
        size_t j = k;
        while (j > 0 && ev[idx[j - 1]].at > ev[x].at) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = x;
    }
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

static uint64_t digest(const gf_store_history *h)
{
    uint64_t d = mix(0, h->h.n_deals);
    for (size_t s = 0; s < h->h.n_stages; s++) {
        uint64_t bits;
        memcpy(&bits, &h->stages[s].default_prob, sizeof bits);
        d = mix(mix(d, (uint64_t)h->stages[s].kind), bits);
    }
    for (size_t i = 0; i < h->h.n_deals; i++) {
        const gf_model_deal *x = &h->deals[i];
        d = mix(d, (uint64_t)x->id);
        d = mix(d, (uint64_t)x->amount_cents ^ ((uint64_t)(uint32_t)x->created_day << 40));
        d = mix(d, (uint64_t)h->owner[i] ^ ((uint64_t)h->category[i] << 56));
        for (size_t k = 0; k < x->n_timeline; k++)
            d = mix(d,
                    (uint64_t)(uint32_t)x->timeline[k].day << 32 | (uint32_t)x->timeline[k].stage);
        for (size_t k = 0; k < x->n_amounts; k++)
            d = mix(mix(d, (uint64_t)(uint32_t)x->amounts[k].day), (uint64_t)x->amounts[k].value);
        for (size_t k = 0; k < x->n_close_dates; k++)
            d = mix(mix(d, (uint64_t)(uint32_t)x->close_dates[k].day ^ 0xc1u),
                    (uint64_t)x->close_dates[k].value);
    }
    return d;
}

int gf_store__history_assemble(gf_store_history *h, hist_deals *raw, gf_err *err)
{
    const size_t n = raw->n, ne = raw->n_ev;
    uint32_t *start = calloc(n + 1, sizeof *start), *order = malloc((ne ? ne : 1) * sizeof *order);
    size_t n_stage = 0, n_change = 0;
    int rc = -1;
    h->deals = calloc(n ? n : 1, sizeof *h->deals);
    if (!start || !order || !h->deals)
        goto done;
    for (size_t k = 0; k < ne; k++) {
        start[raw->ev[k].deal + 1]++;
        n_stage += raw->ev[k].kind == HE_STAGE;
        n_change += raw->ev[k].kind == HE_AMOUNT || raw->ev[k].kind == HE_CLOSE;
    }
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    {
        uint32_t *fill = malloc((n ? n : 1) * sizeof *fill);
        if (!fill)
            goto done;
        memcpy(fill, start, n * sizeof *fill);
        for (size_t k = 0; k < ne; k++)
            order[fill[raw->ev[k].deal]++] = (uint32_t)k;
        free(fill);
    }
    h->transitions = malloc((n_stage + 2 * n + 1) * sizeof *h->transitions);
    h->changes = malloc((n_change + 1) * sizeof *h->changes);
    if (!h->transitions || !h->changes)
        goto done;
    size_t nt = 0, nc = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t *idx = order + start[i];
        const size_t m = start[i + 1] - start[i];
        sort_by_time(raw->ev, idx, m);
        gf_model_deal *d = &h->deals[i];
        d->id = raw->id[i];
        d->created_day = raw->created[i];
        d->amount_cents = raw->amount[i];
        d->timeline = h->transitions + nt;
        int seen_stage = 0, seen_amount = 0;
        for (size_t k = 0; k < m; k++) {
            const hist_event *e = &raw->ev[idx[k]];
            if (e->kind == HE_STAGE) {
                if (!seen_stage++ && e->old_stage >= 0)
                    h->transitions[nt++] = (gf_model_transition){
                        e->day < d->created_day ? e->day : d->created_day, e->old_stage};
                h->transitions[nt++] = (gf_model_transition){e->day, (int32_t)e->value};
            } else if (e->kind == HE_CATEGORY)
                h->category[i] = (uint8_t)e->value;
            else if (e->kind == HE_AMOUNT && !seen_amount++)
                d->amount_cents = e->value;
        }
        if (!seen_stage)
            h->transitions[nt++] = (gf_model_transition){d->created_day, raw->stage[i]};
        d->n_timeline = (size_t)(h->transitions + nt - d->timeline);
        d->amounts = h->changes + nc;
        for (size_t k = 0, a = 0; k < m; k++) {
            const hist_event *e = &raw->ev[idx[k]];
            if (e->kind == HE_AMOUNT && a++)
                h->changes[nc++] = (gf_model_change){e->day, e->value};
        }
        d->n_amounts = (size_t)(h->changes + nc - d->amounts);
        d->close_dates = h->changes + nc;
        for (size_t k = 0; k < m; k++) {
            const hist_event *e = &raw->ev[idx[k]];
            if (e->kind == HE_CLOSE)
                h->changes[nc++] = (gf_model_change){e->day, e->value};
        }
        d->n_close_dates = (size_t)(h->changes + nc - d->close_dates);
    }
    h->h.deals = h->deals;
    h->h.n_deals = n;
    h->digest = digest(h);
    h->bytes = sizeof *h + n * (sizeof *h->deals + sizeof *h->owner + sizeof *h->category) +
               (n_stage + 2 * n + 1) * sizeof *h->transitions + (n_change + 1) * sizeof *h->changes;
    rc = 0;
done:
    free(start);
    free(order);
    return rc < 0 ? gf_err_internal(err) : 0;
}

/* ---- scopes ---- */

static const gf_stmt hist_team_reps = {
    "hist_team_reps",
    "WITH RECURSIVE t(id) AS (SELECT id FROM teams WHERE org_id = $1 AND key = $2 "
    "UNION SELECT c.id FROM teams c JOIN t ON c.parent_id = t.id WHERE c.org_id = $1) "
    "SELECT r.id FROM reps r WHERE r.org_id = $1 AND r.team_id IN (SELECT id FROM t) "
    "ORDER BY r.id"};

static const gf_stmt hist_rep_id = {"hist_rep_id",
                                    "SELECT id FROM reps WHERE org_id = $1 AND key = $2"};

/* Direct children of team $2 (or of the org when $2 is NULL): teams, then reps. */
static const gf_stmt hist_children = {
    "hist_children",
    "SELECT * FROM (SELECT 'team:' || t.key FROM teams t WHERE t.org_id = $1 "
    "AND t.parent_id IS NOT DISTINCT FROM (SELECT id FROM teams WHERE org_id = $1 AND key = $2) "
    "AND ($2::text IS NULL OR t.parent_id IS NOT NULL) ORDER BY t.key) w "
    "UNION ALL SELECT * FROM (SELECT 'rep:' || r.key FROM reps r WHERE r.org_id = $1 "
    "AND r.team_id IS NOT DISTINCT FROM (SELECT id FROM teams WHERE org_id = $1 AND key = $2) "
    "AND ($2::text IS NULL OR r.team_id IS NOT NULL) ORDER BY r.key) x"};

int gf_store_scope_reps(int64_t org_id, const char *scope, const char *field, int *all,
                        int64_t **ids, size_t *n, gf_err *err)
{
    gf_scope_ids sid;
    *all = 0;
    *ids = NULL;
    *n = 0;
    if (gf_store_scope_resolve(org_id, scope, field, &sid, err) < 0)
        return -1;
    if (!sid.team_id[0] && !sid.rep_id[0]) {
        *all = 1;
        return 0;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, strchr(scope, ':') + 1);
    PGresult *res = gf_db_exec_args(sid.team_id[0] ? &hist_team_reps : &hist_rep_id, &a, err);
    if (!res)
        return -1;
    size_t rows = (size_t)PQntuples(res);
    *ids = malloc((rows ? rows : 1) * sizeof **ids);
    if (!*ids) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (size_t k = 0; k < rows; k++)
        (*ids)[k] = gf_db_int64(res, (int)k, 0);
    *n = rows;
    PQclear(res);
    return 0;
}

void gf_store_history_mask(const gf_store_history *h, const int64_t *ids, size_t n, uint8_t *mask)
{
    for (size_t i = 0; i < h->h.n_deals; i++) {
        const int64_t o = h->owner[i];
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ids[mid] < o)
                lo = mid + 1;
            else
                hi = mid;
        }
        mask[i] = o != 0 && lo < n && ids[lo] == o;
    }
}

/* The rows of hist_children for scope (org or a team of the org); NULL with err (invalid on
 * field for a rep or a malformed or unknown scope). */
static PGresult *children_rows(int64_t org_id, const char *scope, const char *field, gf_err *err)
{
    gf_scope_ids sid;
    if (gf_store_scope_resolve(org_id, scope, field, &sid, err) < 0)
        return NULL;
    if (sid.rep_id[0]) {
        gf_err_invalid(err, field, "%s: a roll-up needs org or team:KEY", field);
        return NULL;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, sid.team_id[0] ? strchr(scope, ':') + 1 : NULL);
    return gf_db_exec_args(&hist_children, &a, err);
}

int gf_store_scope_children_list(int64_t org_id, const char *scope, const char *field,
                                 gf_store_scopes *out, gf_err *err)
{
    out->n = 0;
    out->scope = NULL;
    PGresult *res = children_rows(org_id, scope, field, err);
    if (!res)
        return -1;
    int rc = -1;
    size_t n = (size_t)PQntuples(res);
    out->scope = calloc(n ? n : 1, sizeof *out->scope);
    if (!out->scope) {
        gf_err_internal(err);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        const char *text = PQgetvalue(res, (int)k, 0);
        /* A key too long to fit would name another scope once cut: refuse it. */
        if (strlen(text) >= sizeof out->scope[k]) {
            gf_err_internal(err);
            goto done;
        }
        memcpy(out->scope[k], text, strlen(text) + 1);
    }
    out->n = n;
    rc = 0;
done:
    if (rc < 0)
        gf_store_scopes_free(out);
    PQclear(res);
    return rc;
}

void gf_store_scopes_free(gf_store_scopes *s)
{
    if (!s)
        return;
    free(s->scope);
    s->scope = NULL;
    s->n = 0;
}
