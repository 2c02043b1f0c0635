/* The SMTP stand-in for tests and the demo (never production); see smtp.h. */
#include "standins/smtp.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integrations/mail/mime.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"

#define SMTP_STANDIN_ADDR_MAX 256
#define SMTP_STANDIN_PATH_MAX 1024
#define SMTP_STANDIN_CRED_MAX 256

/* Whatever the sender builds, the stand-in takes. */
_Static_assert(SMTP_STANDIN_MESSAGE_MAX >= MIME_MESSAGE_MAX + 64 * 1024,
               "the stand-in accepts every message mime_build can produce");

struct smtp_standin {
    int listen_fd;
    int wake[2]; /* a byte on wake[1] stops the thread */
    int port;
    pthread_t thread;
    char dir[SMTP_STANDIN_PATH_MAX];
    char username[SMTP_STANDIN_CRED_MAX];
    char password[SMTP_STANDIN_CRED_MAX];
    bool auth_required;
    atomic_uint stored;
    unsigned next_seq;
};

/* One client connection. */
struct smtp_session {
    struct smtp_standin *s;
    int fd;
    char in[SMTP_STANDIN_LINE_MAX * 2];
    size_t in_len;
    bool greeted, authed, has_from;
    char mail_from[SMTP_STANDIN_ADDR_MAX];
    struct buf rcpt; /* "a, b" */
    size_t nrcpt;
};

enum smtp_read { SMTP_LINE, SMTP_TOO_LONG, SMTP_CLOSED, SMTP_STOP };

static void smtp_reply(struct smtp_session *c, const char *text)
{
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = send(c->fd, text, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        text += w;
        n -= (size_t)w;
    }
}

/* Next line (without CRLF) into line[SMTP_STANDIN_LINE_MAX]. A longer line is consumed and
   reported as too long. */
