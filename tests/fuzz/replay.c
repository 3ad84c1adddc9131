/* replay.c — a main for the harnesses in the normal build: runs LLVMFuzzerTestOneInput once on
 * every file of the folders (or files) named on the command line, so each seed corpus, and the
 * inputs that once broke an invariant, are replayed by `meson test` with gcc and by the
 * sanitizer build. A broken invariant aborts, which fails the test. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Runs the harness on the file at path; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    while (data) {
        const size_t n = fread(data + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
        if (len == cap) {
            uint8_t *grown = realloc(data, cap * 2);
            if (!grown) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!data)
        return -1;
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i]) < 0)
                return 1;
            files++;
            continue;
        }
        struct dirent **names = NULL;
        const int n = scandir(argv[i], &names, NULL, NULL);
        if (n < 0)
            return 1;
        char **paths = calloc((size_t)n + 1, sizeof *paths);
        int k = 0;
        for (int j = 0; j < n; j++) {
            if (names[j]->d_name[0] != '.' && paths) {
                const size_t len = strlen(argv[i]) + strlen(names[j]->d_name) + 2;
                paths[k] = malloc(len);
                if (paths[k])
                    snprintf(paths[k++], len, "%s/%s", argv[i], names[j]->d_name);
            }
            free(names[j]);
        }
        free(names);
        if (!paths)
            return 1;
        qsort(paths, (size_t)k, sizeof *paths, by_name);
        for (int j = 0; j < k; j++) {
            printf("replay: %s\n", paths[j]);
            fflush(stdout);
            if (replay_file(paths[j]) < 0)
                return 1;
            files++;
            free(paths[j]);
        }
        free(paths);
    }
    printf("replay: %d inputs, every invariant held\n", files);
    return files > 0 ? 0 : 1;
}
