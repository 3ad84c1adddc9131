/* date.c — civil dates <-> day numbers (Howard Hinnant's algorithm), the one implementation every
 * layer uses (the model included), and strict parsers. */
#include "gapforge/date.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Both directions work in 64-bit arithmetic so that every int day number (and every date whose
 * day number is an int) converts without overflow; the eras of 400 years (146097 days) make the
 * proleptic Gregorian calendar periodic, and floor division keeps negative years right. */
int gf_date_from_ymd(int year, int month, int mday)
{
    const int64_t y = (int64_t)year - (month <= 2);
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                                             /* [0, 399] */
    const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + mday - 1; /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                     /* [0, 146096] */
    return (int)(era * 146097 + doe - 719468);
}

void gf_date_to_ymd(int day, int *year, int *month, int *mday)
{
    const int64_t z = (int64_t)day + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = m;
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Parses the leading "YYYY-MM-DD" of s (no check of what follows). */
static int parse_date_prefix(const char *s, int *day)
{
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return -1;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    if (d > max)
        return -1;
    *day = gf_date_from_ymd(y, m, d);
    return 0;
}

int gf_date_parse(const char *text, int *day)
{
    if (!text || strlen(text) != 10)
        return -1;
    return parse_date_prefix(text, day);
}

void gf_date_format(int day, char out[11])
{
    int y, m, d;
    gf_date_to_ymd(day, &y, &m, &d);
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    memcpy(out, buf, 11);
}

bool gf_timestamp_valid(const char *s)
{
    int day;
    if (!s || parse_date_prefix(s, &day) < 0)
        return false;
    if (s[10] == '\0')
        return true;
    const char *p = s + 10;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2))
        return false;
    if (num(p, 2) > 23 || num(p + 3, 2) > 59)
        return false;
    p += 5;
    if (*p == ':') {
        if (!digits(p + 1, 2) || num(p + 1, 2) > 60)
            return false;
        p += 3;
        if (*p == '.') {
            p++;
            int n = 0;
            while (isdigit((unsigned char)*p) && n < 9) {
                p++;
                n++;
            }
            if (n == 0)
                return false;
        }
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
        p[6] == '\0')
        return num(p + 1, 2) <= 14 && num(p + 4, 2) <= 59;
    return false;
}