static enum smtp_read smtp_read_line(struct smtp_session *c, char *line)
{
    bool too_long = false;
    for (;;) {
        char *nl = memchr(c->in, '\n', c->in_len);
        if (nl) {
            size_t n = (size_t)(nl - c->in);
            size_t keep = n > 0 && c->in[n - 1] == '\r' ? n - 1 : n;
            if (!too_long && keep < SMTP_STANDIN_LINE_MAX - 1) {
                memcpy(line, c->in, keep);
                line[keep] = '\0';
            } else {
                too_long = true;
            }
            memmove(c->in, nl + 1, c->in_len - n - 1);
            c->in_len -= n + 1;
            return too_long ? SMTP_TOO_LONG : SMTP_LINE;
        }
        if (c->in_len == sizeof(c->in)) {
            too_long = true; /* drop what we have and keep reading to the line end */
            c->in_len = 0;
        }
        struct pollfd p[2] = {{c->fd, POLLIN, 0}, {c->s->wake[0], POLLIN, 0}};
        int r = poll(p, 2, SMTP_STANDIN_IDLE_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return SMTP_CLOSED;
        if (p[1].revents)
            return SMTP_STOP;
        ssize_t got = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
        if (got <= 0)
            return SMTP_CLOSED;
        c->in_len += (size_t)got;
    }
}

/* "<addr>" after "MAIL FROM:" / "RCPT TO:" (parameters after it ignored) into out. */
static bool smtp_path(const char *arg, char *out)
{
    while (*arg == ' ')
        arg++;
    if (*arg != '<')
        return false;
    const char *end = strchr(arg, '>');
    if (!end || (size_t)(end - arg - 1) >= SMTP_STANDIN_ADDR_MAX)
        return false;
    memcpy(out, arg + 1, (size_t)(end - arg - 1));
    out[end - arg - 1] = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool smtp_check_plain(struct smtp_session *c, const char *b64)
{
    unsigned char bin[SMTP_STANDIN_CRED_MAX * 3];
    size_t n = 0;
    if (sodium_base642bin(bin, sizeof(bin) - 1, b64, strlen(b64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    bin[n] = '\0';
    /* authzid \0 authcid \0 password */
    const unsigned char *user = memchr(bin, '\0', n);
    if (!user)
        return false;
    user++;
    const unsigned char *pass = memchr(user, '\0', n - (size_t)(user - bin));
    if (!pass)
        return false;
    pass++;
    size_t plen = n - (size_t)(pass - bin);
    return strcmp((const char *)user, c->s->username) == 0 && plen == strlen(c->s->password) &&
           memcmp(pass, c->s->password, plen) == 0;
}

static bool smtp_b64_equals(const char *b64, const char *want)
{
    unsigned char bin[SMTP_STANDIN_CRED_MAX + 1];
    size_t n = 0;
    if (sodium_base642bin(bin, sizeof(bin) - 1, b64, strlen(b64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return n == strlen(want) && memcmp(bin, want, n) == 0;
}

static enum smtp_read smtp_auth(struct smtp_session *c, const char *arg, char *line)
{
    if (!c->s->auth_required) {
        smtp_reply(c, "503 5.5.1 AUTH not offered\r\n");
        return SMTP_LINE;
    }
    enum smtp_read r;
    if (strncasecmp(arg, "PLAIN", 5) == 0) {
        const char *init = arg + 5;
        while (*init == ' ')
            init++;
        if (!*init) {
            smtp_reply(c, "334 \r\n");
            if ((r = smtp_read_line(c, line)) != SMTP_LINE)
                return r;
            init = line;
        }
        c->authed = smtp_check_plain(c, init);
    } else if (strncasecmp(arg, "LOGIN", 5) == 0) {
        smtp_reply(c, "334 VXNlcm5hbWU6\r\n");
        if ((r = smtp_read_line(c, line)) != SMTP_LINE)
            return r;
        bool user_ok = smtp_b64_equals(line, c->s->username);
        smtp_reply(c, "334 UGFzc3dvcmQ6\r\n");
        if ((r = smtp_read_line(c, line)) != SMTP_LINE)
            return r;
        c->authed = user_ok && smtp_b64_equals(line, c->s->password);
    } else {
        smtp_reply(c, "504 5.5.4 mechanism not supported\r\n");
        return SMTP_LINE;
    }
    smtp_reply(c, c->authed ? "235 2.7.0 authenticated\r\n"
                            : "535 5.7.8 authentication credentials invalid\r\n");
    return SMTP_LINE;
}

/* Write the message atomically (temporary file, then rename) as <dir>/<seq>.eml. */
static int smtp_store(struct smtp_session *c, const struct buf *data)
{
    struct smtp_standin *s = c->s;
    char received[TIME_ISO_MAX];
    time_now_iso(received);
    unsigned seq = ++s->next_seq;
    char tmp[SMTP_STANDIN_PATH_MAX + 32], path[SMTP_STANDIN_PATH_MAX + 32];
    snprintf(tmp, sizeof(tmp), "%s/.%06u.tmp", s->dir, seq);
    snprintf(path, sizeof(path), "%s/%06u.eml", s->dir, seq);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    fprintf(f, "X-Standin-Mail-From: <%s>\r\nX-Standin-Rcpt-To: %s\r\nX-Standin-Received: %s\r\n",
            c->mail_from, buf_str(&c->rcpt), received);
    bool ok = fwrite(buf_str(data), 1, data->len, f) == data->len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    atomic_fetch_add(&s->stored, 1);
    return 0;
}

static enum smtp_read smtp_data(struct smtp_session *c, char *line)
{
    struct buf data;
    buf_init(&data, SMTP_STANDIN_MESSAGE_MAX);
    smtp_reply(c, "354 end data with <CR><LF>.<CR><LF>\r\n");
    enum smtp_read r;
    bool bad_line = false;
    for (;;) {
        r = smtp_read_line(c, line);
        if (r == SMTP_TOO_LONG) {
            bad_line = true;
            continue;
        }
        if (r != SMTP_LINE)
            break;
        if (strcmp(line, ".") == 0)
            break;
        const char *l = line[0] == '.' ? line + 1 : line; /* dot-unstuffing */
        buf_puts(&data, l);
        buf_puts(&data, "\r\n");
    }
    if (r == SMTP_LINE) {
        if (data.err != BUF_OK)
            smtp_reply(c, "552 5.3.4 message too big\r\n");
        else if (bad_line)
            smtp_reply(c, "500 5.5.2 line too long\r\n");
        else if (smtp_store(c, &data) != 0)
            smtp_reply(c, "451 4.3.0 cannot store the message\r\n");
        else
            smtp_reply(c, "250 2.0.0 stored\r\n");
    }
    buf_free(&data);
    c->has_from = false;
    c->nrcpt = 0;
    buf_reset(&c->rcpt);
    return r;
}

static void smtp_session_run(struct smtp_session *c)
{
    char line[SMTP_STANDIN_LINE_MAX];
    smtp_reply(c, "220 127.0.0.1 Refettorio SMTP stand-in (not for production)\r\n");
    for (;;) {
        enum smtp_read r = smtp_read_line(c, line);
        if (r == SMTP_TOO_LONG) {
            smtp_reply(c, "500 5.5.2 line too long\r\n");
            continue;
        }
        if (r != SMTP_LINE)
            return;
        const char *arg = line + strcspn(line, " ");
        while (*arg == ' ')
            arg++;
        if (strncasecmp(line, "EHLO", 4) == 0) {
            c->greeted = true;
            char reply[256];
            snprintf(reply, sizeof(reply), "250-127.0.0.1\r\n250-SIZE %d\r\n250-8BITMIME\r\n%s",
                     SMTP_STANDIN_MESSAGE_MAX,
                     c->s->auth_required ? "250-AUTH PLAIN LOGIN\r\n250 HELP\r\n" : "250 HELP\r\n");
            smtp_reply(c, reply);
        } else if (strncasecmp(line, "HELO", 4) == 0) {
            c->greeted = true;
            smtp_reply(c, "250 127.0.0.1\r\n");
        } else if (strncasecmp(line, "AUTH", 4) == 0) {
            if (smtp_auth(c, arg, line) != SMTP_LINE)
                return;
        } else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
            if (!c->greeted)
                smtp_reply(c, "503 5.5.1 say EHLO first\r\n");
            else if (c->s->auth_required && !c->authed)
                smtp_reply(c, "530 5.7.0 authentication required\r\n");
            else if (!smtp_path(line + 10, c->mail_from))
                smtp_reply(c, "501 5.1.7 bad sender address\r\n");
            else {
                c->has_from = true;
                c->nrcpt = 0;
                buf_reset(&c->rcpt);
                smtp_reply(c, "250 2.1.0 ok\r\n");
            }
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            char to[SMTP_STANDIN_ADDR_MAX];
            if (!c->has_from)
                smtp_reply(c, "503 5.5.1 need MAIL first\r\n");
            else if (!smtp_path(line + 8, to) || !strchr(to, '@'))
                smtp_reply(c, "501 5.1.3 bad recipient address\r\n");
            else if (c->nrcpt == SMTP_STANDIN_RCPT_MAX)
                smtp_reply(c, "452 4.5.3 too many recipients\r\n");
            else if (strncmp(to, "bounce@", 7) == 0)
                smtp_reply(c, "550 5.1.1 mailbox unavailable (stand-in: bounce@)\r\n");
            else if (strncmp(to, "tempfail@", 9) == 0)
                smtp_reply(c, "451 4.3.0 try again later (stand-in: tempfail@)\r\n");
            else {
                buf_printf(&c->rcpt, "%s%s", c->nrcpt ? ", " : "", to);
                c->nrcpt++;
                smtp_reply(c, "250 2.1.5 ok\r\n");
            }
        } else if (strcasecmp(line, "DATA") == 0) {
            if (!c->has_from || c->nrcpt == 0)
                smtp_reply(c, "503 5.5.1 need MAIL and RCPT first\r\n");
            else if (smtp_data(c, line) != SMTP_LINE)
                return;
        } else if (strcasecmp(line, "RSET") == 0) {
            c->has_from = false;
            c->nrcpt = 0;
            buf_reset(&c->rcpt);
            smtp_reply(c, "250 2.0.0 ok\r\n");
        } else if (strncasecmp(line, "NOOP", 4) == 0) {
            smtp_reply(c, "250 2.0.0 ok\r\n");
        } else if (strcasecmp(line, "QUIT") == 0) {
            smtp_reply(c, "221 2.0.0 bye\r\n");
            return;
        } else if (strncasecmp(line, "STARTTLS", 8) == 0) {
            smtp_reply(c, "502 5.5.1 STARTTLS not offered by the stand-in\r\n");
        } else {
            smtp_reply(c, "500 5.5.2 command not recognised\r\n");
        }
    }
}

static void *smtp_standin_main(void *arg)
{
    struct smtp_standin *s = arg;
    for (;;) {
        struct pollfd p[2] = {{s->listen_fd, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
        int r = poll(p, 2, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || p[1].revents)
            break;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        struct smtp_session c = {.s = s, .fd = fd};
        buf_init(&c.rcpt, SMTP_STANDIN_RCPT_MAX * SMTP_STANDIN_ADDR_MAX);
        smtp_session_run(&c);
        buf_free(&c.rcpt);
        close(fd);
    }
    return NULL;
}

/* The highest sequence number already in dir, so a restarted stand-in appends. */
static unsigned smtp_last_seq(const char *dir)
{
    unsigned max = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned seq;
        char tail[8];
        if (sscanf(e->d_name, "%u.%7s", &seq, tail) == 2 && strcmp(tail, "eml") == 0 && seq > max)
            max = seq;
    }
    closedir(d);
    return max;
}

struct smtp_standin *smtp_standin_start(const struct smtp_standin_opts *o, char *err, size_t errsz)
{
    if (sodium_init() < 0) {
        snprintf(err, errsz, "cannot initialise libsodium");
        return NULL;
    }
    if (!o->dir || strlen(o->dir) >= SMTP_STANDIN_PATH_MAX ||
        (o->username && strlen(o->username) >= SMTP_STANDIN_CRED_MAX) ||
        (o->password && strlen(o->password) >= SMTP_STANDIN_CRED_MAX)) {
        snprintf(err, errsz, "directory or credentials missing or too long");
        return NULL;
    }
    if (mkdir(o->dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errsz, "%s: %s", o->dir, strerror(errno));
        return NULL;
    }
    struct smtp_standin *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    s->listen_fd = -1;
    s->wake[0] = s->wake[1] = -1;
    snprintf(s->dir, sizeof(s->dir), "%s", o->dir);
    if (o->username && *o->username) {
        s->auth_required = true;
        snprintf(s->username, sizeof(s->username), "%s", o->username);
        snprintf(s->password, sizeof(s->password), "%s", o->password ? o->password : "");
    }
    s->next_seq = smtp_last_seq(s->dir);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    int one = 1;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 ||
        setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(s->listen_fd, 16) != 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&a, &len) != 0) {
        snprintf(err, errsz, "127.0.0.1:%d: %s", o->port, strerror(errno));
        goto fail;
    }
    s->port = ntohs(a.sin_port);
    if (pipe2(s->wake, O_CLOEXEC) != 0) {
        snprintf(err, errsz, "pipe: %s", strerror(errno));
        goto fail;
    }
    if (pthread_create(&s->thread, NULL, smtp_standin_main, s) != 0) {
        snprintf(err, errsz, "cannot start the thread");
        goto fail;
    }
    return s;
fail:
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->wake[0] >= 0) {
        close(s->wake[0]);
        close(s->wake[1]);
    }
    free(s);
    return NULL;
}

int smtp_standin_port(const struct smtp_standin *s)
{
    return s->port;
}

unsigned smtp_standin_count(struct smtp_standin *s)
{
    return atomic_load(&s->stored);
}

void smtp_standin_stop(struct smtp_standin *s)
{
    if (!s)
        return;
    ssize_t w = write(s->wake[1], "x", 1);
    (void)w;
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    close(s->wake[0]);
    close(s->wake[1]);
    sodium_memzero(s->password, sizeof(s->password));
    free(s);
}

/* ---- reading stored messages ----------------------------------------------------------- */

/* The value of header name in the header block hdr (unfolded), or "". */
static const char *smtp_header(struct arena *a, const char *hdr, size_t hlen, const char *name)
{
    size_t nl = strlen(name);
    const char *p = hdr, *end = hdr + hlen;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            struct buf v;
            buf_init(&v, SMTP_STANDIN_LINE_MAX * 8);
            const char *q = p + nl + 1;
            for (;;) {
                while (q < eol && (*q == ' ' || *q == '\t'))
                    q++;
                size_t l = (size_t)(eol - q);
                if (l && q[l - 1] == '\r')
                    l--;
                buf_append(&v, q, l);
                if (eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t')) {
                    buf_putc(&v, ' ');
                    q = eol + 1;
                    eol = memchr(q, '\n', (size_t)(end - q));
                    if (!eol)
                        eol = end;
                    continue;
                }
                break;
            }
            const char *r = arena_strdup(a, buf_str(&v));
            buf_free(&v);
            return r;
        }
        p = eol + 1;
    }
    return "";
}

/* Split s[0..n) at the first blank line: header block and body. */
static void smtp_split(const char *s, size_t n, size_t *hlen, const char **body, size_t *blen)
{
    const char *sep = memmem(s, n, "\r\n\r\n", 4);
    size_t skip = 4;
    if (!sep) {
        sep = memmem(s, n, "\n\n", 2);
        skip = 2;
    }
    if (!sep) {
        *hlen = n;
        *body = s + n;
        *blen = 0;
        return;
    }
    *hlen = (size_t)(sep - s) + skip / 2;
    *body = sep + skip;
    *blen = n - (size_t)(*body - s);
}

static const char *smtp_decode_body(struct arena *a, const char *hdr, size_t hlen, const char *body,
                                    size_t blen)
{
    const char *cte = smtp_header(a, hdr, hlen, "Content-Transfer-Encoding");
    struct buf out;
    buf_init(&out, SMTP_STANDIN_MESSAGE_MAX);
    if (strcasecmp(cte, "quoted-printable") == 0) {
        mime_qp_decode(&out, body, blen);
    } else {
        for (size_t i = 0; i < blen; i++)
            if (!(body[i] == '\r' && i + 1 < blen && body[i + 1] == '\n'))
                buf_putc(&out, body[i]);
    }
    const char *r = arena_strdup(a, buf_str(&out));
    buf_free(&out);
    return r;
}

/* The value of parameter name (case-insensitive) in a header value "type; a=b; c=\"d\"", with
   quoted-string escapes undone; NULL when absent. */
static const char *smtp_param(struct arena *a, const char *v, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = strchr(v, ';'); p; p = strchr(p, ';')) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *k = p;
        while (*p && !strchr("=; \t", *p))
            p++;
        size_t kl = (size_t)(p - k);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        bool want = kl == nl && strncasecmp(k, name, nl) == 0;
        char *out = want ? arena_alloc(a, strlen(p) + 1) : NULL;
        size_t o = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (out)
                    out[o++] = *p;
            }
            if (*p == '"')
                p++;
        } else {
            for (; *p && !strchr("; \t", *p); p++)
                if (out)
                    out[o++] = *p;
        }
        if (out) {
            out[o] = '\0';
            return out;
        }
    }
    return NULL;
}

