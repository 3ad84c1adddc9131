/* plan_improve.c — the plan's improvement pass: from the greedy plan, try its neighbours (one or
 * two units dropped, added or traded, then three), screen them at fewer trials corrected by the
 * plan's own difference between the trial counts, confirm the most promising at the full trials
 * and move to the first that is a better answer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/* A neighbour of the plan in the improvement pass: the units it drops and adds (lever indexes,
 * SIZE_MAX for none; a lever may appear twice), its cost and its predicted score. */
typedef struct move {
    size_t drop[2], add[2];
    int64_t cost;
    double predicted;
    score sc; /* at the screening trials */
} move;

/* Up to this many neighbours per round are confirmed at the full trials. */
#define CONFIRM_PER_ROUND 3
/* At most this many rounds of the improvement pass. */
#define IMPROVE_ROUNDS 24

/* Minimum-cost goals: cheaper first. Maximising: the largest predicted objective first, then
 * cheaper. Ties: the levers of the move. */
static int cmp_move_min(const void *a, const void *b)
{
    const move *x = a, *y = b;
    if (x->cost != y->cost)
        return (x->cost > y->cost) - (x->cost < y->cost);
    for (int k = 0; k < 2; k++) {
        if (x->drop[k] != y->drop[k])
            return (x->drop[k] > y->drop[k]) - (x->drop[k] < y->drop[k]);
        if (x->add[k] != y->add[k])
            return (x->add[k] > y->add[k]) - (x->add[k] < y->add[k]);
    }
    return 0;
}

static int cmp_move_max(const void *a, const void *b)
{
    const move *x = a, *y = b;
    if (x->predicted != y->predicted)
        return (x->predicted < y->predicted) - (x->predicted > y->predicted);
    return cmp_move_min(a, b);
}

/* Applies a move to u (sign 1) or takes it back (sign -1). */
static void apply_move(uint32_t *u, const move *mv, int sign)
{
    for (int k = 0; k < 2; k++) {
        if (mv->drop[k] != SIZE_MAX)
            u[mv->drop[k]] = sign > 0 ? u[mv->drop[k]] - 1 : u[mv->drop[k]] + 1;
        if (mv->add[k] != SIZE_MAX)
            u[mv->add[k]] = sign > 0 ? u[mv->add[k]] + 1 : u[mv->add[k]] - 1;
    }
}

/* Whether move x is one of the pass's neighbours of u at `size` units moved: at most two dropped
 * and two added, a lever never both, the drops held and the adds within max_units, and for a
 * minimum-cost goal at least one dropped. */
static int move_valid(const searcher *s, const uint32_t *u, const move *x, int size)
{
    const size_t *d = x->drop, *a = x->add;
    const int nd = (d[0] != SIZE_MAX) + (d[1] != SIZE_MAX),
              na = (a[0] != SIZE_MAX) + (a[1] != SIZE_MAX);
    if (nd + na != size || (!s->maximise && !nd))
        return 0;
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            if (d[i] != SIZE_MAX && d[i] == a[j])
                return 0;
        }
        if (d[i] != SIZE_MAX && u[d[i]] < 1u + (d[0] == d[1]))
            return 0;
        if (a[i] != SIZE_MAX && u[a[i]] + 1u + (a[0] == a[1]) > s->lv[a[i]].max_units)
            return 0;
    }
    return 1;
}

/* At most this many neighbours are screened in one round: of one or two units moved, and of
 * three (past either, that kind is not tried that round), and at most this many candidates
 * looked at to find them. */
#define SCREEN_MAX_2    2048u
#define SCREEN_MAX_3    256u
#define NEIGHBOUR_LOOKS (1u << 20)

/* A growing list of moves. */
typedef struct moves {
    move *a;
    size_t n, cap;
} moves;

