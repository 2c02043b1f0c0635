/* The document model, its JSON form, and the parent's side of rendering (see doc.h). */
#include "docs/doc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "docs/doc_internal.h"

#define DOC_IO_CHUNK     65536 /* bytes per read from the child */
#define DOC_STDERR_KEEP  512   /* bytes of the child's stderr kept for the error message */
#define DOC_EXIT_WAIT_MS 2     /* polling step while waiting for the child to exit */

extern char **environ;

enum doc_kind {
    DOC_HEADING,
    DOC_PARAGRAPH,
    DOC_FIELD,
    DOC_NOTE,
    DOC_CODE,
    DOC_TABLE,
    DOC_BREAK,
    DOC_PANEL
};

struct doc_row {
    struct doc_row *next;
    const char **cells;
};

struct doc_block {
    struct doc_block *next;
    enum doc_kind kind;
    const char *text;  /* heading, paragraph, note; the label of a field or code; panel title */
    const char *value; /* field value, code; panel aside (may be NULL) */
    size_t ncols;      /* table; 2 for a panel's label/value rows */
    const char **headers;
    struct doc_row *rows, *rows_tail; /* table rows, panel fields */
    size_t nrows;
    struct doc_symbol_matrix symbol; /* panel; modules NULL when it has none */
};

struct doc {
    struct arena *arena;
    const char *lang;
    const char *title;
    const char *issuer;
    const char *subtitle; /* may be NULL */
    const char *footer;
    const char *page_label;
    const unsigned char *logo; /* may be NULL */
    size_t logo_len;
    struct doc_block *blocks, *tail;
    size_t items;
    const char *err; /* sticky: first misuse */
};

/* ---- Shared helpers (doc_internal.h) ---- */

