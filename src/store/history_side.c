/* history_side.c — the events COPY on extra connections, in parallel with the deals.
 *
 * The main connection exports its snapshot; each part imports it (so every COPY sees the same
 * data) and reads the events of one time range, split at the middle of the org's event times
 * before as_of, through the index on (org_id, at). The parts run under the configured statement
 * timeout, as the thread's own connection does (gf_db_connect_side). Each server thread keeps its
 * own extra connections (opened on first use, reopened when broken, closed when the thread exits);
 * they are used only while their thread waits for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"

static const gf_stmt hist_export = {"hist_export", "SELECT pg_export_snapshot()"};

/* The middle of the org's event times before as_of, stored or carried by the deal rows
 * (migration 0018: born_at is the earliest of a row's); NULL when it has none. */
static const gf_stmt hist_split = {
    "hist_split",
    "WITH b AS (SELECT $2::date::timestamp AT TIME ZONE $3 AS t), "
    "m AS (SELECT least((SELECT min(e.at) FROM deal_events e WHERE e.org_id = $1 "
    " AND e.at < (SELECT t FROM b)), (SELECT min(d.born_at) FROM deals d WHERE d.org_id = $1 "
    " AND d.born_at < (SELECT t FROM b))) AS t0) "
    "SELECT (t0 + ((SELECT t FROM b) - t0) / 2)::text FROM m"};

static const char part_settings[] =
    "SELECT set_config('gapforge.hist_org', $1, true), "
    "set_config('gapforge.hist_as_of', $2, true), set_config('gapforge.hist_tz', $3, true), "
    "set_config('gapforge.hist_from', $4, true), set_config('gapforge.hist_to', $5, true)";

typedef struct side_conns {
    PGconn *pg[HIST_PARTS];
} side_conns;

static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void conns_close(void *v)
{
    side_conns *c = v;
    for (int k = 0; k < HIST_PARTS; k++)
        gf_db_close(c->pg[k]);
    free(c);
}

static void make_key(void)
{
    if (pthread_key_create(&g_key, conns_close) != 0)
        abort();
}

/* This thread's k-th extra connection, idle and healthy, or NULL. */
static PGconn *side_conn(int k)
{
    pthread_once(&g_once, make_key);
    side_conns *c = pthread_getspecific(g_key);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return NULL;
        pthread_setspecific(g_key, c);
    }
    PGconn *pg = c->pg[k];
    if (pg && PQstatus(pg) == CONNECTION_OK && PQtransactionStatus(pg) == PQTRANS_IDLE)
        return pg;
    gf_db_close(pg);
    gf_err ignored = {0};
    c->pg[k] = gf_db_connect_side(&ignored);
    return c->pg[k];
}

/* Runs sql with args (may be NULL) on the part's connection; 0, or -1 with the part's err. */
static int part_run(hist_part *j, const char *sql, const gf_db_args *args)
{
    PGresult *res = gf_db_exec_on(j->pg, sql, args, &j->err);
    PQclear(res);
    return res ? 0 : -1;
}

static void *part_main(void *arg)
{
    hist_part *j = arg;
    char set[128];
    snprintf(set, sizeof set, "SET TRANSACTION SNAPSHOT '%s'", j->snapshot);
    gf_db_args p = *j->params;
    gf_db_arg_text(&p, j->from);
    gf_db_arg_text(&p, j->to);
    j->rc = -1;
    if (part_run(j, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL) < 0)
        return NULL;
    if (part_run(j, set, NULL) == 0 && gf_db_local_settings(j->pg, &j->err) == 0 &&
        (!j->org || gf_db_set_org_on(j->pg, j->org, &j->err) == 0) &&
        part_run(j, part_settings, &p) == 0 &&
        gf_store__history_read_events(j->pg, j->sql, j->h, &j->ev, j->days, &j->err) == 0)
        j->rc = 0;
    gf_err ignored = {0};
    PQclear(gf_db_exec_on(j->pg, j->rc == 0 ? "COMMIT" : "ROLLBACK", NULL, &ignored));
    return NULL;
}

