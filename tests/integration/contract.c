/* contract.c — openapi.yaml loaded with libyaml into jansson values, and the check of one
 * HTTP response against the operation of the spec that answers it. The schema validator
 * itself is in contract_schema.c. */
#include "contract.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define MAX_DEPTH 128
#define MAX_SEGS  32

/* ---- YAML → JSON ---------------------------------------------------------------------- */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? with a '.' or an exponent. */
static bool is_float(const char *s)
{
    size_t i = 0, digits = 0;
    bool dot = false, exp = false;
    if (s[i] == '-' || s[i] == '+')
        i++;
    while (isdigit((unsigned char)s[i]))
        i++, digits++;
    if (s[i] == '.') {
        dot = true;
        i++;
        while (isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (!digits)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        exp = true;
        i++;
        if (s[i] == '-' || s[i] == '+')
            i++;
        if (!isdigit((unsigned char)s[i]))
            return false;
        while (isdigit((unsigned char)s[i]))
            i++;
    }
    return s[i] == '\0' && (dot || exp);
}

/* A scalar as YAML 1.2's core schema reads it (plain), or a string (quoted, block). */
static json_t *scalar_value(const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_stringn(s, len);
    if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
        strcmp(s, "NULL") == 0)
        return json_null();
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        return json_true();
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        return json_false();
    const char *d = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
    if (all_digits(d)) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == 0)
            return json_integer(v);
        return json_real(strtod(s, NULL));
    }
    if (is_float(s))
        return json_real(strtod(s, NULL));
    return json_stringn(s, len);
}

typedef struct yaml_reader {
    yaml_parser_t parser;
    char *err;
    size_t cap;
} yaml_reader;

static int next_event(yaml_reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev))
        return 0;
    snprintf(r->err, r->cap, "YAML error at line %zu, column %zu: %s",
             r->parser.problem_mark.line + 1, r->parser.problem_mark.column + 1,
             r->parser.problem ? r->parser.problem : "unknown");
    return -1;
}

/* The node that starts with ev (which this function deletes); NULL with r->err. */
static json_t *read_node(yaml_reader *r, yaml_event_t *ev, int depth)
{
    json_t *out = NULL;
    yaml_event_t item;
    size_t line = ev->start_mark.line + 1;
    if (depth > MAX_DEPTH) {
        snprintf(r->err, r->cap, "YAML nested too deep at line %zu", line);
        goto done;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        out = scalar_value(ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        out = json_array();
        for (;;) {
            if (next_event(r, &item) < 0)
                goto fail;
            if (item.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&item);
                break;
            }
            json_t *v = read_node(r, &item, depth + 1);
            if (!v)
                goto fail;
            json_array_append_new(out, v);
        }
        break;
    case YAML_MAPPING_START_EVENT:
        out = json_object();
        for (;;) {
            if (next_event(r, &item) < 0)
                goto fail;
            if (item.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&item);
                break;
            }
            if (item.type != YAML_SCALAR_EVENT) {
                snprintf(r->err, r->cap, "YAML line %zu: only scalar keys are supported",
                         item.start_mark.line + 1);
                yaml_event_delete(&item);
                goto fail;
            }
            char *key = malloc(item.data.scalar.length + 1);
            if (key) {
                memcpy(key, item.data.scalar.value, item.data.scalar.length);
                key[item.data.scalar.length] = '\0';
            }
            size_t key_line = item.start_mark.line + 1;
            yaml_event_delete(&item);
            if (!key || json_object_get(out, key)) {
                snprintf(r->err, r->cap, "YAML line %zu: duplicate key %s", key_line,
                         key ? key : "?");
                free(key);
                goto fail;
            }
            if (next_event(r, &item) < 0) {
                free(key);
                goto fail;
            }
            json_t *v = read_node(r, &item, depth + 1);
            if (!v) {
                free(key);
                goto fail;
            }
            json_object_set_new(out, key, v);
            free(key);
        }
        break;
    case YAML_ALIAS_EVENT:
        snprintf(r->err, r->cap, "YAML line %zu: aliases are not supported", line);
        break;
    default:
        snprintf(r->err, r->cap, "YAML line %zu: unexpected event %d", line, (int)ev->type);
        break;
    }
    goto done;
