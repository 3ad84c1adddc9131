/* test_csv.c — the streaming CSV splitter: quoting rules, line ends, line
 * numbers, limits, and the promise that matters for streaming: the records do
 * not depend on how the bytes are cut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/csv.h"
#include "unit.h"

/* Records rendered as "line:field|field|...\n" with the fields unquoted. */
typedef struct out {
    char text[1 << 16];
    size_t len;
    int records;
} out;

static int collect(void *ud, const char *rec, const gf_csv_field *f, int n, long line, gf_err *err)
{
    (void)err;
    out *o = ud;
    o->len += (size_t)snprintf(o->text + o->len, sizeof o->text - o->len, "%ld:", line);
    for (int i = 0; i < n; i++) {
        char field[4096];
        gf_csv_field_text(rec, &f[i], field, sizeof field);
        o->len += (size_t)snprintf(o->text + o->len, sizeof o->text - o->len, "%s%s", i ? "|" : "",
                                   field);
    }
    o->len += (size_t)snprintf(o->text + o->len, sizeof o->text - o->len, "\n");
    o->records++;
    return 0;
}

/* Splits data fed in pieces of the sizes chunk() picks; returns 0 or -1 (err
 * set). */
static int split_by(const char *data, size_t len, size_t (*chunk)(size_t left, void *), void *cu,
                    out *o, gf_err *err)
{
    gf_csv csv;
    gf_csv_init(&csv, collect, o);
    memset(o, 0, sizeof *o);
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        size_t n = chunk(len - at, cu);
        rc = gf_csv_feed(&csv, data + at, n, err);
        at += n;
    }
    if (rc == 0)
        rc = gf_csv_finish(&csv, err);
    gf_csv_free(&csv);
    return rc;
}

static size_t whole(size_t left, void *u)
{
    (void)u;
    return left;
}

static size_t one_byte(size_t left, void *u)
{
    (void)u;
    (void)left;
    return 1;
}

/* Random piece sizes 1..17 from a small LCG seeded by *u. */
static size_t random_piece(size_t left, void *u)
{
    unsigned *s = u;
    *s = *s * 1103515245u + 12345u;
    size_t n = 1 + (*s >> 16) % 17;
    return n < left ? n : left;
}

/* Splits text whole and asserts the rendering. */
static void expect(const char *text, const char *want)
{
    out o;
    gf_err err = {0};
    ck_assert_int_eq(split_by(text, strlen(text), whole, NULL, &o, &err), 0);
    ck_assert_str_eq(o.text, want);
}