static int moves_push(moves *l, const move *x)
{
    if (l->n == l->cap) {
        const size_t c = l->cap ? 2 * l->cap : 64;
        move *b = realloc(l->a, c * sizeof(*b));
        if (!b)
            return GF_MODEL_ENOMEM;
        l->a = b;
        l->cap = c;
    }
    l->a[l->n++] = *x;
    return GF_MODEL_OK;
}

/* What moving lever k from `from` to `to` units adds to the cost. */
static int64_t cost_change(const searcher *s, size_t k, uint32_t from, uint32_t to)
{
    return gf_model_lever_cost(&s->lv[k], s->ctx, to) -
           gf_model_lever_cost(&s->lv[k], s->ctx, from);
}

/* The cost of u after move x, from u's cost. */
static int64_t move_cost(const searcher *s, uint32_t *u, const move *x, int64_t cost)
{
    apply_move(u, x, 1);
    size_t seen_k[4];
    int m = 0;
    const size_t touched[4] = {x->drop[0], x->drop[1], x->add[0], x->add[1]};
    for (int i = 0; i < 4; i++) {
        const size_t k = touched[i];
        int dup = k == SIZE_MAX;
        for (int j = 0; j < m && !dup; j++)
            dup = seen_k[j] == k;
        if (dup)
            continue;
        seen_k[m++] = k;
        const uint32_t was =
            u[k] + (x->drop[0] == k) + (x->drop[1] == k) - (x->add[0] == k) - (x->add[1] == k);
        cost += cost_change(s, k, was, u[k]);
    }
    apply_move(u, x, -1);
    return cost;
}

/* Appends to l every neighbour of u that moves `size` units (see move_valid) and is affordable
 * (for a minimum-cost goal: cheaper than u); drops come from the levers u uses (used, n_used).
 * Returns 1 (l then incomplete) past `cap` moves or NEIGHBOUR_LOOKS candidates, else 0, or
 * GF_MODEL_ENOMEM. */
static int neighbours(searcher *s, uint32_t *u, const size_t *used, size_t n_used, int size,
                      size_t cap, moves *l)
{
    const size_t n = s->n;
    const int64_t cost = gf_model__plan_cost(s, u);
    size_t looks = 0;
    for (size_t i0 = 0; i0 <= n_used; i0++)
        for (size_t i1 = i0; i1 <= n_used; i1++)
            for (size_t a0 = 0; a0 <= n; a0++)
                for (size_t a1 = a0; a1 <= n; a1++) {
                    if (++looks > NEIGHBOUR_LOOKS)
                        return 1;
                    move x = {
                        {i0 < n_used ? used[i0] : SIZE_MAX, i1 < n_used ? used[i1] : SIZE_MAX},
                        {a0 < n ? a0 : SIZE_MAX, a1 < n ? a1 : SIZE_MAX},
                        0,
                        0.0,
                        {0}};
                    if (!move_valid(s, u, &x, size))
                        continue;
                    x.cost = move_cost(s, u, &x, cost);
                    if (!gf_model__plan_affordable(s, x.cost) || (!s->maximise && x.cost >= cost))
                        continue;
                    if (l->n >= cap)
                        return 1;
                    if (moves_push(l, &x))
                        return GF_MODEL_ENOMEM;
                }
    return GF_MODEL_OK;
}

/* Screens the moves in l at the screening trials and keeps the promising ones: for a
 * minimum-cost goal predicted within a slack of the target, for a maximising goal predicted
 * above u's objective (or level with it for less). */
static int screen(searcher *s, uint32_t *u, const score *cur, double offset, moves *l)
{
    const int64_t cost = gf_model__plan_cost(s, u);
    const double target = (double)s->ctx->base->target_cents;
    const double slack = fabs(offset) + 1e-4 * fabs(target);
    size_t keep = 0;
    for (size_t i = 0; i < l->n; i++) {
        move x = l->a[i];
        if (gf_model__plan_out_of_budget(s))
            break;
        apply_move(u, &x, 1);
        const int rc = gf_model__plan_evaluate(s, u, s->search, &x.sc, NULL);
        apply_move(u, &x, -1);
        if (rc)
            return rc;
        x.predicted = x.sc.raw + offset;
        const int promising =
            s->maximise ? x.predicted > cur->raw || (x.predicted == cur->raw && x.cost < cost)
                        : x.predicted >= target - slack;
        if (promising)
            l->a[keep++] = x;
    }
    l->n = keep;
    return GF_MODEL_OK;
}

