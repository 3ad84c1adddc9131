/* org_state.c — each org's data version and calendar, cached in process.
 *
 * Every request that validates a forecast, roll-up, projection or scorecard needs the org's
 * fiscal year and today, and every cached answer its data version: reading them once per request
 * would cost a round trip each. They are kept per org and read again when older than
 * gf_svc_options.version_check_ms (so another replica's write is seen within that time), when
 * the org's day has ended, and at once after a write through this process (gf_svc_org_changed:
 * the HTTP layer calls it after every write request, before answering). A read that raced with
 * such a change is not kept (a generation per slot, shared by the orgs that map to it), so a write
 * is never hidden on this replica. */
#include <pthread.h>
#include <string.h>

#include "cache_internal.h"
#include "gapforge/service.h"
#include "service_internal.h"

#define SLOTS 4096

typedef struct slot {
    int64_t org_id; /* 0: empty */
    gf_store_org_state st;
    double until; /* monotonic ms after which st is read again */
    uint64_t gen; /* bumped by every change of the org */
} slot;

static slot g_slots[SLOTS];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static slot *slot_of(int64_t org_id)
{
    return &g_slots[(uint64_t)org_id % SLOTS];
}

void gf_svc_org_changed(int64_t org_id)
{
    pthread_mutex_lock(&g_mu);
    slot *s = slot_of(org_id);
    s->until = 0;
    s->gen++;
    pthread_mutex_unlock(&g_mu);
}

int gf_svc__org_state(int64_t org_id, gf_store_org_state *out, gf_err *err)
{
    const double now = gf_svc__now_ms();
    pthread_mutex_lock(&g_mu);
    slot *s = slot_of(org_id);
    if (s->org_id == org_id && now < s->until) {
        *out = s->st;
        pthread_mutex_unlock(&g_mu);
        return 0;
    }
    const uint64_t gen = s->gen;
    pthread_mutex_unlock(&g_mu);

    if (gf_store_org_state_read(org_id, out, err) < 0)
        return err->code;

    const int check = gf_svc_options_get()->version_check_ms;
    double until = now + (check > 0 ? check : 0);
    if (now + (double)out->ms_to_midnight < until)
        until = now + (double)out->ms_to_midnight;
    pthread_mutex_lock(&g_mu);
    if (s->gen == gen) { /* no change of this slot's orgs since the read began */
        s->org_id = org_id;
        s->st = *out;
        s->until = until;
    }
    pthread_mutex_unlock(&g_mu);
    return 0;
}

int gf_svc__org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err)
{
    gf_store_org_state st;
    if (gf_svc__org_state(org_id, &st, err) < 0)
        return err->code;
    *fysm = st.fysm;
    *today = st.today;
    return 0;
}
