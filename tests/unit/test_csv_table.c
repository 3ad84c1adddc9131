/* Specification of a JSON answer's table as CSV (gapforge/csv_table.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/csv_table.h"
#include "unit.h"

static char *csv_of(const char *json, const char *path)
{
    json_error_t e;
    json_t *doc = json_loads(json, 0, &e);
    ck_assert_ptr_nonnull(doc);
    char *out = NULL;
    size_t len = 0;
    const int rc = gf_csv_table(doc, path, &out, &len);
    json_decref(doc);
    if (rc == 1)
        return NULL;
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(len, strlen(out));
    return out;
}

START_TEST(a_list_becomes_a_header_and_one_row_per_item)
{
    char *c = csv_of("{\"items\": [{\"id\": 1, \"name\": \"Acme\", \"amount\": 100.5, \"won\": "
                     "true}, {\"id\": 2, \"name\": \"Beta\", \"note\": null, \"amount\": -3}], "
                     "\"next_cursor\": null}",
                     "items");
    ck_assert_str_eq(c, "id,name,amount,won,note\r\n"
                        "1,Acme,100.5,true,\r\n"
                        "2,Beta,-3,,\r\n");
    free(c);
}
END_TEST

START_TEST(no_cell_can_run_as_a_formula_and_quotes_are_doubled)
{
    char *c = csv_of("{\"items\": [{\"a\": \"=HYPERLINK(\\\"x\\\")\", \"b\": \"+1\", \"c\": "
                     "\"-2\", \"d\": \"@SUM(A1)\", \"e\": \"a,b\", \"f\": \"say \\\"hi\\\"\", "
                     "\"g\": \"two\\nlines\", \"h\": \"\\tx\"}]}",
                     "items");
    ck_assert_str_eq(c, "a,b,c,d,e,f,g,h\r\n"
                        "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"a,b\","
                        "\"say \"\"hi\"\"\",\"two\nlines\",\"'\tx\"\r\n");
    free(c);
}
END_TEST

START_TEST(nested_objects_flatten_and_walked_arrays_lead_their_rows)
{
    char *c = csv_of("{\"periods\": [{\"period\": \"2026-Q1\", \"actual\": 10, \"weeks\": "
                     "[{\"week\": 0, \"model\": {\"value\": 9, \"source\": \"snapshot\"}, "
                     "\"commit\": null}, {\"week\": 1, \"model\": null, \"commit\": {\"value\": "
                     "8}}]}, {\"period\": \"2026-Q2\", \"actual\": 0, \"weeks\": []}]}",
                     "periods.*.weeks");
    ck_assert_str_eq(c, "period,actual,week,model.value,model.source,commit.value\r\n"
                        "2026-Q1,10,0,9,snapshot,\r\n"
                        "2026-Q1,10,1,,,8\r\n");
    free(c);
}
END_TEST

START_TEST(an_object_of_objects_is_one_row_per_member_and_alternatives_are_tried)
{
    char *c = csv_of("{\"buckets\": {\"new\": {\"count\": 2, \"amount\": 5}, \"won\": {\"count\": "
                     "1, \"amount\": 3}}}",
                     "deals|buckets");
    ck_assert_str_eq(c, "key,count,amount\r\nnew,2,5\r\nwon,1,3\r\n");
    free(c);
    c = csv_of("{\"result\": {\"rows\": [{\"x\": [1, 2]}]}}", "result.rows");
    ck_assert_str_eq(c, "x\r\n\"[1,2]\"\r\n");
    free(c);
    /* No table there: nothing (the answer stays JSON). */
    ck_assert_ptr_null(csv_of("{\"result\": null}", "result.rows"));
    ck_assert_ptr_null(csv_of("{\"o\": {\"a\": 1}}", "o"));
}
END_TEST

START_TEST(pages_share_the_first_pages_header)
{
    json_error_t e;
    json_t *p1 = json_loads("{\"items\": [{\"id\": 1, \"name\": \"a\"}]}", 0, &e);
    json_t *p2 = json_loads("{\"items\": [{\"name\": \"=b\", \"id\": 2, \"extra\": 9}]}", 0, &e);
    json_t *cols = NULL;
    char *out = NULL;
    size_t len = 0;
    ck_assert_int_eq(gf_csv_table_begin(p1, "items", &cols, &out, &len), 0);
    ck_assert_str_eq(out, "id,name\r\n1,a\r\n");
    free(out);
    /* A later page: its rows in the first page's columns, a new column left out. */
    ck_assert_int_eq(gf_csv_table_rows(p2, "items", cols, &out, &len), 0);
    ck_assert_str_eq(out, "2,\"'=b\"\r\n");
    ck_assert_uint_eq(len, strlen(out));
    free(out);
    json_decref(cols);
    json_decref(p1);
    json_decref(p2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csv_table");
    TCase *tc = tcase_create("csv_table");
    tcase_add_test(tc, a_list_becomes_a_header_and_one_row_per_item);
    tcase_add_test(tc, no_cell_can_run_as_a_formula_and_quotes_are_doubled);
    tcase_add_test(tc, nested_objects_flatten_and_walked_arrays_lead_their_rows);
    tcase_add_test(tc, an_object_of_objects_is_one_row_per_member_and_alternatives_are_tried);
    tcase_add_test(tc, pages_share_the_first_pages_header);
    suite_add_tcase(s, tc);
    return unit_main(s);
}
