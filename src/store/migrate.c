/* migrate.c — reading the migrations folder and applying what is pending. */
#include "gapforge/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define MAX_MIGRATIONS 512

typedef struct migration_file {
    int version;
    char name[128];
} migration_file;

static const gf_stmt ensure_table = {
    "migrate_ensure",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"};
static const gf_stmt list_applied = {"migrate_list",
                                     "SELECT version FROM schema_migrations ORDER BY version"};
static const gf_stmt record_applied = {
    "migrate_record", "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)"};
/* Transaction-level, so that it holds through PgBouncer in transaction pooling too: every
 * transaction that changes the schema takes it first, and concurrent migrators run one at a
 * time, each looking again under it at what is applied. */
static const gf_stmt lock_stmt = {"migrate_lock", "SELECT pg_advisory_xact_lock(727274)"};
static const gf_stmt is_applied = {
    "migrate_is_applied", "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)"};
static const gf_stmt table_exists = {"migrate_exists",
                                     "SELECT to_regclass('schema_migrations') IS NOT NULL"};

static int cmp_file(const void *a, const void *b)
{
    return ((const migration_file *)a)->version - ((const migration_file *)b)->version;
}

/* Lists NNNN_*.sql files sorted by version. Returns the count or -1. */
static int read_dir(const char *dir, migration_file *files, gf_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return gf_err_set(err, GF_EINTERNAL, "migrations_missing", NULL,
                          "cannot read migrations folder %s (set GAPFORGE_MIGRATIONS)", dir);
    int n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (len < 9 || strcmp(nm + len - 4, ".sql") != 0)
            continue;
        if (!isdigit((unsigned char)nm[0]) || !isdigit((unsigned char)nm[1]) ||
            !isdigit((unsigned char)nm[2]) || !isdigit((unsigned char)nm[3]) || nm[4] != '_')
            continue;
        if (n == MAX_MIGRATIONS || len >= sizeof files[n].name)
            break;
        files[n].version = atoi(nm);
        memcpy(files[n].name, nm, len + 1);
        n++;
    }
    closedir(d);
    qsort(files, (size_t)n, sizeof *files, cmp_file);
    for (int i = 1; i < n; i++)
        if (files[i].version == files[i - 1].version)
            return gf_err_set(err, GF_EINTERNAL, "migrations_invalid", NULL,
                              "two migrations share version %04d", files[i].version);
    return n;
}

static bool on_disk(const migration_file *files, int n, int version)
{
    for (int i = 0; i < n; i++)
        if (files[i].version == version)
            return true;
    return false;
}

/* Fills st from the folder listing and the applied versions. */
static int compute_status(const migration_file *files, int n, gf_migration_status *st, gf_err *err)
{
    memset(st, 0, sizeof *st);
    st->latest_on_disk = n ? files[n - 1].version : 0;
    PGresult *ex = gf_db_exec_args(&table_exists, NULL, err);
    if (!ex)
        return -1;
    bool exists = strcmp(PQgetvalue(ex, 0, 0), "t") == 0;
    PQclear(ex);
    int applied[MAX_MIGRATIONS];
    int napplied = 0;
    if (exists) {
        PGresult *res = gf_db_exec_args(&list_applied, NULL, err);
        if (!res)
            return -1;
        for (int r = 0; r < PQntuples(res) && napplied < MAX_MIGRATIONS; r++)
            applied[napplied++] = atoi(PQgetvalue(res, r, 0));
        PQclear(res);
    }
    for (int i = 0; i < napplied; i++) {
        if (applied[i] > st->latest_applied)
            st->latest_applied = applied[i];
        if (!on_disk(files, n, applied[i])) {
            if (!st->unknown)
                snprintf(st->first_unknown, sizeof st->first_unknown, "%04d", applied[i]);
            st->unknown++;
        }
    }
    for (int i = 0; i < n; i++) {
        bool done = false;
        for (int j = 0; j < napplied && !done; j++)
            done = applied[j] == files[i].version;
        if (!done) {
            if (!st->pending)
                snprintf(st->first_pending, sizeof st->first_pending, "%s", files[i].name);
            st->pending++;
        }
    }
    return 0;
}

