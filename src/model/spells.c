/* History to stage spells: each stay in an open stage with its age at exit and how it ended,
 * or censored at as_of. This is the only place that reads stage timelines for the survival fit. */
#include "gapforge/model_spells.h"

#include <stdlib.h>
#include <string.h>

static int push(gf_model_spells *s, const gf_model_spell *sp)
{
    if (s->n == s->cap) {
        const size_t cap = s->cap ? s->cap * 2 : 256;
        gf_model_spell *items = realloc(s->items, cap * sizeof(*items));
        if (!items)
            return GF_MODEL_ENOMEM;
        s->items = items;
        s->cap = cap;
    }
    s->items[s->n++] = *sp;
    return GF_MODEL_OK;
}

int gf_model_exit_of(const gf_model_stage *stages, int32_t from, int32_t to)
{
    switch (stages[to].kind) {
    case GF_MODEL_STAGE_WON:
        return GF_MODEL_EXIT_WON;
    case GF_MODEL_STAGE_LOST:
        return GF_MODEL_EXIT_LOST;
    default:
        return to > from ? GF_MODEL_EXIT_ADVANCED : GF_MODEL_EXIT_REGRESSED;
    }
}

/* Walks one deal's timeline up to as_of, emitting a spell for each stay in an open stage. */
static int deal_spells(const gf_model_history *h, size_t i, gf_day as_of, gf_model_spells *out)
{
    const gf_model_deal *d = &h->deals[i];
    if (d->created_day >= as_of)
        return GF_MODEL_OK;
    int32_t cur = -1;
    gf_day entered = 0;
    for (size_t k = 0; k < d->n_timeline; k++) {
        const gf_model_transition *t = &d->timeline[k];
        if (t->day >= as_of)
            break;
        if (t->stage == cur)
            continue;
        if (cur >= 0 && h->stages[cur].kind == GF_MODEL_STAGE_OPEN) {
            const gf_model_spell sp = {.deal = (uint32_t)i,
                                       .stage = cur,
                                       .entered = entered,
                                       .duration = t->day - entered,
                                       .exit = gf_model_exit_of(h->stages, cur, t->stage),
                                       .to_stage = t->stage};
            if (push(out, &sp))
                return GF_MODEL_ENOMEM;
        }
        cur = t->stage;
        entered = t->day;
    }
    if (cur >= 0 && h->stages[cur].kind == GF_MODEL_STAGE_OPEN) {
        const gf_model_spell sp = {.deal = (uint32_t)i,
                                   .stage = cur,
                                   .entered = entered,
                                   .duration = as_of - entered,
                                   .exit = GF_MODEL_EXIT_CENSORED,
                                   .to_stage = -1};
        if (push(out, &sp))
            return GF_MODEL_ENOMEM;
    }
    return GF_MODEL_OK;
}

int gf_model_spells_build(const gf_model_history *h, gf_day as_of, gf_model_spells *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    gf_model_spells_free(out);
    out->as_of = as_of;
    if (gf_model_history_validate(h, NULL))
        return GF_MODEL_EINVAL;
    if (h->n_deals > UINT32_MAX)
        return GF_MODEL_EINVAL;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (deal_spells(h, i, as_of, out)) {
            gf_model_spells_free(out);
            out->as_of = as_of;
            return GF_MODEL_ENOMEM;
        }
    }
    return GF_MODEL_OK;
}

void gf_model_spells_free(gf_model_spells *s)
{
    if (!s)
        return;
    free(s->items);
    memset(s, 0, sizeof(*s));
}