bool doc_lang_valid(const char *lang)
{
    size_t n = 0;
    for (; lang[n]; n++) {
        char c = lang[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
        if (n >= DOC_LANG_MAX)
            return false;
    }
    return n > 0 && lang[0] != '-';
}

bool doc_lang_is_rtl(const char *lang)
{
    static const char *const rtl[] = {"ar", "he", "iw", "fa",  "ur", "ps",
                                      "yi", "dv", "sd", "ckb", "ug"};
    size_t n = strcspn(lang, "-_");
    for (size_t i = 0; i < sizeof(rtl) / sizeof(rtl[0]); i++)
        if (strlen(rtl[i]) == n && !strncasecmp(lang, rtl[i], n))
            return true;
    return false;
}

static uint32_t doc_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool doc_png_acceptable(const void *png, size_t n)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const unsigned char *p = png;
    /* signature, then the IHDR chunk: length 13, "IHDR", width, height */
    if (!p || n < 8 + 8 + 13 + 4 || n > DOC_LOGO_MAX || memcmp(p, sig, 8) != 0)
        return false;
    if (doc_be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
        return false;
    uint32_t w = doc_be32(p + 16), h = doc_be32(p + 20);
    return w >= 1 && h >= 1 && w <= DOC_LOGO_PX_MAX && h <= DOC_LOGO_PX_MAX;
}

/* ---- The model ---- */

static void doc_misuse(struct doc *d, const char *what)
{
    if (!d->err)
        d->err = what;
}

/* A copy of s in the document's arena ("" for NULL), or NULL after recording an error. */
static const char *doc_text(struct doc *d, const char *s)
{
    if (!s)
        return "";
    size_t n = strnlen(s, DOC_TEXT_MAX + 1);
    if (n > DOC_TEXT_MAX) {
        doc_misuse(d, "document string longer than DOC_TEXT_MAX");
        return NULL;
    }
    return arena_strndup(d->arena, s, n);
}

static struct doc_block *doc_add(struct doc *d, enum doc_kind kind)
{
    if (d->err)
        return NULL;
    if (d->items >= DOC_ITEMS_MAX) {
        doc_misuse(d, "document has more than DOC_ITEMS_MAX blocks and rows");
        return NULL;
    }
    struct doc_block *b = arena_alloc(d->arena, sizeof(*b));
    b->kind = kind;
    if (d->tail)
        d->tail->next = b;
    else
        d->blocks = b;
    d->tail = b;
    d->items++;
    return b;
}

struct doc *doc_new(struct arena *a, const char *lang, const char *title)
{
    struct doc *d = arena_alloc(a, sizeof(*d));
    d->arena = a;
    d->lang = "it";
    if (lang && doc_lang_valid(lang))
        d->lang = arena_strdup(a, lang);
    else
        doc_misuse(d, "document language is not a valid BCP 47 tag");
    d->title = doc_text(d, title);
    d->issuer = "";
    d->footer = "";
    d->page_label = DOC_DEFAULT_LABEL;
    return d;
}

int doc_set_issuer(struct doc *d, const char *name, const char *subtitle, const void *logo_png,
                   size_t logo_len)
{
    d->issuer = doc_text(d, name);
    d->subtitle = subtitle ? doc_text(d, subtitle) : NULL;
    d->logo = NULL;
    d->logo_len = 0;
    if (!logo_png || logo_len == 0)
        return 0;
    if (!doc_png_acceptable(logo_png, logo_len))
        return -1;
    unsigned char *copy = arena_alloc(d->arena, logo_len);
    memcpy(copy, logo_png, logo_len);
    d->logo = copy;
    d->logo_len = logo_len;
    return 0;
}

void doc_set_footer(struct doc *d, const char *text)
{
    d->footer = doc_text(d, text);
}

void doc_set_page_label(struct doc *d, const char *label)
{
    d->page_label = doc_text(d, label);
}

static void doc_text_block(struct doc *d, enum doc_kind kind, const char *text, const char *value)
{
    struct doc_block *b = doc_add(d, kind);
    if (!b)
        return;
    b->text = doc_text(d, text);
    if (kind == DOC_FIELD || kind == DOC_CODE)
        b->value = doc_text(d, value);
}

void doc_heading(struct doc *d, const char *text)
{
    doc_text_block(d, DOC_HEADING, text, NULL);
}

void doc_paragraph(struct doc *d, const char *text)
{
    doc_text_block(d, DOC_PARAGRAPH, text, NULL);
}

void doc_field(struct doc *d, const char *label, const char *value)
{
    doc_text_block(d, DOC_FIELD, label, value);
}

void doc_note(struct doc *d, const char *text)
{
    doc_text_block(d, DOC_NOTE, text, NULL);
}

void doc_big_code(struct doc *d, const char *label, const char *code)
{
    doc_text_block(d, DOC_CODE, label, code);
}

static const char **doc_cells(struct doc *d, size_t n, const char *const *src)
{
    const char **cells = arena_calloc(d->arena, n, sizeof(*cells));
    for (size_t i = 0; i < n; i++)
        cells[i] = doc_text(d, src ? src[i] : NULL);
    return cells;
}

void doc_table(struct doc *d, size_t ncols, const char *const *headers)
{
    if (ncols == 0 || ncols > DOC_TABLE_COLS_MAX) {
        doc_misuse(d, "table column count outside 1..DOC_TABLE_COLS_MAX");
        return;
    }
    struct doc_block *b = doc_add(d, DOC_TABLE);
    if (!b)
        return;
    b->ncols = ncols;
    b->headers = doc_cells(d, ncols, headers);
}

void doc_table_row(struct doc *d, const char *const *cells)
{
    if (d->err)
        return;
    struct doc_block *t = d->tail;
    if (!t || t->kind != DOC_TABLE) {
        doc_misuse(d, "doc_table_row without a table just before it");
        return;
    }
    if (d->items >= DOC_ITEMS_MAX) {
        doc_misuse(d, "document has more than DOC_ITEMS_MAX blocks and rows");
        return;
    }
    struct doc_row *r = arena_alloc(d->arena, sizeof(*r));
    r->cells = doc_cells(d, t->ncols, cells);
    if (t->rows_tail)
        t->rows_tail->next = r;
    else
        t->rows = r;
    t->rows_tail = r;
    d->items++;
}

void doc_panel(struct doc *d, const char *title, const char *aside, enum doc_symbol kind,
               const char *payload)
{
    struct doc_block *b = doc_add(d, DOC_PANEL);
    if (!b)
        return;
    b->text = doc_text(d, title);
    b->value = aside ? doc_text(d, aside) : NULL;
    b->ncols = 2;
    if (kind != DOC_SYMBOL_NONE &&
        (!payload || doc_symbol_encode(d->arena, kind, payload, &b->symbol) != 0))
        doc_misuse(d, "panel symbol payload is empty or does not fit a symbol");
}

void doc_panel_field(struct doc *d, const char *label, const char *value)
{
    if (d->err)
        return;
    struct doc_block *p = d->tail;
    if (!p || p->kind != DOC_PANEL) {
        doc_misuse(d, "doc_panel_field without a panel just before it");
        return;
    }
    if (p->nrows >= DOC_PANEL_FIELDS_MAX) {
        doc_misuse(d, "panel has more than DOC_PANEL_FIELDS_MAX fields");
        return;
    }
    struct doc_row *r = arena_alloc(d->arena, sizeof(*r));
    r->cells = doc_cells(d, 2, (const char *const[]){label, value});
    if (p->rows_tail)
        p->rows_tail->next = r;
    else
        p->rows = r;
    p->rows_tail = r;
    p->nrows++;
}

void doc_page_break(struct doc *d)
{
    doc_add(d, DOC_BREAK);
}

const char *doc_error(const struct doc *d)
{
    return d->err;
}

/* ---- JSON ---- */

/* Builds the JSON tree; bad is set when a string is not valid UTF-8 (json_string refuses it). */
struct doc_json {
    bool bad;
};

static json_t *doc_json_str(struct doc_json *j, const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (!v) {
        j->bad = true;
        return json_null();
    }
    return v;
}

static json_t *doc_json_strings(struct doc_json *j, size_t n, const char *const *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, doc_json_str(j, s[i]));
    return a;
}

