#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>

#include <cmocka.h>

#define HARNESS_POLL_MS      50
#define HARNESS_LOG_TAIL     4000
#define HARNESS_LOG_MAX      (4 * 1024 * 1024)
#define HARNESS_CLI_TIMEOUT  30000
#define HARNESS_CURL_TIMEOUT 20000L

static void harness_body_release_all(void);

/* ---- small utilities ------------------------------------------------------------------------ */

static long harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void harness_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Whole file into a malloc'd NUL-terminated buffer (at most max bytes); NULL when unreadable. */
static char *harness_slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(max + 1);
    size_t n = data ? fread(data, 1, max, f) : 0;
    fclose(f);
    if (!data)
        return NULL;
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

static void harness_print_log_tail(const struct harness_server *s)
{
    size_t n;
    char *log = harness_slurp(s->log_path, HARNESS_LOG_MAX, &n);
    if (!log) {
        fprintf(stderr, "# (no server log at %s)\n", s->log_path);
        return;
    }
    const char *tail = n > HARNESS_LOG_TAIL ? log + n - HARNESS_LOG_TAIL : log;
    fprintf(stderr, "# ---- tail of %s ----\n%s\n# ----\n", s->log_path, tail);
    free(log);
}

/* Wait for pid up to timeout_ms; returns the exit status, -1 on a signal or a timeout (then the
   child is killed and reaped). */
static int harness_wait_exit(pid_t pid, long timeout_ms)
{
    long deadline = harness_now_ms() + timeout_ms;
    int status;
    for (;;) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (got < 0 && errno != EINTR)
            return -1;
        if (harness_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        harness_sleep_ms(10);
    }
}

static int harness_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* fork + exec bin with argv; stdin from stdin_path (or /dev/null), stdout and stderr to
   out_path. Returns the child's pid or -1. */
static pid_t harness_spawn(const char *const *argv, const char *stdin_path, const char *out_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
    int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0)
        _exit(127);
    execv(argv[0], (char *const *)argv);
    dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* ---- server lifecycle ------------------------------------------------------------------------ */

static bool harness_health_ok(const struct harness_server *s)
{
    struct harness_req rq = {.path = "/health"};
    struct harness_resp r;
    harness_request(s, &rq, &r);
    bool ok = r.status == 200;
    harness_resp_free(&r);
    return ok;
}

/* One attempt on a fresh port: 0 up, 1 exited early (maybe the port was taken), -1 failure. */
static int harness_try_start(struct harness_server *s, const char *command,
                             const char *const *extra_args)
{
    char port[16];
    s->port = harness_free_port();
    if (s->port <= 0)
        return -1;
    snprintf(port, sizeof(port), "%d", s->port);
    const char *argv[HARNESS_MAX_ARGS + 12] = {
        s->bin,         command,       "--db",        s->db_path,       "--port", port,
        "--static-dir", s->static_dir, "--no-banner", "--meal-history", "0"};
    /* Only the demo prints a banner to silence, and freezes past meals: the tests start from
       the demo without them, so the balances they check are the seeded ones. */
    size_t n = strcmp(command, "demo") == 0 ? 11 : 8;
    for (size_t i = 0; extra_args && extra_args[i]; i++) {
        if (i == HARNESS_MAX_ARGS)
            return -1;
        argv[n++] = extra_args[i];
    }
    argv[n] = NULL;
    s->pid = harness_spawn(argv, NULL, s->log_path);
    if (s->pid < 0) {
        s->pid = 0;
        return -1;
    }
    long deadline = harness_now_ms() + HARNESS_START_TIMEOUT;
    while (harness_now_ms() < deadline) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return 1;
        }
        if (harness_health_ok(s))
            return 0;
        harness_sleep_ms(HARNESS_POLL_MS);
    }
    harness_stop(s);
    return -1;
}

