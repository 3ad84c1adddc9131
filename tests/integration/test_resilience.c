/* test_resilience.c — a database restart under a write load: while PostgreSQL is down the
 * writes answer 503 (never another 5xx, never a hang), the server recovers by itself when it is
 * back, and every write that was answered 2xx is in the database afterwards (counted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

enum { WRITERS = 4, WRITES = 150 };

/* A writer: a shell loop of curl POSTs, one line "external_id status" per write, paced so that
 * the load spans the restart. */
static FILE *start_writer(const char *key, int w)
{
    char cmd[2048];
    snprintf(
        cmd, sizeof cmd,
        "for i in $(seq 1 %d); do "
        "s=$(curl -s -m 30 -o /dev/null -w '%%{http_code}' -X POST "
        "-H 'Authorization: Bearer %s' -H 'Content-Type: application/json' "
        "--data \"{\\\"external_id\\\": \\\"w%d-$i\\\", \\\"name\\\": \\\"Write $i\\\", "
        "\\\"amount\\\": $i, \\\"stage\\\": \\\"prospecting\\\", \\\"owner\\\": \\\"ada\\\"}\" "
        "http://127.0.0.1:%d/v1/deals); echo \"w%d-$i $s\"; sleep 0.02; done",
        WRITES, key, w, t_port(), w);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    return p;
}

START_TEST(every_acknowledged_write_survives_a_database_restart)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    FILE *w[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        w[i] = start_writer(key, i);
    sleep(1);
    ck_assert_msg(t_db_stop() == 0, "GAPFORGE_TEST_DB_STOP must be configured");
    sleep(2);
    ck_assert_int_eq(t_db_start(), 0);
    long created = 0, unavailable = 0, other = 0, after = 0;
    size_t cap = 64 * WRITERS * WRITES, used = 0;
    char *ids = malloc(cap); /* the acknowledged external ids, as a SQL list */
    ids[0] = '\0';
    for (int i = 0; i < WRITERS; i++) {
        char id[64];
        int status, saw_503 = 0;
        while (fscanf(w[i], "%63s %d", id, &status) == 2) {
            if (status == 201) {
                created++;
                after += saw_503;
                used += (size_t)snprintf(ids + used, cap - used, "%s'%s'", used ? "," : "", id);
            } else if (status == 503)
                unavailable++, saw_503 = 1;
            else
                other++;
        }
        pclose(w[i]);
    }
    ck_assert_msg(other == 0, "%ld writes answered neither 201 nor 503", other);
    ck_assert_msg(unavailable > 0, "the restart was not seen (no 503)");
    ck_assert_msg(after > 0, "no write succeeded after the database came back");
    ck_assert_int_eq(created + unavailable, WRITERS * WRITES);
    char *sql = malloc(used + 256);
    snprintf(sql, used + 256,
             "SELECT count(*) FROM deals d JOIN orgs o ON o.id = d.org_id WHERE o.slug = '%s' "
             "AND d.external_id IN (%s)",
             slug, ids);
    char *n = t_sql(sql);
    ck_assert_int_eq(atol(n), created);
    free(n);
    free(sql);
    free(ids);
    /* Nothing else was written: a 503 left no deal behind. */
    ck_assert_int_eq(fx_org_rows(slug, "deals"), created);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resilience");
    TCase *tc = tcase_create("resilience");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_acknowledged_write_survives_a_database_restart);
    suite_add_tcase(s, tc);
    return t_main(s);
}
