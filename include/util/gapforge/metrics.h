/* metrics.h — the process's operational metrics, exposed in the Prometheus text format 0.0.4.
 *
 * A metric is registered once (at first use, from any thread) by name and kind with its help
 * text and label names; each distinct tuple of label values is one series. Counters only go up,
 * gauges are set or moved, histograms count observations into cumulative buckets (le) with a sum
 * and a count. Updates are thread-safe and cheap (one mutex per metric, a hashed series lookup);
 * label values should come from small fixed sets (a route pattern, never a raw path). Rendering
 * writes every metric with its # HELP and # TYPE lines, label values escaped as the format says. */
#ifndef GAPFORGE_METRICS_H
#define GAPFORGE_METRICS_H

#include <stddef.h>

#define GF_METRIC_MAX_LABELS  4
#define GF_METRIC_MAX_BUCKETS 16
#define GF_METRIC_MAX_SERIES  2048 /* per metric; updates to further series are dropped */

typedef enum gf_metric_kind {
    GF_METRIC_COUNTER,
    GF_METRIC_GAUGE,
    GF_METRIC_HISTOGRAM,
} gf_metric_kind;

typedef struct gf_metric gf_metric;

/* The metric of this name, registered on first call with kind, help and labels (label names
 * separated by commas, "" for none) and, for a histogram, its upper bounds (ascending, at most
 * GF_METRIC_MAX_BUCKETS; +Inf is implied). Later calls return the same metric whatever the other
 * arguments. NULL only when memory runs out (updates to NULL are ignored). */
gf_metric *gf_metric_get(const char *name, gf_metric_kind kind, const char *help,
                         const char *labels, const double *bounds, size_t nbounds);

/* Updates the series with these label values (as many as the metric has labels; NULL when it
 * has none; a NULL value counts as ""). add: counters and gauges (a gauge may go down); set:
 * gauges; observe: histograms. */
void gf_metric_add(gf_metric *m, const char *const *values, double v);
void gf_metric_set(gf_metric *m, const char *const *values, double v);
void gf_metric_observe(gf_metric *m, const char *const *values, double v);

/* The current value of a counter or gauge series (0 when it has none yet): for tests. */
double gf_metric_value(gf_metric *m, const char *const *values);

/* A function run before every rendering, to refresh gauges read from elsewhere (the database's
 * outbox depth, a cache's size). At most 16; registering the same function twice is a no-op. */
void gf_metrics_on_render(void (*refresh)(void));

/* Every metric in the text exposition format 0.0.4 (malloc'd, NUL-terminated; *len bytes), in
 * registration order; NULL when memory runs out. */
char *gf_metrics_render(size_t *len);

/* Standard bucket bounds for request and stage durations in seconds: 5 ms ... 10 s. */
extern const double gf_metric_seconds_buckets[];
extern const size_t gf_metric_seconds_nbuckets;

#endif