static const char *doc_kind_name(enum doc_kind k)
{
    switch (k) {
    case DOC_HEADING:
        return "heading";
    case DOC_PARAGRAPH:
        return "paragraph";
    case DOC_FIELD:
        return "field";
    case DOC_NOTE:
        return "note";
    case DOC_CODE:
        return "code";
    case DOC_TABLE:
        return "table";
    case DOC_BREAK:
        return "break";
    case DOC_PANEL:
        return "panel";
    }
    return "break";
}

static json_t *doc_to_json(const struct doc *d, struct doc_json *j)
{
    json_t *root = json_object();
    json_object_set_new(root, "v", json_integer(DOC_JSON_VERSION));
    json_object_set_new(root, "lang", doc_json_str(j, d->lang));
    json_object_set_new(root, "title", doc_json_str(j, d->title));
    json_object_set_new(root, "footer", doc_json_str(j, d->footer));
    json_object_set_new(root, "page_label", doc_json_str(j, d->page_label));
    json_t *issuer = json_object();
    json_object_set_new(issuer, "name", doc_json_str(j, d->issuer));
    json_object_set_new(issuer, "subtitle", doc_json_str(j, d->subtitle));
    if (d->logo) {
        size_t n = sodium_base64_ENCODED_LEN(d->logo_len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(n);
        if (b64) {
            sodium_bin2base64(b64, n, d->logo, d->logo_len, sodium_base64_VARIANT_ORIGINAL);
            json_object_set_new(issuer, "logo", json_string(b64));
            free(b64);
        }
    }
    json_object_set_new(root, "issuer", issuer);
    json_t *blocks = json_array();
    for (const struct doc_block *b = d->blocks; b; b = b->next) {
        json_t *o = json_object();
        json_object_set_new(o, "t", json_string(doc_kind_name(b->kind)));
        switch (b->kind) {
        case DOC_HEADING:
        case DOC_PARAGRAPH:
        case DOC_NOTE:
            json_object_set_new(o, "text", doc_json_str(j, b->text));
            break;
        case DOC_FIELD:
            json_object_set_new(o, "label", doc_json_str(j, b->text));
            json_object_set_new(o, "value", doc_json_str(j, b->value));
            break;
        case DOC_CODE:
            json_object_set_new(o, "label", doc_json_str(j, b->text));
            json_object_set_new(o, "code", doc_json_str(j, b->value));
            break;
        case DOC_TABLE: {
            json_object_set_new(o, "headers",
                                doc_json_strings(j, b->ncols, (const char *const *)b->headers));
            json_t *rows = json_array();
            for (const struct doc_row *r = b->rows; r; r = r->next)
                json_array_append_new(rows,
                                      doc_json_strings(j, b->ncols, (const char *const *)r->cells));
            json_object_set_new(o, "rows", rows);
            break;
        }
        case DOC_PANEL: {
            json_object_set_new(o, "title", doc_json_str(j, b->text));
            json_object_set_new(o, "aside", doc_json_str(j, b->value));
            json_t *sym = json_null();
            if (b->symbol.modules) {
                sym = json_object();
                json_object_set_new(sym, "size", json_integer(b->symbol.size));
                json_object_set_new(sym, "quiet", json_integer(b->symbol.quiet));
                json_object_set_new(sym, "modules", json_string(b->symbol.modules));
            }
            json_object_set_new(o, "symbol", sym);
            json_t *fields = json_array();
            for (const struct doc_row *r = b->rows; r; r = r->next)
                json_array_append_new(fields,
                                      doc_json_strings(j, 2, (const char *const *)r->cells));
            json_object_set_new(o, "fields", fields);
            break;
        }
        case DOC_BREAK:
            break;
        }
        json_array_append_new(blocks, o);
    }
    json_object_set_new(root, "blocks", blocks);
    return root;
}

static int doc_json_write(const char *buffer, size_t size, void *data)
{
    return buf_append(data, buffer, size) == BUF_OK ? 0 : -1;
}

/* ---- The child ---- */

static const char *const doc_default_argv[] = {"/proc/self/exe", "render-pdf", NULL};
static const char *const *doc_renderer_argv = doc_default_argv;
static int doc_renderer_timeout_ms = DOC_RENDER_TIMEOUT_MS;

static pthread_mutex_t doc_slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t doc_slots_cond = PTHREAD_COND_INITIALIZER;
static int doc_slots_used;

void doc_set_renderer(const char *const *argv, int timeout_ms)
{
    pthread_mutex_lock(&doc_slots_lock);
    doc_renderer_argv = argv ? argv : doc_default_argv;
    doc_renderer_timeout_ms = timeout_ms > 0 ? timeout_ms : DOC_RENDER_TIMEOUT_MS;
    pthread_mutex_unlock(&doc_slots_lock);
}

__attribute__((format(printf, 3, 4))) static int doc_fail(char *err, size_t errsz, const char *fmt,
                                                          ...)
{
    if (err && errsz) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int64_t doc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void doc_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The child's stderr, printable and on one line, for error messages. */
static const char *doc_stderr_line(char *s, size_t n)
{
    s[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            s[i] = ' ';
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
    return n ? s : "no message";
}

struct doc_child {
    pid_t pid;
    int in;  /* our end of the child's stdin (a socket: MSG_NOSIGNAL, no SIGPIPE) */
    int out; /* the child's stdout */
    int err; /* the child's stderr */
};

/* Start argv with stdin, stdout and stderr connected to us and nothing else inherited. */
static int doc_spawn(const char *const *argv, struct doc_child *c, char *err, size_t errsz)
{
    int sv[2] = {-1, -1}, op[2] = {-1, -1}, ep[2] = {-1, -1};
    c->pid = -1;
    c->in = c->out = c->err = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe2(op, O_CLOEXEC) != 0 ||
        pipe2(ep, O_CLOEXEC) != 0) {
        int e = errno;
        int fds[] = {sv[0], sv[1], op[0], op[1], ep[0], ep[1]};
        for (size_t i = 0; i < 6; i++)
            doc_close(&fds[i]);
        return doc_fail(err, errsz, "renderer: cannot create pipes: %s", strerror(e));
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, op[1], 1);
    posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&attr);
    /* The server's threads may block or handle signals; the renderer starts clean. */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(sv[1]);
    close(op[1]);
    close(ep[1]);
    if (rc != 0) {
        close(sv[0]);
        close(op[0]);
        close(ep[0]);
        return doc_fail(err, errsz, "renderer: cannot start %s: %s", argv[0], strerror(rc));
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    c->pid = pid;
    c->in = sv[0];
    c->out = op[0];
    c->err = ep[0];
    return 0;
}

/* Wait for the child until deadline_ms, then kill it; always reaps. Returns the wait status, or
   -1 when it had to be killed. */
static int doc_reap(pid_t pid, int64_t deadline_ms)
{
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1; /* not our child any more (SIGCHLD ignored): nothing to reap */
        if (doc_now_ms() >= deadline_ms)
            break;
        struct timespec step = {0, DOC_EXIT_WAIT_MS * 1000000L};
        nanosleep(&step, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return -1;
}

/* Feed json to the child and collect its stdout into pdf (bounded by pdf->max) and the start of
   its stderr, until both outputs close or the deadline passes. 0, or -1 with err set. */
static int doc_exchange(struct doc_child *c, const struct buf *json, struct buf *pdf, char *errtext,
                        size_t *errlen, int64_t deadline_ms, int timeout_ms, char *err,
                        size_t errsz)
{
    size_t sent = 0;
    char *chunk = malloc(DOC_IO_CHUNK);
    if (!chunk)
        return doc_fail(err, errsz, "renderer: out of memory");
    int rc = 0;
    while (c->out >= 0 || c->err >= 0) {
        int64_t left = deadline_ms - doc_now_ms();
        if (left <= 0) {
            rc = doc_fail(err, errsz, "renderer: timed out after %d ms", timeout_ms);
            break;
        }
        struct pollfd p[3];
        nfds_t n = 0;
        int in_i = -1, out_i = -1, err_i = -1;
        if (c->in >= 0) {
            p[n] = (struct pollfd){.fd = c->in, .events = POLLOUT};
            in_i = (int)n++;
        }
        if (c->out >= 0) {
            p[n] = (struct pollfd){.fd = c->out, .events = POLLIN};
            out_i = (int)n++;
        }
        if (c->err >= 0) {
            p[n] = (struct pollfd){.fd = c->err, .events = POLLIN};
            err_i = (int)n++;
        }
        int pr = poll(p, n, left > INT32_MAX ? INT32_MAX : (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0) {
            rc = doc_fail(err, errsz, "renderer: poll: %s", strerror(errno));
            break;
        }
        if (in_i >= 0 && p[in_i].revents) {
            ssize_t w =
                send(c->in, json->data + sent, json->len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0)
                sent += (size_t)w;
            /* Done, or the child stopped reading (it will explain on stderr). */
            if (sent == json->len || (w < 0 && errno != EAGAIN && errno != EINTR))
                doc_close(&c->in);
        }
        if (out_i >= 0 && p[out_i].revents) {
            ssize_t r = read(c->out, chunk, DOC_IO_CHUNK);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                doc_close(&c->out);
            } else if (r > 0 && buf_append(pdf, chunk, (size_t)r) != BUF_OK) {
                rc = doc_fail(err, errsz, "renderer: PDF larger than %zu bytes", pdf->max);
                break;
            }
        }
        if (err_i >= 0 && p[err_i].revents) {
            ssize_t r = read(c->err, chunk, DOC_IO_CHUNK);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                doc_close(&c->err);
            } else if (r > 0 && *errlen < DOC_STDERR_KEEP) {
                size_t k =
                    DOC_STDERR_KEEP - *errlen < (size_t)r ? DOC_STDERR_KEEP - *errlen : (size_t)r;
                memcpy(errtext + *errlen, chunk, k);
                *errlen += k;
            }
        }
    }
    free(chunk);
    return rc;
}

/* Run the renderer on json and append its output, which must start with magic, to out. */
static int doc_run(const struct buf *json, const char *magic, struct buf *out, char *err,
                   size_t errsz)
{
    /* Wait for a slot, but no longer than one render may take: a queue of requests behind busy
       renderers fails rather than holding server threads indefinitely. */
    pthread_mutex_lock(&doc_slots_lock);
    int timeout_ms = doc_renderer_timeout_ms;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (doc_slots_used >= DOC_RENDER_CONCURRENCY &&
           pthread_cond_clockwait(&doc_slots_cond, &doc_slots_lock, CLOCK_MONOTONIC, &until) !=
               ETIMEDOUT)
        ;
    if (doc_slots_used >= DOC_RENDER_CONCURRENCY) {
        pthread_mutex_unlock(&doc_slots_lock);
        return doc_fail(err, errsz, "renderer: busy for %d ms", timeout_ms);
    }
    doc_slots_used++;
    const char *const *argv = doc_renderer_argv;
    pthread_mutex_unlock(&doc_slots_lock);

    size_t room = out->max > out->len ? out->max - out->len : 0;
    struct buf got;
    buf_init(&got, room < DOC_PDF_MAX ? room : DOC_PDF_MAX);
    char errtext[DOC_STDERR_KEEP + 1];
    size_t errlen = 0;
    struct doc_child c;
    int rc = doc_spawn(argv, &c, err, errsz);
    if (rc == 0) {
        int64_t deadline = doc_now_ms() + timeout_ms;
        rc = doc_exchange(&c, json, &got, errtext, &errlen, deadline, timeout_ms, err, errsz);
        doc_close(&c.in);
        doc_close(&c.out);
        doc_close(&c.err);
        /* After a failure the child is killed at once; otherwise it gets until the deadline. */
        int status = doc_reap(c.pid, rc == 0 ? deadline : 0);
        if (rc == 0 && status == -1)
            rc = doc_fail(err, errsz, "renderer: timed out after %d ms", timeout_ms);
        else if (rc == 0 && WIFSIGNALED(status))
            rc = doc_fail(err, errsz, "renderer: killed by signal %d: %s", WTERMSIG(status),
                          doc_stderr_line(errtext, errlen));
        else if (rc == 0 && WEXITSTATUS(status) != 0)
            rc = doc_fail(err, errsz, "renderer: exit status %d: %s", WEXITSTATUS(status),
                          doc_stderr_line(errtext, errlen));
        else if (rc == 0 && (got.len < strlen(magic) || memcmp(got.data, magic, strlen(magic))))
            rc = doc_fail(err, errsz, "renderer: output is not what was asked for");
    }

    pthread_mutex_lock(&doc_slots_lock);
    doc_slots_used--;
    pthread_cond_signal(&doc_slots_cond);
    pthread_mutex_unlock(&doc_slots_lock);

    if (rc == 0 && buf_append(out, got.data, got.len) != BUF_OK)
        rc = doc_fail(err, errsz, "renderer: output larger than the buffer accepts");
    buf_free(&got);
    return rc;
}

int doc_render_pdf(const struct doc *d, struct buf *out, char *err, size_t errsz)
{
    if (d->err)
        return doc_fail(err, errsz, "document: %s", d->err);
    struct doc_json j = {false};
    json_t *root = doc_to_json(d, &j);
    struct buf json;
    buf_init(&json, DOC_JSON_MAX);
    int dumped = json_dump_callback(root, doc_json_write, &json, JSON_COMPACT);
    json_decref(root);
    int rc;
    if (j.bad)
        rc = doc_fail(err, errsz, "document: text is not valid UTF-8");
    else if (dumped != 0)
        rc = doc_fail(err, errsz, "document: serialised form larger than DOC_JSON_MAX");
    else
        rc = doc_run(&json, "%PDF-", out, err, errsz);
    buf_free(&json);
    return rc;
}

int doc_emblem_png(const char *name, struct buf *out, char *err, size_t errsz)
{
    if (strnlen(name, DOC_TEXT_MAX + 1) > DOC_TEXT_MAX)
        return doc_fail(err, errsz, "emblem: name longer than DOC_TEXT_MAX");
    json_t *root = json_object();
    json_object_set_new(root, "v", json_integer(DOC_JSON_VERSION));
    json_t *n = json_string(name);
    if (!n) {
        json_decref(root);
        return doc_fail(err, errsz, "emblem: name is not valid UTF-8");
    }
    json_object_set_new(root, "emblem", n);
    struct buf json;
    buf_init(&json, DOC_JSON_MAX);
    int dumped = json_dump_callback(root, doc_json_write, &json, JSON_COMPACT);
    json_decref(root);
    int rc = dumped == 0 ? doc_run(&json, "\x89PNG", out, err, errsz)
                         : doc_fail(err, errsz, "emblem: cannot serialise the request");
    buf_free(&json);
    return rc;
}
