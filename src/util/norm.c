/* norm.c — the import's normalisation in C (include/util/gapforge/norm.h). Each function follows
 * its SQL original in migrations/0005_import.sql line by line; tests/integration/test_imports.c
 * compares the two over the same inputs. */
#include "gapforge/norm.h"

#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

bool gf_norm_date(const char *s, size_t n, char out[11])
{
    /* '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$', then the first ten characters. */
    if (n < 10 || (n > 10 && s[10] != 'T' && s[10] != ' '))
        return false;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
            return false;
    /* '^(19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' and a day the month
     * has. */
    int century = two_digits(s), year = century * 100 + two_digits(s + 2);
    int month = two_digits(s + 5), day = two_digits(s + 8);
    if (century < 19 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
        return false;
    memcpy(out, s, 10);
    out[10] = '\0';
    return true;
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
            return false;
    return true;
}

/* lower(s[0..n)) of ASCII s into buf (cap > n), with ' ' made '_' when underscores. */
static void ascii_lower(const char *s, size_t n, bool underscores, char *buf)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        buf[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : underscores && c == ' ' ? '_' : c;
    }
    buf[n] = '\0';
}

gf_norm_answer gf_norm_category(const char *s, size_t n, const char **out)
{
    static const char *const spellings[][2] = {
        {"pipeline", "pipeline"}, {"best_case", "best_case"}, {"bestcase", "best_case"},
        {"commit", "commit"},     {"closed", "commit"},       {"omitted", "omitted"}};
    char buf[16];
    if (!is_ascii(s, n))
        return GF_NORM_UNDECIDED;
    /* Longer than every spelling: no category. */
    if (n >= sizeof buf)
        return GF_NORM_NONE;
    ascii_lower(s, n, true, buf);
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
        if (strcmp(buf, spellings[i][0]) == 0) {
            *out = spellings[i][1];
            return GF_NORM_VALUE;
        }
    return GF_NORM_NONE;
}

static bool contains_any(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strstr(s, *words))
            return true;
    return false;
}

gf_norm_answer gf_norm_source(const char *s, size_t n, const char **out)
{
    static const char *const ours[] = {"marketing", "sales", "partner", "other", NULL};
    static const char *const partner[] = {"partner", "reseller", NULL};
    static const char *const marketing[] = {
        "web",   "advert",  "seminar", "trade show", "webinar", "purchased list", "email", "social",
        "event", "content", "inbound", "marketing",  NULL};
    static const char *const sales[] = {"outbound", "phone", "cold", "employee", "referral",
                                        "sales",    "sdr",   "bdr",  NULL};
    char buf[256];
    if (n >= sizeof buf || !is_ascii(s, n))
        return GF_NORM_UNDECIDED;
    ascii_lower(s, n, false, buf);
    for (const char *const *w = ours; *w; w++)
        if (strcmp(buf, *w) == 0) {
            *out = *w;
            return GF_NORM_VALUE;
        }
    *out = contains_any(buf, partner)     ? "partner"
           : contains_any(buf, marketing) ? "marketing"
           : contains_any(buf, sales)     ? "sales"
                                          : "other";
    return GF_NORM_VALUE;
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '.' || c == ':' || c == '-';
}

gf_norm_answer gf_norm_key(const char *s, size_t n, char *buf, size_t cap)
{
    if (cap < 65 || !is_ascii(s, n))
        return GF_NORM_UNDECIDED;
    /* regexp_replace(lower(x), '[^a-z0-9_.:-]+', '_', 'g'), btrim(.., '_'), left(.., 64), in
     * one pass: the underscores of the replaced text wait (pending) until a character that is
     * not one comes; at the start they are dropped, before it they are written, at the end they
     * are dropped. */
    size_t len = 0, pending = 0;
    bool in_run = false;
    for (size_t i = 0; i < n && len < 64; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (!is_key_char(c)) {
            if (!in_run)
                pending++;
            in_run = true;
            continue;
        }
        in_run = false;
        if (c == '_') {
            pending++;
            continue;
        }
        for (; len > 0 && pending && len < 64; pending--)
            buf[len++] = '_';
        pending = 0;
        if (len < 64)
            buf[len++] = c;
    }
    buf[len] = '\0';
    return GF_NORM_VALUE;
}

gf_norm_answer gf_norm_lower(const char *s, size_t n, char *buf, size_t cap)
{
    if (n >= cap || !is_ascii(s, n))
        return GF_NORM_UNDECIDED;
    ascii_lower(s, n, false, buf);
    return GF_NORM_VALUE;
}