int harness_start(struct harness_server *s, const char *const *extra_args)
{
    memset(s, 0, sizeof(*s));
    signal(SIGPIPE, SIG_IGN);
    s->bin = getenv("REFETTORIO_BIN") ? getenv("REFETTORIO_BIN") : "build/refettorio";
    s->static_dir = getenv("REFETTORIO_STATIC") ? getenv("REFETTORIO_STATIC") : "build/static";
    snprintf(s->dir, sizeof(s->dir), "/tmp/refettorio-http-XXXXXX");
    if (!mkdtemp(s->dir)) {
        fprintf(stderr, "# mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    snprintf(s->db_path, sizeof(s->db_path), "%s/db.sqlite", s->dir);
    snprintf(s->log_path, sizeof(s->log_path), "%s/server.log", s->dir);
    for (int attempt = 0; attempt < 3; attempt++) {
        int rc = harness_try_start(s, "demo", extra_args);
        if (rc == 0)
            return 0;
        if (rc < 0)
            break;
    }
    fprintf(stderr, "# the server did not answer /health within %d ms\n", HARNESS_START_TIMEOUT);
    harness_print_log_tail(s);
    return -1;
}

int harness_stop(struct harness_server *s)
{
    if (s->pid <= 0)
        return s->exit_code;
    kill(s->pid, SIGTERM);
    s->exit_code = harness_wait_exit(s->pid, HARNESS_STOP_TIMEOUT);
    s->pid = 0;
    if (s->exit_code != 0)
        harness_print_log_tail(s);
    return s->exit_code;
}

static int harness_unlink_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

void harness_destroy(struct harness_server *s)
{
    harness_stop(s);
    if (s->dir[0] && !getenv("HARNESS_KEEP"))
        nftw(s->dir, harness_unlink_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int harness_group_setup_args(void **state, const char *const *extra_args)
{
    struct harness_server *s = calloc(1, sizeof(*s));
    if (!s)
        return -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (harness_start(s, extra_args) != 0) {
        harness_destroy(s);
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

int harness_group_setup(void **state)
{
    return harness_group_setup_args(state, NULL);
}

int harness_group_teardown(void **state)
{
    struct harness_server *s = *state;
    if (s) {
        harness_destroy(s);
        free(s);
    }
    harness_body_release_all();
    curl_global_cleanup();
    return 0;
}

/* ---- libcurl requests ------------------------------------------------------------------------ */

/* Response bodies not yet freed. A failed cmocka assertion jumps out of a test before its
   harness_resp_free; the group teardown frees what is left, so a failure is not also a leak. */
#define HARNESS_LIVE_MAX 64
static char *harness_live[HARNESS_LIVE_MAX];

static char *harness_body_alloc(void)
{
    char *body = calloc(1, HARNESS_BODY_MAX + 1);
    assert_non_null(body);
    for (size_t i = 0; i < HARNESS_LIVE_MAX; i++)
        if (!harness_live[i]) {
            harness_live[i] = body;
            return body;
        }
    fail_msg("more than %d responses are alive: free them", HARNESS_LIVE_MAX);
    return NULL;
}

static void harness_body_release(char *body)
{
    for (size_t i = 0; body && i < HARNESS_LIVE_MAX; i++)
        if (harness_live[i] == body)
            harness_live[i] = NULL;
    free(body);
}

static void harness_body_release_all(void)
{
    for (size_t i = 0; i < HARNESS_LIVE_MAX; i++)
        harness_body_release(harness_live[i]);
}

static size_t harness_on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct harness_resp *r = ud;
    size_t n = size * nmemb, room = HARNESS_BODY_MAX - r->body_len;
    if (n > room) {
        r->truncated = true;
        n = room;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return size * nmemb;
}

static size_t harness_on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct harness_resp *r = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
        r->nheaders = 0; /* a new response (after 100 Continue or a redirect) */
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon || r->nheaders == HARNESS_HEADERS_MAX) {
        if (colon)
            r->truncated = true;
        return n;
    }
    struct harness_header *h = &r->headers[r->nheaders++];
    snprintf(h->name, sizeof(h->name), "%.*s", (int)(colon - data), data);
    const char *v = colon + 1, *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    snprintf(h->value, sizeof(h->value), "%.*s", (int)(end - v), v);
    return n;
}

CURLcode harness_request_on(CURL *h, const struct harness_server *s, const struct harness_req *rq,
                            struct harness_resp *out)
{
    memset(out, 0, sizeof(*out));
    out->body = harness_body_alloc();
    char url[HARNESS_HEADER_VALUE + 64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, rq->path);
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; rq->headers && rq->headers[i]; i++)
        headers = curl_slist_append(headers, rq->headers[i]);

    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, HARNESS_CURL_TIMEOUT);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, harness_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, harness_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(h, CURLOPT_COOKIE, rq->cookie);
    const char *method = rq->method ? rq->method : (rq->body ? "POST" : "GET");
    bool head = !strcmp(method, "HEAD");
    curl_easy_setopt(h, CURLOPT_NOBODY, head ? 1L : 0L);
    if (rq->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(rq->body_len ? rq->body_len : strlen(rq->body)));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
    } else if (!head) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, head ? NULL : method);

    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->new_connections);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    return rc;
}

