/* test_metrics.c — GET /metrics over HTTP: the Prometheus text format (checked by promtool when
 * it is installed, which CI requires), requests counted by route pattern and never by raw path,
 * forecast stages, import rows, database connections and the build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* The value of the sample line that starts with prefix ("name{labels} "), or -1 when absent. */
static double sample(const char *text, const char *prefix)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            return strtod(p + strlen(prefix), NULL);
    return -1;
}

static t_resp scrape(void)
{
    t_resp r = t_request("GET", "/metrics", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    return r;
}

START_TEST(requests_are_counted_by_route_pattern_and_status)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp before = scrape();
    const double b404 =
        sample(before.raw, "gapforge_http_requests_total{route=\"/v1/deals/{id}\",method=\"GET\","
                           "status=\"404\"} ");
    t_resp_free(&before);
    for (int i = 0; i < 3; i++) {
        t_resp r = t_get(key, "/v1/deals/%d", 999990 + i);
        ck_assert_int_eq(r.status, 404);
        t_resp_free(&r);
    }
    t_resp u = t_get(key, "/v1/no-such-thing");
    ck_assert_int_eq(u.status, 404);
    t_resp_free(&u);
    t_resp m = scrape();
    const double a404 = sample(m.raw, "gapforge_http_requests_total{route=\"/v1/deals/{id}\","
                                      "method=\"GET\",status=\"404\"} ");
    ck_assert_double_eq(a404 - (b404 < 0 ? 0 : b404), 3);
    ck_assert_ptr_null(strstr(m.raw, "999990"));
    ck_assert_ptr_null(strstr(m.raw, "no-such-thing"));
    ck_assert_double_ge(sample(m.raw, "gapforge_http_requests_total{route=\"unmatched\","
                                      "method=\"other\",status=\"404\"} "),
                        1);
    ck_assert_double_ge(sample(m.raw, "gapforge_http_request_duration_seconds_count{route=\"/v1/"
                                      "deals/{id}\"} "),
                        3);
    /* This scrape is the one in flight. */
    ck_assert_double_eq(sample(m.raw, "gapforge_http_requests_in_flight "), 1);
    ck_assert_double_eq(sample(m.raw, "gapforge_build_info{version=\"" GF_VERSION "\"} "), 1);
    ck_assert_double_ge(sample(m.raw, "gapforge_db_connections{kind=\"request\"} "), 1);
    /* The outbox gauges are read from the database at each scrape. */
    ck_assert_double_ge(sample(m.raw, "gapforge_outbox_pending "), 0);
    ck_assert_double_ge(sample(m.raw, "gapforge_outbox_oldest_age_seconds "), 0);
    t_resp_free(&m);
}
END_TEST

START_TEST(imports_and_forecasts_show_their_rows_and_stages)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp imp = fx_post_csv(key, "/v1/imports/deals",
                             "external_id,name,owner,amount,stage\n"
                             "m-1,One,ada,100,prospecting\nm-2,Two,ada,200,prospecting\n");
    fx_expect_counts(&imp, 200, 2, 0, 0, 0);
    t_resp_free(&imp);
    t_resp f = t_get(key, "/v1/forecast?period=2026-Q4&as_of=2026-11-15");
    ck_assert_msg(f.status == 200, "%s", f.raw);
    t_resp_free(&f);
    t_resp m = scrape();
    ck_assert_double_ge(
        sample(m.raw, "gapforge_import_rows_total{kind=\"deals\",outcome=\"inserted\"} "), 2);
    ck_assert_double_ge(sample(m.raw, "gapforge_forecast_stage_seconds_count{stage=\"history\"} "),
                        1);
    ck_assert_double_ge(sample(m.raw, "gapforge_forecast_stage_seconds_count{stage=\"simulate\"} "),
                        1);
    ck_assert_double_ge(
        sample(m.raw, "gapforge_cache_requests_total{cache=\"spread\",result=\"miss\"} "), 1);
    ck_assert_double_ge(
        sample(m.raw, "gapforge_cache_requests_total{cache=\"history\",result=\"miss\"} "), 1);
    t_resp_free(&m);
}
END_TEST

/* promtool (Debian's prometheus package) reads the whole exposition without complaint. */
START_TEST(promtool_accepts_the_exposition)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp r = t_get(key, "/v1/deals?limit=1");
    t_resp_free(&r);
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        const char *ci = getenv("CI");
        ck_assert_msg(!ci || strcmp(ci, "true") != 0, "promtool is missing (Debian: prometheus)");
        return;
    }
    t_resp m = scrape();
    char path[] = "/tmp/gapforge-metrics-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(m.raw, f);
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    const int rc = system(cmd);
    unlink(path);
    ck_assert_msg(rc == 0, "promtool check metrics failed on:\n%s", m.raw);
    t_resp_free(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, requests_are_counted_by_route_pattern_and_status);
    tcase_add_test(tc, imports_and_forecasts_show_their_rows_and_stages);
    tcase_add_test(tc, promtool_accepts_the_exposition);
    suite_add_tcase(s, tc);
    return t_main(s);
}
