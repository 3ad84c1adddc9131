/* store_idempotency.h — the Idempotency-Key ledger (migrations/0016_idempotency.sql). */
#ifndef GAPFORGE_STORE_IDEMPOTENCY_H
#define GAPFORGE_STORE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

/* What a claim found. */
typedef enum gf_idem_state {
    GF_IDEM_CLAIMED,     /* the key is new (or expired, or abandoned): run the request */
    GF_IDEM_DONE,        /* answered before for this same request: replay the answer */
    GF_IDEM_IN_PROGRESS, /* the same request is running now */
    GF_IDEM_MISMATCH,    /* the key was used for another request */
} gf_idem_state;

/* A stored answer. */
typedef struct gf_idem_answer {
    int status;
    char *body; /* malloc'd JSON text, or NULL for an empty body */
    char location[256];
} gf_idem_answer;

/* Claims key for the request whose digest is hash (64 hex) within the org: *state says what it
 * found; on GF_IDEM_DONE *answer holds the stored answer (free body). A key older than 24 hours
 * counts as new; a claim with no answer after 10 minutes as abandoned (taken over). Returns 0 or
 * -1 with err. */
int gf_store_idem_claim(int64_t org_id, const char *key, const char *hash, const char *method,
                        const char *path, gf_idem_state *state, gf_idem_answer *answer, gf_err *err)
    GF_MUST_CHECK;

/* Stores the answer of the request that claimed key. body may be NULL. Returns 0 or -1. */
int gf_store_idem_finish(int64_t org_id, const char *key, int status, const char *body,
                         const char *location, gf_err *err) GF_MUST_CHECK;

/* Gives the key up (the request failed in a way a retry should run again). */
void gf_store_idem_release(int64_t org_id, const char *key);

#endif