CURLcode harness_request(const struct harness_server *s, const struct harness_req *rq,
                         struct harness_resp *out)
{
    CURL *h = curl_easy_init();
    assert_non_null(h);
    CURLcode rc = harness_request_on(h, s, rq, out);
    curl_easy_cleanup(h);
    return rc;
}

void harness_resp_free(struct harness_resp *r)
{
    harness_body_release(r->body);
    r->body = NULL;
}

void harness_expect(const struct harness_server *s, const struct harness_req *rq, long status,
                    struct harness_resp *out)
{
    CURLcode rc = harness_request(s, rq, out);
    if (out->status != status)
        fprintf(stderr, "# %s %.200s: expected %ld, got %ld (%s)\n",
                rq->method ? rq->method : (rq->body ? "POST" : "GET"), rq->path, status,
                out->status, curl_easy_strerror(rc));
    assert_int_equal(out->status, status);
}

void harness_expect_get(const struct harness_server *s, const char *path, const char *cookie,
                        long status, struct harness_resp *out)
{
    struct harness_req rq = {.path = path, .cookie = cookie};
    harness_expect(s, &rq, status, out);
}

void harness_expect_post(const struct harness_server *s, const char *path, const char *body,
                         const char *cookie, long status, struct harness_resp *out)
{
    struct harness_req rq = {.path = path, .body = body, .cookie = cookie};
    harness_expect(s, &rq, status, out);
}

void harness_assert_healthy(const struct harness_server *s)
{
    struct harness_resp r;
    harness_expect_get(s, "/health", NULL, 200, &r);
    harness_resp_free(&r);
}

const char *harness_header(const struct harness_resp *r, const char *name, size_t nth)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->headers[i].name, name) && nth-- == 0)
            return r->headers[i].value;
    return NULL;
}

const char *harness_set_cookie(const struct harness_resp *r, const char *name)
{
    size_t n = strlen(name);
    const char *v;
    for (size_t i = 0; (v = harness_header(r, "Set-Cookie", i)) != NULL; i++)
        if (!strncmp(v, name, n) && v[n] == '=')
            return v;
    return NULL;
}

bool harness_cookie_value(const struct harness_resp *r, const char *name, char *out, size_t n)
{
    const char *c = harness_set_cookie(r, name);
    if (!c)
        return false;
    const char *v = c + strlen(name) + 1;
    size_t len = strcspn(v, ";");
    if (len >= n)
        return false;
    memcpy(out, v, len);
    out[len] = '\0';
    return true;
}

