/* Specification of the metrics registry and its Prometheus text (gapforge/metrics.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/metrics.h"
#include "unit.h"

static char *rendered(void)
{
    size_t len = 0;
    char *text = gf_metrics_render(&len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    return text;
}

START_TEST(counters_and_gauges_keep_one_series_per_label_tuple)
{
    gf_metric *c =
        gf_metric_get("t_requests_total", GF_METRIC_COUNTER, "Requests.", "route,status", NULL, 0);
    ck_assert_ptr_eq(c, gf_metric_get("t_requests_total", GF_METRIC_GAUGE, "other", "", NULL, 0));
    gf_metric_add(c, (const char *[]){"/v1/deals/{id}", "200"}, 1);
    gf_metric_add(c, (const char *[]){"/v1/deals/{id}", "200"}, 2);
    gf_metric_add(c, (const char *[]){"/v1/deals/{id}", "404"}, 1);
    ck_assert_double_eq(gf_metric_value(c, (const char *[]){"/v1/deals/{id}", "200"}), 3);
    gf_metric_set(c, (const char *[]){"/v1/deals/{id}", "200"}, 0); /* not a gauge: ignored */
    ck_assert_double_eq(gf_metric_value(c, (const char *[]){"/v1/deals/{id}", "200"}), 3);
    gf_metric *g = gf_metric_get("t_open", GF_METRIC_GAUGE, "Open things.", "", NULL, 0);
    gf_metric_add(g, NULL, 5);
    gf_metric_add(g, NULL, -2);
    ck_assert_double_eq(gf_metric_value(g, NULL), 3);
    gf_metric_set(g, NULL, 7.5);
    char *t = rendered();
    ck_assert_ptr_nonnull(strstr(t,
                                 "# HELP t_requests_total Requests.\n"
                                 "# TYPE t_requests_total counter\n"
                                 "t_requests_total{route=\"/v1/deals/{id}\",status=\"200\"} 3\n"
                                 "t_requests_total{route=\"/v1/deals/{id}\",status=\"404\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE t_open gauge\nt_open 7.5\n"));
    free(t);
}
END_TEST

START_TEST(a_histogram_counts_into_cumulative_buckets_with_sum_and_count)
{
    const double bounds[] = {0.1, 1};
    gf_metric *h =
        gf_metric_get("t_seconds", GF_METRIC_HISTOGRAM, "Durations.", "stage", bounds, 2);
    gf_metric_observe(h, (const char *[]){"a"}, 0.05);
    gf_metric_observe(h, (const char *[]){"a"}, 0.1); /* le is inclusive */
    gf_metric_observe(h, (const char *[]){"a"}, 0.5);
    gf_metric_observe(h, (const char *[]){"a"}, 3);
    char *t = rendered();
    ck_assert_ptr_nonnull(strstr(t, "# TYPE t_seconds histogram\n"
                                    "t_seconds_bucket{stage=\"a\",le=\"0.1\"} 2\n"
                                    "t_seconds_bucket{stage=\"a\",le=\"1\"} 3\n"
                                    "t_seconds_bucket{stage=\"a\",le=\"+Inf\"} 4\n"
                                    "t_seconds_sum{stage=\"a\"} 3.6499999999999999\n"
                                    "t_seconds_count{stage=\"a\"} 4\n"));
    free(t);
}
END_TEST

START_TEST(label_values_and_help_are_escaped)
{
    gf_metric *c = gf_metric_get("t_escaped_total", GF_METRIC_COUNTER, "Help with \\ and\nline.",
                                 "v", NULL, 0);
    gf_metric_add(c, (const char *[]){"a\"b\\c\nd"}, 1);
    char *t = rendered();
    ck_assert_ptr_nonnull(strstr(t, "# HELP t_escaped_total Help with \\\\ and\\nline.\n"));
    ck_assert_ptr_nonnull(strstr(t, "t_escaped_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
    free(t);
}
END_TEST

static int g_refreshed;
static void refresh(void)
{
    g_refreshed++;
    gf_metric_set(gf_metric_get("t_depth", GF_METRIC_GAUGE, "Depth.", "", NULL, 0), NULL, 42);
}

START_TEST(refresh_hooks_run_before_each_rendering_and_series_are_capped)
{
    gf_metrics_on_render(refresh);
    gf_metrics_on_render(refresh);
    char *t = rendered();
    ck_assert_int_eq(g_refreshed, 1);
    ck_assert_ptr_nonnull(strstr(t, "t_depth 42\n"));
    free(t);
    gf_metric *c = gf_metric_get("t_many_total", GF_METRIC_COUNTER, "Many.", "k", NULL, 0);
    char k[16];
    for (int i = 0; i < GF_METRIC_MAX_SERIES + 10; i++) {
        snprintf(k, sizeof k, "%d", i);
        gf_metric_add(c, (const char *[]){k}, 1);
    }
    ck_assert_double_eq(gf_metric_value(c, (const char *[]){"0"}), 1);
    snprintf(k, sizeof k, "%d", GF_METRIC_MAX_SERIES + 5);
    ck_assert_double_eq(gf_metric_value(c, (const char *[]){k}), 0);
    /* NaN and updates to no metric are ignored. */
    gf_metric_add(c, (const char *[]){"0"}, NAN);
    gf_metric_add(NULL, NULL, 1);
    ck_assert_double_eq(gf_metric_value(c, (const char *[]){"0"}), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, counters_and_gauges_keep_one_series_per_label_tuple);
    tcase_add_test(tc, a_histogram_counts_into_cumulative_buckets_with_sum_and_count);
    tcase_add_test(tc, label_values_and_help_are_escaped);
    tcase_add_test(tc, refresh_hooks_run_before_each_rendering_and_series_are_capped);
    suite_add_tcase(s, tc);
    return unit_main(s);
}
