/* fuzz_period.c — dates, timestamps, fiscal periods and scope strings (src/util/date.c,
 * period.c, scope.c): the texts every query string and body hands them.
 *
 * Input: a fiscal year start month (byte 0, 0..13: out of range too), a day number (bytes 1..4),
 * a quarter step (bytes 5..6), then the text. Invariants:
 *  - a date that parses is a real date of 1900..9999 that formats back to the same text, and is
 *    a valid timestamp; a valid timestamp starts with a date that parses;
 *  - day numbers and calendar dates convert both ways without loss for every int day;
 *  - a period that parses has start <= end, at most GF_PERIOD_MAX_DAYS days, and its name
 *    parses back to the same period; a quarter has 89..92 days, contains its own start and end
 *    (gf_period_quarter_of), and the next and previous quarters touch it;
 *  - the quarter of any day contains that day; a bad start month is always refused;
 *  - a scope parses exactly when it is org, team:KEY or rep:KEY (KEY 1..64 bytes), and its key
 *    is the text after the colon. */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/date.h"
#include "gapforge/period.h"
#include "gapforge/scope.h"

static bool same_period(const gf_period *a, const gf_period *b)
{
    return a->start == b->start && a->end == b->end && a->fy == b->fy && a->quarter == b->quarter &&
           strcmp(a->name, b->name) == 0;
}

static void check_quarter(const gf_period *q, int fysm)
{
    FUZZ_CHECK(q->quarter >= 1 && q->quarter <= 4 && q->fy >= GF_PERIOD_MIN_YEAR &&
                   q->fy <= GF_PERIOD_MAX_YEAR,
               "quarter %d of %d", q->quarter, q->fy);
    const int days = q->end - q->start + 1;
    FUZZ_CHECK(days >= 89 && days <= 92, "%s has %d days", q->name, days);
    char name[16];
    snprintf(name, sizeof name, "%04d-Q%d", q->fy, q->quarter);
    FUZZ_CHECK(strcmp(name, q->name) == 0, "%s is named %s", name, q->name);
    gf_period back, of;
    FUZZ_CHECK(gf_period_by_name(q->name, fysm, &back) == 0 && same_period(q, &back),
               "%s does not read back", q->name);
    FUZZ_CHECK(gf_period_quarter_of(q->start, fysm, &of) == 0 && same_period(q, &of),
               "the quarter of %s's start is %s", q->name, of.name);
    FUZZ_CHECK(gf_period_quarter_of(q->end, fysm, &of) == 0 && same_period(q, &of),
               "the quarter of %s's end is %s", q->name, of.name);
    gf_period next, prev;
    if (gf_period_quarter_add(q, 1, fysm, &next) == 0)
        FUZZ_CHECK(next.start == q->end + 1, "%s is not followed by %s", q->name, next.name);
    else
        FUZZ_CHECK(q->fy == GF_PERIOD_MAX_YEAR && q->quarter == 4, "no quarter after %s", q->name);
    if (gf_period_quarter_add(q, -1, fysm, &prev) == 0)
        FUZZ_CHECK(prev.end == q->start - 1, "%s is not preceded by %s", q->name, prev.name);
    else
        FUZZ_CHECK(q->fy == GF_PERIOD_MIN_YEAR && q->quarter == 1, "no quarter before %s", q->name);
}

static void check_dates(const char *text, int day)
{
    int d;
    if (gf_date_parse(text, &d) == 0) {
        char out[11];
        gf_date_format(d, out);
        FUZZ_CHECK(strcmp(out, text) == 0, "%s formats back as %s", text, out);
        int y, m, md;
        gf_date_to_ymd(d, &y, &m, &md);
        FUZZ_CHECK(y >= 1900 && y <= 9999, "%s is year %d", text, y);
        FUZZ_CHECK(gf_timestamp_valid(text), "the date %s is no timestamp", text);
    }
    if (gf_timestamp_valid(text)) {
        char prefix[11];
        memcpy(prefix, text, 10);
        prefix[10] = '\0';
        FUZZ_CHECK(gf_date_parse(prefix, &d) == 0, "timestamp %s without a date", text);
    }
    int y, m, md;
    gf_date_to_ymd(day, &y, &m, &md);
    FUZZ_CHECK(m >= 1 && m <= 12 && md >= 1 && md <= 31, "day %d is %d-%d-%d", day, y, m, md);
    FUZZ_CHECK(gf_date_from_ymd(y, m, md) == day, "day %d does not convert back", day);
}

