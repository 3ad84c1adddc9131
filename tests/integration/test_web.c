/* test_web.c — the dashboard's static files over HTTP: the page at / and its assets by content
 * hash, with their content types, caching, ETags and Content-Security-Policy, and no key. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* The n-th "/assets/<hash>/<name>" that index.html names, copied into out; 0 when found. */
static int asset_url(const char *html, int n, char *out, size_t cap)
{
    const char *p = html;
    for (int i = 0; (p = strstr(p, "\"/assets/")) != NULL; i++, p++) {
        const char *end = strchr(p + 1, '"');
        if (!end)
            return -1;
        if (i == n) {
            snprintf(out, cap, "%.*s", (int)(end - p - 1), p + 1);
            return 0;
        }
    }
    return -1;
}

START_TEST(the_page_is_html_without_a_key_revalidated_by_etag)
{
    t_resp r = t_request("GET", "/", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "text/html; charset=utf-8");
    ck_assert_str_eq(r.cache_control, "no-cache");
    ck_assert_msg(strlen(r.etag) == 18 && r.etag[0] == '"', "ETag %s", r.etag);
    ck_assert_msg(strstr(r.csp, "default-src 'self'") && strstr(r.csp, "script-src 'self'") &&
                      !strstr(r.csp, "unsafe-inline") && strstr(r.csp, "frame-ancestors 'none'"),
                  "CSP %s", r.csp);
    ck_assert_msg(strstr(r.raw, "<script src=\"/assets/") != NULL, "no hashed script in the page");
    ck_assert_msg(strstr(r.raw, "<script>") == NULL && strstr(r.raw, "style=") == NULL,
                  "inline script or style in the page");
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", r.etag);
    t_resp again = t_request("GET", "/", NULL, NULL, NULL, inm);
    ck_assert_int_eq(again.status, 304);
    ck_assert_str_eq(again.etag, r.etag);
    ck_assert_int_eq((int)strlen(again.raw), 0);
    t_resp_free(&again);
    t_resp_free(&r);
}
END_TEST

START_TEST(assets_are_immutable_by_content_hash_and_typed)
{
    t_resp page = t_request("GET", "/", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    int n = 0;
    char url[256];
    for (; asset_url(page.raw, n, url, sizeof url) == 0; n++) {
        t_resp a = t_request("GET", url, NULL, NULL, NULL, NULL);
        ck_assert_msg(a.status == 200, "%s: %ld", url, a.status);
        ck_assert_str_eq(a.cache_control, "public, max-age=31536000, immutable");
        const char *want =
            strstr(url, ".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        ck_assert_str_eq(a.content_type, want);
        ck_assert_msg(strstr(a.csp, "default-src 'self'") != NULL, "%s: CSP %s", url, a.csp);
        /* The ETag is the hash in the URL. */
        char hash[17] = {0};
        memcpy(hash, url + strlen("/assets/"), 16);
        ck_assert_msg(strncmp(a.etag + 1, hash, 16) == 0, "%s: ETag %s", url, a.etag);
        ck_assert_msg(strlen(a.raw) > 0, "%s is empty", url);
        t_resp_free(&a);

        /* Another hash is another content: not found. */
        char stale[256];
        snprintf(stale, sizeof stale, "/assets/0000000000000000/%s", url + strlen("/assets/") + 17);
        t_resp s = t_request("GET", stale, NULL, NULL, NULL, NULL);
        t_expect_error(s, 404, "not_found", NULL);
        t_resp_free(&s);
    }
    ck_assert_int_eq(n, 3); /* app.css, chart.umd.min.js, app.js */
    t_resp_free(&page);
}
END_TEST

START_TEST(unknown_assets_and_other_methods_are_refused)
{
    t_resp r = t_request("GET", "/assets/0123456789abcdef/nothing.js", NULL, NULL, NULL, NULL);
    t_expect_error(r, 404, "not_found", NULL);
    t_resp_free(&r);
    t_resp p = t_request("POST", "/", NULL, "{}", NULL, NULL);
    ck_assert_int_eq(p.status, 405);
    ck_assert_str_eq(p.allow, "GET");
    t_resp_free(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("web");
    TCase *tc = tcase_create("web");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, the_page_is_html_without_a_key_revalidated_by_etag);
    tcase_add_test(tc, assets_are_immutable_by_content_hash_and_typed);
    tcase_add_test(tc, unknown_assets_and_other_methods_are_refused);
    suite_add_tcase(s, tc);
    return t_main(s);
}
