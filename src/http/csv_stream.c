/* csv_stream.c — a list answered as CSV page by page (see csv_stream.h).
 *
 * libmicrohttpd pulls the body through a content reader: the reader hands out what is left of
 * the current page's text and, when that is used up, asks the handler's pages.next for the next
 * page, which runs on the connection's worker thread like the handler did. The header and the
 * columns come from the first page. A failing next ends the body with an error, which the client
 * sees as a cut transfer (the status was sent with the first bytes). */
#include <stdlib.h>
#include <string.h>

#include "csv_stream.h"
#include "gapforge/csv_table.h"
#include "gapforge/log.h"

typedef struct stream {
    const char *path;
    json_t *cols;
    gf_resp_pages pages;
    char *text; /* the current page's CSV */
    size_t len, off;
    bool done;
} stream;

static void stream_free(void *cls)
{
    stream *s = cls;
    if (s->pages.free)
        s->pages.free(s->pages.state);
    json_decref(s->cols);
    free(s->text);
    free(s);
}

/* Replaces the used-up text with the next page's rows: 1 when there is text, 0 at the end, -1
 * on failure. A page with no rows is skipped. */
static int next_text(stream *s)
{
    while (!s->done) {
        free(s->text);
        s->text = NULL;
        s->len = s->off = 0;
        json_t *page = NULL;
        gf_err err = {0};
        if (!s->pages.next || s->pages.next(s->pages.state, &page, &err) < 0) {
            if (s->pages.next)
                gf_log("error", "csv stream failed", json_pack("{s:s}", "detail", err.message));
            return s->pages.next ? -1 : 0;
        }
        if (!page) {
            s->done = true;
            return 0;
        }
        int rc = gf_csv_table_rows(page, s->path, s->cols, &s->text, &s->len);
        json_decref(page);
        if (rc < 0)
            return -1;
        if (s->len > 0)
            return 1;
    }
    return 0;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    stream *s = cls;
    if (s->off == s->len) {
        int rc = next_text(s);
        if (rc <= 0)
            return rc == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(out, s->text + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

struct MHD_Response *gf_http_csv_stream(const char *path, json_t *first, gf_resp_pages pages)
{
    stream *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(first);
        if (pages.free)
            pages.free(pages.state);
        return NULL;
    }
    s->path = path;
    s->pages = pages;
    int rc = gf_csv_table_begin(first, path, &s->cols, &s->text, &s->len);
    json_decref(first);
    struct MHD_Response *r = NULL;
    if (rc == 0)
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, reader, s, stream_free);
    if (!r)
        stream_free(s);
    return r;
}
