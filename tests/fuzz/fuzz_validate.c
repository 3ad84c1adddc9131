/* fuzz_validate.c — the table-driven validation of JSON request bodies (src/api/validate.c),
 * over tables the input describes: every field kind, flag and range the handlers' tables use.
 *
 * Input: one byte (the number of fields and the mode), four bytes per field (its kind, flags,
 * range and length cap), then the body, parsed as the server parses bodies. Invariants:
 *  - success: every member of the body is a field of the table, every required field is there
 *    on create, a field's text is NULL exactly when its value is null, and each text is its
 *    kind's normal form: a string kept byte for byte and accepted by gf_validate_text, money
 *    "N.NN" reading back as the number sent, an integer or number reading back exactly and in
 *    range, a boolean "true" or "false";
 *  - the normal forms validate again to themselves (validation is idempotent);
 *  - failure: a 422 naming a field of the body or a required one (a body that is no object: a
 *    400), with a UTF-8 message and an error body that can be written, and nothing is left in
 *    the values;
 *  - gf_validate_value agrees with gf_validate on each member. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/validate.h"

static const char *const names[] = {"name",  "amount", "stage", "close_date", "probability",
                                    "owner", "count",  "open",  "created_at", "currency"};
static const char *const stages[] = {"open", "won", "lost", NULL};
static const double lows[] = {0, -1e6, 1, -9007199254740991.0};
static const double highs[] = {1, 100, 1e6, 9007199254740991.0};
static const size_t caps[] = {0, 1, 64, 200};

static bool is_string_kind(gf_ftype t)
{
    return t == GF_F_TEXT || t == GF_F_KEY || t == GF_F_SLUG || t == GF_F_EMAIL || t == GF_F_DATE ||
           t == GF_F_TIMESTAMP || t == GF_F_ENUM || t == GF_F_CURRENCY;
}

/* Checks text as the normal form of field f for the JSON value v. */
static void check_text(const gf_field *f, const json_t *v, const char *text)
{
    if (is_string_kind(f->type)) {
        FUZZ_CHECK(json_is_string(v) && strcmp(text, json_string_value(v)) == 0,
                   "%s: the text is not the string sent", f->name);
        if (f->type == GF_F_ENUM) {
            bool listed = false;
            for (const char *const *e = f->enum_values; *e; e++)
                listed |= strcmp(*e, text) == 0;
            FUZZ_CHECK(listed, "%s: %s is not one of the enum", f->name, text);
        } else {
            gf_err err = {0};
            if (f->type != GF_F_TEXT || !f->max_len)
                FUZZ_CHECK(gf_validate_text(f->name, f->type, text, &err) == 0,
                           "%s: gf_validate_text refuses %s: %s", f->name, text, err.message);
        }
        return;
    }
    char *end = NULL;
    switch (f->type) {
    case GF_F_BOOL:
        FUZZ_CHECK(strcmp(text, json_is_true(v) ? "true" : "false") == 0, "%s: boolean %s", f->name,
                   text);
        break;
    case GF_F_INT: {
        const long long i = strtoll(text, &end, 10);
        FUZZ_CHECK(*end == '\0' && i == json_integer_value(v), "%s: integer %s", f->name, text);
        FUZZ_CHECK((double)i >= f->min && (double)i <= f->max, "%s: %s out of range", f->name,
                   text);
        break;
    }
    case GF_F_MONEY: {
        const char *dot = strchr(text, '.');
        FUZZ_CHECK(dot && strlen(dot) == 3 && strspn(text, "0123456789") == (size_t)(dot - text) &&
                       dot > text && strspn(dot + 1, "0123456789") == 2,
                   "%s: money %s", f->name, text);
        const double d = strtod(text, NULL);
        FUZZ_CHECK(d == json_number_value(v) && d < 1e16, "%s: money %s for %.17g", f->name, text,
                   json_number_value(v));
        break;
    }
    case GF_F_NUMBER:
    case GF_F_PROB: {
        const double d = strtod(text, &end);
        const double lo = f->type == GF_F_PROB ? 0 : f->min, hi = f->type == GF_F_PROB ? 1 : f->max;
        FUZZ_CHECK(*end == '\0' && isfinite(d) && d == json_number_value(v), "%s: number %s",
                   f->name, text);
        FUZZ_CHECK(d >= lo && d <= hi, "%s: %s out of range", f->name, text);
        break;
    }
    default:
        FUZZ_CHECK(0, "%s: kind %d accepted", f->name, (int)f->type);
    }
}