fail:
    json_decref(out);
    out = NULL;
done:
    yaml_event_delete(ev);
    return out;
}

/* Reads an event and checks its type; -1 with r->err otherwise. */
static int expect_event(yaml_reader *r, yaml_event_type_t type, const char *what)
{
    yaml_event_t ev;
    if (next_event(r, &ev) < 0)
        return -1;
    int rc = ev.type == type ? 0 : -1;
    if (rc < 0)
        snprintf(r->err, r->cap, "YAML line %zu: expected %s", ev.start_mark.line + 1, what);
    yaml_event_delete(&ev);
    return rc;
}

json_t *contract_yaml_parse(const char *text, size_t len, char *err, size_t cap)
{
    yaml_reader r = {.err = err, .cap = cap};
    json_t *out = NULL;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&r.parser)) {
        snprintf(err, cap, "libyaml: cannot initialise the parser");
        return NULL;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    if (expect_event(&r, YAML_STREAM_START_EVENT, "a stream") < 0 ||
        expect_event(&r, YAML_DOCUMENT_START_EVENT, "a document") < 0 || next_event(&r, &ev) < 0)
        goto done;
    out = read_node(&r, &ev, 0);
    if (!out)
        goto done;
    if (expect_event(&r, YAML_DOCUMENT_END_EVENT, "the end of the document") < 0 ||
        expect_event(&r, YAML_STREAM_END_EVENT, "a single document") < 0) {
        json_decref(out);
        out = NULL;
    }
done:
    yaml_parser_delete(&r.parser);
    return out;
}

