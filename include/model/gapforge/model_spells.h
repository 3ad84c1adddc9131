/* gapforge model: a deal history cut at as_of, turned into stage spells (the survival data). */
#ifndef GAPFORGE_MODEL_SPELLS_H
#define GAPFORGE_MODEL_SPELLS_H

#include "gapforge/model.h"

/* How a spell in an open stage ended. */
enum gf_model_exit {
    GF_MODEL_EXIT_ADVANCED = 0,  /* moved to a later open stage */
    GF_MODEL_EXIT_REGRESSED = 1, /* moved to an earlier open stage */
    GF_MODEL_EXIT_WON = 2,
    GF_MODEL_EXIT_LOST = 3,
    GF_MODEL_EXIT_CENSORED = 4, /* still in the stage at as_of */
};

/* One stay of one deal in one open stage. Ages count days since the stage was entered.
 * For an exit, the deal was at risk on ages 0..duration and left on age `duration` (0 for a
 * same-day move). For a censored spell, it survived ages 0..duration-1 and is at risk on age
 * `duration` (= as_of - entered) as of the start of as_of. */
typedef struct gf_model_spell {
    uint32_t deal;    /* index into the history's deals */
    int32_t stage;    /* the open stage */
    gf_day entered;   /* day the stage was entered */
    int32_t duration; /* see above */
    int32_t exit;     /* enum gf_model_exit */
    int32_t to_stage; /* destination stage for exits, -1 when censored */
} gf_model_spell;

/* A growable array of spells owned by the caller (free with gf_model_spells_free). */
typedef struct gf_model_spells {
    gf_model_spell *items;
    size_t n;
    size_t cap;
    gf_day as_of; /* the cut the spells were built at */
} gf_model_spells;

/* Builds the spells of every deal from its data dated strictly before as_of: anything on or
 * after as_of is ignored, so later data never changes the result. Deals created on/after as_of
 * are skipped; a deal that reopens starts a new spell. `out` must be zero-initialised or freed;
 * on success it owns a new array. Returns 0, GF_MODEL_EINVAL (history fails validation) or
 * GF_MODEL_ENOMEM (out left empty). */
int gf_model_spells_build(const gf_model_history *h, gf_day as_of, gf_model_spells *out)
    GF_MUST_CHECK;

/* Releases the array and zeroes the struct; NULL-safe and idempotent. */
void gf_model_spells_free(gf_model_spells *s);

/* The exit type of a move from open stage `from` to stage `to` (both valid indices of stages). */
int gf_model_exit_of(const gf_model_stage *stages, int32_t from, int32_t to);

#endif