static int smtp_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* An RFC 2231 extended value: the charset'language' prefix dropped (first segment only), %XX
   decoded. */
static void smtp_ext_value(struct buf *out, const char *v, bool first)
{
    if (first) {
        const char *q1 = strchr(v, '\'');
        const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
        if (q2)
            v = q2 + 1;
    }
    for (; *v; v++) {
        if (*v == '%' && smtp_hex(v[1]) >= 0 && smtp_hex(v[2]) >= 0) {
            buf_putc(out, (char)(smtp_hex(v[1]) * 16 + smtp_hex(v[2])));
            v += 2;
        } else {
            buf_putc(out, *v);
        }
    }
}

/* An attachment's name from Content-Disposition (filename*, its filename*0*, filename*1* ...
   segments, or filename with RFC 2047 words), else Content-Type's name; "" when none. */
static const char *smtp_filename(struct arena *a, const char *disp, const char *ct)
{
    struct buf out;
    buf_init(&out, SMTP_STANDIN_FILENAME_MAX);
    const char *v = smtp_param(a, disp, "filename*");
    if (v) {
        smtp_ext_value(&out, v, true);
    } else {
        for (unsigned k = 0; k < SMTP_STANDIN_SEGMENTS_MAX; k++) {
            char name[32];
            snprintf(name, sizeof(name), "filename*%u*", k);
            if ((v = smtp_param(a, disp, name))) {
                smtp_ext_value(&out, v, k == 0);
                continue;
            }
            snprintf(name, sizeof(name), "filename*%u", k);
            if (!(v = smtp_param(a, disp, name)))
                break;
            buf_puts(&out, v);
        }
    }
    if (out.len == 0 && ((v = smtp_param(a, disp, "filename")) || (v = smtp_param(a, ct, "name"))))
        mime_header_decode(&out, v);
    const char *r = arena_strndup(a, buf_str(&out), out.len);
    buf_free(&out);
    return r;
}

