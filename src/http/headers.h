/* headers.h — (private to the http layer) the headers every answer carries: the request id,
 * Connection: close while draining, Allow, Location, the handler's extra header, ETag,
 * Cache-Control, the CSV attachment's type and name, and CORS (Vary: Origin, the allowed origin,
 * and the preflight's methods and headers). */
#ifndef GAPFORGE_HTTP_HEADERS_H
#define GAPFORGE_HTTP_HEADERS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "gapforge/http.h"

/* What an answer's headers depend on besides the response itself. */
typedef struct gf_http_answer {
    const char *request_id;
    const gf_route *csv_route; /* the body is this route's CSV table (NULL: not CSV) */
    bool json;                 /* the body is JSON text built here (Content-Type is added) */
    bool close;                /* Connection: close (the server drains) */
    const char *allow;         /* the Allow header (NULL or "": none) */
    const char *cors_origins;  /* gf_server_options.cors_origins */
} gf_http_answer;

/* Adds the headers of an answer to r: the content type for a CSV or JSON body, then
 * X-Request-Id, Connection, Allow, Location, resp->header, ETag, Cache-Control and CORS.
 * libmicrohttpd copies every value; nothing is kept. */
void gf_http__add_answer_headers(struct MHD_Response *r, struct MHD_Connection *c,
                                 const gf_http_answer *a, const gf_resp *resp);

/* Adds the headers of a CORS preflight's 204 to r: X-Request-Id, Allow and, for an allowed
 * origin, the CORS headers with the path's methods (allow) and the request headers a browser
 * may send. */
void gf_http__add_preflight_headers(struct MHD_Response *r, struct MHD_Connection *c,
                                    const char *cors_origins, const char *request_id,
                                    const char *allow);

#endif