json_t *contract_yaml_load(const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, used = 0;
    for (;;) {
        if (used == len) {
            len = len ? len * 2 : 65536;
            char *grown = realloc(text, len);
            if (!grown) {
                snprintf(err, cap, "%s: out of memory", path);
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        size_t n = fread(text + used, 1, len - used, f);
        used += n;
        if (n == 0)
            break;
    }
    fclose(f);
    json_t *out = contract_yaml_parse(text, used, err, cap);
    free(text);
    return out;
}

/* ---- Finding the operation ---------------------------------------------------------- */

/* Splits path (no query) at '/' into segs (pointers into buf); -1 when too many. */
static int split_path(const char *path, char *buf, size_t cap, char **segs)
{
    snprintf(buf, cap, "%s", path);
    buf[strcspn(buf, "?#")] = '\0';
    int n = 0;
    char *p = buf;
    while (*p == '/')
        p++;
    while (*p) {
        if (n == MAX_SEGS)
            return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

/* Whether template fits the segments; *literals gets a bit per literal segment, the first
 * segment in the highest bit, so that a bigger value prefers literals further left. */
static bool template_fits(const char *tmpl, char **segs, int nsegs, unsigned long *literals)
{
    char buf[1024];
    char *tsegs[MAX_SEGS];
    int n = split_path(tmpl, buf, sizeof buf, tsegs);
    if (n != nsegs)
        return false;
    *literals = 0;
    for (int i = 0; i < n; i++) {
        bool param = tsegs[i][0] == '{';
        if (param ? segs[i][0] == '\0' : strcmp(tsegs[i], segs[i]) != 0)
            return false;
        if (!param)
            *literals |= 1ul << (MAX_SEGS - 1 - i);
    }
    return true;
}

/* The path item's operation for method (lower case), or NULL. */
static const json_t *operation_of(const json_t *item, const char *method)
{
    char m[16];
    size_t i = 0;
    for (; method[i] && i < sizeof m - 1; i++)
        m[i] = (char)tolower((unsigned char)method[i]);
    m[i] = '\0';
    return json_object_get(item, m);
}

/* Finds the operation answering method+path as the server's router does: among the
 * templates that fit, one with the method first, then the one with literals further left. */
static const json_t *find_operation(const json_t *spec, const char *method, const char *path,
                                    const char **tmpl_out)
{
    char buf[4096];
    char *segs[MAX_SEGS];
    int n = split_path(path, buf, sizeof buf, segs);
    if (n < 0)
        return NULL;
    const json_t *best = NULL;
    unsigned long best_lit = 0;
    const char *tmpl;
    json_t *item;
    json_object_foreach((json_t *)json_object_get(spec, "paths"), tmpl, item)
    {
        unsigned long lit;
        if (!template_fits(tmpl, segs, n, &lit))
            continue;
        const json_t *op = operation_of(item, method);
        if (op && (!best || lit > best_lit)) {
            best = op;
            best_lit = lit;
            *tmpl_out = tmpl;
        }
    }
    return best;
}

/* Follows "$ref"s of an object (responses, parameters) to the object itself. */
static const json_t *deref(const json_t *spec, const json_t *v)
{
    for (int i = 0; i < 16 && json_is_object(v); i++) {
        const char *ref = json_string_value(json_object_get(v, "$ref"));
        if (!ref)
            return v;
        if (strncmp(ref, "#/", 2) != 0)
            return NULL;
        char buf[512];
        snprintf(buf, sizeof buf, "%s", ref + 2);
        const json_t *cur = spec;
        for (char *tok = strtok(buf, "/"); tok && cur; tok = strtok(NULL, "/"))
            cur = json_object_get(cur, tok); /* components paths hold no ~ escapes */
        v = cur;
    }
    return json_is_object(v) ? v : NULL;
}

static const json_t *response_for(const json_t *responses, long status)
{
    char key[32];
    snprintf(key, sizeof key, "%ld", status);
    const json_t *r = json_object_get(responses, key);
    if (!r) {
        snprintf(key, sizeof key, "%ldXX", status / 100);
        r = json_object_get(responses, key);
    }
    return r ? r : json_object_get(responses, "default");
}

int contract_check_response(const json_t *spec, const char *method, const char *path, long status,
                            const char *content_type, const json_t *body, size_t raw_len, char *msg,
                            size_t cap)
{
    char why[1024];
    const char *tmpl = NULL;
    const json_t *op = find_operation(spec, method, path, &tmpl);
    if (!op) {
        /* A CORS preflight (OPTIONS on a path the spec has) is the transport's, like 405: an
         * empty 204 (README "CORS"). */
        if (strcmp(method, "OPTIONS") == 0 && status == 204 && raw_len == 0 &&
            find_operation(spec, "GET", path, &tmpl))
            return 0;
        /* A probe of a path or method the API does not have: only an error may answer. */
        if (status < 400) {
            snprintf(msg, cap,
                     "contract: %s %s answered %ld, but openapi.yaml has no such "
                     "operation",
                     method, path, status);
            return -1;
        }
        if (!body)
            return 0;
        const json_t *error = json_object_get(
            json_object_get(json_object_get(spec, "components"), "schemas"), "Error");
        if (contract_validate(spec, error, body, why, sizeof why) < 0) {
            snprintf(msg, cap, "contract: %s %s (no operation) %ld: body is not an Error: %s",
                     method, path, status, why);
            return -1;
        }
        return 0;
    }
    const char *op_id = json_string_value(json_object_get(op, "operationId"));
    char name[512];
    snprintf(name, sizeof name, "%s %s (%s)", method, tmpl, op_id ? op_id : "no operationId");
    const json_t *resp = deref(spec, response_for(json_object_get(op, "responses"), status));
    if (!resp) {
        snprintf(msg, cap, "contract: %s: undocumented status %ld", name, status);
        return -1;
    }
    const json_t *content = json_object_get(resp, "content");
    const json_t *media = json_object_get(content, "application/json");
    if (content_type && strncasecmp(content_type, "text/csv", 8) == 0) {
        if (!json_object_get(content, "text/csv")) {
            snprintf(msg, cap, "contract: %s %ld: the response documents no text/csv body", name,
                     status);
            return -1;
        }
        return 0;
    }
    if (!body) {
        if (media) {
            snprintf(msg, cap, "contract: %s %ld: expected a JSON body, got %s", name, status,
                     raw_len ? "a body that is not JSON" : "no body");
            return -1;
        }
        return 0;
    }
    if (!media) {
        snprintf(msg, cap, "contract: %s %ld: the response documents no JSON body", name, status);
        return -1;
    }
    const json_t *schema = json_object_get(media, "schema");
    if (schema && contract_validate(spec, schema, body, why, sizeof why) < 0) {
        snprintf(msg, cap, "contract: %s %ld: %s", name, status, why);
        return -1;
    }
    return 0;
}
