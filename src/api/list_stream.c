/* list_stream.c — a paginated list's later pages for a CSV answer (see gf_api_stream_pages).
 *
 * The handler answers its first page as usual; the state kept here reads the pages after it,
 * 500 rows a read, from each page's next_cursor, while libmicrohttpd sends the file. The
 * arguments the page function needs are copied: the request is gone by then. */
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"

#define STREAM_PAGE 500

typedef struct list_stream {
    gf_api_page_fn fn;
    int64_t org_id;
    int64_t after; /* 0: no more pages */
    char *args[GF_API_PAGE_ARGS];
} list_stream;

/* The cursor of page's next page, 0 when it is the last. */
static int64_t next_cursor(const json_t *page)
{
    const char *c = json_string_value(json_object_get(page, "next_cursor"));
    return c ? strtoll(c, NULL, 10) : 0;
}

static void stream_free(void *state)
{
    list_stream *s = state;
    for (size_t i = 0; i < GF_API_PAGE_ARGS; i++)
        free(s->args[i]);
    free(s);
}

static int stream_next(void *state, json_t **page, gf_err *err)
{
    list_stream *s = state;
    *page = NULL;
    if (s->after <= 0)
        return 0;
    /* libmicrohttpd asks for the next page between other requests' handlers on this thread,
     * which set their own org: this stream's org again, or row-level security shows nothing. */
    gf_store_set_org(s->org_id);
    *page = s->fn(s->org_id, s->args, STREAM_PAGE, s->after, err);
    if (!*page)
        return -1;
    s->after = next_cursor(*page);
    return 0;
}

static int stream_failed(void *state, json_t **page, gf_err *err)
{
    (void)state;
    *page = NULL;
    gf_err_set(err, GF_EINTERNAL, "out_of_memory", NULL, "no memory for the list's stream");
    return -1;
}

void gf_api_stream_pages(gf_resp *resp, const json_t *page, gf_api_page_fn fn, int64_t org_id,
                         const char *const *args, size_t nargs)
{
    int64_t after = page ? next_cursor(page) : 0;
    if (after <= 0)
        return;
    list_stream *s = calloc(1, sizeof *s);
    bool ok = s != NULL && nargs <= GF_API_PAGE_ARGS;
    for (size_t i = 0; ok && i < nargs; i++)
        ok = !args[i] || (s->args[i] = strdup(args[i])) != NULL;
    if (!ok) {
        if (s)
            stream_free(s);
        resp->pages = (gf_resp_pages){.next = stream_failed};
        return;
    }
    s->fn = fn;
    s->org_id = org_id;
    s->after = after;
    resp->pages = (gf_resp_pages){.next = stream_next, .free = stream_free, .state = s};
}
