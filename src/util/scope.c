/* scope.c — reading scope strings (scope.h). */
#include "gapforge/scope.h"

#include <string.h>

int gf_scope_parse(const char *text, gf_scope_of *of, const char **key)
{
    static const struct {
        const char *prefix;
        gf_scope_of of;
    } kinds[] = {{"team:", GF_SCOPE_OF_TEAM}, {"rep:", GF_SCOPE_OF_REP}};
    if (!text)
        return -1;
    if (strcmp(text, "org") == 0) {
        *of = GF_SCOPE_OF_ORG;
        *key = NULL;
        return 0;
    }
    const size_t len = strlen(text);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const size_t n = strlen(kinds[k].prefix);
        if (len > n && len - n <= GF_SCOPE_MAX_KEY && strncmp(text, kinds[k].prefix, n) == 0) {
            *of = kinds[k].of;
            *key = text + n;
            return 0;
        }
    }
    return -1;
}
