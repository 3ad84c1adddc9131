/* fuzz_norm.c — the bulk import's normalisation in C (src/util/norm.c), over any bytes.
 *
 * Input: the cell's text. Invariants:
 *  - gf_norm_date accepts exactly what gapforge's own date parser (gf_date_parse) accepts in the
 *    first ten bytes, alone or followed by 'T' or ' ', and answers those ten bytes;
 *  - gf_norm_key decides exactly the ASCII texts; its key has at most 64 characters, each of
 *    a-z 0-9 _ . : -, does not begin with '_' (nor end with one, unless cut at 64), and is its
 *    own key (less such an end);
 *  - gf_norm_category and gf_norm_source decide exactly the ASCII texts (a source: always a
 *    value), answer one of their values, and each value is its own answer;
 *  - gf_norm_lower keeps the length and leaves no A-Z. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/date.h"
#include "gapforge/norm.h"

static bool ascii(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80 || s[i] == 0)
            return false;
    return true;
}

static void check_date(const char *s, size_t n)
{
    char out[11], head[11] = {0};
    memcpy(head, s, n < 10 ? n : 10);
    int day;
    const bool parsed =
        n >= 10 && (n == 10 || s[10] == 'T' || s[10] == ' ') && gf_date_parse(head, &day) == 0;
    const bool normed = gf_norm_date(s, n, out);
    FUZZ_CHECK(parsed == normed, "gf_norm_date %d, gf_date_parse %d on %.10s", normed, parsed,
               head);
    if (normed)
        FUZZ_CHECK(strcmp(out, head) == 0, "%s read as %s", head, out);
}

static void check_key(const char *s, size_t n, bool is_ascii)
{
    char key[65], again[65];
    gf_norm_answer a = gf_norm_key(s, n, key, sizeof key);
    FUZZ_CHECK(a == (is_ascii ? GF_NORM_VALUE : GF_NORM_UNDECIDED), "key answer %d", a);
    if (a != GF_NORM_VALUE)
        return;
    size_t len = strlen(key);
    FUZZ_CHECK(len <= 64, "a key of %zu characters", len);
    /* left(.., 64) comes after btrim: a key cut at 64 may end with '_', never begin with one. */
    FUZZ_CHECK(len == 0 || key[0] != '_', "key %s begins with _", key);
    FUZZ_CHECK(len == 0 || key[len - 1] != '_' || len == 64, "key %s ends with _", key);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyz0123456789_.:-", key[i]) != NULL,
                   "key %s holds %c", key, key[i]);
    /* A key's own key is itself, but for the '_' a cut left at its end. */
    size_t kept = len;
    while (kept && key[kept - 1] == '_')
        kept--;
    FUZZ_CHECK(gf_norm_key(key, len, again, sizeof again) == GF_NORM_VALUE &&
                   strlen(again) == kept && memcmp(key, again, kept) == 0,
               "the key of %s is %s", key, again);
}

static void check_word(const char *s, size_t n, bool is_ascii,
                       gf_norm_answer (*fn)(const char *, size_t, const char **),
                       const char *const *values, bool always)
{
    const char *out = NULL, *again = NULL;
    gf_norm_answer a = fn(s, n, &out);
    FUZZ_CHECK(is_ascii ? a != GF_NORM_UNDECIDED : a == GF_NORM_UNDECIDED, "answer %d", a);
    FUZZ_CHECK(!(always && a == GF_NORM_NONE), "no value for ASCII text");
    if (a != GF_NORM_VALUE)
        return;
    bool known = false;
    for (const char *const *v = values; *v; v++)
        known = known || strcmp(out, *v) == 0;
    FUZZ_CHECK(known, "answer %s", out);
    FUZZ_CHECK(fn(out, strlen(out), &again) == GF_NORM_VALUE && strcmp(again, out) == 0,
               "%s is not its own answer", out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const categories[] = {"pipeline", "best_case", "commit", "omitted", NULL};
    static const char *const sources[] = {"marketing", "sales", "partner", "other", NULL};
    if (size == 0)
        return 0;
    const char *s = (const char *)data;
    const bool is_ascii = ascii(data, size);
    check_date(s, size);
    check_key(s, size, is_ascii);
    check_word(s, size, is_ascii, gf_norm_category, categories, false);
    /* A source longer than 255 bytes is left to SQL, ASCII or not. */
    check_word(s, size, is_ascii && size < 256, gf_norm_source, sources, true);
    char lower[64];
    if (gf_norm_lower(s, size, lower, sizeof lower) == GF_NORM_VALUE) {
        FUZZ_CHECK(is_ascii && strlen(lower) == size, "lower of %zu bytes", size);
        for (size_t i = 0; i < size; i++)
            FUZZ_CHECK(!(lower[i] >= 'A' && lower[i] <= 'Z'), "lower holds %c", lower[i]);
    }
    return 0;
}
