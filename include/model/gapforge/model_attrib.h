/* gapforge model: "why" -- the drivers of projected bookings (opportunities or leads x
 * conversion, win rate, deal size, cycle time, slip rate), their values from history, and the
 * split of a change in projected bookings across them by the logarithmic mean Divisia index. */
#ifndef GAPFORGE_MODEL_ATTRIB_H
#define GAPFORGE_MODEL_ATTRIB_H

#include "gapforge/model.h"

/* The drivers, in the order they are reported. GF_MODEL_DRV_LEADS and GF_MODEL_DRV_CONVERSION
 * replace GF_MODEL_DRV_OPPORTUNITIES when a leading KPI is used. */
enum gf_model_driver {
    GF_MODEL_DRV_OPPORTUNITIES = 0, /* opportunities created in the period (count) */
    GF_MODEL_DRV_LEADS,             /* leading KPI volume in the period (e.g. qualified leads) */
    GF_MODEL_DRV_CONVERSION,        /* opportunities per lead */
    GF_MODEL_DRV_WIN_RATE,          /* won / (won + lost) of the deals closed, in [0, 1] */
    GF_MODEL_DRV_DEAL_SIZE,         /* mean won amount, cents */
    GF_MODEL_DRV_CYCLE,             /* median days from creation to win */
    GF_MODEL_DRV_SLIP,              /* slip rate, in [0, 1] */
    GF_MODEL_DRIVERS
};

/* "opportunities", "leads", "conversion", "win_rate", "deal_size", "cycle_days", "slip_rate". */
const char *gf_model_driver_name(int driver);

/* One set of driver values. */
typedef struct gf_model_drivers {
    double v[GF_MODEL_DRIVERS]; /* indexed by enum gf_model_driver */
    double n[GF_MODEL_DRIVERS]; /* the deals each value was measured on (0: not a deal count) */
    int use_leads;              /* 1: bookings use leads x conversion; 0: opportunities */
    double won_cents;           /* what the deals won in the window booked (to as_of) */
} gf_model_drivers;

/* Shrinks the deal-measured drivers of current (win rate, deal size, cycle, slip rate) toward
 * baseline by their sample size, as if `pseudo` more deals had shown the baseline's value:
 * v = (n v + pseudo b) / (n + pseudo). A driver measured on a handful of deals early in a quarter
 * then moves only part of the way from the baseline. Drivers not finite in either set, and
 * opportunities, leads and conversion (volumes, not per-deal measures), and drivers equal in both
 * sets are left alone; so is
 * everything when pseudo <= 0. */
void gf_model_drivers_shrink(gf_model_drivers *current, const gf_model_drivers *baseline,
                             double pseudo);

/* Projected bookings of a period of `period_days` days from the drivers (cents):
 *
 *   B = O x w x a x g(T) x (1 - s)
 *
 * with O the opportunities (or leads x conversion), w the win rate, a the deal size, s the slip
 * rate and g(T) the share of the period's wins that land inside it when opportunities are created
 * evenly over the period and their cycle to a win is exponential with median T days:
 * g(T) = 1 - (1 - exp(-D k)) / (D k), k = ln 2 / T, D = period_days (g(0) = 1). Every factor is a
 * plain multiplier, which is what makes the LMDI split exact. Negative or non-finite drivers count
 * as 0. */
double gf_model_attrib_bookings(const gf_model_drivers *d, int32_t period_days);

/* The factor of B that a driver contributes (g(T) for the cycle, 1 - s for slippage, the value
 * itself otherwise); 1 for a driver that the form does not use. */
double gf_model_attrib_factor(const gf_model_drivers *d, int driver, int32_t period_days);

/* How the impacts were split. */
enum gf_model_attrib_method {
    GF_MODEL_ATTRIB_LMDI = 0,    /* every factor positive in both states */
    GF_MODEL_ATTRIB_SHAPLEY = 1, /* some factor is 0: the exact Shapley split (the mean over all
                                    orders of changing the factors one at a time), which also adds
                                    up exactly and agrees with LMDI to first order */
};

/* One driver's line of the answer. */
typedef struct gf_model_driver_impact {
    int driver;      /* enum gf_model_driver */
    double baseline; /* its baseline value */
    double current;  /* its current value */
    double impact;   /* cents of (current - baseline bookings) it explains */
    double n;        /* the deals its current value was measured on (0: not a deal count) */
} gf_model_driver_impact;

