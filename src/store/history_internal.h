/* history_internal.h — the pieces of src/store/history*.c shared between its files. */
#ifndef GAPFORGE_STORE_HISTORY_INTERNAL_H
#define GAPFORGE_STORE_HISTORY_INTERNAL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

#include "db.h"
#include "gapforge/store_history.h"

/* Local midnight (seconds since 1970) of days d0 .. d0 + n - 1 in the org's time zone. */
typedef struct hist_days {
    int d0;
    size_t n;
    int64_t *mid;
} hist_days;

/* Event kinds. */
enum { HE_STAGE = 0, HE_AMOUNT = 1, HE_CLOSE = 2, HE_CATEGORY = 3 };

/* One event as read: its deal (index), kind, local day, time (microseconds since 2000) and
 * value (stage index, cents, day number or GF_MODEL_NO_DAY, category). */
typedef struct hist_event {
    int64_t at;
    int64_t value;
    int64_t deal; /* the deal's id as read; its index after gf_store__history_map_events */
    int32_t day;
    int16_t old_stage; /* stage events: the stage left, -1 when none (creation) */
    uint8_t kind;
} hist_event;

/* The deals and events as read, before they are assembled into the model's arrays. */
typedef struct hist_deals {
    size_t n, cap;
    int64_t *id;
    int32_t *created;
    int64_t *amount;
    int32_t *stage;
    int min_created;
    hist_event *ev;
    size_t n_ev, cap_ev;
} hist_deals;

extern const char gf_store_history_deals_copy[];
extern const char gf_store_history_events_copy[];
extern const char gf_store_history_events_part_copy[];

/* Reads the deals (COPY on this thread's connection, in the history's transaction) into raw and
 * h's owner and category arrays. Returns 0, or -1 with err. */
int gf_store__history_read_deals(gf_store_history *h, const int64_t *stage_ids, hist_deals *raw,
                                 gf_err *err) GF_MUST_CHECK;
/* Reads the events on pg (in a transaction with the history settings) into raw->ev, with
 * their deal ids and local days; safe to run on another thread while the deals are read. */
int gf_store__history_read_events(PGconn *pg, const char *sql, const gf_store_history *h,
                                  hist_deals *raw, const hist_days *days, gf_err *err)
    GF_MUST_CHECK;
/* Maps the events' deal ids to deal indices, dropping events of deals not loaded. Returns 0 or
 * -1 when out of memory. */
int gf_store__history_map_events(hist_deals *raw) GF_MUST_CHECK;
/* Builds the model's arrays of h from raw (events grouped by deal, ordered by time) and the
 * digest. Returns 0, or -1 with an internal error when out of memory. */
int gf_store__history_assemble(gf_store_history *h, hist_deals *raw, gf_err *err) GF_MUST_CHECK;
void gf_store__history_raw_free(hist_deals *raw);

/* The events read on extra connections, in parallel with the deals (history_side.c). */
#define HIST_PARTS 2
typedef struct hist_part {
    PGconn *pg;
    const char *sql;
    char snapshot[64], from[64], to[64];
    const gf_db_args *params; /* org, as_of, time zone */
    const gf_store_history *h;
    const hist_days *days;
    int64_t org;   /* the starting thread's org, set in the part's transaction */
    hist_deals ev; /* only its event arrays are used */
    gf_err err;
    int rc;
    pthread_t tid;
} hist_part;
typedef struct hist_side {
    int n;
    hist_part part[HIST_PARTS];
} hist_side;

/* Exports the snapshot of this thread's transaction and starts reading the events in up to
 * HIST_PARTS time ranges, each on its own connection and thread. Returns the number of parts
 * started; 0 means the caller reads the events itself. params: org, as_of, time zone; it must
 * outlive gf_store__history_side_join. */
int gf_store__history_side_start(hist_side *s, const gf_db_args *params, const gf_store_history *h,
                                 const hist_days *days, gf_err *err) GF_MUST_CHECK;
/* Waits for every part and appends their events to raw->ev. Returns 0, or -1 with err (when
 * not NULL) when a part failed. */
int gf_store__history_side_join(hist_side *s, hist_deals *raw, gf_err *err) GF_MUST_CHECK;

#endif
