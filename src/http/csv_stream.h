/* csv_stream.h — (private to the http layer) a list answered as CSV page by page. */
#ifndef GAPFORGE_HTTP_CSV_STREAM_H
#define GAPFORGE_HTTP_CSV_STREAM_H

#include <microhttpd.h>

#include "gapforge/http.h"

/* A response that writes the table at path of first (stolen) as CSV, header included, and then
 * of every page pages.next yields, reading the next page only when the client has taken the
 * previous one (memory: one page). Takes pages.state in every case (freed with pages.free when
 * the response is destroyed, or at once on failure). Returns NULL when first has no table at
 * path or memory runs out (first is then released too). */
struct MHD_Response *gf_http_csv_stream(const char *path, json_t *first, gf_resp_pages pages);

#endif