typedef struct gf_model_attrib {
    size_t n; /* drivers used: 5 (opportunities) or 6 (leads, conversion) */
    gf_model_driver_impact items[GF_MODEL_DRIVERS];
    double baseline_bookings; /* gf_model_attrib_bookings(baseline) */
    double current_bookings;  /* gf_model_attrib_bookings(current) */
    double total;             /* current_bookings - baseline_bookings = sum of impacts */
    int method;               /* enum gf_model_attrib_method */
    double scale;             /* the factor gf_model_attrib_scale_to applied (1: none) */
} gf_model_attrib;

/* Splits current - baseline bookings across the drivers: impact_k = L(B1, B0) ln(f_k1 / f_k0)
 * with L(x, y) = (x - y) / (ln x - ln y), L(x, x) = x, f_k the driver's factor; a driver whose
 * factor did not change gets exactly 0. The impacts add up to `total` to rounding (1e-12
 * relative). Falls back to the Shapley split when a factor is 0 in either state. Both sets must
 * have the same use_leads. Returns 0 or GF_MODEL_EINVAL (period_days < 1, mismatched forms). */
int gf_model_attrib_split(const gf_model_drivers *baseline, const gf_model_drivers *current,
                          int32_t period_days, gf_model_attrib *out) GF_MUST_CHECK;

/* Puts a split on the figures a leader knows: both states' bookings, the total and every
 * impact multiplied by baseline_actual / baseline_bookings, so that baseline_bookings becomes
 * what the baseline window really booked per period. The drivers' identity (opportunities x win
 * rate x deal size x period / cycle) is a steady-state formula that can sit far from what was
 * booked; one common factor keeps each driver's share and the exact sum. Nothing changes when
 * either figure is not positive and finite (scale stays 1). */
void gf_model_attrib_scale_to(gf_model_attrib *a, double baseline_actual);

/* The bookings drivers of the deals in scope (NULL: all) over the window [from, to] (inclusive
 * days), reading only data dated before as_of (days from as_of on are cut off, so a window
 * ending after as_of means "to date"):
 * - opportunities: deals created in the window (cut at as_of - 1) and, when `project` is set
 *   and the window was cut, scaled by window days / elapsed days (the run rate projection);
 * - win rate: won / (won + lost) of the deals that closed in the window (NAN when none);
 * - deal size: mean amount of the deals won in the window (NAN when none);
 * - cycle: median days from creation to the win of those deals (NAN when none);
 * - slip rate: for each calendar quarter q starting in the window, the deals open at q's start
 *   whose expected close date fell in [q.start, c], c = min(q.end, window end, as_of - 1), and the
 *   share of them still open after c (as gf_model_figures for complete quarters; NAN when none).
 * Leads and conversion are left NAN (they come from a KPI) and use_leads is 0. Returns 0 or
 * GF_MODEL_EINVAL (malformed history or window) or GF_MODEL_ENOMEM. */
int gf_model_drivers_from_history(const gf_model_history *h, const gf_model_calendar *cal,
                                  const uint8_t *scope, gf_day from, gf_day to, gf_day as_of,
                                  int project, gf_model_drivers *out) GF_MUST_CHECK;

/* The gap on the leader's screen, split to the cent: target - P50 = target stretch (target -
 * baseline bookings: what the target asks beyond the trailing pace) + sum of the drivers' shares
 * (-impact: a driver that lowered bookings widens the gap) + timing and uncertainty (the rest:
 * current_bookings - P50, what the drivers' steady-state arithmetic does not show: the calendar,
 * open deals' timing, the spread). And expected - baseline = sum of the impacts + the rest. All in
 * whole cents, each figure rounded as it is shown, so that every sum is exact. */
typedef struct gf_model_gap_split {
    int64_t gap;                      /* target - p50 */
    int64_t target_stretch;           /* target - baseline bookings */
    int64_t driver[GF_MODEL_DRIVERS]; /* by item of the attribution: -impact, rounded */
    int64_t timing;                   /* gap - target_stretch - sum of driver[] */
    int64_t expected_change;          /* expected - baseline bookings */
    int64_t expected_timing;          /* expected_change - sum of the rounded impacts */
} gf_model_gap_split;

/* Fills out from the attribution a (its n items, in order) and the forecast's target, P50 and
 * expected (cents). Never fails; out's sums hold exactly. */
void gf_model_gap_split_compute(const gf_model_attrib *a, int64_t target_cents, int64_t p50_cents,
                                double expected_cents, gf_model_gap_split *out);

#endif
