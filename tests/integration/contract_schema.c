/* contract_schema.c — the small JSON Schema (2020-12 subset) validator of contract.h. */
#include "contract.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct vctx {
    const json_t *root;
    char ptr[1024]; /* JSON pointer of the value being checked */
    char *msg;
    size_t cap;
    int depth;
} vctx;

/* Records the failure at the current pointer; returns -1. */
__attribute__((format(printf, 2, 3))) static int fail(vctx *c, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(c->msg, c->cap, "%s: %s", c->ptr[0] ? c->ptr : "(root)", reason);
    return -1;
}

/* Appends "/token" (escaped as RFC 6901 says) to the pointer; returns the old length. */
static size_t push(vctx *c, const char *token)
{
    size_t old = strlen(c->ptr), n = old;
    if (n + 1 < sizeof c->ptr)
        c->ptr[n++] = '/';
    for (const char *t = token; *t && n + 2 < sizeof c->ptr; t++) {
        if (*t == '~' || *t == '/') {
            c->ptr[n++] = '~';
            c->ptr[n++] = *t == '~' ? '0' : '1';
        } else {
            c->ptr[n++] = *t;
        }
    }
    c->ptr[n] = '\0';
    return old;
}

static void pop(vctx *c, size_t old)
{
    c->ptr[old] = '\0';
}

/* Resolves a local reference "#/a/b~1c" against the root; NULL when it names nothing. */
static const json_t *resolve(const json_t *root, const char *ref)
{
    if (strcmp(ref, "#") == 0)
        return root;
    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    const json_t *cur = root;
    const char *p = ref + 2;
    while (cur) {
        char tok[256];
        size_t n = 0;
        for (; *p && *p != '/' && n < sizeof tok - 1; p++) {
            if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
                tok[n++] = p[1] == '0' ? '~' : '/';
                p++;
            } else {
                tok[n++] = *p;
            }
        }
        tok[n] = '\0';
        if (json_is_array(cur)) {
            char *end;
            long i = strtol(tok, &end, 10);
            cur = *end || i < 0 ? NULL : json_array_get(cur, (size_t)i);
        } else {
            cur = json_object_get(cur, tok);
        }
        if (*p != '/')
            break;
        p++;
    }
    return cur;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

static bool is_type(const json_t *v, const char *type)
{
    if (strcmp(type, "integer") == 0)
        return json_is_integer(v) ||
               (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v));
    if (strcmp(type, "number") == 0)
        return json_is_number(v);
    if (strcmp(type, "boolean") == 0)
        return json_is_boolean(v);
    return strcmp(type, type_name(v)) == 0;
}

