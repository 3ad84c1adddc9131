/* fuzz.h — what every libFuzzer harness of tests/fuzz shares: the entry point's prototype, an
 * invariant check that stops the run with a message (libFuzzer then saves the input as a
 * crash-* file), and a deterministic way to cut an input into pieces.
 *
 * A harness checks invariants, not only "no crash": a broken promise is a crash here. */
#ifndef GAPFORGE_FUZZ_H
#define GAPFORGE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/http.h"
#include "gapforge/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the run when cond is false, printing where and which invariant broke. */
#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* An error as a client gets it: its message and field are UTF-8 and its JSON body can be
 * written (jansson refuses text that is not UTF-8, which would leave the answer empty). */
static inline void fuzz_check_error(const gf_err *err)
{
    FUZZ_CHECK(gf_utf8_valid(err->message, strlen(err->message), NULL),
               "the error message is not UTF-8: %s", err->message);
    FUZZ_CHECK(gf_utf8_valid(err->field, strlen(err->field), NULL),
               "the error field is not UTF-8: %s", err->field);
    json_t *body = gf_http_error_body(err);
    FUZZ_CHECK(body != NULL, "the error body cannot be written: %s", err->message);
    json_decref(body);
}

/* The size of the next piece of an input cut by seed (1..16 bytes, never past left): the same
 * input is always cut the same way, so a crash replays. */
static inline size_t fuzz_piece(uint32_t *seed, size_t left)
{
    *seed = *seed * 1103515245u + 12345u;
    size_t n = 1 + (*seed >> 16) % 16;
    return n < left ? n : left;
}

/* A seed for fuzz_piece from the input's bytes. */
static inline uint32_t fuzz_seed(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

#endif
