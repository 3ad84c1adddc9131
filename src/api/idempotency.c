/* idempotency.c — Idempotency-Key on POST, the server's handler hooks (gf_handler_hooks).
 *
 * Stripe's semantics: a POST with an Idempotency-Key header (1 to 255 printable characters) is
 * run once per org and key; its answer is kept for 24 hours and the same key with the same
 * request (method, path, and the JSON body compared as data: key order and spacing do not
 * matter) gets that answer again, marked `Idempotent-Replayed: true`, without the work being
 * done again. The same key with another request is 422. A duplicate that arrives while the first
 * is still running waits for its answer (up to the wait below, then 409). Answers with a 5xx are
 * not kept: the key is released so that a retry runs the request. Keys belong to an org, so the
 * service admin's org creation (no org yet) is not covered: a retried create answers 409 on the
 * slug instead. Streamed bodies (imports) are not covered either; re-importing the same file is a
 * no-op by itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapforge/api.h"
#include "gapforge/crypto.h"
#include "gapforge/store_idempotency.h"

#define WAIT_MS 30000
#define POLL_MS 50

typedef struct idem_state {
    char key[256];
} idem_state;

/* The key of a POST that has one: NULL when there is none; "" when it is malformed. */
static const char *key_of(const gf_req *req)
{
    if (strcmp(req->method, "POST") != 0 || req->who.org_id == 0)
        return NULL;
    const char *k = gf_req_header(req, "Idempotency-Key");
    if (!k)
        return NULL;
    size_t n = strlen(k);
    if (n == 0 || n > 255)
        return "";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
            return "";
    return k;
}

/* The request's digest: method, path and the body as canonical JSON (POST routes take their
 * input from the body). */
static int request_hash(const gf_req *req, char hex[65])
{
    char *body = req->body ? json_dumps(req->body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
                                                       JSON_REAL_PRECISION(17))
                           : strdup("");
    if (!body)
        return -1;
    size_t n = strlen(req->method) + strlen(req->path) + strlen(body) + 3;
    char *all = malloc(n);
    if (!all) {
        free(body);
        return -1;
    }
    snprintf(all, n, "%s\n%s\n%s", req->method, req->path, body);
    gf_sha256_hex(all, strlen(all), hex);
    free(all);
    free(body);
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void answer_error(gf_resp *resp, gf_errcode code, const char *reason, const char *msg)
{
    gf_err err;
    gf_err_set(&err, code, reason, "Idempotency-Key", "%s", msg);
    gf_resp_error(resp, &err);
}

int gf_api_idempotency_before(gf_req *req, gf_resp *resp, void **state)
{
    *state = NULL;
    const char *key = key_of(req);
    if (!key)
        return 0;
    if (!*key) {
        answer_error(resp, GF_EINVALID, NULL,
                     "Idempotency-Key must be 1 to 255 printable ASCII characters");
        return 1;
    }
    char hash[65];
    if (request_hash(req, hash) < 0) {
        gf_err err;
        gf_err_internal(&err);
        gf_resp_error(resp, &err);
        return 1;
    }
    gf_idem_state st = GF_IDEM_IN_PROGRESS;
    gf_idem_answer ans = {0};
    gf_err err = {0};
    for (int waited = 0;; waited += POLL_MS) {
        if (gf_store_idem_claim(req->who.org_id, key, hash, req->method, req->path, &st, &ans,
                                &err) < 0) {
            gf_resp_error(resp, &err);
            return 1;
        }
        if (st != GF_IDEM_IN_PROGRESS || waited >= WAIT_MS)
            break;
        sleep_ms(POLL_MS);
    }
    switch (st) {
    case GF_IDEM_CLAIMED: {
        idem_state *s = calloc(1, sizeof *s);
        if (!s) {
            gf_store_idem_release(req->who.org_id, key);
            gf_err_internal(&err);
            gf_resp_error(resp, &err);
            return 1;
        }
        snprintf(s->key, sizeof s->key, "%s", key);
        *state = s;
        return 0;
    }
    case GF_IDEM_DONE: {
        json_error_t jerr;
        resp->status = ans.status;
        resp->body = ans.body ? json_loads(ans.body, JSON_DECODE_ANY, &jerr) : NULL;
        snprintf(resp->location, sizeof resp->location, "%s", ans.location);
        snprintf(resp->header[0], sizeof resp->header[0], "Idempotent-Replayed");
        snprintf(resp->header[1], sizeof resp->header[1], "true");
        free(ans.body);
        return 1;
    }
    case GF_IDEM_MISMATCH:
        answer_error(resp, GF_EINVALID, "idempotency_key_reused",
                     "this Idempotency-Key was used for another request in the last 24 hours");
        return 1;
    default:
        answer_error(resp, GF_ECONFLICT, "idempotency_key_in_progress",
                     "a request with this Idempotency-Key is still running; retry later");
        return 1;
    }
}

void gf_api_idempotency_after(gf_req *req, gf_resp *resp, void *state)
{
    idem_state *s = state;
    if (!s)
        return;
    gf_err err = {0};
    if (resp->status >= 500 || resp->text) {
        gf_store_idem_release(req->who.org_id, s->key);
    } else {
        char *body =
            resp->body
                ? json_dumps(resp->body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))
                : NULL;
        if ((resp->body && !body) || gf_store_idem_finish(req->who.org_id, s->key, resp->status,
                                                          body, resp->location, &err) < 0)
            gf_store_idem_release(req->who.org_id, s->key);
        free(body);
    }
    free(s);
}
