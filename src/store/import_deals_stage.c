/* import_deals_stage.c — the deals import's stager: each row is resolved in C as it arrives and
 * copied typed into import_rows, so no second pass over a million rows turns text into ids,
 * dates and amounts.
 *
 * Before the COPY it takes the stage lock and reads the org's reps and stages. A cell is then
 * resolved in C only where the answer is certain to be SQL's: an owner or a stage as the merge's
 * lookup matches it (its key; for ASCII, gf_key_of or a stage's name, when one stage matches), a
 * date, an amount already checked as money, and a category or source in ASCII (gf_norm_*,
 * include/util/gapforge/norm.h). Any other cell is staged raw, counted, and resolved afterwards
 * by the merge's SQL over its distinct values (import_deals.c), which also creates what is
 * missing (create_missing).
 *
 * import_rows has a typed column per value and an X_raw beside it. For owner, stage, category
 * and source, X_raw not NULL means "not resolved yet" until the merge's lookups have run; after
 * them, and for the dates and the amount from the start, it means the cell did not resolve and
 * the problem quotes it. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/norm.h"
#include "import_deals.h"

/* The stage lock of src/store/stages.c in shared mode: the stage list cannot be replaced while
 * this import holds the ids it resolved (deals.stage_id is checked per statement, 0020). */
static const char stage_lock_sql[] =
    "SELECT pg_advisory_xact_lock_shared(71001, ($1::bigint % 2147483647)::int)";

/* The org's reps and stages, and whether lower() is ASCII's here (not in a Turkish locale, where
 * lower('I') is 'ı'). */
static const char catalogue_sql[] =
    "SELECT 'r', key, id::text, NULL, NULL FROM reps WHERE org_id = $1 "
    "UNION ALL SELECT 's', key, id::text, kind, lower(name) FROM stages WHERE org_id = $1 "
    "UNION ALL SELECT 'l', NULL, NULL, (lower('I') = 'i')::text, NULL";

static const char create_sql[] =
    "CREATE TEMP TABLE import_rows (line bigint, present int, external_id text, name text, "
    " account text, owner_raw text, owner_id bigint, owner_key text, amount_raw text, "
    " amount numeric(18,2), stage_raw text, stage_id bigint, stage_kind text, stage_key text, "
    " category_raw text, category text, source_raw text, source text, created_on_raw text, "
    " created_on date, close_date_raw text, close_date date, closed_on_raw text, "
    " closed_on date) ON COMMIT DROP";

static const char copy_sql[] =
    "COPY import_rows (line, present, external_id, name, account, owner_raw, owner_id, owner_key, "
    " amount_raw, amount, stage_raw, stage_id, stage_kind, stage_key, category_raw, category, "
    " source_raw, source, created_on_raw, created_on, close_date_raw, close_date, closed_on_raw, "
    " closed_on) FROM STDIN";

/* A rep or a stage by key; the strings belong to the catalogue's result. */
typedef struct entry {
    const char *key;
    size_t n;
    const char *id;
    const char *kind;  /* a stage's; NULL for a rep */
    const char *lname; /* a stage's lower(name); NULL for a rep */
} entry;

typedef struct deals_stage {
    PGresult *catalogue;
    entry *reps, *stages;
    size_t nreps, nstages;
    bool ascii_lower; /* lower() of ASCII is ASCII's: gf_norm_category/source decide */
    gf_deals_unresolved unresolved;
} deals_stage;

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return cmp_bytes(x->key, x->n, y->key, y->n);
}

