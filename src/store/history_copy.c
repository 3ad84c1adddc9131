/* history_copy.c — the binary COPY rows of the history load, parsed in place, and their
 * assembly into the model's arrays (see history.c). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "history_internal.h"

#define PG_EPOCH_DAYS 10957
#define PG_EPOCH_SECS 946684800LL
#define MAX_FIELDS    8

typedef struct field {
    const uint8_t *p;
    int32_t len; /* -1: NULL */
} field;

static int64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | p[k];
    return (int64_t)v;
}

static int32_t be32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* Splits one binary tuple into fields; returns the field count or -1 when malformed. */
static int split(const uint8_t *p, size_t len, field *f)
{
    if (len < 2)
        return -1;
    int nf = (int16_t)((uint16_t)p[0] << 8 | p[1]);
    if (nf < 0 || nf > MAX_FIELDS)
        return -1;
    size_t off = 2;
    for (int k = 0; k < nf; k++) {
        if (off + 4 > len)
            return -1;
        f[k].len = be32(p + off);
        off += 4;
        f[k].p = p + off;
        if (f[k].len > 0) {
            if (off + (size_t)f[k].len > len)
                return -1;
            off += (size_t)f[k].len;
        }
    }
    return nf;
}

typedef int (*row_fn)(void *ctx, const field *f, int nf);

/* Runs a COPY ... TO STDOUT (FORMAT binary) and hands every tuple to fn. Returns 0, or -1 with
 * err (a malformed tuple or a row fn refusing one is an internal error). */
