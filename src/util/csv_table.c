/* csv_table.c — a JSON answer's table as CSV (csv_table.h). */
#include "gapforge/csv_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text buffer; `failed` sticks after an allocation failure. */
typedef struct buf {
    char *p;
    size_t len, cap;
    int failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* One field: text escaped against formulas and quoted when it must be. */
static void field(buf *b, const char *s, int is_text)
{
    const int formula = is_text && s[0] && strchr("=+-@\t\r", s[0]);
    const int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        puts_(b, s);
        return;
    }
    put(b, "\"", 1);
    if (formula)
        put(b, "'", 1);
    for (const char *c = s; *c; c++) {
        put(b, c, 1);
        if (*c == '"')
            put(b, "\"", 1); /* a quote inside a quoted field is doubled */
    }
    put(b, "\"", 1);
}

/* The cells of one row: a flat object of column name -> scalar JSON value. */
static void flatten(json_t *row, const char *prefix, const json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            char name[256];
            if (prefix[0])
                snprintf(name, sizeof name, "%s.%s", prefix, k);
            else
                snprintf(name, sizeof name, "%s", k);
            flatten(row, name, x);
        }
        return;
    }
    json_object_set(row, prefix[0] ? prefix : "value", (json_t *)v);
}

/* The scalar members of an element walked by `*`, to lead its rows. */
static json_t *scalars_of(const json_t *e)
{
    json_t *lead = json_object();
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)e, k, x)
    {
        if (!json_is_object(x) && !json_is_array(x))
            json_object_set(lead, k, (json_t *)x);
    }
    return lead;
}

/* Collects the rows under `path` (a segment list) into rows, each led by lead's cells. */
static int collect(const json_t *node, char **segs, size_t n, const json_t *lead, json_t *rows)
{
    if (!n) {
        int found = 0;
        const char *k;
        const json_t *x;
        if (json_is_array(node)) {
            size_t i;
            json_array_foreach(node, i, x)
            {
                json_t *row = json_deep_copy(lead);
                flatten(row, "", x);
                json_array_append_new(rows, row);
            }
            found = 1;
        } else if (json_is_object(node)) {
            json_object_foreach((json_t *)node, k, x)
            {
                if (!json_is_object(x))
                    return 0; /* an object of scalars is not a table */
            }
            json_object_foreach((json_t *)node, k, x)
            {
                json_t *row = json_deep_copy(lead);
                json_object_set_new(row, "key", json_string(k));
                flatten(row, "", x);
                json_array_append_new(rows, row);
            }
            found = 1;
        }
        return found;
    }
    if (strcmp(segs[0], "*") == 0) {
        if (!json_is_array(node))
            return 0;
        size_t i;
        const json_t *e;
        json_array_foreach(node, i, e)
        {
            json_t *l = json_deep_copy(lead);
            json_t *own = scalars_of(e);
            json_object_update(l, own);
            json_decref(own);
            collect(e, segs + 1, n - 1, l, rows);
            json_decref(l);
        }
        return 1;
    }
    const json_t *next = json_is_object(node) ? json_object_get(node, segs[0]) : NULL;
    return next ? collect(next, segs + 1, n - 1, lead, rows) : 0;
}

/* The rows of the first alternative of path that exists (a JSON array, or NULL). */
static json_t *rows_of(const json_t *doc, const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    json_t *rows = NULL;
    char *save_alt = NULL;
    for (char *alt = strtok_r(copy, "|", &save_alt); alt && !rows;
         alt = strtok_r(NULL, "|", &save_alt)) {
        char *segs[16];
        size_t n = 0;
        char *save = NULL;
        for (char *s = strtok_r(alt, ".", &save); s && n < 16; s = strtok_r(NULL, ".", &save))
            segs[n++] = s;
        json_t *lead = json_object(), *found = json_array();
        if (collect(doc, segs, n, lead, found))
            rows = found;
        else
            json_decref(found);
        json_decref(lead);
    }
    free(copy);
    return rows;
}

static void cell(buf *b, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        field(b, json_string_value(v), 1);
        return;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (!text) {
        b->failed = 1;
        return;
    }
    field(b, text, json_is_array(v) || json_is_object(v));
    free(text);
}

/* A column that is only ever null beside dotted columns under its name ("commit" where some
 * rows have "commit.value") is an object that was absent: it is left out. */
static void drop_null_parents(const json_t *rows, json_t *cols)
{
    for (size_t c = json_array_size(cols); c-- > 0;) {
        const char *name = json_string_value(json_array_get(cols, c));
        const size_t n = strlen(name);
        int parent = 0, all_null = 1;
        for (size_t d = 0; d < json_array_size(cols) && !parent; d++) {
            const char *other = json_string_value(json_array_get(cols, d));
            parent = strncmp(other, name, n) == 0 && other[n] == '.';
        }
        size_t i;
        const json_t *row;
        json_array_foreach(rows, i, row)
        {
            const json_t *v = json_object_get(row, name);
            all_null &= !v || json_is_null(v);
        }
        if (parent && all_null)
            json_array_remove(cols, c);
    }
}

/* The columns of rows in the order first seen, without absent objects' null parents. */
static json_t *columns_of(const json_t *rows)
{
    json_t *cols = json_array(), *seen = json_object();
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)row, k, x)
        {
            (void)x;
            if (!json_object_get(seen, k)) {
                json_object_set_new(seen, k, json_true());
                json_array_append_new(cols, json_string(k));
            }
        }
    }
    json_decref(seen);
    drop_null_parents(rows, cols);
    return cols;
}

static void header(buf *b, const json_t *cols)
{
    for (size_t c = 0; c < json_array_size(cols); c++) {
        if (c)
            put(b, ",", 1);
        field(b, json_string_value(json_array_get(cols, c)), 1);
    }
    put(b, "\r\n", 2);
}

static void body(buf *b, const json_t *rows, const json_t *cols)
{
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < json_array_size(cols); c++) {
            if (c)
                put(b, ",", 1);
            cell(b, json_object_get(row, json_string_value(json_array_get(cols, c))));
        }
        put(b, "\r\n", 2);
    }
}

static int finish(buf *b, char **out, size_t *len)
{
    if (b->failed) {
        free(b->p);
        return -1;
    }
    *out = b->p;
    *len = b->len;
    return 0;
}

int gf_csv_table_begin(const json_t *doc, const char *path, json_t **cols, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    *cols = NULL;
    json_t *rows = rows_of(doc, path);
    if (!rows)
        return 1;
    json_t *c = columns_of(rows);
    buf b = {0};
    header(&b, c);
    body(&b, rows, c);
    json_decref(rows);
    int rc = finish(&b, out, len);
    if (rc == 0)
        *cols = c;
    else
        json_decref(c);
    return rc;
}

int gf_csv_table_rows(const json_t *doc, const char *path, const json_t *cols, char **out,
                      size_t *len)
{
    *out = NULL;
    *len = 0;
    json_t *rows = rows_of(doc, path);
    if (!rows)
        return 1;
    buf b = {0};
    body(&b, rows, cols);
    json_decref(rows);
    return finish(&b, out, len);
}

int gf_csv_table(const json_t *doc, const char *path, char **out, size_t *len)
{
    json_t *cols = NULL;
    int rc = gf_csv_table_begin(doc, path, &cols, out, len);
    json_decref(cols);
    return rc;
}
