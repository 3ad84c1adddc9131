/* Specification of the lever context's inputs (gapforge/model_lever_ctx.h). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "fixture.h"
#include "gapforge/model_forecast.h"
#include "gapforge/model_lever_ctx.h"
#include "gapforge/model_rng.h"
#include "gapforge/model_synth.h"

#define AS_OF 1000

/* A deal created on day 10 and won (or lost) on `closed`; returns its index. */
static size_t closed_deal(fx *f, int64_t amount, gf_day closed, int32_t stage)
{
    const size_t i = fx_deal(f, amount, 10, FX_QUALIFY);
    fx_move(f, i, closed, stage);
    return i;
}

/* Won deals around the edges of the trailing 365 days before AS_OF, and owner ids. */
static fx *won_fixture(int64_t *owner)
{
    fx *f = fx_new(10);
    owner[closed_deal(f, 10000, 700, FX_WON)] = 7;
    owner[closed_deal(f, 20000, AS_OF - 365, FX_WON)] = 7; /* the window's first day */
    owner[closed_deal(f, 90000, AS_OF - 366, FX_WON)] = 8; /* the day before it */
    owner[closed_deal(f, 30000, AS_OF - 1, FX_WON)] = 0;   /* no owner */
    owner[closed_deal(f, 90000, AS_OF, FX_WON)] = 9;       /* not known at the start of as_of */
    owner[closed_deal(f, 90000, 800, FX_LOST)] = 9;
    owner[fx_deal(f, 90000, 500, FX_PROPOSE)] = 9; /* still open */
    owner[closed_deal(f, 40000, 900, FX_WON)] = 8;
    owner[closed_deal(f, 50000, 950, FX_WON)] = 9;
    return f;
}

START_TEST(rep_productivity_pools_the_won_amounts_of_the_trailing_window)
{
    int64_t owner[10] = {0};
    fx *f = won_fixture(owner);
    const gf_model_history h = fx_history(f);
    ck_assert_int_eq(gf_model_history_validate(&h, NULL), 0);
    int64_t pool[10];
    size_t n = 99;
    double per_day = -1;
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, owner, AS_OF, 365, pool, &n, &per_day), 0);
    const int64_t all[] = {10000, 20000, 30000, 40000, 50000};
    ck_assert_uint_eq(n, 5);
    ck_assert_mem_eq(pool, all, sizeof all);
    /* Reps 7, 8 and 9 won them (the ownerless deal adds bookings, not a rep). */
    ck_assert_double_eq(per_day, 150000.0 / (3.0 * 365.0));

    /* Out of scope, deal 7 (rep 8's only win) goes, and with it rep 8. */
    uint8_t mask[10] = {1, 1, 1, 1, 1, 1, 1, 0, 1, 1};
    ck_assert_int_eq(gf_model_rep_productivity(&h, mask, owner, AS_OF, 365, pool, &n, &per_day), 0);
    const int64_t scoped[] = {10000, 20000, 30000, 50000};
    ck_assert_uint_eq(n, 4);
    ck_assert_mem_eq(pool, scoped, sizeof scoped);
    ck_assert_double_eq(per_day, 110000.0 / (2.0 * 365.0));

    /* A 60-day window keeps the wins of days 940..999. */
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, owner, AS_OF, 60, pool, &n, &per_day), 0);
    const int64_t recent[] = {30000, 50000};
    ck_assert_uint_eq(n, 2);
    ck_assert_mem_eq(pool, recent, sizeof recent);
    ck_assert_double_eq(per_day, 80000.0 / 60.0);
    fx_free(f);
}
END_TEST

START_TEST(rep_productivity_counts_one_rep_when_no_deal_has_an_owner)
{
    int64_t owner[10] = {0};
    fx *f = won_fixture(owner);
    const gf_model_history h = fx_history(f);
    int64_t pool[10];
    size_t n;
    double per_day;
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, NULL, AS_OF, 365, pool, &n, &per_day), 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_double_eq(per_day, 150000.0 / 365.0);
    memset(owner, 0, sizeof owner);
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, owner, AS_OF, 365, pool, &n, &per_day), 0);
    ck_assert_double_eq(per_day, 150000.0 / 365.0);
    fx_free(f);
}
END_TEST