static const entry *find(const entry *list, size_t n, const gf_import_cell *cell)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_bytes(cell->s, cell->n, list[mid].key, list[mid].n);
        if (c == 0)
            return &list[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static void close_stage(void *state)
{
    deals_stage *st = state;
    if (!st)
        return;
    PQclear(st->catalogue);
    free(st->reps);
    free(st->stages);
    free(st);
}

static void *open_stage(gf_import *imp, gf_err *err)
{
    deals_stage *st = calloc(1, sizeof *st);
    if (!st) {
        gf_err_internal(err);
        return NULL;
    }
    PGresult *res = gf_import_exec(imp, stage_lock_sql, 0, NULL, err);
    if (!res)
        goto fail;
    PQclear(res);
    st->catalogue = gf_import_exec(imp, catalogue_sql, 0, NULL, err);
    if (!st->catalogue)
        goto fail;
    int rows = PQntuples(st->catalogue);
    st->reps = calloc((size_t)rows + 1, sizeof *st->reps);
    st->stages = calloc((size_t)rows + 1, sizeof *st->stages);
    if (!st->reps || !st->stages) {
        gf_err_internal(err);
        goto fail;
    }
    for (int r = 0; r < rows; r++) {
        char what = PQgetvalue(st->catalogue, r, 0)[0];
        if (what == 'l') {
            st->ascii_lower = strcmp(PQgetvalue(st->catalogue, r, 3), "true") == 0;
            continue;
        }
        entry *e = what == 'r' ? &st->reps[st->nreps++] : &st->stages[st->nstages++];
        e->key = PQgetvalue(st->catalogue, r, 1);
        e->n = (size_t)PQgetlength(st->catalogue, r, 1);
        e->id = PQgetvalue(st->catalogue, r, 2);
        e->kind = what == 's' ? PQgetvalue(st->catalogue, r, 3) : NULL;
        e->lname = what == 's' ? PQgetvalue(st->catalogue, r, 4) : NULL;
    }
    qsort(st->reps, st->nreps, sizeof *st->reps, cmp_entry);
    qsort(st->stages, st->nstages, sizeof *st->stages, cmp_entry);
    res = gf_import_run(imp, create_sql, err);
    if (!res)
        goto fail;
    PQclear(res);
    return st;
fail:
    close_stage(st);
    return NULL;
}

static int put(gf_import *imp, const char *s, gf_err *err)
{
    return gf_import_put_field(imp, s, s ? strlen(s) : 0, err);
}

static int put_cell(gf_import *imp, const gf_import_cell *c, gf_err *err)
{
    return gf_import_put_field(imp, c->n ? c->s : NULL, c->n, err);
}

/* raw, then the resolved fields (nvalues of them): the cell raw and the values NULL when it did
 * not resolve, or the raw NULL and the values. */
static int put_resolved(gf_import *imp, const gf_import_cell *c, bool resolved,
                        const char *const *values, int nvalues, gf_err *err)
{
    if (put_cell(imp, resolved ? &(gf_import_cell){0} : c, err) < 0)
        return -1;
    for (int i = 0; i < nvalues; i++)
        if (put(imp, resolved ? values[i] : NULL, err) < 0)
            return -1;
    return 0;
}

static const entry *find_text(const entry *list, size_t n, const char *s)
{
    return find(list, n, &(gf_import_cell){s, strlen(s)});
}

/* The rep of a cell as the merge's lookup finds it: the rep whose key is the cell, else the one
 * whose key is gf_key_of(cell). NULL when there is none, or when only SQL can tell (not ASCII). */
static const entry *find_rep(const deals_stage *st, const gf_import_cell *c)
{
    const entry *e = find(st->reps, st->nreps, c);
    char key[65];
    if (e || !st->ascii_lower || gf_norm_key(c->s, c->n, key, sizeof key) != GF_NORM_VALUE)
        return e;
    return find_text(st->reps, st->nreps, key);
}

/* The stage of a cell as the merge's lookup finds it: the one whose key is the cell, else the
 * only one whose lower(name) is lower(cell) or whose key is gf_key_of(cell). NULL when there is
 * none, or more than one (SQL's pick among them is its own), or when only SQL can tell. */
static const entry *find_stage(const deals_stage *st, const gf_import_cell *c)
{
    const entry *e = find(st->stages, st->nstages, c);
    char key[65], lower[256];
    if (e || !st->ascii_lower || gf_norm_key(c->s, c->n, key, sizeof key) != GF_NORM_VALUE ||
        gf_norm_lower(c->s, c->n, lower, sizeof lower) != GF_NORM_VALUE)
        return e;
    const entry *found = NULL;
    for (size_t i = 0; i < st->nstages; i++) {
        const entry *s = &st->stages[i];
        if (strcmp(s->key, key) != 0 && strcmp(s->lname, lower) != 0)
            continue;
        if (found)
            return NULL;
        found = s;
    }
    return found;
}

/* A rep or stage cell: its fields when it resolved, else the cell raw and counted for SQL. */
static int put_reference(gf_import *imp, const gf_import_cell *c, const entry *e, bool stage,
                         long *unresolved, gf_err *err)
{
    if (c->n && !e)
        (*unresolved)++;
    const char *values[] = {e ? e->id : NULL, stage && e ? e->kind : NULL, e ? e->key : NULL};
    if (stage)
        return put_resolved(imp, c, !c->n || e, values, 3, err);
    const char *rep[] = {values[0], values[2]};
    return put_resolved(imp, c, !c->n || e, rep, 2, err);
}

static int put_date(gf_import *imp, const gf_import_cell *c, gf_err *err)
{
    char date[11];
    bool ok = c->n && gf_norm_date(c->s, c->n, date);
    const char *value[] = {ok ? date : NULL};
    return put_resolved(imp, c, !c->n || ok, value, 1, err);
}

/* A category or source: resolved by fn where it decides; staged raw (and counted when SQL must
 * decide) where not. */
static int put_normalised(gf_import *imp, const gf_import_cell *c, bool ascii_lower,
                          gf_norm_answer (*fn)(const char *, size_t, const char **),
                          long *unresolved, gf_err *err)
{
    const char *value = NULL;
    gf_norm_answer a = GF_NORM_NONE;
    if (c->n) {
        a = ascii_lower ? fn(c->s, c->n, &value) : GF_NORM_UNDECIDED;
        if (a == GF_NORM_UNDECIDED)
            (*unresolved)++;
    }
    return put_resolved(imp, c, !c->n || a == GF_NORM_VALUE, &value, 1, err);
}

static int stage_row(gf_import *imp, void *state, long line, unsigned present, unsigned invalid,
                     const gf_import_cell *cells, gf_err *err)
{
    deals_stage *st = state;
    char num[2][24];
    snprintf(num[0], sizeof num[0], "%ld", line);
    snprintf(num[1], sizeof num[1], "%u", present);
    /* The amount was checked as money as it arrived (the kind's money column). */
    const gf_import_cell *amount = &cells[C_AMOUNT];
    bool amount_ok = !amount->n || (invalid & (1u << C_AMOUNT)) == 0;
    if (put(imp, num[0], err) < 0 || put(imp, num[1], err) < 0 ||
        put_cell(imp, &cells[C_EXTERNAL_ID], err) < 0 || put_cell(imp, &cells[C_NAME], err) < 0 ||
        put_cell(imp, &cells[C_ACCOUNT], err) < 0 ||
        put_reference(imp, &cells[C_OWNER], cells[C_OWNER].n ? find_rep(st, &cells[C_OWNER]) : NULL,
                      false, &st->unresolved.owners, err) < 0 ||
        put_cell(imp, amount_ok ? &(gf_import_cell){0} : amount, err) < 0 ||
        gf_import_put_field(imp, amount_ok && amount->n ? amount->s : NULL, amount->n, err) < 0 ||
        put_reference(imp, &cells[C_STAGE],
                      cells[C_STAGE].n ? find_stage(st, &cells[C_STAGE]) : NULL, true,
                      &st->unresolved.stages, err) < 0 ||
        put_normalised(imp, &cells[C_CATEGORY], st->ascii_lower, gf_norm_category,
                       &st->unresolved.categories, err) < 0 ||
        put_normalised(imp, &cells[C_SOURCE], st->ascii_lower, gf_norm_source,
                       &st->unresolved.sources, err) < 0 ||
        put_date(imp, &cells[C_CREATED_ON], err) < 0 ||
        put_date(imp, &cells[C_CLOSE_DATE], err) < 0 || put_date(imp, &cells[C_CLOSED_ON], err) < 0)
        return -1;
    return gf_import_end_row(imp, err);
}

gf_deals_unresolved gf_deals_stage_unresolved(const void *state)
{
    const deals_stage *st = state;
    return st ? st->unresolved : (gf_deals_unresolved){0};
}

const gf_import_stager gf_deals_stager = {open_stage, copy_sql, stage_row, close_stage};