int gf_migrate_status(const char *dir, gf_migration_status *st, gf_err *err)
{
    migration_file *files = calloc(MAX_MIGRATIONS, sizeof *files);
    if (!files)
        return gf_err_internal(err);
    int n = read_dir(dir, files, err);
    int rc = n < 0 ? -1 : compute_status(files, n, st, err);
    free(files);
    return rc;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)size + 1);
            if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
                free(buf);
                buf = NULL;
            } else if (buf) {
                buf[size] = '\0';
            }
        }
    }
    fclose(f);
    return buf;
}

/* Applies one migration inside its own transaction, under the migration lock, unless a
 * concurrent migrator has applied it meanwhile. Returns 1 applied, 0 found applied, or -1. */
static int apply_one(const char *dir, const migration_file *m, gf_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, m->name);
    char *sql = read_file(path);
    if (!sql)
        return gf_err_set(err, GF_EINTERNAL, "migrations_missing", NULL, "cannot read %s", path);
    int rc = -1;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, m->version);
    gf_db_arg_text(&a, m->name);
    if (gf_db_begin(err) < 0 || gf_db_run(&lock_stmt, NULL, err) < 0)
        goto cleanup;
    gf_db_args v = {0};
    gf_db_arg_i64(&v, m->version);
    PGresult *res = gf_db_exec_args(&is_applied, &v, err);
    if (!res)
        goto cleanup;
    const bool applied = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (applied) {
        gf_db_rollback();
        free(sql);
        return 0;
    }
    if (gf_db_exec_script(sql, err) < 0) {
        gf_err_set(err, GF_EINTERNAL, "migration_failed", NULL,
                   "migration %s failed (see the log for the database's message)", m->name);
        goto cleanup;
    }
    if (gf_db_run(&record_applied, &a, err) < 0)
        goto cleanup;
    rc = gf_db_commit(err) < 0 ? -1 : 1;
cleanup:
    if (rc < 0)
        gf_db_rollback();
    free(sql);
    return rc;
}

/* Applies every pending file in order; returns the number applied or -1. */
static int apply_pending(const char *dir, const migration_file *files, int n, FILE *out,
                         gf_err *err)
{
    /* Two CREATE TABLE IF NOT EXISTS at once may collide: under the lock too. */
    if (gf_db_begin(err) < 0)
        return -1;
    if (gf_db_run(&lock_stmt, NULL, err) < 0 || gf_db_run(&ensure_table, NULL, err) < 0) {
        gf_db_rollback();
        return -1;
    }
    if (gf_db_commit(err) < 0)
        return -1;
    gf_migration_status st;
    if (compute_status(files, n, &st, err) < 0)
        return -1;
    if (st.unknown)
        return gf_err_set(err, GF_ECONFLICT, "schema_too_new", NULL,
                          "the database has migration %s, which this build does not know: "
                          "run a newer gapforge",
                          st.first_unknown);
    int applied = 0;
    for (int i = 0; i < n; i++) {
        gf_migration_status now;
        if (compute_status(files + i, 1, &now, err) < 0)
            return -1;
        if (!now.pending)
            continue; /* applied already (possibly by a concurrent migrator) */
        const int done = apply_one(dir, &files[i], err);
        if (done < 0)
            return -1;
        if (!done)
            continue;
        if (out)
            fprintf(out, "applied %s\n", files[i].name);
        applied++;
    }
    return applied;
}

int gf_migrate_apply(const char *dir, FILE *out, gf_err *err)
{
    migration_file *files = calloc(MAX_MIGRATIONS, sizeof *files);
    if (!files)
        return gf_err_internal(err);
    int n = read_dir(dir, files, err);
    const int rc = n < 0 ? -1 : apply_pending(dir, files, n, out, err);
    free(files);
    return rc;
}
