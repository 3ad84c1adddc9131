/* idempotency.c — the Idempotency-Key ledger (store_idempotency.h). Each call is one statement
 * in its own transaction, apart from the handler's: the claim commits before the request runs
 * (so a concurrent duplicate sees it) and the answer after. */
#include "gapforge/store_idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* Inserts the claim, or takes over an expired or abandoned row; a row comes back only then. */
static const gf_stmt idem_claim = {
    "idem_claim",
    "INSERT INTO idempotency_keys AS k (org_id, key, request_hash, method, path) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, key) DO UPDATE SET "
    "request_hash = EXCLUDED.request_hash, method = EXCLUDED.method, path = EXCLUDED.path, "
    "status = NULL, response = NULL, location = NULL, created_at = now(), finished_at = NULL "
    "WHERE k.created_at < now() - interval '24 hours' OR "
    "(k.status IS NULL AND k.created_at < now() - interval '10 minutes') RETURNING true"};

static const gf_stmt idem_read = {
    "idem_read", "SELECT request_hash, status, response, coalesce(location, '') FROM "
                 "idempotency_keys WHERE org_id = $1 AND key = $2"};

static const gf_stmt idem_finish = {
    "idem_finish", "UPDATE idempotency_keys SET status = $3, response = $4, location = "
                   "nullif($5, ''), finished_at = now() WHERE org_id = $1 AND key = $2"};

static const gf_stmt idem_release = {
    "idem_release",
    "DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND status IS NULL"};

int gf_store_idem_claim(int64_t org_id, const char *key, const char *hash, const char *method,
                        const char *path, gf_idem_state *state, gf_idem_answer *answer, gf_err *err)
{
    memset(answer, 0, sizeof *answer);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, hash);
    gf_db_arg_text(&a, method);
    gf_db_arg_text(&a, path);
    PGresult *res = gf_db_exec_args(&idem_claim, &a, err);
    if (!res)
        return -1;
    const int claimed = PQntuples(res) == 1;
    PQclear(res);
    if (claimed) {
        *state = GF_IDEM_CLAIMED;
        return 0;
    }
    gf_db_args r = {0};
    gf_db_arg_i64(&r, org_id);
    gf_db_arg_text(&r, key);
    res = gf_db_exec_args(&idem_read, &r, err);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) { /* released between the two statements: claim again */
        PQclear(res);
        return gf_store_idem_claim(org_id, key, hash, method, path, state, answer, err);
    }
    if (strcmp(PQgetvalue(res, 0, 0), hash) != 0)
        *state = GF_IDEM_MISMATCH;
    else if (PQgetisnull(res, 0, 1))
        *state = GF_IDEM_IN_PROGRESS;
    else {
        *state = GF_IDEM_DONE;
        answer->status = atoi(PQgetvalue(res, 0, 1));
        if (!PQgetisnull(res, 0, 2)) {
            answer->body = strdup(PQgetvalue(res, 0, 2));
            if (!answer->body) {
                PQclear(res);
                return gf_err_internal(err);
            }
        }
        snprintf(answer->location, sizeof answer->location, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return 0;
}

int gf_store_idem_finish(int64_t org_id, const char *key, int status, const char *body,
                         const char *location, gf_err *err)
{
    char st[8];
    snprintf(st, sizeof st, "%d", status);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, st);
    if (body)
        gf_db_arg_text(&a, body);
    else
        gf_db_arg_null(&a);
    gf_db_arg_text(&a, location ? location : "");
    return gf_db_run(&idem_finish, &a, err);
}

void gf_store_idem_release(int64_t org_id, const char *key)
{
    gf_err err = {0};
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    if (gf_db_run(&idem_release, &a, &err) < 0)
        return; /* logged; the claim is then abandoned and taken over after ten minutes */
}
