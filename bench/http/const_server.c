/* const_server.c — the reference of the HTTP benchmark (bench/http/run.sh): a libmicrohttpd
 * daemon started with the flags gapforge's server uses, answering every request with one constant
 * JSON body, so that what gapforge adds per request (routing, the key check, the cache, the
 * headers) shows against the transport alone.
 *
 * Usage: const_server PORT THREADS [BODY_FILE]   (listens on 127.0.0.1 only; default body
 * {"status":"ok"}; runs until SIGINT or SIGTERM) */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *g_body;
static size_t g_len;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    static int seen;
    if (!*con_cls) { /* first call: headers only; answer on the next, as gapforge does, so the
                        connection is kept alive */
        *con_cls = &seen;
        return MHD_YES;
    }
    *upload_size = 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(g_len, g_body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Request-Id", "0123456789abcdef0123456789abcdef");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = buf ? (size_t)n : 0;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: const_server PORT THREADS [BODY_FILE]\n");
        return 2;
    }
    const int port = atoi(argv[1]), threads = atoi(argv[2]);
    if (argc > 3) {
        g_body = read_file(argv[3], &g_len);
        if (!g_body) {
            fprintf(stderr, "const_server: cannot read %s\n", argv[3]);
            return 1;
        }
    } else {
        g_body = strdup("{\"status\":\"ok\"}");
        g_len = g_body ? strlen(g_body) : 0;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 512u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "const_server: cannot listen on port %d\n", port);
        return 1;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    free(g_body);
    return 0;
}