/* A part's body decoded by its Content-Transfer-Encoding, any bytes (an attachment). */
static void smtp_decode_bytes(struct arena *a, const char *cte, const char *body, size_t blen,
                              struct smtp_standin_attachment *f)
{
    f->data = (const unsigned char *)"";
    f->len = 0;
    if (strcasecmp(cte, "base64") == 0) {
        size_t cap = blen / 4 * 3 + 3, len = 0;
        unsigned char *bin = arena_alloc(a, cap);
        const char *end = NULL;
        /* Decoding stops at the first character that is not base64: what came before is kept. */
        if (sodium_base642bin(bin, cap, body, blen, " \t\r\n", &len, &end,
                              sodium_base64_VARIANT_ORIGINAL) == 0) {
            f->data = bin;
            f->len = len;
        }
    } else if (strcasecmp(cte, "quoted-printable") == 0) {
        struct buf out;
        buf_init(&out, SMTP_STANDIN_MESSAGE_MAX);
        mime_qp_decode(&out, body, blen);
        unsigned char *d = arena_alloc(a, out.len + 1);
        memcpy(d, buf_str(&out), out.len);
        f->data = d;
        f->len = out.len;
        buf_free(&out);
    } else {
        f->data = (const unsigned char *)body; /* 7bit, 8bit, binary: as received */
        f->len = blen;
    }
}