/* Waits for the parts started and drops what they read. */
static void abandon(hist_side *s)
{
    for (int k = 0; k < s->n; k++) {
        pthread_join(s->part[k].tid, NULL);
        gf_store__history_raw_free(&s->part[k].ev);
    }
    s->n = 0;
}

int gf_store__history_side_start(hist_side *s, const gf_db_args *params, const gf_store_history *h,
                                 const hist_days *days, gf_err *err)
{
    memset(s, 0, sizeof *s);
    PGconn *pg[HIST_PARTS];
    for (int k = 0; k < HIST_PARTS; k++) {
        pg[k] = side_conn(k);
        if (!pg[k])
            return 0;
    }
    char snapshot[64] = "", split[64] = "";
    PGresult *res = gf_db_exec_args(&hist_export, NULL, err);
    if (!res)
        return 0;
    const char *snap = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
    /* An exported snapshot id is hex digits and dashes; nothing else is put in SQL. */
    if (strlen(snap) < sizeof snapshot && strspn(snap, "0123456789ABCDEFabcdef-") == strlen(snap))
        snprintf(snapshot, sizeof snapshot, "%s", snap);
    PQclear(res);
    if (!snapshot[0])
        return 0;
    res = gf_db_exec_args(&hist_split, params, err);
    if (!res)
        return 0;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        snprintf(split, sizeof split, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!split[0])
        return 0; /* no events: nothing to read */
    for (int k = 0; k < HIST_PARTS; k++) {
        hist_part *j = &s->part[k];
        j->pg = pg[k];
        j->sql = gf_store_history_events_part_copy;
        memcpy(j->snapshot, snapshot, sizeof snapshot);
        snprintf(j->from, sizeof j->from, "%s", k == 0 ? "-infinity" : split);
        snprintf(j->to, sizeof j->to, "%s", k == 0 ? split : "infinity");
        j->params = params;
        j->h = h;
        j->days = days;
        j->org = gf_db_org();
        if (pthread_create(&j->tid, NULL, part_main, j) != 0)
            break;
        s->n++;
    }
    if (s->n == HIST_PARTS)
        return s->n;
    abandon(s); /* a thread could not start: the caller reads alone */
    return 0;
}

int gf_store__history_side_join(hist_side *s, hist_deals *raw, gf_err *err)
{
    int rc = 0;
    size_t total = raw->n_ev;
    for (int k = 0; k < s->n; k++) {
        pthread_join(s->part[k].tid, NULL);
        if (s->part[k].rc < 0 && rc == 0) {
            rc = -1;
            if (err) {
                *err = s->part[k].err;
                if (!err->code)
                    gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "the database is unavailable");
            }
        }
        total += s->part[k].ev.n_ev;
    }
    /* The parts' events become raw's: the first part's array grows in place (a large block is
     * remapped, not copied) and the others are appended, so the peak stays near one copy. */
    for (int k = 0; k < s->n; k++) {
        hist_deals *e = &s->part[k].ev;
        if (rc == 0 && !raw->ev) {
            raw->ev = e->ev;
            raw->n_ev = e->n_ev;
            raw->cap_ev = e->cap_ev;
            e->ev = NULL;
            e->n_ev = e->cap_ev = 0;
        } else if (rc == 0 && e->n_ev) {
            if (raw->n_ev + e->n_ev > raw->cap_ev) {
                hist_event *ev = realloc(raw->ev, total * sizeof *ev);
                if (!ev) {
                    rc = err ? gf_err_internal(err) : -1;
                    gf_store__history_raw_free(e);
                    continue;
                }
                raw->ev = ev;
                raw->cap_ev = total;
            }
            memcpy(raw->ev + raw->n_ev, e->ev, e->n_ev * sizeof *e->ev);
            raw->n_ev += e->n_ev;
        }
        gf_store__history_raw_free(e);
    }
    s->n = 0;
    return rc;
}