/* The improvement pass at the full trials, from a plan u scored cur there. Each round screens
 * u's neighbours at the screening trials -- one or two units moved (dropped, added for a
 * maximising goal, or traded), then, if none of those helps, three (each kind when there are at
 * most SCREEN_MAX_2 / SCREEN_MAX_3 of them) -- predicts each one's figure at the full trials by
 * adding u's own difference between the two (common random numbers: neighbours share most of their
 * sampling error), confirms the most promising at the full trials and moves to the first that is a
 * better answer
 * (`better`); a minimum-cost goal then drops what it can again. Stops when a round finds
 * nothing, the rounds run out or the work budget does. */
int gf_model__plan_improve(searcher *s, uint32_t *u, score *cur)
{
    const size_t n = s->n;
    moves l = {0};
    uint32_t *was = malloc((n ? n : 1) * sizeof(*was));
    size_t *used = malloc((n ? n : 1) * sizeof(*used));
    int rc = was && used ? GF_MODEL_OK : GF_MODEL_ENOMEM;
    for (int round = 0; round < IMPROVE_ROUNDS && !rc && !gf_model__plan_out_of_budget(s);
         round++) {
        if (!s->maximise && !cur->achieved)
            break;
        const int64_t cost = gf_model__plan_cost(s, u);
        score here = *cur;
        if (s->search != s->full)
            rc = gf_model__plan_evaluate(s, u, s->search, &here, NULL);
        if (rc)
            break;
        const double offset = cur->raw - here.raw;
        int moved = 0;
        memcpy(was, u, n * sizeof(*u));
        size_t n_used = 0;
        for (size_t k = 0; k < n; k++) {
            if (u[k])
                used[n_used++] = k;
        }
        for (int phase = 0; phase < 2 && !moved && !rc && !s->stopped; phase++) {
            l.n = 0;
            int many = phase ? neighbours(s, u, used, n_used, 3, SCREEN_MAX_3, &l)
                             : neighbours(s, u, used, n_used, 1, SCREEN_MAX_2, &l);
            if (!phase && !many) {
                const size_t ones = l.n;
                many = neighbours(s, u, used, n_used, 2, SCREEN_MAX_2, &l);
                if (many == 1) {
                    l.n = ones; /* too many of two units: the ones of one unit alone */
                    many = 0;
                }
            }
            if (many < 0)
                rc = many;
            if (many)
                continue;
            rc = screen(s, u, cur, offset, &l);
            if (rc || s->stopped)
                break;
            qsort(l.a, l.n, sizeof(*l.a), s->maximise ? cmp_move_max : cmp_move_min);
            for (size_t k = 0; k < l.n && k < CONFIRM_PER_ROUND && !moved && !rc; k++) {
                if (k && gf_model__plan_out_of_budget(s))
                    break;
                apply_move(u, &l.a[k], 1);
                score sc = l.a[k].sc;
                if (s->search != s->full)
                    rc = gf_model__plan_evaluate(s, u, s->full, &sc, NULL);
                moved = !rc && gf_model__plan_better(s, &sc, l.a[k].cost, u, cur, cost, was);
                if (moved)
                    *cur = sc;
                else
                    apply_move(u, &l.a[k], -1);
            }
        }
        if (!moved || rc)
            break;
        if (!s->maximise)
            rc = gf_model__plan_prune(s, u, cur, s->full);
    }
    free(l.a);
    free(was);
    free(used);
    return rc;
}