START_TEST(rep_productivity_without_wins_is_zero_and_bad_arguments_are_refused)
{
    fx *f = fx_new(2);
    fx_deal(f, 5000, 100, FX_QUALIFY);
    const gf_model_history h = fx_history(f);
    int64_t pool[2];
    size_t n = 99;
    double per_day = -1;
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, NULL, AS_OF, 365, pool, &n, &per_day), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_double_eq(per_day, 0.0);
    const gf_model_history none = {NULL, 0, h.stages, h.n_stages};
    n = 99;
    ck_assert_int_eq(gf_model_rep_productivity(&none, NULL, NULL, AS_OF, 365, NULL, &n, &per_day),
                     0);
    ck_assert_uint_eq(n, 0);

    n = 99;
    per_day = -1;
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, NULL, AS_OF, 0, pool, &n, &per_day),
                     GF_MODEL_EINVAL);
    ck_assert_uint_eq(n, 0);
    ck_assert_double_eq(per_day, 0.0);
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, NULL, AS_OF, 365, NULL, &n, &per_day),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_rep_productivity(NULL, NULL, NULL, AS_OF, 365, pool, &n, &per_day),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, NULL, AS_OF, 365, pool, NULL, &per_day),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_rep_productivity(&h, NULL, NULL, AS_OF, 365, pool, &n, NULL),
                     GF_MODEL_EINVAL);
    fx_free(f);
}
END_TEST

/* A forecast built by hand: period [100, 190], open deal k is history deal k. */
typedef struct hand {
    gf_model_open_deal open[16];
    int64_t amount[16];
    double p[16];
    gf_model_forecast f;
} hand;

static void hand_deal(hand *x, int64_t amount, gf_day close_date)
{
    const size_t k = x->f.n_open++;
    x->open[k] = (gf_model_open_deal){
        .deal = (uint32_t)k, .amount_cents = amount, .close_date = close_date, .p_in_period = 0.5};
    if (close_date != GF_MODEL_NO_DAY && close_date >= x->f.period.start &&
        close_date <= x->f.period.end)
        x->open[k].flags |= GF_MODEL_FLAG_IN_PERIOD;
    x->amount[k] = amount;
    x->p[k] = 0.5;
}

static void hand_init(hand *x)
{
    memset(x, 0, sizeof(*x));
    x->f.as_of = 120;
    x->f.period = (gf_model_period){100, 190};
    x->f.open = x->open;
    x->f.amount = x->amount;
    x->f.p = x->p;
}

START_TEST(next_commits_are_commit_deals_closing_in_the_window_after_the_period_largest_first)
{
    hand x;
    hand_init(&x);
    hand_deal(&x, 1000, 190);             /* 0: closes in the period */
    hand_deal(&x, 2000, 191);             /* 1: the first day after it */
    hand_deal(&x, 3000, 190 + 92);        /* 2: the window's last day */
    hand_deal(&x, 4000, 190 + 93);        /* 3: after the window */
    hand_deal(&x, 5000, GF_MODEL_NO_DAY); /* 4: no close date */
    hand_deal(&x, 6000, 150);             /* 5: in the period */
    hand_deal(&x, 7000, 200);             /* 6: not a commit */
    hand_deal(&x, 8000, 250);             /* 7 */
    hand_deal(&x, 2000, 260);             /* 8: ties with 1 */
    const uint8_t commit[9] = {1, 1, 1, 1, 1, 1, 0, 1, 1};
    int64_t out[9];
    ck_assert_uint_eq(gf_model_next_commits(&x.f, commit, 92, out), 4);
    const int64_t expect[] = {8000, 3000, 2000, 2000};
    ck_assert_mem_eq(out, expect, sizeof expect);
    ck_assert_uint_eq(gf_model_next_commits(&x.f, commit, 1, out), 1);
    ck_assert_int_eq(out[0], 2000);
    ck_assert_uint_eq(gf_model_next_commits(&x.f, commit, 0, out), 0);
    ck_assert_uint_eq(gf_model_next_commits(&x.f, NULL, 92, out), 0);
    ck_assert_uint_eq(gf_model_next_commits(NULL, commit, 92, out), 0);
}
END_TEST

