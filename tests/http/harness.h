/*
 * HTTP test harness: starts the real refettorio binary ("demo" subcommand) on a free loopback
 * port with a temporary database, and drives it with libcurl or with raw sockets. One server per
 * test file: harness_group_setup / harness_group_teardown are cmocka group fixtures and leave the
 * running server in *state. Everything here talks to 127.0.0.1 only, and every buffer is bounded
 * (responses past the caps are cut and flagged, never grown).
 *
 * Environment: REFETTORIO_BIN (default build/refettorio), REFETTORIO_STATIC (default
 * build/static).
 */
#ifndef REFETTORIO_TESTS_HTTP_HARNESS_H
#define REFETTORIO_TESTS_HTTP_HARNESS_H

#include <curl/curl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HARNESS_MAX_ARGS      16
#define HARNESS_BODY_MAX      (1024 * 1024)
#define HARNESS_HEADERS_MAX   32
#define HARNESS_HEADER_VALUE  2048
#define HARNESS_START_TIMEOUT 15000 /* ms until /health answers 200 */
#define HARNESS_STOP_TIMEOUT  15000 /* ms for a clean exit after SIGTERM */
#define HARNESS_RAW_TIMEOUT   5000  /* ms a raw exchange waits for the server */
#define HARNESS_LOG_TIMEOUT   5000  /* ms to wait for a log line to appear */
#define HARNESS_DEMO_TENANT   "esempio"
#define HARNESS_DEMO_PASSWORD "Mensa-Esempio-2026"
#define HARNESS_DEMO_EMAIL    "ufficio@comune.esempio.it"

struct harness_server {
    pid_t pid; /* 0 once stopped */
    int port;
    int exit_code; /* after harness_stop: the exit status, or -1 (signal, timeout) */
    char dir[256]; /* mkdtemp under /tmp */
    char db_path[PATH_MAX];
    char log_path[PATH_MAX];
    const char *bin;
    const char *static_dir;
};

struct harness_header {
    char name[64];
    char value[HARNESS_HEADER_VALUE];
};

struct harness_resp {
    long status; /* 0: no response (connection refused, reset, timeout) */
    struct harness_header headers[HARNESS_HEADERS_MAX];
    size_t nheaders;
    char *body; /* NUL-terminated, at most HARNESS_BODY_MAX bytes */
    size_t body_len;
    bool truncated;
    long new_connections; /* CURLINFO_NUM_CONNECTS: 0 when a kept-alive connection was reused */
};

struct harness_req {
    const char *method;         /* NULL: GET, or POST when body is set */
    const char *path;           /* sent as is (no dot-segment squashing) */
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const char *body;           /* NULL: no body */
    size_t body_len;            /* 0 with a body: strlen(body) */
    const char *cookie;         /* "sid=...; lang=en", or NULL */
};

/* ---- server lifecycle --------------------------------------------------------------------- */

/* Start "$REFETTORIO_BIN demo" with extra arguments (NULL-terminated, may be NULL) and wait for
   /health. Returns 0, or -1 after printing the log's tail. */
int harness_start(struct harness_server *s, const char *const *extra_args);
/* SIGTERM, bounded wait; sets and returns s->exit_code. Safe to call twice. */
int harness_stop(struct harness_server *s);
/* Stop if running and remove the temporary directory. */
void harness_destroy(struct harness_server *s);

/* cmocka group fixtures: a server with the default demo arguments in *state. */
int harness_group_setup(void **state);
int harness_group_teardown(void **state);
/* Group setup with extra demo arguments. */
int harness_group_setup_args(void **state, const char *const *extra_args);

/* ---- libcurl requests --------------------------------------------------------------------- */

/* One request on handle h (reuse it to keep the connection alive). Returns the curl code;
   out is always initialised and must be freed with harness_resp_free. */
CURLcode harness_request_on(CURL *h, const struct harness_server *s, const struct harness_req *rq,
                            struct harness_resp *out);
CURLcode harness_request(const struct harness_server *s, const struct harness_req *rq,
                         struct harness_resp *out);
void harness_resp_free(struct harness_resp *r);

/* Request X, assert status Y; the response is returned for further checks. */
void harness_expect(const struct harness_server *s, const struct harness_req *rq, long status,
                    struct harness_resp *out);
/* GET path (with an optional cookie), assert status. */
void harness_expect_get(const struct harness_server *s, const char *path, const char *cookie,
                        long status, struct harness_resp *out);
/* POST an urlencoded body (with an optional cookie), assert status. */
void harness_expect_post(const struct harness_server *s, const char *path, const char *body,
                         const char *cookie, long status, struct harness_resp *out);
/* GET /health answers 200: the server survived whatever came before. */
void harness_assert_healthy(const struct harness_server *s);

/* Response header by name (case-insensitive), nth occurrence from 0; NULL when absent. */
const char *harness_header(const struct harness_resp *r, const char *name, size_t nth);
/* Set-Cookie header that sets cookie name; NULL when absent. */
const char *harness_set_cookie(const struct harness_resp *r, const char *name);
/* Value of the cookie set by Set-Cookie into out; false when absent or too long. */
bool harness_cookie_value(const struct harness_resp *r, const char *name, char *out, size_t n);
/* Value of the first <input name="NAME" value="..."> in the body into out. */
bool harness_form_input(const struct harness_resp *r, const char *name, char *out, size_t n);
bool harness_body_has(const struct harness_resp *r, const char *needle);