bool harness_form_input(const struct harness_resp *r, const char *name, char *out, size_t n)
{
    char needle[128];
    snprintf(needle, sizeof(needle), "name=\"%s\" value=\"", name);
    const char *p = r->body ? strstr(r->body, needle) : NULL;
    if (!p)
        return false;
    p += strlen(needle);
    size_t len = strcspn(p, "\"");
    if (len >= n || p[len] != '"')
        return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

bool harness_body_has(const struct harness_resp *r, const char *needle)
{
    return r->body && strstr(r->body, needle) != NULL;
}

/* ---- raw sockets ------------------------------------------------------------------------------
 */

int harness_raw_connect(const struct harness_server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool harness_raw_send(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

size_t harness_raw_read(int fd, char *out, size_t n, int timeout_ms)
{
    size_t len = 0;
    while (len + 1 < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            break;
        ssize_t got = recv(fd, out + len, n - 1 - len, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* closed or reset: keep what arrived before */
        len += (size_t)got;
    }
    out[len] = '\0';
    return len;
}

int harness_raw_status(const char *reply)
{
    int status = 0;
    if (sscanf(reply, "HTTP/1.%*1[01] %3d", &status) != 1)
        return 0;
    return status;
}

int harness_raw_exchange(const struct harness_server *s, const void *data, size_t n)
{
    int fd = harness_raw_connect(s);
    assert_true(fd >= 0);
    harness_raw_send(fd, data, n); /* the server may refuse before reading it all */
    char reply[4096];
    harness_raw_read(fd, reply, sizeof(reply), HARNESS_RAW_TIMEOUT);
    close(fd);
    return harness_raw_status(reply);
}

/* ---- logs, database, CLI ------------------------------------------------------------------------
 */

int harness_log_count(const struct harness_server *s, const char *needle)
{
    char *log = harness_slurp(s->log_path, HARNESS_LOG_MAX, NULL);
    if (!log)
        return 0;
    int count = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, needle))
            count++;
    free(log);
    return count;
}

bool harness_log_wait(const struct harness_server *s, const char *needle)
{
    long deadline = harness_now_ms() + HARNESS_LOG_TIMEOUT;
    do {
        if (harness_log_count(s, needle) > 0)
            return true;
        harness_sleep_ms(HARNESS_POLL_MS);
    } while (harness_now_ms() < deadline);
    fprintf(stderr, "# log line not found: %s\n", needle);
    harness_print_log_tail(s);
    return false;
}

/* One integer from a statement on the server's database, opened with flags. -1 on error. */
static long long harness_db_query_int(const struct harness_server *s, const char *sql,
                                      const char *const *params, int flags)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(s->db_path, &db, flags, NULL) != SQLITE_OK)
        goto done;
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto done;
    for (int i = 0; params && params[i]; i++)
        sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
done:
    if (v < 0)
        fprintf(stderr, "# sqlite: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

long long harness_db_int(const struct harness_server *s, const char *sql, const char *const *params)
{
    return harness_db_query_int(s, sql, params, SQLITE_OPEN_READONLY);
}

int harness_run_cli(const struct harness_server *s, const char *const *args, const char *stdin_text,
                    char *out, size_t n)
{
    char in_path[PATH_MAX + 16], out_path[PATH_MAX + 16];
    snprintf(in_path, sizeof(in_path), "%s/cli.in", s->dir);
    snprintf(out_path, sizeof(out_path), "%s/cli.out", s->dir);
    unlink(out_path);
    if (stdin_text) {
        FILE *f = fopen(in_path, "w");
        assert_non_null(f);
        fputs(stdin_text, f);
        fclose(f);
    }
    const char *argv[HARNESS_MAX_ARGS + 2] = {s->bin};
    size_t k = 1;
    for (size_t i = 0; args[i]; i++) {
        assert_true(k < HARNESS_MAX_ARGS + 1);
        argv[k++] = args[i];
    }
    argv[k] = NULL;
    pid_t pid = harness_spawn(argv, stdin_text ? in_path : NULL, out_path);
    assert_true(pid > 0);
    int rc = harness_wait_exit(pid, HARNESS_CLI_TIMEOUT);
    size_t len = 0;
    char *text = harness_slurp(out_path, n ? n - 1 : 0, &len);
    if (n) {
        snprintf(out, n, "%s", text ? text : "");
    }
    free(text);
    return rc;
}

void harness_urlencode(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && j + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[j++] = (char)*p;
        } else {
            out[j++] = '%';
            out[j++] = hex[*p >> 4];
            out[j++] = hex[*p & 15];
        }
    }
    if (n)
        out[j] = '\0';
}