/* Walks a message's MIME tree: bounded in depth and in parts, so any input ends. */
struct smtp_walk {
    struct arena *a;
    struct smtp_standin_msg *m;
    struct smtp_standin_attachment *files; /* m->attachments, writable */
    unsigned parts;
    bool text_set, html_set;
};

static void smtp_walk(struct smtp_walk *w, const char *hdr, size_t hlen, const char *body,
                      size_t blen, unsigned depth);

/* The next delimiter line "--boundary" at or after s (which starts a line), or NULL: at the
   start of a line and followed by "--", white space or the line end, so a longer boundary
   that starts with this one does not count. */
static const char *smtp_delim(const char *s, const char *end, const char *delim, size_t dl)
{
    for (const char *p = s; (size_t)(end - p) >= dl;) {
        const char *q = memmem(p, (size_t)(end - p), delim, dl);
        if (!q)
            return NULL;
        const char *t = q + dl;
        if ((q == s || q[-1] == '\n') && (t == end || strchr("- \t\r\n", *t)))
            return q;
        p = q + 1;
    }
    return NULL;
}

static void smtp_multipart(struct smtp_walk *w, const char *boundary, const char *body, size_t blen,
                           unsigned depth)
{
    const char *delim = arena_printf(w->a, "--%s", boundary);
    size_t dl = strlen(delim);
    const char *end = body + blen;
    for (const char *p = smtp_delim(body, end, delim, dl);
         p && w->parts < SMTP_STANDIN_PARTS_MAX;) {
        const char *after = p + dl;
        if (end - after >= 2 && after[0] == '-' && after[1] == '-')
            break; /* the closing delimiter */
        const char *nl = memchr(after, '\n', (size_t)(end - after));
        if (!nl)
            break;
        const char *part = nl + 1;
        const char *next = smtp_delim(part, end, delim, dl);
        size_t plen = (size_t)((next ? next : end) - part);
        /* The line break before a delimiter belongs to the delimiter. */
        if (next && plen >= 2 && part[plen - 2] == '\r' && part[plen - 1] == '\n')
            plen -= 2;
        else if (next && plen >= 1 && part[plen - 1] == '\n')
            plen -= 1;
        size_t phl, pbl;
        const char *pb;
        smtp_split(part, plen, &phl, &pb, &pbl);
        smtp_walk(w, part, phl, pb, pbl, depth + 1);
        p = next;
    }
}