/* ---- raw sockets ---------------------------------------------------------------------------- */

/* Connect to the server on 127.0.0.1; returns the socket or -1. */
int harness_raw_connect(const struct harness_server *s);
/* Send all bytes; false when the peer has gone (no SIGPIPE). */
bool harness_raw_send(int fd, const void *data, size_t n);
/* Read until the peer closes, out is full, or nothing arrives for timeout_ms. NUL-terminates;
   returns the byte count. */
size_t harness_raw_read(int fd, char *out, size_t n, int timeout_ms);
/* Status code of the first response in a raw reply, 0 when there is none. */
int harness_raw_status(const char *reply);
/* Connect, send, read, close; returns the status of the first response (0: none). */
int harness_raw_exchange(const struct harness_server *s, const void *data, size_t n);

/* ---- logs, database, CLI -------------------------------------------------------------------- */

/* Wait (bounded) until the server log contains needle. */
bool harness_log_wait(const struct harness_server *s, const char *needle);
/* Lines of the server log that contain needle. */
int harness_log_count(const struct harness_server *s, const char *needle);
/* sqlite3 query returning one integer, with text parameters ?1.. (NULL-terminated). */
long long harness_db_int(const struct harness_server *s, const char *sql,
                         const char *const *params);
/* Run the refettorio binary with args (argv[1..], NULL-terminated), stdin_text on standard input
   (or /dev/null), and collect stdout+stderr into out. Returns the exit status, -1 on a signal
   or a timeout. */
int harness_run_cli(const struct harness_server *s, const char *const *args, const char *stdin_text,
                    char *out, size_t n);

/* ---- staff sign-in ----------------------------------------------------------------------------
 */

#define HARNESS_TOKEN_MAX 128

/* A browser's session with one tenant: the sid cookie and the CSRF token of its forms. */
struct harness_session {
    char sid[HARNESS_TOKEN_MAX];
    char csrf[HARNESS_TOKEN_MAX];
    char cookie[HARNESS_TOKEN_MAX + 8]; /* "sid=..." or "" */
};

/* GET /<tenant>/ufficio/accedi with the session's cookie (if any), expect 200; keeps a new sid
   when one is set, and reads the form's csrf. */
void harness_open_login(const struct harness_server *s, const char *tenant,
                        struct harness_session *session);
/* Sign-in form body with the session's csrf and an optional extra "name=value" pair. */
void harness_login_body(const struct harness_session *session, const char *email,
                        const char *password, const char *extra, char *out, size_t n);
/* Open the form and POST the credentials; expect status. On 303 the session becomes the signed-in
   one: the new sid, and the csrf of the back-office home. */
void harness_sign_in(const struct harness_server *s, const char *tenant, const char *email,
                     const char *password, long status, struct harness_session *session);
/* Use sid as the session cookie. */
void harness_session_set_sid(struct harness_session *session, const char *sid);

/* The temporary password ("xxxx-xxxx-xxxx-xxxx") in the newest temporary_password mail to email,
   from the outbox; false when there is none. */
bool harness_temp_password(const struct harness_server *s, const char *email, char out[32]);

/* ---- the platform's administration area (/piattaforma/, no tenant) ------------------------ */

#define HARNESS_PLATFORM_LOGIN "/piattaforma/accedi"

/* "refettorio admin superadmin-create" against the server's database. 0 or -1. */
int harness_superadmin_create(const struct harness_server *s, const char *email, const char *name,
                              const char *password);
/* Like harness_open_login and harness_sign_in, on the platform's sign-in; on 303 the session is
   the signed-in one with the csrf of /piattaforma/. */
void harness_open_platform_login(const struct harness_server *s, struct harness_session *session);
void harness_sign_in_platform(const struct harness_server *s, const char *email,
                              const char *password, long status, struct harness_session *session);

/* Percent-encode s for a form body into out. */
void harness_urlencode(const char *s, char *out, size_t n);

/* ---- more processes ------------------------------------------------------------------------ */

#define HARNESS_WAIT_TIMEOUT 20000 /* ms harness_db_wait waits for background work */

/* Stop the server (expecting exit status 0) and start "serve" (not "demo") on the same
   database with extra arguments, on a fresh port. 0 or -1. */
int harness_restart_serve(struct harness_server *s, const char *const *extra_args);

/* A helper process, e.g. the SMTP stand-in. */
struct harness_proc {
    pid_t pid; /* 0 once stopped */
    int port;
    int exit_code;
    char dir[PATH_MAX];
    char log_path[PATH_MAX + 8];
};

/* Start "$REFETTORIO_BIN smtp-standin --port P --dir dir" on a free port and wait until it
   accepts connections. 0 or -1. */
int harness_smtp_start(struct harness_proc *p, const char *dir);
/* The same with `refettorio pagopa-standin` (GPD and Checkout on http://127.0.0.1:port). */
int harness_pagopa_start(struct harness_proc *p, const char *dir);
/* SIGTERM, bounded wait; returns the exit status (-1: signal or timeout). Safe twice. */
int harness_proc_stop(struct harness_proc *p);

/* Like harness_db_int, on a read-write connection (INSERT ... RETURNING id). */
long long harness_db_write_int(const struct harness_server *s, const char *sql,
                               const char *const *params);
/* Poll (bounded by HARNESS_WAIT_TIMEOUT) until the query returns want; false on timeout. */
bool harness_db_wait(const struct harness_server *s, const char *sql, const char *const *params,
                     long long want);

#endif
