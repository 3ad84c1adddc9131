/* scorecard.c — what a rep's scorecard reads besides the history and the commits: the rep, the
 * peers it is compared with, and the source of their deals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/date.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

/* The rep and its team's key (NULL when it has none). */
static const gf_stmt sc_rep = {
    "sc_rep", "SELECT r.id, t.key FROM reps r LEFT JOIN teams t ON t.id = r.team_id "
              "WHERE r.org_id = $1 AND r.key = $2"};

/* The reps of team $2 and its sub-teams, or every rep of the org when $2 is NULL. */
static const gf_stmt sc_peers = {
    "sc_peers", "WITH RECURSIVE t(id) AS (SELECT id FROM teams WHERE org_id = $1 AND key = $2 "
                "UNION SELECT c.id FROM teams c JOIN t ON c.parent_id = t.id WHERE c.org_id = $1) "
                "SELECT r.id FROM reps r WHERE r.org_id = $1 "
                "AND ($2::text IS NULL OR r.team_id IN (SELECT id FROM t)) ORDER BY r.id"};

/* The source of each live deal of the reps $2 created before $3, by deal id. */
static const gf_stmt sc_sources = {
    "sc_sources", "SELECT id, CASE source WHEN 'marketing' THEN 0 WHEN 'sales' THEN 1 "
                  "WHEN 'partner' THEN 2 ELSE 3 END FROM deals WHERE org_id = $1 "
                  "AND owner_id = ANY ($2::bigint[]) AND deleted_at IS NULL "
                  "AND created_on < $3::date ORDER BY id"};

const char *const gf_store_sources[GF_STORE_SOURCES] = {"marketing", "sales", "partner", "other"};

char *gf_store__id_array(const int64_t *ids, size_t n)
{
    char *s = malloc(3 + 21 * n), *p = s;
    if (!s)
        return NULL;
    *p++ = '{';
    for (size_t k = 0; k < n; k++)
        p += sprintf(p, k ? ",%lld" : "%lld", (long long)ids[k]);
    *p++ = '}';
    *p = '\0';
    return s;
}

void gf_store__date_array(const gf_period *periods, size_t n, int which, char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "{");
    for (size_t k = 0; k < n && len + 12 < cap; k++) {
        char d[11];
        gf_date_format(which ? periods[k].end : periods[k].start, d);
        len += (size_t)snprintf(out + len, cap - len, k ? ",%s" : "%s", d);
    }
    snprintf(out + len, cap - len, "}");
}

int gf_store_scorecard_rep(int64_t org_id, const char *key, gf_store_peers *out, gf_err *err)
{
    memset(out, 0, sizeof *out);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    PGresult *res = gf_db_exec_args(&sc_rep, &a, err);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return gf_err_not_found(err, "rep");
    }
    out->rep_id = gf_db_int64(res, 0, 0);
    const char *team = gf_db_text(res, 0, 1);
    snprintf(out->team, sizeof out->team, "%s", team ? team : "");
    PQclear(res);
    gf_db_args b = {0};
    gf_db_arg_i64(&b, org_id);
    gf_db_arg_text(&b, out->team[0] ? out->team : NULL);
    res = gf_db_exec_args(&sc_peers, &b, err);
    if (!res)
        return -1;
    const size_t n = (size_t)PQntuples(res);
    out->ids = malloc((n ? n : 1) * sizeof *out->ids);
    if (!out->ids) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (size_t k = 0; k < n; k++)
        out->ids[k] = gf_db_int64(res, (int)k, 0);
    out->n = n;
    PQclear(res);
    return 0;
}

void gf_store_peers_free(gf_store_peers *p)
{
    if (!p)
        return;
    free(p->ids);
    memset(p, 0, sizeof *p);
}

int gf_store_scorecard_sources(int64_t org_id, const int64_t *rep_ids, size_t n_reps, int before,
                               int64_t **deal_ids, uint8_t **sources, size_t *n, gf_err *err)
{
    *deal_ids = NULL;
    *sources = NULL;
    *n = 0;
    char *ids = gf_store__id_array(rep_ids, n_reps);
    if (!ids)
        return gf_err_internal(err);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, ids);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&sc_sources, &a, err);
    free(ids);
    if (!res)
        return -1;
    const size_t m = (size_t)PQntuples(res);
    *deal_ids = malloc((m ? m : 1) * sizeof **deal_ids);
    *sources = malloc(m ? m : 1);
    if (!*deal_ids || !*sources) {
        free(*deal_ids);
        free(*sources);
        *deal_ids = NULL;
        *sources = NULL;
        PQclear(res);
        return gf_err_internal(err);
    }
    for (size_t r = 0; r < m; r++) {
        (*deal_ids)[r] = gf_db_int64(res, (int)r, 0);
        (*sources)[r] = (uint8_t)gf_db_int64(res, (int)r, 1);
    }
    *n = m;
    PQclear(res);
    return 0;
}