static void smtp_walk(struct smtp_walk *w, const char *hdr, size_t hlen, const char *body,
                      size_t blen, unsigned depth)
{
    struct arena *a = w->a;
    struct smtp_standin_msg *m = w->m;
    if (w->parts++ >= SMTP_STANDIN_PARTS_MAX)
        return;
    const char *ct = smtp_header(a, hdr, hlen, "Content-Type");
    char *type = arena_strndup(a, ct, strcspn(ct, "; \t"));
    for (char *t = type; *t; t++)
        if (*t >= 'A' && *t <= 'Z')
            *t = (char)(*t + 32);
    if (strncmp(type, "multipart/", 10) == 0) {
        const char *boundary = smtp_param(a, ct, "boundary");
        if (boundary && *boundary && strlen(boundary) <= SMTP_STANDIN_BOUNDARY_MAX &&
            depth < SMTP_STANDIN_DEPTH_MAX)
            smtp_multipart(w, boundary, body, blen, depth);
        if (boundary || depth > 0)
            return;
    }
    const char *disp = smtp_header(a, hdr, hlen, "Content-Disposition");
    const char *filename = smtp_filename(a, disp, ct);
    if (strncasecmp(disp, "attachment", 10) == 0 || *filename) {
        if (m->nattachments == SMTP_STANDIN_ATTACHMENTS_MAX)
            return;
        if (!w->files)
            m->attachments = w->files =
                arena_calloc(a, SMTP_STANDIN_ATTACHMENTS_MAX, sizeof(*w->files));
        struct smtp_standin_attachment *f = &w->files[m->nattachments++];
        f->filename = filename;
        f->content_type = type;
        smtp_decode_bytes(a, smtp_header(a, hdr, hlen, "Content-Transfer-Encoding"), body, blen, f);
        return;
    }
    /* The message itself when it is not multipart; else its first text and HTML parts (a
       part without a type is text/plain, RFC 2046). */
    if (!w->text_set && (depth == 0 || !*type || strcmp(type, "text/plain") == 0)) {
        m->text = smtp_decode_body(a, hdr, hlen, body, blen);
        w->text_set = true;
    } else if (!w->html_set && strcmp(type, "text/html") == 0) {
        m->html = smtp_decode_body(a, hdr, hlen, body, blen);
        w->html_set = true;
    }
}