/* JSON equality where 1 and 1.0 are the same number. */
static bool same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return json_equal((json_t *)a, (json_t *)b);
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* YYYY-MM-DD with a real day of the month. */
static bool is_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* RFC 3339: date "T" HH:MM:SS[.frac] ("Z" | ±HH:MM). */
static bool is_date_time(const char *s)
{
    if (strlen(s) < 20 || !is_date(s) || (s[10] != 'T' && s[10] != 't'))
        return false;
    const char *t = s + 11;
    if (!digits(t, 2) || t[2] != ':' || !digits(t + 3, 2) || t[5] != ':' || !digits(t + 6, 2) ||
        num(t, 2) > 23 || num(t + 3, 2) > 59 || num(t + 6, 2) > 60)
        return false;
    t += 8;
    if (*t == '.') {
        t++;
        if (!digits(t, 1))
            return false;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    if ((*t == 'Z' || *t == 'z') && t[1] == '\0')
        return true;
    return (*t == '+' || *t == '-') && digits(t + 1, 2) && t[3] == ':' && digits(t + 4, 2) &&
           t[6] == '\0' && num(t + 1, 2) <= 23 && num(t + 4, 2) <= 59;
}

static int validate(vctx *c, const json_t *schema, const json_t *inst, json_t *seen);

/* Runs validate on a copy of the context so that a failing branch leaves no message. */
static bool passes(vctx *c, const json_t *schema, const json_t *inst, json_t *seen)
{
    char scratch[1024];
    vctx t = *c;
    t.msg = scratch;
    t.cap = sizeof scratch;
    return validate(&t, schema, inst, seen) == 0;
}

static int check_type(vctx *c, const json_t *type, const json_t *inst)
{
    if (json_is_string(type)) {
        if (!is_type(inst, json_string_value(type)))
            return fail(c, "expected %s, got %s", json_string_value(type), type_name(inst));
        return 0;
    }
    if (!json_is_array(type))
        return 0;
    size_t i;
    json_t *t;
    json_array_foreach(type, i, t)
    {
        if (json_is_string(t) && is_type(inst, json_string_value(t)))
            return 0;
    }
    char *names = json_dumps(type, JSON_COMPACT);
    int rc = fail(c, "expected one of %s, got %s", names ? names : "?", type_name(inst));
    free(names);
    return rc;
}

static int check_number(vctx *c, const json_t *s, const json_t *inst)
{
    double v = json_number_value(inst);
    const json_t *b;
    b = json_object_get(s, "minimum");
    if (b && v < json_number_value(b))
        return fail(c, "%g is less than the minimum %g", v, json_number_value(b));
    b = json_object_get(s, "maximum");
    if (b && v > json_number_value(b))
        return fail(c, "%g is more than the maximum %g", v, json_number_value(b));
    b = json_object_get(s, "exclusiveMinimum");
    if (b && v <= json_number_value(b))
        return fail(c, "%g is not more than %g", v, json_number_value(b));
    b = json_object_get(s, "exclusiveMaximum");
    if (b && v >= json_number_value(b))
        return fail(c, "%g is not less than %g", v, json_number_value(b));
    return 0;
}

static int check_string(vctx *c, const json_t *s, const json_t *inst)
{
    const char *v = json_string_value(inst);
    size_t len = utf8_length(v);
    const json_t *b;
    b = json_object_get(s, "minLength");
    if (b && (json_int_t)len < json_integer_value(b))
        return fail(c, "\"%.80s\" is shorter than %lld", v, (long long)json_integer_value(b));
    b = json_object_get(s, "maxLength");
    if (b && (json_int_t)len > json_integer_value(b))
        return fail(c, "\"%.80s\" is longer than %lld", v, (long long)json_integer_value(b));
    const char *format = json_string_value(json_object_get(s, "format"));
    if (format && strcmp(format, "date") == 0 && !is_date(v))
        return fail(c, "\"%.80s\" is not a date YYYY-MM-DD", v);
    if (format && strcmp(format, "date-time") == 0 && !is_date_time(v))
        return fail(c, "\"%.80s\" is not an RFC 3339 date-time", v);
    const char *pattern = json_string_value(json_object_get(s, "pattern"));
    if (pattern) {
        regex_t re;
        if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
            return fail(c, "the schema's pattern %s is not a POSIX extended regex", pattern);
        int rc = regexec(&re, v, 0, NULL, 0);
        regfree(&re);
        if (rc != 0)
            return fail(c, "\"%.80s\" does not match %s", v, pattern);
    }
    return 0;
}

static int check_array(vctx *c, const json_t *s, const json_t *inst)
{
    size_t n = json_array_size(inst);
    const json_t *b;
    b = json_object_get(s, "minItems");
    if (b && (json_int_t)n < json_integer_value(b))
        return fail(c, "%zu items, fewer than %lld", n, (long long)json_integer_value(b));
    b = json_object_get(s, "maxItems");
    if (b && (json_int_t)n > json_integer_value(b))
        return fail(c, "%zu items, more than %lld", n, (long long)json_integer_value(b));
    if (json_is_true(json_object_get(s, "uniqueItems")))
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (same_value(json_array_get(inst, i), json_array_get(inst, j)))
                    return fail(c, "items %zu and %zu are equal", i, j);
    const json_t *items = json_object_get(s, "items");
    if (!items)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char tok[24];
        snprintf(tok, sizeof tok, "%zu", i);
        size_t old = push(c, tok);
        int rc = validate(c, items, json_array_get(inst, i), NULL);
        pop(c, old);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Object keywords; names evaluated here are added to seen (for unevaluatedProperties). */
static int check_object(vctx *c, const json_t *s, const json_t *inst, json_t *seen)
{
    const json_t *b;
    size_t n = json_object_size(inst);
    b = json_object_get(s, "minProperties");
    if (b && (json_int_t)n < json_integer_value(b))
        return fail(c, "%zu properties, fewer than %lld", n, (long long)json_integer_value(b));
    b = json_object_get(s, "maxProperties");
    if (b && (json_int_t)n > json_integer_value(b))
        return fail(c, "%zu properties, more than %lld", n, (long long)json_integer_value(b));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(s, "required"), i, r)
    {
        if (json_is_string(r) && !json_object_get(inst, json_string_value(r)))
            return fail(c, "required property \"%s\" is missing", json_string_value(r));
    }
    const json_t *props = json_object_get(s, "properties");
    const json_t *extra = json_object_get(s, "additionalProperties");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)inst, name, v)
    {
        const json_t *sub = json_object_get(props, name);
        if (!sub && !extra)
            continue;
        size_t old = push(c, name);
        int rc = 0;
        if (sub)
            rc = validate(c, sub, v, NULL);
        else if (json_is_false(extra))
            rc = fail(c, "property \"%s\" is not allowed", name);
        else
            rc = validate(c, extra, v, NULL);
        pop(c, old);
        if (rc < 0)
            return -1;
        json_object_set_new(seen, name, json_true());
    }
    return 0;
}

