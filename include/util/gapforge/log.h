/* log.h — one JSON object per line on stderr.
 *
 * Thread-safe: each line is written with a single write(2) so lines from different workers
 * never interleave. Messages are data, never format strings from clients. */
#ifndef GAPFORGE_LOG_H
#define GAPFORGE_LOG_H

#include <jansson.h>

/* Writes {"ts": ..., "level": level, "msg": msg, ...fields} and releases `fields`
 * (a JSON object, may be NULL). */
void gf_log(const char *level, const char *msg, json_t *fields);

/* printf-style convenience for messages without structured fields. */
void gf_logf(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Silences info-level lines (tests and CLI subcommands use it); warnings and errors stay. */
void gf_log_set_quiet(int quiet);

#endif