/* ---- staff sign-in ------------------------------------------------------------------------------
 */

void harness_session_set_sid(struct harness_session *session, const char *sid)
{
    snprintf(session->sid, sizeof(session->sid), "%s", sid);
    snprintf(session->cookie, sizeof(session->cookie), "sid=%s", sid);
}

void harness_open_login(const struct harness_server *s, const char *tenant,
                        struct harness_session *session)
{
    char path[128], sid[HARNESS_TOKEN_MAX];
    snprintf(path, sizeof(path), "/%s/ufficio/accedi", tenant);
    struct harness_resp r;
    harness_expect_get(s, path, session->cookie[0] ? session->cookie : NULL, 200, &r);
    if (harness_cookie_value(&r, "sid", sid, sizeof(sid)))
        harness_session_set_sid(session, sid);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

void harness_login_body(const struct harness_session *session, const char *email,
                        const char *password, const char *extra, char *out, size_t n)
{
    char e[512], p[512];
    harness_urlencode(email, e, sizeof(e));
    harness_urlencode(password, p, sizeof(p));
    int len = snprintf(out, n, "csrf=%s&email=%s&password=%s%s%s", session->csrf, e, p,
                       extra ? "&" : "", extra ? extra : "");
    assert_true(len > 0 && (size_t)len < n);
}

void harness_sign_in(const struct harness_server *s, const char *tenant, const char *email,
                     const char *password, long status, struct harness_session *session)
{
    char path[128], body[2048], sid[HARNESS_TOKEN_MAX];
    harness_open_login(s, tenant, session);
    harness_login_body(session, email, password, NULL, body, sizeof(body));
    snprintf(path, sizeof(path), "/%s/ufficio/accedi", tenant);
    struct harness_resp r;
    harness_expect_post(s, path, body, session->cookie, status, &r);
    bool rotated = harness_cookie_value(&r, "sid", sid, sizeof(sid));
    harness_resp_free(&r);
    if (status != 303)
        return;
    assert_true(rotated);
    harness_session_set_sid(session, sid);
    snprintf(path, sizeof(path), "/%s/ufficio/", tenant);
    harness_expect_get(s, path, session->cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

bool harness_temp_password(const struct harness_server *s, const char *email, char out[32])
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool found = false;
    out[0] = '\0';
    if (sqlite3_open_v2(s->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        goto done;
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db,
                           "SELECT body_text FROM mail_outbox WHERE recipient = ?1 AND "
                           "kind = 'temporary_password' ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0))
        goto done;
    /* "xxxx-xxxx-xxxx-xxxx" from the unambiguous alphabet (services/staff.c). */
    for (const char *p = (const char *)sqlite3_column_text(st, 0); *p && !found; p++) {
        size_t i;
        for (i = 0; i < 19; i++) {
            char c = p[i];
            bool dash = i % 5 == 4;
            if (dash
                    ? c != '-'
                    : !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '2' && c <= '9')))
                break;
        }
        if (i == 19) {
            memcpy(out, p, 19);
            out[19] = '\0';
            found = true;
        }
    }
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
}

/* ---- the platform's administration area ---------------------------------------------------- */

int harness_superadmin_create(const struct harness_server *s, const char *email, const char *name,
                              const char *password)
{
    const char *argv[] = {
        "admin", "superadmin-create", "--db", s->db_path, "--email", email, "--name", name, NULL};
    char in[512], out[4096];
    snprintf(in, sizeof(in), "%s\n", password);
    int rc = harness_run_cli(s, argv, in, out, sizeof(out));
    if (rc != 0)
        fprintf(stderr, "# superadmin-create failed (%d): %s\n", rc, out);
    return rc == 0 ? 0 : -1;
}

void harness_open_platform_login(const struct harness_server *s, struct harness_session *session)
{
    char sid[HARNESS_TOKEN_MAX];
    struct harness_resp r;
    harness_expect_get(s, HARNESS_PLATFORM_LOGIN, session->cookie[0] ? session->cookie : NULL, 200,
                       &r);
    if (harness_cookie_value(&r, "sid", sid, sizeof(sid)))
        harness_session_set_sid(session, sid);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

void harness_sign_in_platform(const struct harness_server *s, const char *email,
                              const char *password, long status, struct harness_session *session)
{
    char body[2048], sid[HARNESS_TOKEN_MAX];
    harness_open_platform_login(s, session);
    harness_login_body(session, email, password, NULL, body, sizeof(body));
    struct harness_resp r;
    harness_expect_post(s, HARNESS_PLATFORM_LOGIN, body, session->cookie, status, &r);
    bool rotated = harness_cookie_value(&r, "sid", sid, sizeof(sid));
    harness_resp_free(&r);
    if (status != 303)
        return;
    assert_true(rotated);
    harness_session_set_sid(session, sid);
    harness_expect_get(s, "/piattaforma/", session->cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

/* ---- more processes: serve on the same database, the SMTP stand-in ------------------------ */

int harness_restart_serve(struct harness_server *s, const char *const *extra_args)
{
    if (harness_stop(s) != 0)
        return -1;
    for (int attempt = 0; attempt < 3; attempt++) {
        int rc = harness_try_start(s, "serve", extra_args);
        if (rc == 0)
            return 0;
        if (rc < 0)
            break;
    }
    harness_print_log_tail(s);
    return -1;
}

static bool harness_port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* A stand-in subcommand of the binary ("smtp-standin", "pagopa-standin") on a free port. */
static int harness_standin_start(struct harness_proc *p, const char *command, const char *dir)
{
    memset(p, 0, sizeof(*p));
    const char *bin = getenv("REFETTORIO_BIN") ? getenv("REFETTORIO_BIN") : "build/refettorio";
    snprintf(p->dir, sizeof(p->dir), "%s", dir);
    snprintf(p->log_path, sizeof(p->log_path), "%s.log", dir);
    for (int attempt = 0; attempt < 3; attempt++) {
        char port[16];
        p->port = harness_free_port();
        if (p->port <= 0)
            return -1;
        snprintf(port, sizeof(port), "%d", p->port);
        const char *argv[] = {bin, command, "--port", port, "--dir", dir, NULL};
        p->pid = harness_spawn(argv, NULL, p->log_path);
        if (p->pid < 0) {
            p->pid = 0;
            return -1;
        }
        long deadline = harness_now_ms() + HARNESS_START_TIMEOUT;
        while (harness_now_ms() < deadline) {
            int status;
            if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
                p->pid = 0;
                break; /* maybe the port was taken: try another */
            }
            if (harness_port_open(p->port))
                return 0;
            harness_sleep_ms(HARNESS_POLL_MS);
        }
        if (p->pid)
            harness_proc_stop(p);
    }
    fprintf(stderr, "# the %s did not start (log: %s)\n", command, p->log_path);
    return -1;
}

int harness_smtp_start(struct harness_proc *p, const char *dir)
{
    return harness_standin_start(p, "smtp-standin", dir);
}

int harness_pagopa_start(struct harness_proc *p, const char *dir)
{
    return harness_standin_start(p, "pagopa-standin", dir);
}

int harness_proc_stop(struct harness_proc *p)
{
    if (p->pid <= 0)
        return p->exit_code;
    kill(p->pid, SIGTERM);
    p->exit_code = harness_wait_exit(p->pid, HARNESS_STOP_TIMEOUT);
    p->pid = 0;
    return p->exit_code;
}

long long harness_db_write_int(const struct harness_server *s, const char *sql,
                               const char *const *params)
{
    return harness_db_query_int(s, sql, params, SQLITE_OPEN_READWRITE);
}

bool harness_db_wait(const struct harness_server *s, const char *sql, const char *const *params,
                     long long want)
{
    long deadline = harness_now_ms() + HARNESS_WAIT_TIMEOUT;
    while (harness_now_ms() < deadline) {
        if (harness_db_int(s, sql, params) == want)
            return true;
        harness_sleep_ms(HARNESS_POLL_MS);
    }
    return false;
}