static void check_periods(const char *text, int fysm, int day, int step)
{
    gf_period p, q;
    const bool month_ok = fysm >= 1 && fysm <= 12;
    if (gf_period_parse(text, fysm, &p) == 0) {
        FUZZ_CHECK(month_ok, "month %d accepted", fysm);
        FUZZ_CHECK(p.start <= p.end && p.end - p.start + 1 <= GF_PERIOD_MAX_DAYS, "%s: %d..%d",
                   text, p.start, p.end);
        FUZZ_CHECK(gf_period_parse(p.name, fysm, &q) == 0 && same_period(&p, &q),
                   "%s is named %s, which reads otherwise", text, p.name);
        if (p.quarter)
            check_quarter(&p, fysm);
        else
            FUZZ_CHECK(p.fy == 0 && strcmp(p.name, text) == 0, "range %s named %s", text, p.name);
    }
    if (gf_period_quarter_of(day, fysm, &p) == 0) {
        FUZZ_CHECK(month_ok, "month %d accepted", fysm);
        FUZZ_CHECK(p.start <= day && day <= p.end, "day %d outside its quarter %s", day, p.name);
        check_quarter(&p, fysm);
        if (gf_period_quarter_add(&p, step, fysm, &q) == 0) {
            check_quarter(&q, fysm);
            FUZZ_CHECK((q.fy - p.fy) * 4 + (q.quarter - p.quarter) == step, "%s + %d is %s", p.name,
                       step, q.name);
        }
    } else if (month_ok) {
        int y, m, md;
        gf_date_to_ymd(day, &y, &m, &md);
        FUZZ_CHECK(y <= GF_PERIOD_MIN_YEAR || y >= GF_PERIOD_MAX_YEAR, "no quarter for day %d",
                   day);
    }
}

static void check_scope(const char *text)
{
    gf_scope_of of;
    const char *key = NULL;
    const size_t len = strlen(text);
    const bool team = len > 5 && len <= 5 + GF_SCOPE_MAX_KEY && strncmp(text, "team:", 5) == 0;
    const bool rep = len > 4 && len <= 4 + GF_SCOPE_MAX_KEY && strncmp(text, "rep:", 4) == 0;
    const bool org = strcmp(text, "org") == 0;
    const int rc = gf_scope_parse(text, &of, &key);
    FUZZ_CHECK((rc == 0) == (org || team || rep), "scope %s: %d", text, rc);
    if (rc < 0)
        return;
    if (org)
        FUZZ_CHECK(of == GF_SCOPE_OF_ORG && !key, "org read as %d", (int)of);
    else
        FUZZ_CHECK(of == (team ? GF_SCOPE_OF_TEAM : GF_SCOPE_OF_REP) &&
                       key == text + (team ? 5 : 4) && *key,
                   "scope %s read as %d", text, (int)of);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 7)
        return 0;
    const int fysm = data[0] % 14;
    int32_t day;
    int16_t step;
    memcpy(&day, data + 1, sizeof day);
    memcpy(&step, data + 5, sizeof step);
    char *text = malloc(size - 7 + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, data + 7, size - 7);
    text[size - 7] = '\0';
    check_dates(text, day);
    check_periods(text, fysm, day, step);
    check_scope(text);
    /* The extremes of int, whatever the input. */
    check_dates("", INT_MIN);
    check_dates("", INT_MAX);
    free(text);
    return 0;
}
