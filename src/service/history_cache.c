/* history_cache.c — the org's history at as_of, loaded once per data version.
 *
 * A forecast, a roll-up, a projection and a scorecard each start by reading the org's history
 * (~0.3-1.5 s on 100,000 deals); the cache keeps it, keyed by (org, data version, as_of,
 * calendar end, today), so repeated requests read nothing. A write bumps the data version, so a
 * cached history is never stale. The bytes kept are bounded by
 * gf_svc_options.history_cache_mb; the least recently used histories go first. */
#include "cache_internal.h"
#include "gapforge/service.h"
#include "service_internal.h"

static size_t cap_bytes(void)
{
    const int mb = gf_svc_options_get()->history_cache_mb;
    return mb > 0 ? (size_t)mb << 20 : 0;
}

static void free_history(void *v)
{
    gf_store_history_free(v);
}

static gf_svc__cache g_histories = GF_SVC__CACHE_INIT(cap_bytes, free_history);

typedef struct load_arg {
    int64_t org_id;
    int as_of, cal_end;
} load_arg;

static int load(void *arg, void **value, size_t *bytes, gf_err *err)
{
    const load_arg *a = arg;
    gf_store_history *h = gf_store_history_load(a->org_id, a->as_of, a->cal_end, err);
    if (!h)
        return err->code ? err->code : gf_err_internal(err);
    *value = h;
    *bytes = gf_store_history_bytes(h);
    return 0;
}

const gf_store_history *gf_svc__history_get(int64_t org_id, int as_of, int cal_end,
                                            gf_svc__centry **ref, gf_err *err)
{
    gf_store_org_state st;
    if (gf_svc__org_state(org_id, &st, err) < 0)
        return NULL;
    const uint64_t key[4] = {(uint64_t)org_id, (uint64_t)st.data_version,
                             (uint64_t)(uint32_t)as_of << 32 | (uint32_t)cal_end,
                             (uint64_t)(uint32_t)st.today};
    load_arg a = {org_id, as_of, cal_end};
    int cached = 0;
    if (gf_svc__cache_get(&g_histories, key, load, &a, ref, &cached, err) < 0)
        return NULL;
    gf_svc__count_cache("history", cached);
    if (!cached) /* a new version: the org's older histories will not be asked for again */
        gf_svc__cache_drop_older(&g_histories, key[0], key[1]);
    return gf_svc__centry_value(*ref);
}

void gf_svc__history_release(gf_svc__centry *ref)
{
    gf_svc__cache_release(&g_histories, ref);
}

void gf_svc_history_cache_clear(void)
{
    gf_svc__cache_clear(&g_histories);
}

void gf_svc__history_cache_stats(gf_svc__cache_stat *out)
{
    gf_svc__cache_stats(&g_histories, out);
}