static int copy_rows(PGconn *pg, const char *sql, row_fn fn, void *ctx, gf_err *err)
{
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        gf_db_fail(res, pg, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    int rc = 0, first = 1;
    char *buf;
    field f[MAX_FIELDS];
    int len = PQgetCopyData(pg, &buf, 0);
    while (len > 0) {
        const uint8_t *p = (const uint8_t *)buf;
        size_t l = (size_t)len;
        if (first && l >= 19 && memcmp(p, "PGCOPY\n\377\r\n", 11) == 0) {
            size_t ext = (size_t)be32(p + 15);
            p += 19 + ext;
            l = l >= 19 + ext ? l - 19 - ext : 0;
        }
        first = 0;
        if (rc == 0 && l >= 2 && !(p[0] == 0xff && p[1] == 0xff)) {
            int nf = split(p, l, f);
            if (nf < 0 || fn(ctx, f, nf) < 0)
                rc = -1;
        }
        PQfreemem(buf);
        len = PQgetCopyData(pg, &buf, 0);
    }
    /* -2: the stream broke; the connection's message says why when no result does. */
    int drained = gf_db_drain(pg, err);
    if (len == -2 && drained == 0)
        gf_db_fail(NULL, pg, err);
    if (len == -2 || drained < 0)
        return -1;
    return rc < 0 ? gf_err_internal(err) : 0;
}

/* ---- deals ---- */

typedef struct deals_ctx {
    gf_store_history *h;
    const int64_t *stage_ids;
    hist_deals *raw;
} deals_ctx;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 4096;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static uint8_t category_code(const field *f)
{
    if (f->len < 1)
        return GF_CAT_PIPELINE;
    switch (f->p[0]) {
    case 'b':
        return GF_CAT_BEST_CASE;
    case 'c':
        return GF_CAT_COMMIT;
    case 'o':
        return GF_CAT_OMITTED;
    default:
        return GF_CAT_PIPELINE;
    }
}

static int deal_row(void *vctx, const field *f, int nf)
{
    deals_ctx *c = vctx;
    hist_deals *r = c->raw;
    gf_store_history *h = c->h;
    if (nf != 6 || f[0].len != 8 || f[1].len != 4 || f[3].len != 8 || f[4].len != 8)
        return -1;
    if (r->n == r->cap) {
        size_t cap = r->cap, n = r->n + 1;
        if (grow((void **)&r->id, &cap, n, sizeof *r->id) < 0)
            return -1;
        void *q[] = {realloc(r->created, cap * sizeof *r->created),
                     realloc(r->amount, cap * sizeof *r->amount),
                     realloc(r->stage, cap * sizeof *r->stage),
                     realloc(h->owner, cap * sizeof *h->owner),
                     realloc(h->category, cap * sizeof *h->category)};
        if (q[0])
            r->created = q[0];
        if (q[1])
            r->amount = q[1];
        if (q[2])
            r->stage = q[2];
        if (q[3])
            h->owner = q[3];
        if (q[4])
            h->category = q[4];
        if (!q[0] || !q[1] || !q[2] || !q[3] || !q[4])
            return -1;
        r->cap = cap;
    }
    size_t i = r->n;
    int64_t sid = be64(f[4].p);
    int32_t stage = -1;
    for (size_t s = 0; s < h->h.n_stages; s++)
        if (c->stage_ids[s] == sid)
            stage = (int32_t)s;
    if (stage < 0)
        return 0; /* a stage being replaced: cannot happen under the stage lock */
    r->id[i] = be64(f[0].p);
    r->created[i] = be32(f[1].p) + PG_EPOCH_DAYS;
    h->owner[i] = f[2].len == 8 ? be64(f[2].p) : 0;
    r->amount[i] = be64(f[3].p);
    r->stage[i] = stage;
    h->category[i] = category_code(&f[5]);
    if (!i || r->created[i] < r->min_created)
        r->min_created = r->created[i];
    r->n++;
    return 0;
}

int gf_store__history_read_deals(gf_store_history *h, const int64_t *stage_ids, hist_deals *raw,
                                 gf_err *err)
{
    deals_ctx c = {h, stage_ids, raw};
    PGconn *pg = gf_db_conn(err);
    return pg ? copy_rows(pg, gf_store_history_deals_copy, deal_row, &c, err) : -1;
}

/* ---- events ---- */

/* Maps deal ids to their indices: a direct table when the org's ids are dense enough (one
 * identity sequence serves all orgs), else a binary search. */
typedef struct deal_map {
    const hist_deals *raw;
    int32_t *direct;
    int64_t span;
} deal_map;
/* The local day of t (microseconds since 2000-01-01 UTC). */
static int32_t local_day(const hist_days *d, int64_t t)
{
    int64_t s = t / 1000000 - (t % 1000000 < 0) + PG_EPOCH_SECS;
    if (!d->n)
        return (int32_t)((s - (s % 86400 < 0 ? 86400 : 0)) / 86400);
    int64_t k = (s - d->mid[0]) / 86400 - (s < d->mid[0]);
    if (k < 0)
        return d->d0 + (int32_t)k;
    if ((size_t)k >= d->n)
        k = (int64_t)d->n - 1;
    while ((size_t)k + 1 < d->n && d->mid[k + 1] <= s)
        k++;
    while (k > 0 && d->mid[k] > s)
        k--;
    if ((size_t)k == d->n - 1)
        return d->d0 + (int32_t)k + (int32_t)((s - d->mid[k]) / 86400);
    return d->d0 + (int32_t)k;
}

/* The index of deal id, or -1. */
static long find_deal(const deal_map *m, int64_t id)
{
    const hist_deals *r = m->raw;
    if (m->direct) {
        int64_t off = id - r->id[0];
        return off >= 0 && off < m->span ? (long)m->direct[off] : -1;
    }
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n && r->id[lo] == id ? (long)lo : -1;
}

static int stage_index(const gf_store_history *h, const field *f)
{
    if (f->len <= 0)
        return -1;
    for (size_t s = 0; s < h->h.n_stages; s++)
        if (strlen(h->stage_keys[s]) == (size_t)f->len &&
            memcmp(h->stage_keys[s], f->p, (size_t)f->len) == 0)
            return (int)s;
    return -1;
}

/* "123.45" (up to two decimals) as cents; -1 when it is anything else. */
static int64_t cents(const field *f)
{
    int64_t v = 0;
    int frac = -1;
    for (int32_t k = 0; k < f->len; k++) {
        uint8_t ch = f->p[k];
        if (ch == '.' && frac < 0)
            frac = 0;
        else if (ch >= '0' && ch <= '9' && frac < 2 && v < INT64_MAX / 100) {
            v = v * 10 + (ch - '0');
            frac += frac >= 0;
        } else
            return -1;
    }
    if (f->len <= 0)
        return -1;
    for (int k = frac < 0 ? 0 : frac; k < 2; k++)
        v *= 10;
    return v;
}

static int32_t date_day(const field *f)
{
    const uint8_t *p = f->p;
    if (f->len != 10 || p[4] != '-' || p[7] != '-')
        return GF_MODEL_NO_DAY;
    int v[8], k = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (p[i] < '0' || p[i] > '9')
            return GF_MODEL_NO_DAY;
        v[k++] = p[i] - '0';
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return GF_MODEL_NO_DAY;
    return gf_date_from_ymd(y, m, d);
}

typedef struct events_ctx {
    const gf_store_history *h;
    hist_deals *raw;
    const hist_days *days;
} events_ctx;

static int event_row(void *vctx, const field *f, int nf)
{
    events_ctx *c = vctx;
    hist_deals *r = c->raw;
    if (nf != 5 || f[0].len != 8 || f[1].len < 5 || f[2].len != 8)
        return -1;
    hist_event e = {.at = be64(f[2].p), .deal = be64(f[0].p), .old_stage = -1};
    const uint8_t *name = f[1].p;
    if (name[0] == 's') {
        int s = stage_index(c->h, &f[3]);
        if (s < 0)
            return 0;
        e.kind = HE_STAGE;
        e.value = s;
        e.old_stage = (int16_t)stage_index(c->h, &f[4]);
    } else if (name[0] == 'a') {
        e.kind = HE_AMOUNT;
        e.value = cents(&f[3]);
        if (e.value < 0)
            return 0;
    } else if (name[1] == 'l') {
        e.kind = HE_CLOSE;
        e.value = f[3].len < 0 ? GF_MODEL_NO_DAY : date_day(&f[3]);
    } else {
        if (f[3].len <= 0)
            return 0;
        e.kind = HE_CATEGORY;
        e.value = category_code(&f[3]);
    }
    e.day = local_day(c->days, e.at);
    if (grow((void **)&r->ev, &r->cap_ev, r->n_ev + 1, sizeof *r->ev) < 0)
        return -1;
    r->ev[r->n_ev++] = e;
    return 0;
}

int gf_store__history_read_events(PGconn *pg, const char *sql, const gf_store_history *h,
                                  hist_deals *raw, const hist_days *days, gf_err *err)
{
    events_ctx c = {h, raw, days};
    return copy_rows(pg, sql, event_row, &c, err);
}

int gf_store__history_map_events(hist_deals *raw)
{
    deal_map m = {raw, NULL, 0};
    if (raw->n)
        m.span = raw->id[raw->n - 1] - raw->id[0] + 1;
    if (raw->n && m.span <= 4 * (int64_t)raw->n + 1024) {
        m.direct = malloc((size_t)m.span * sizeof *m.direct);
        if (!m.direct)
            return -1;
        memset(m.direct, 0xff, (size_t)m.span * sizeof *m.direct);
        for (size_t i = 0; i < raw->n; i++)
            m.direct[raw->id[i] - raw->id[0]] = (int32_t)i;
    }
    size_t kept = 0;
    for (size_t k = 0; k < raw->n_ev; k++) {
        hist_event e = raw->ev[k];
        long i = raw->n ? find_deal(&m, e.deal) : -1;
        if (i < 0)
            continue; /* a deleted deal, or one created on or after as_of */
        e.deal = i;
        raw->ev[kept++] = e;
    }
    raw->n_ev = kept;
    free(m.direct);
    return 0;
}

void gf_store__history_raw_free(hist_deals *raw)
{
    free(raw->id);
    free(raw->created);
    free(raw->amount);
    free(raw->stage);
    free(raw->ev);
    memset(raw, 0, sizeof *raw);
}
