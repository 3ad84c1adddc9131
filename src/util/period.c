/* period.c — fiscal quarters from a fiscal year start month, and period specs. */
#include "gapforge/period.h"

#include <stdio.h>
#include <string.h>

#include "gapforge/date.h"

/* Day number of the first day of the month that lies `months` months after January of year
 * (months may exceed 11). */
static int month_start(int year, int months)
{
    return gf_date_from_ymd(year + months / 12, months % 12 + 1, 1);
}

int gf_period_quarter(int fy, int q, int fysm, gf_period *out)
{
    if (fysm < 1 || fysm > 12 || q < 1 || q > 4 || fy < GF_PERIOD_MIN_YEAR ||
        fy > GF_PERIOD_MAX_YEAR)
        return -1;
    int first = fysm - 1 + 3 * (q - 1); /* months after January of fy */
    out->start = month_start(fy, first);
    out->end = month_start(fy, first + 3) - 1;
    out->fy = fy;
    out->quarter = q;
    snprintf(out->name, sizeof out->name, "%04d-Q%d", fy, q);
    return 0;
}

int gf_period_quarter_of(int day, int fysm, gf_period *out)
{
    if (fysm < 1 || fysm > 12)
        return -1;
    int y, m, d;
    gf_date_to_ymd(day, &y, &m, &d);
    int k = m - fysm; /* months since the fiscal year began */
    int fy = y;
    if (k < 0) {
        fy = y - 1;
        k += 12;
    }
    return gf_period_quarter(fy, k / 3 + 1, fysm, out);
}

int gf_period_quarter_add(const gf_period *q, int n, int fysm, gf_period *out)
{
    if (q->quarter < 1 || q->quarter > 4)
        return -1;
    long idx = (long)q->fy * 4 + (q->quarter - 1) + n;
    if (idx < (long)GF_PERIOD_MIN_YEAR * 4 || idx > (long)GF_PERIOD_MAX_YEAR * 4 + 3)
        return -1;
    return gf_period_quarter((int)(idx / 4), (int)(idx % 4) + 1, fysm, out);
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

int gf_period_by_name(const char *name, int fysm, gf_period *out)
{
    if (!name || strlen(name) != 7 || !digit(name[0]) || !digit(name[1]) || !digit(name[2]) ||
        !digit(name[3]) || name[4] != '-' || name[5] != 'Q' || name[6] < '1' || name[6] > '4')
        return -1;
    int fy =
        (name[0] - '0') * 1000 + (name[1] - '0') * 100 + (name[2] - '0') * 10 + (name[3] - '0');
    return gf_period_quarter(fy, name[6] - '0', fysm, out);
}

int gf_period_parse(const char *spec, int fysm, gf_period *out)
{
    if (!spec)
        return -1;
    if (strlen(spec) == 7)
        return gf_period_by_name(spec, fysm, out);
    if (fysm < 1 || fysm > 12 || strlen(spec) != 22 || spec[10] != '.' || spec[11] != '.')
        return -1;
    char a[11], b[11];
    memcpy(a, spec, 10);
    a[10] = '\0';
    memcpy(b, spec + 12, 10);
    b[10] = '\0';
    int start, end;
    if (gf_date_parse(a, &start) < 0 || gf_date_parse(b, &end) < 0 || end < start ||
        end - start + 1 > GF_PERIOD_MAX_DAYS)
        return -1;
    out->start = start;
    out->end = end;
    out->fy = 0;
    out->quarter = 0;
    snprintf(out->name, sizeof out->name, "%s..%s", a, b);
    return 0;
}
