/* keyed.c — the upsert, by-key, page and delete shapes of keyed, org-owned rows (keyed.h). */
#include "keyed.h"

json_t *gf_store__upsert(const gf_stmt *stmt, const gf_db_args *args, const char *what,
                         int *created, gf_err *err)
{
    int64_t was_created = 0;
    json_t *out = gf_db_one_json(stmt, args, 1, what, &was_created, err);
    if (out && created)
        *created = (int)was_created;
    return out;
}

json_t *gf_store__by_key(const gf_stmt *stmt, int64_t org_id, const char *key, const char *what,
                         gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    return gf_db_one_json(stmt, &a, 0, what, NULL, err);
}

json_t *gf_store__page(const gf_stmt *stmt, int64_t org_id, int limit, int64_t after, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, after);
    return gf_db_list(stmt, &a, 0, 1, limit, err);
}

int gf_store__delete_by_key(const gf_stmt *stmt, int64_t org_id, const char *key, const char *what,
                            gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    PGresult *res = gf_db_exec_args(stmt, &a, err);
    if (!res)
        return err->code;
    const int rows = PQntuples(res);
    PQclear(res);
    return rows ? 0 : gf_err_not_found(err, what);
}