void smtp_standin_parse(struct arena *a, const char *raw, size_t n, struct smtp_standin_msg *m)
{
    size_t hlen, blen;
    const char *body;
    smtp_split(raw, n, &hlen, &body, &blen);
    m->mail_from = smtp_header(a, raw, hlen, "X-Standin-Mail-From");
    m->rcpt_to = smtp_header(a, raw, hlen, "X-Standin-Rcpt-To");
    m->received_at = smtp_header(a, raw, hlen, "X-Standin-Received");
    m->from = smtp_header(a, raw, hlen, "From");
    m->to = smtp_header(a, raw, hlen, "To");
    m->date = smtp_header(a, raw, hlen, "Date");
    m->message_id = smtp_header(a, raw, hlen, "Message-ID");
    m->tenant = smtp_header(a, raw, hlen, "X-Refettorio-Tenant");
    m->content_type = smtp_header(a, raw, hlen, "Content-Type");
    struct buf subj;
    buf_init(&subj, SMTP_STANDIN_LINE_MAX * 8);
    mime_header_decode(&subj, smtp_header(a, raw, hlen, "Subject"));
    m->subject = arena_strdup(a, buf_str(&subj));
    buf_free(&subj);
    m->text = m->html = "";
    m->attachments = NULL;
    m->nattachments = 0;
    struct smtp_walk w = {.a = a, .m = m};
    smtp_walk(&w, raw, hlen, body, blen, 0);
}