static int check_combinators(vctx *c, const json_t *s, const json_t *inst, json_t *seen)
{
    size_t i, count = 0;
    json_t *sub;
    json_array_foreach(json_object_get(s, "allOf"), i, sub)
    {
        if (validate(c, sub, inst, seen) < 0)
            return -1;
    }
    const json_t *any = json_object_get(s, "anyOf");
    if (any) {
        json_array_foreach(any, i, sub)
        {
            if (passes(c, sub, inst, seen))
                count++;
        }
        if (!count) {
            json_array_foreach(any, i, sub)
            {
                if (validate(c, sub, inst, NULL) < 0)
                    break;
            }
            char why[512];
            snprintf(why, sizeof why, "%s", c->msg);
            return fail(c, "matches no branch of anyOf (first: %s)", why);
        }
    }
    const json_t *one = json_object_get(s, "oneOf");
    if (one) {
        json_t *scratch = json_object();
        count = 0;
        json_array_foreach(one, i, sub)
        {
            if (passes(c, sub, inst, scratch))
                count++;
        }
        if (count == 1)
            json_object_update(seen, scratch);
        json_decref(scratch);
        if (count != 1)
            return fail(c, "matches %zu branches of oneOf, not exactly one", count);
    }
    const json_t *not = json_object_get(s, "not");
    if (not &&passes(c, not, inst, NULL))
        return fail(c, "matches a schema under not");
    return 0;
}

static int validate(vctx *c, const json_t *s, const json_t *inst, json_t *seen)
{
    if (json_is_true(s))
        return 0;
    if (json_is_false(s))
        return fail(c, "no value is allowed here");
    if (!json_is_object(s))
        return fail(c, "the schema is not an object");
    if (++c->depth > MAX_DEPTH) {
        c->depth--;
        return fail(c, "schemas nested too deep (a $ref cycle?)");
    }
    /* Names evaluated for this instance, by this schema and its in-place applicators. */
    json_t *mine = json_object();
    int rc = -1;
    const json_t *b;
    const char *ref = json_string_value(json_object_get(s, "$ref"));
    if (ref) {
        const json_t *target = resolve(c->root, ref);
        if (!target) {
            fail(c, "the schema's $ref %s names nothing", ref);
            goto done;
        }
        if (validate(c, target, inst, mine) < 0)
            goto done;
    }
    b = json_object_get(s, "type");
    if (b && check_type(c, b, inst) < 0)
        goto done;
    b = json_object_get(s, "const");
    if (b && !same_value(b, inst)) {
        fail(c, "expected the constant value of the schema");
        goto done;
    }
    b = json_object_get(s, "enum");
    if (b) {
        size_t i;
        json_t *e;
        bool found = false;
        json_array_foreach(b, i, e)
        {
            found = found || same_value(e, inst);
        }
        if (!found) {
            char *text = json_dumps(inst, JSON_ENCODE_ANY | JSON_COMPACT);
            fail(c, "%.80s is not one of the enum's values", text ? text : "?");
            free(text);
            goto done;
        }
    }
    if (json_is_number(inst) && check_number(c, s, inst) < 0)
        goto done;
    if (json_is_string(inst) && check_string(c, s, inst) < 0)
        goto done;
    if (json_is_array(inst) && check_array(c, s, inst) < 0)
        goto done;
    if (json_is_object(inst) && check_object(c, s, inst, mine) < 0)
        goto done;
    if (check_combinators(c, s, inst, mine) < 0)
        goto done;
    b = json_object_get(s, "unevaluatedProperties");
    if (b && json_is_object(inst)) {
        const char *name;
        json_t *v;
        json_object_foreach((json_t *)inst, name, v)
        {
            if (json_object_get(mine, name))
                continue;
            size_t old = push(c, name);
            int bad = json_is_false(b) ? fail(c, "property \"%s\" is not allowed", name)
                                       : validate(c, b, v, NULL);
            pop(c, old);
            if (bad < 0)
                goto done;
            json_object_set_new(mine, name, json_true());
        }
    }
    if (seen)
        json_object_update(seen, mine);
    rc = 0;
done:
    json_decref(mine);
    c->depth--;
    return rc;
}

int contract_validate(const json_t *root, const json_t *schema, const json_t *instance, char *msg,
                      size_t cap)
{
    vctx c = {.root = root, .msg = msg, .cap = cap};
    if (cap)
        msg[0] = '\0';
    return validate(&c, schema, instance, NULL);
}