START_TEST(concession_order_takes_deals_closing_in_the_period_largest_first_ties_by_index)
{
    hand x;
    hand_init(&x);
    hand_deal(&x, 3000, 150);             /* 0 */
    hand_deal(&x, 9000, 191);             /* 1: after the period */
    hand_deal(&x, 5000, 100);             /* 2: its first day */
    hand_deal(&x, 3000, 190);             /* 3: its last day, ties with 0 */
    hand_deal(&x, 7000, GF_MODEL_NO_DAY); /* 4: no close date */
    hand_deal(&x, 8000, 99);              /* 5: before the period */
    hand_deal(&x, 3000, 120);             /* 6: ties with 0 and 3 */
    hand_deal(&x, 6000, 170);             /* 7 */
    uint32_t out[8];
    ck_assert_uint_eq(gf_model_concession_order(&x.f, out), 5);
    const uint32_t expect[] = {7, 2, 0, 3, 6};
    ck_assert_mem_eq(out, expect, sizeof expect);
    ck_assert_uint_eq(gf_model_concession_order(NULL, out), 0);
    ck_assert_uint_eq(gf_model_concession_order(&x.f, NULL), 0);
}
END_TEST

/* ---- The computations src/api/scenario_ctx.c made before they moved into the model, kept
 * verbatim as the reference the model's functions must reproduce exactly. ---- */