/* <dir>/<seq>.eml into m (its strings in the arena). 1, 0 when there is no such file, -1 when
   it cannot be read. */
static int smtp_read_file(struct arena *a, const char *dir, unsigned seq,
                          struct smtp_standin_msg *m)
{
    char path[SMTP_STANDIN_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%06u.eml", dir, seq);
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    struct buf raw;
    buf_init(&raw, SMTP_STANDIN_MESSAGE_MAX + 4096);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(&raw, chunk, got) != BUF_OK)
            break;
    fclose(f);
    memset(m, 0, sizeof(*m));
    m->seq = seq;
    m->raw_len = raw.len;
    m->raw = arena_strndup(a, buf_str(&raw), raw.len);
    smtp_standin_parse(a, m->raw, m->raw_len, m);
    buf_free(&raw);
    return 1;
}

int smtp_standin_read_one(struct arena *a, const char *dir, unsigned seq,
                          struct smtp_standin_msg *out)
{
    return seq == 0 ? 0 : smtp_read_file(a, dir, seq, out);
}

static int smtp_seq_desc(const void *x, const void *y)
{
    unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

int smtp_standin_read(struct arena *a, const char *dir, size_t max, struct smtp_standin_msg **out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    if (max == 0 || max > SMTP_STANDIN_LIST_MAX)
        max = SMTP_STANDIN_LIST_MAX;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    /* Keep the newest max sequence numbers without holding every name. */
    unsigned *seqs = arena_calloc(a, max + 1, sizeof(*seqs));
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned seq;
        char tail[8];
        if (sscanf(e->d_name, "%u.%7s", &seq, tail) != 2 || strcmp(tail, "eml") != 0)
            continue;
        seqs[count++] = seq;
        qsort(seqs, count, sizeof(*seqs), smtp_seq_desc);
        if (count > max)
            count = max;
    }
    closedir(d);
    struct smtp_standin_msg *msgs = arena_calloc(a, count ? count : 1, sizeof(*msgs));
    for (size_t i = 0; i < count; i++)
        if (smtp_read_file(a, dir, seqs[i], &msgs[*n]) == 1)
            (*n)++;
    *out = msgs;
    return 0;
}