/* The normal forms as a JSON body again. */
static json_t *normal_body(const gf_field *fields, size_t n, const gf_values *v)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        if (!v->present[i])
            continue;
        const char *t = v->text[i];
        json_t *x;
        if (!t)
            x = json_null();
        else if (is_string_kind(fields[i].type))
            x = json_string(t);
        else if (fields[i].type == GF_F_BOOL)
            x = json_boolean(strcmp(t, "true") == 0);
        else if (fields[i].type == GF_F_INT)
            x = json_integer(strtoll(t, NULL, 10));
        else
            x = json_real(strtod(t, NULL));
        json_object_set_new(o, fields[i].name, x);
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const size_t n = 1 + data[0] % 10;
    const gf_vmode mode = (data[0] >> 4) & 1 ? GF_V_PATCH : GF_V_CREATE;
    const size_t flags = (data[0] >> 5) & 1 ? JSON_ALLOW_NUL : 0;
    if (size < 1 + 4 * n)
        return 0;
    gf_field fields[10];
    for (size_t i = 0; i < n; i++) {
        const uint8_t *d = data + 1 + 4 * i;
        fields[i] = (gf_field){
            .name = names[i],
            .type = (gf_ftype)(d[0] % 13),
            .flags = d[1] & 3u,
            .enum_values = stages,
            .min = lows[d[2] & 3],
            .max = highs[(d[2] >> 2) & 3],
            .max_len = caps[d[3] & 3],
        };
    }
    const char *body = (const char *)data + 1 + 4 * n;
    json_error_t jerr;
    json_t *obj =
        json_loadb(body, size - 1 - 4 * n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | flags, &jerr);
    if (!obj)
        return 0;
    gf_values v;
    gf_err err = {0};
    const int rc = gf_validate(obj, fields, n, mode, &v, &err);
    if (rc == 0) {
        FUZZ_CHECK(v.n == n, "n %zu", v.n);
        FUZZ_CHECK(gf_values_count(&v) == json_object_size(obj), "%zu present of %zu members",
                   gf_values_count(&v), json_object_size(obj));
        for (size_t i = 0; i < n; i++) {
            const json_t *x = json_object_get(obj, fields[i].name);
            FUZZ_CHECK(v.present[i] == (x != NULL), "%s: present %d", fields[i].name, v.present[i]);
            if (mode == GF_V_CREATE && (fields[i].flags & GF_REQUIRED))
                FUZZ_CHECK(x, "required %s accepted absent", fields[i].name);
            if (!x)
                continue;
            FUZZ_CHECK((v.text[i] == NULL) == json_is_null(x), "%s: text %s", fields[i].name,
                       v.text[i] ? v.text[i] : "NULL");
            if (json_is_null(x)) {
                FUZZ_CHECK(fields[i].flags & GF_NULLABLE, "%s: null accepted", fields[i].name);
                continue;
            }
            check_text(&fields[i], x, v.text[i]);
            gf_err e2 = {0};
            char *one = gf_validate_value(fields[i].name, fields[i].type, x, &e2);
            if (fields[i].type != GF_F_ENUM && fields[i].type != GF_F_INT &&
                fields[i].type != GF_F_NUMBER &&
                !(fields[i].type == GF_F_TEXT && fields[i].max_len))
                FUZZ_CHECK(one && strcmp(one, v.text[i]) == 0, "%s: gf_validate_value differs",
                           fields[i].name);
            free(one);
        }
        json_t *again = normal_body(fields, n, &v);
        gf_values w;
        gf_err e3 = {0};
        FUZZ_CHECK(gf_validate(again, fields, n, mode, &w, &e3) == 0,
                   "the normal forms are refused: %s", e3.message);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK((!v.text[i] && !w.text[i]) ||
                           (v.text[i] && w.text[i] && strcmp(v.text[i], w.text[i]) == 0),
                       "%s: %s normalises to %s", fields[i].name, v.text[i], w.text[i]);
        gf_values_clear(&w);
        json_decref(again);
        gf_values_clear(&v);
    } else {
        FUZZ_CHECK(rc < 0 && rc == (int)err.code && err.message[0], "failure %d, code %d", rc,
                   (int)err.code);
        fuzz_check_error(&err);
        for (size_t i = 0; i < GF_MAX_FIELDS; i++)
            FUZZ_CHECK(!v.present[i] && !v.text[i], "a failure left value %zu", i);
        if (!json_is_object(obj)) {
            FUZZ_CHECK(err.code == GF_EMALFORMED, "a non-object refused with %d", err.code);
        } else {
            FUZZ_CHECK(err.code == GF_EINVALID, "refused with %d", err.code);
            /* No field named: only a member with an empty name, which the message says. */
            FUZZ_CHECK(err.field[0] || (json_object_get(obj, "") && strstr(err.message, "empty")),
                       "refused naming no field: %s", err.message);
            bool named = !err.field[0] || json_object_get(obj, err.field) != NULL;
            for (size_t i = 0; i < n && !named; i++)
                named = strcmp(fields[i].name, err.field) == 0 && (fields[i].flags & GF_REQUIRED);
            FUZZ_CHECK(named || strlen(err.field) + 4 >= sizeof err.field,
                       "the error names %s, neither a member nor required", err.field);
        }
    }
    json_decref(obj);
    return 0;
}