static int ref_cmp_amount_desc(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

typedef struct ref_pair {
    int64_t amount;
    uint32_t k;
} ref_pair;

static int ref_cmp_pair_desc(const void *a, const void *b)
{
    const ref_pair *x = a, *y = b;
    return x->amount != y->amount ? (x->amount < y->amount) - (x->amount > y->amount)
                                  : (x->k > y->k) - (x->k < y->k);
}

static size_t ref_rep_productivity(const gf_model_history *h, const uint8_t *mask,
                                   const int64_t *owner, gf_day as_of, int64_t *pool,
                                   double *per_day)
{
    int64_t *owners = malloc((h->n_deals ? h->n_deals : 1) * sizeof *owners);
    ck_assert_ptr_nonnull(owners);
    size_t n = 0, n_own = 0;
    double sum = 0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (mask && !mask[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, as_of, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_WON || st.closed_day < as_of - 365)
            continue;
        pool[n++] = st.amount_cents;
        sum += (double)st.amount_cents;
        owners[n_own++] = owner[i];
    }
    qsort(owners, n_own, sizeof *owners, ref_cmp_amount_desc);
    size_t reps = 0;
    for (size_t k = 0; k < n_own; k++)
        reps += owners[k] != 0 && (k == 0 || owners[k] != owners[k - 1]);
    free(owners);
    *per_day = n ? sum / ((double)(reps ? reps : 1) * 365.0) : 0;
    return n;
}

static size_t ref_next_commits(const gf_model_forecast *f, const uint8_t *category, int64_t *next)
{
    size_t n = 0;
    for (size_t k = 0; k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        if (od->close_date != GF_MODEL_NO_DAY && od->close_date > f->period.end &&
            od->close_date <= f->period.end + 92 && category[od->deal] == 2 /* commit */)
            next[n++] = od->amount_cents;
    }
    qsort(next, n, sizeof *next, ref_cmp_amount_desc);
    return n;
}

static size_t ref_concession(const gf_model_forecast *f, uint32_t *deals)
{
    ref_pair *pairs = malloc((f->n_open ? f->n_open : 1) * sizeof *pairs);
    ck_assert_ptr_nonnull(pairs);
    size_t n = 0;
    for (size_t k = 0; k < f->n_open; k++)
        if (f->open[k].flags & GF_MODEL_FLAG_IN_PERIOD)
            pairs[n++] = (ref_pair){f->amount[k], (uint32_t)k};
    qsort(pairs, n, sizeof *pairs, ref_cmp_pair_desc);
    for (size_t k = 0; k < n; k++)
        deals[k] = pairs[k].k;
    free(pairs);
    return n;
}

/* On a synthetic org with random owners, scope and categories, and amounts rounded so that many
 * tie, the model's functions give what the scenario API computed, bit for bit. */
START_TEST(the_lever_context_is_what_the_scenario_api_computed)
{
    gf_model_synth_params sp;
    gf_model_synth_params_default(&sp);
    sp.amount_log_sd = 0.3;
    gf_model_synth *syn = NULL;
    ck_assert_int_eq(gf_model_synth_new(&sp, &syn), 0);
    for (size_t i = 0; i < syn->n_deals; i++)
        syn->deals[i].amount_cents = syn->deals[i].amount_cents / 500000 * 500000;
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(syn, &h, &cal);
    const gf_model_period period = cal.quarters[gf_model_calendar_find(&cal, sp.end_day - 200)];
    const gf_day as_of = period.start + 30;
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *f = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &f), 0);
    ck_assert_uint_gt(f->n_open, 100);

    const size_t n = h.n_deals;
    int64_t *owner = malloc(n * sizeof(*owner)), *pool = malloc(n * sizeof(*pool)),
            *ref_pool = malloc(n * sizeof(*ref_pool));
    uint8_t *mask = malloc(n), *category = malloc(n), *is_commit = malloc(n);
    int64_t *next = malloc(f->n_open * sizeof(*next)),
            *ref_next = malloc(f->n_open * sizeof(*next));
    uint32_t *order = malloc(f->n_open * sizeof(*order)),
             *ref_order = malloc(f->n_open * sizeof(*order));
    ck_assert(owner && pool && ref_pool && mask && category && is_commit && next && ref_next &&
              order && ref_order);
    gf_model_rng r;
    gf_model_rng_seed(&r, 5, 0);
    for (size_t i = 0; i < n; i++) {
        owner[i] = (int64_t)gf_model_rng_below(&r, 12); /* 0: no owner */
        mask[i] = gf_model_rng_uniform(&r) < 0.7;
        category[i] = (uint8_t)gf_model_rng_below(&r, 4);
        is_commit[i] = category[i] == 2;
    }
    for (int scoped = 0; scoped < 2; scoped++) {
        size_t n_pool;
        double per_day, ref_per_day;
        const uint8_t *m = scoped ? mask : NULL;
        ck_assert_int_eq(
            gf_model_rep_productivity(&h, m, owner, as_of, 365, pool, &n_pool, &per_day), 0);
        const size_t ref_n = ref_rep_productivity(&h, m, owner, as_of, ref_pool, &ref_per_day);
        ck_assert_uint_gt(n_pool, 50);
        ck_assert_uint_eq(n_pool, ref_n);
        ck_assert_mem_eq(pool, ref_pool, n_pool * sizeof(*pool));
        ck_assert_mem_eq(&per_day, &ref_per_day, sizeof per_day);
    }
    const size_t n_next = gf_model_next_commits(f, is_commit, 92, next);
    ck_assert_uint_gt(n_next, 0);
    ck_assert_uint_eq(n_next, ref_next_commits(f, category, ref_next));
    ck_assert_mem_eq(next, ref_next, n_next * sizeof(*next));
    const size_t n_order = gf_model_concession_order(f, order);
    ck_assert_uint_gt(n_order, 20);
    ck_assert_uint_eq(n_order, ref_concession(f, ref_order));
    ck_assert_mem_eq(order, ref_order, n_order * sizeof(*order));
    size_t ties = 0;
    for (size_t k = 1; k < n_order; k++)
        ties += f->amount[order[k]] == f->amount[order[k - 1]];
    ck_assert_uint_gt(ties, 10);

    free(owner);
    free(pool);
    free(ref_pool);
    free(mask);
    free(category);
    free(is_commit);
    free(next);
    free(ref_next);
    free(order);
    free(ref_order);
    gf_model_forecast_free(f);
    gf_model_synth_free(syn);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_lever_ctx");
    TCase *tc = tcase_create("lever_ctx");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rep_productivity_pools_the_won_amounts_of_the_trailing_window);
    tcase_add_test(tc, rep_productivity_counts_one_rep_when_no_deal_has_an_owner);
    tcase_add_test(tc, rep_productivity_without_wins_is_zero_and_bad_arguments_are_refused);
    tcase_add_test(
        tc, next_commits_are_commit_deals_closing_in_the_window_after_the_period_largest_first);
    tcase_add_test(tc,
                   concession_order_takes_deals_closing_in_the_period_largest_first_ties_by_index);
    tcase_add_test(tc, the_lever_context_is_what_the_scenario_api_computed);
    suite_add_tcase(s, tc);
    return fx_run(s);
}