/* Splits text and asserts a 422 whose message mentions needle. */
static void expect_invalid(const char *text, const char *needle)
{
    out o;
    gf_err err = {0};
    ck_assert_int_eq(split_by(text, strlen(text), whole, NULL, &o, &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_msg(strstr(err.message, needle), "message %s lacks %s", err.message, needle);
}

START_TEST(plain_fields_split_on_commas_and_lines)
{
    expect("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
}
END_TEST

START_TEST(quoted_fields_keep_commas_and_lose_their_quotes)
{
    expect("\"a,b\",c\n", "1:a,b|c\n");
}
END_TEST

START_TEST(doubled_quotes_are_one_quote)
{
    expect("\"say \"\"hi\"\"\",\"\"\"\"\n", "1:say \"hi\"|\"\n");
}
END_TEST

START_TEST(crlf_ends_records_like_lf)
{
    expect("a,b\r\n1,2\r\n3,4", "1:a|b\n2:1|2\n3:3|4\n");
}
END_TEST

START_TEST(embedded_newlines_stay_in_the_field_and_count_lines)
{
    expect("x,\"two\nlines\"\ny,\"crlf\r\ninside\"\nz,1\n",
           "1:x|two\nlines\n3:y|crlf\r\ninside\n5:z|1\n");
}
END_TEST

START_TEST(empty_fields_and_blank_lines)
{
    expect("a,,c\n\n,\n\"\"\n", "1:a||c\n3:|\n4:\n");
}
END_TEST

START_TEST(unquoted_fields_are_trimmed_quoted_ones_are_not)
{
    expect(" a , b ,\"  c \"\n", "1:a|b|  c \n");
}
END_TEST

START_TEST(last_record_without_newline_is_emitted)
{
    expect("a,b\n1,\"2\"", "1:a|b\n2:1|2\n");
}
END_TEST

START_TEST(unclosed_quote_is_invalid)
{
    expect_invalid("a,\"b\n", "never closed");
}
END_TEST

START_TEST(stray_quote_in_unquoted_field_is_invalid)
{
    expect_invalid("ab\"c\n", "quote");
}
END_TEST

START_TEST(text_after_closing_quote_is_invalid)
{
    expect_invalid("\"ab\"c,d\n", "after a closing quote");
}
END_TEST

START_TEST(too_many_fields_is_invalid)
{
    char text[2 * GF_CSV_MAX_FIELDS + 8];
    size_t n = 0;
    for (int i = 0; i <= GF_CSV_MAX_FIELDS; i++)
        text[n++] = ',';
    text[n++] = '\n';
    text[n] = '\0';
    expect_invalid(text, "columns");
}
END_TEST

START_TEST(record_over_the_size_limit_is_invalid)
{
    size_t len = GF_CSV_MAX_RECORD + 10;
    char *text = malloc(len + 1);
    memset(text, 'x', len);
    text[len] = '\0';
    expect_invalid(text, "longer than");
    free(text);
}
END_TEST

/* A file with every hard case: quotes next to chunk edges, CRLF split between
 * chunks, embedded newlines, doubled quotes, empty fields. */
static const char tricky[] = "id,name,notes\r\n"
                             "1,\"Acme, Inc.\",\"said \"\"yes\"\"\"\r\n"
                             "2,Beta,\"multi\r\nline\nnote\"\r\n"
                             "\r\n"
                             "3,,\"\"\n"
                             "4,\"\"\"quoted\"\"\",plain\n"
                             "5,\"a\"\"\",\"\"\"b\"\n"
                             "6, spaced ,\"x,y,z\"";

START_TEST(one_byte_at_a_time_gives_the_same_records)
{
    out a, b;
    gf_err err = {0};
    ck_assert_int_eq(split_by(tricky, strlen(tricky), whole, NULL, &a, &err), 0);
    ck_assert_int_eq(split_by(tricky, strlen(tricky), one_byte, NULL, &b, &err), 0);
    ck_assert_int_eq(a.records, 7);
    ck_assert_str_eq(a.text, "1:id|name|notes\n2:1|Acme, Inc.|said \"yes\"\n"
                             "3:2|Beta|multi\r\nline\nnote\n7:3||\n8:4|\"quoted\"|plain\n"
                             "9:5|a\"|\"b\n10:6|spaced|x,y,z\n");
    ck_assert_str_eq(b.text, a.text);
}
END_TEST

START_TEST(random_chunks_give_the_same_records)
{
    out a, b;
    gf_err err = {0};
    ck_assert_int_eq(split_by(tricky, strlen(tricky), whole, NULL, &a, &err), 0);
    for (unsigned seed = 1; seed <= 500; seed++) {
        unsigned s = seed;
        ck_assert_int_eq(split_by(tricky, strlen(tricky), random_piece, &s, &b, &err), 0);
        ck_assert_msg(strcmp(a.text, b.text) == 0, "seed %u gave\n%s", seed, b.text);
    }
}
END_TEST

/* Every cut into two pieces, at every position, including between CR and LF. */
START_TEST(every_two_piece_cut_gives_the_same_records)
{
    out a, b;
    gf_err err = {0};
    size_t len = strlen(tricky);
    ck_assert_int_eq(split_by(tricky, len, whole, NULL, &a, &err), 0);
    for (size_t cut = 1; cut < len; cut++) {
        gf_csv csv;
        gf_csv_init(&csv, collect, &b);
        memset(&b, 0, sizeof b);
        ck_assert_int_eq(gf_csv_feed(&csv, tricky, cut, &err), 0);
        ck_assert_int_eq(gf_csv_feed(&csv, tricky + cut, len - cut, &err), 0);
        ck_assert_int_eq(gf_csv_finish(&csv, &err), 0);
        gf_csv_free(&csv);
        ck_assert_msg(strcmp(a.text, b.text) == 0, "cut at %zu gave\n%s", cut, b.text);
    }
}
END_TEST

static int stop_at_second(void *ud, const char *rec, const gf_csv_field *f, int n, long line,
                          gf_err *err)
{
    (void)rec;
    (void)f;
    (void)n;
    int *seen = ud;
    if (++*seen == 2)
        return gf_err_invalid(err, NULL, "stopped at line %ld", line);
    return 0;
}

START_TEST(callback_failure_stops_the_stream)
{
    int seen = 0;
    gf_csv csv;
    gf_err err = {0};
    gf_csv_init(&csv, stop_at_second, &seen);
    ck_assert_int_eq(gf_csv_feed(&csv, "a\nb\nc\n", 6, &err), -1);
    ck_assert_int_eq(seen, 2);
    ck_assert_str_eq(err.message, "stopped at line 2");
    gf_csv_free(&csv);
}
END_TEST

/* Issue 13: a spreadsheet's UTF-8 byte-order mark is not part of the first column's name,
 * wherever the network cuts it; a file that merely starts like one keeps its bytes. */
START_TEST(byte_order_mark_is_dropped_however_it_is_cut)
{
    static const char file[] = "\xEF\xBB\xBF"
                               "external_id,name\nd-1,One\n";
    out o;
    gf_err err = {0};
    ck_assert_int_eq(split_by(file, strlen(file), whole, NULL, &o, &err), 0);
    ck_assert_str_eq(o.text, "1:external_id|name\n2:d-1|One\n");
    ck_assert_int_eq(split_by(file, strlen(file), one_byte, NULL, &o, &err), 0);
    ck_assert_str_eq(o.text, "1:external_id|name\n2:d-1|One\n");
}
END_TEST

START_TEST(partial_byte_order_mark_is_text)
{
    static const char file[] = "\xEF\xBBx,y\n";
    out o;
    gf_err err = {0};
    ck_assert_int_eq(split_by(file, strlen(file), one_byte, NULL, &o, &err), 0);
    ck_assert_str_eq(o.text, "1:\xEF\xBBx|y\n");
    static const char only[] = "\xEF";
    ck_assert_int_eq(split_by(only, 1, whole, NULL, &o, &err), 0);
    ck_assert_str_eq(o.text, "1:\xEF\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, plain_fields_split_on_commas_and_lines);
    tcase_add_test(tc, quoted_fields_keep_commas_and_lose_their_quotes);
    tcase_add_test(tc, doubled_quotes_are_one_quote);
    tcase_add_test(tc, crlf_ends_records_like_lf);
    tcase_add_test(tc, embedded_newlines_stay_in_the_field_and_count_lines);
    tcase_add_test(tc, empty_fields_and_blank_lines);
    tcase_add_test(tc, unquoted_fields_are_trimmed_quoted_ones_are_not);
    tcase_add_test(tc, last_record_without_newline_is_emitted);
    tcase_add_test(tc, unclosed_quote_is_invalid);
    tcase_add_test(tc, stray_quote_in_unquoted_field_is_invalid);
    tcase_add_test(tc, text_after_closing_quote_is_invalid);
    tcase_add_test(tc, too_many_fields_is_invalid);
    tcase_add_test(tc, record_over_the_size_limit_is_invalid);
    tcase_add_test(tc, one_byte_at_a_time_gives_the_same_records);
    tcase_add_test(tc, random_chunks_give_the_same_records);
    tcase_add_test(tc, every_two_piece_cut_gives_the_same_records);
    tcase_add_test(tc, callback_failure_stops_the_stream);
    tcase_add_test(tc, byte_order_mark_is_dropped_however_it_is_cut);
    tcase_add_test(tc, partial_byte_order_mark_is_text);
    suite_add_tcase(s, tc);
    return unit_main(s);
}
