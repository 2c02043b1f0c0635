/* multipart/form-data parser (see multipart.h) and req_file, the handlers' view of its files. */
#include "web/multipart.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "web/form.h"
#include "web/html.h"

#define MULTIPART_MAX_PARAMS 8 /* parameters of one header value */

/* One parameter of a header value, its value unquoted (still raw bytes, not NUL-checked). */
struct mp_param {
    const char *name;
    size_t name_len;
    char *value;
    size_t value_len;
};

/* A header value split into its leading token ("form-data", "text/plain") and parameters. */
struct mp_value {
    const char *token;
    size_t token_len;
    struct mp_param params[MULTIPART_MAX_PARAMS];
    size_t nparams;
};

const char *multipart_err_reason(enum multipart_err e)
{
    switch (e) {
    case MULTIPART_OK:
        return "ok";
    case MULTIPART_ERR_CONTENT_TYPE:
        return "multipart content type without a valid boundary";
    case MULTIPART_ERR_SYNTAX:
        return "malformed multipart body";
    case MULTIPART_ERR_HEADER_SIZE:
        return "multipart part headers too large";
    case MULTIPART_ERR_DISPOSITION:
        return "multipart part without a valid Content-Disposition";
    case MULTIPART_ERR_TOO_MANY:
        return "too many multipart parts";
    case MULTIPART_ERR_TOO_LONG:
        return "field too long";
    case MULTIPART_ERR_ENCODING:
        return "invalid encoding in a multipart part";
    }
    return "?";
}

/* RFC 9110 tchar. */
static bool mp_is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool mp_is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Bytes a header value may hold: visible ASCII, space, tab, and UTF-8 bytes (filenames). */
static bool mp_is_value_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool mp_name_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* Parse `token *( OWS ";" OWS name "=" ( token / quoted-string ) ) OWS` from s[0, n). In a
   quoted-string a backslash escapes only '"' and '\\' and is kept before anything else: old
   browsers sent Windows paths ("C:\Users\...") unescaped, and RFC 9110's rule would eat their
   separators. slash_token lets the leading token hold one '/' (a media type). */
static enum multipart_err mp_parse_value(struct arena *a, const char *s, size_t n, bool slash_token,
                                         struct mp_value *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < n && mp_is_ows(s[i]))
        i++;
    size_t start = i;
    int slashes = 0;
    while (i < n && (mp_is_tchar((unsigned char)s[i]) || (slash_token && s[i] == '/'))) {
        if (s[i] == '/')
            slashes++;
        i++;
    }
    out->token = s + start;
    out->token_len = i - start;
    if (out->token_len == 0 || (slash_token && slashes != 1))
        return MULTIPART_ERR_SYNTAX;
    for (;;) {
        while (i < n && mp_is_ows(s[i]))
            i++;
        if (i == n)
            return MULTIPART_OK;
        if (s[i] != ';')
            return MULTIPART_ERR_SYNTAX;
        i++;
        while (i < n && mp_is_ows(s[i]))
            i++;
        if (i == n)
            return MULTIPART_OK; /* a trailing ";" is common and harmless */
        if (out->nparams == MULTIPART_MAX_PARAMS)
            return MULTIPART_ERR_SYNTAX;
        struct mp_param *p = &out->params[out->nparams];
        p->name = s + i;
        while (i < n && mp_is_tchar((unsigned char)s[i]))
            i++;
        p->name_len = (size_t)(s + i - p->name);
        if (p->name_len == 0 || i == n || s[i] != '=')
            return MULTIPART_ERR_SYNTAX;
        for (size_t k = 0; k < out->nparams; k++)
            if (out->params[k].name_len == p->name_len &&
                strncasecmp(out->params[k].name, p->name, p->name_len) == 0)
                return MULTIPART_ERR_SYNTAX; /* two of one parameter: which would count? */
        i++;
        char *v = arena_alloc(a, n - i + 1);
        size_t vl = 0;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i == n)
                    return MULTIPART_ERR_SYNTAX; /* unterminated */
                char c = s[i++];
                if (c == '"')
                    break;
                if (c == '\\' && i < n && (s[i] == '"' || s[i] == '\\'))
                    c = s[i++];
                v[vl++] = c;
            }
        } else {
            while (i < n && mp_is_tchar((unsigned char)s[i]))
                v[vl++] = s[i++];
            if (vl == 0)
                return MULTIPART_ERR_SYNTAX;
        }
        v[vl] = '\0';
        p->value = v;
        p->value_len = vl;
        out->nparams++;
    }
}

static const struct mp_param *mp_param(const struct mp_value *v, const char *name)
{
    for (size_t i = 0; i < v->nparams; i++)
        if (mp_name_is(v->params[i].name, v->params[i].name_len, name))
            return &v->params[i];
    return NULL;
}

/* RFC 2046 bchars. */
static bool mp_is_bchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("'()+_,-./:=? ", c));
}

enum multipart_err multipart_boundary(struct arena *a, const char *content_type,
                                      const char **boundary)
{
    *boundary = NULL;
    if (!content_type)
        return MULTIPART_ERR_CONTENT_TYPE;
    size_t n = strlen(content_type);
    for (size_t i = 0; i < n; i++)
        if (!mp_is_value_byte((unsigned char)content_type[i]) ||
            (unsigned char)content_type[i] >= 0x80)
            return MULTIPART_ERR_CONTENT_TYPE;
    struct mp_value v;
    if (mp_parse_value(a, content_type, n, true, &v) != MULTIPART_OK ||
        !mp_name_is(v.token, v.token_len, "multipart/form-data"))
        return MULTIPART_ERR_CONTENT_TYPE;
    const struct mp_param *b = mp_param(&v, "boundary");
    if (!b || b->value_len == 0 || b->value_len > MULTIPART_MAX_BOUNDARY ||
        b->value[b->value_len - 1] == ' ')
        return MULTIPART_ERR_CONTENT_TYPE;
    for (size_t i = 0; i < b->value_len; i++)
        if (!mp_is_bchar((unsigned char)b->value[i]))
            return MULTIPART_ERR_CONTENT_TYPE;
    *boundary = b->value;
    return MULTIPART_OK;
}

/* RFC 8187 ext-value: charset "'" [ language ] "'" value-chars. Only UTF-8, which RFC 8187 makes
   every recipient support (browsers do not send filename* at all; RFC 7578 forbids it). */
static enum multipart_err mp_ext_value(struct arena *a, const struct mp_param *p, char **out,
                                       size_t *out_len)
{
    const char *s = p->value, *end = s + p->value_len;
    const char *q1 = memchr(s, '\'', p->value_len);
    const char *q2 = q1 ? memchr(q1 + 1, '\'', (size_t)(end - q1 - 1)) : NULL;
    if (!q2)
        return MULTIPART_ERR_SYNTAX;
    if (!mp_name_is(s, (size_t)(q1 - s), "UTF-8"))
        return MULTIPART_ERR_ENCODING;
    for (const char *c = q2 + 1; c < end; c++)
        if (*c != '%' && (!mp_is_tchar((unsigned char)*c) || *c == '\'' || *c == '*'))
            return MULTIPART_ERR_SYNTAX; /* not an RFC 8187 attr-char */
    /* The same strict percent-decoding as form bodies: no bad escape, no NUL, valid UTF-8. */
    switch (form_decode(a, q2 + 1, (size_t)(end - q2 - 1), false, out)) {
    case FORM_OK:
        *out_len = strlen(*out);
        return MULTIPART_OK;
    case FORM_ERR_TOO_LONG:
        return MULTIPART_ERR_HEADER_SIZE;
    default:
        return MULTIPART_ERR_ENCODING;
    }
}

/* What browsers write for '"', CR and LF in names (WHATWG HTML, "multipart/form-data encoding
   algorithm"), decoded in place. */
static size_t mp_unescape_browser(char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && n - i >= 3 && s[i + 1] == '2' && s[i + 2] == '2') {
            s[j++] = '"';
            i += 2;
        } else if (s[i] == '%' && n - i >= 3 && s[i + 1] == '0' &&
                   (s[i + 2] == 'D' || s[i + 2] == 'A')) {
            s[j++] = s[i + 2] == 'D' ? '\r' : '\n';
            i += 2;
        } else {
            s[j++] = s[i];
        }
    }
    s[j] = '\0';
    return j;
}

/* The filename of a part: filename* wins over filename; any folder is dropped, and "." or ".."
   become "". NULL with *err set on a malformed one. */
static const char *mp_filename(struct arena *a, const struct mp_param *plain,
                               const struct mp_param *ext, enum multipart_err *err)
{
    char *name;
    size_t n;
    if (ext) {
        *err = mp_ext_value(a, ext, &name, &n);
        if (*err != MULTIPART_OK)
            return NULL;
    } else {
        name = plain->value;
        n = mp_unescape_browser(name, plain->value_len);
    }
    if (memchr(name, '\0', n) || !html_utf8_valid(name, n)) {
        *err = MULTIPART_ERR_ENCODING;
        return NULL;
    }
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    if (!strcmp(base, ".") || !strcmp(base, ".."))
        base = "";
    *err = MULTIPART_OK;
    return base;
}

/* A file part's media type, lower-cased, without parameters; application/octet-stream when
   the part has none. */
static enum multipart_err mp_file_type(struct arena *a, const char *value, size_t n,
                                       const char **out)
{
    if (!value) {
        *out = "application/octet-stream";
        return MULTIPART_OK;
    }
    struct mp_value v;
    enum multipart_err e = mp_parse_value(a, value, n, true, &v);
    if (e != MULTIPART_OK)
        return e;
    if (v.token_len > MULTIPART_MAX_TYPE_BYTES)
        return MULTIPART_ERR_SYNTAX;
    char *t = arena_strndup(a, v.token, v.token_len);
    for (char *p = t; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    *out = t;
    return MULTIPART_OK;
}

/* A text part's Content-Type may name a charset: only UTF-8 (or its subset US-ASCII) is read. */
static enum multipart_err mp_text_type(struct arena *a, const char *value, size_t n)
{
    if (!value)
        return MULTIPART_OK;
    struct mp_value v;
    enum multipart_err e = mp_parse_value(a, value, n, true, &v);
    if (e != MULTIPART_OK)
        return e;
    const struct mp_param *cs = mp_param(&v, "charset");
    if (cs && !mp_name_is(cs->value, cs->value_len, "utf-8") &&
        !mp_name_is(cs->value, cs->value_len, "us-ascii"))
        return MULTIPART_ERR_ENCODING;
    return MULTIPART_OK;
}

/* The headers of one part that we read; others are ignored (RFC 7578 4.8). */
struct mp_headers {
    const char *disposition, *type, *encoding;
    size_t disposition_len, type_len, encoding_len;
};

static enum multipart_err mp_headers(const char *s, size_t n, struct mp_headers *h)
{
    memset(h, 0, sizeof(*h));
    size_t lines = 0, i = 0;
    while (i < n) {
        const char *eol = memmem(s + i, n - i, "\r\n", 2);
        size_t end = eol ? (size_t)(eol - s) : n;
        if (++lines > MULTIPART_MAX_HEADER_LINES)
            return MULTIPART_ERR_HEADER_SIZE;
        const char *line = s + i;
        size_t len = end - i;
        if (len == 0 || mp_is_ows(line[0]))
            return MULTIPART_ERR_SYNTAX; /* obsolete line folding */
        size_t colon = 0;
        while (colon < len && mp_is_tchar((unsigned char)line[colon]))
            colon++;
        if (colon == 0 || colon == len || line[colon] != ':')
            return MULTIPART_ERR_SYNTAX;
        size_t v = colon + 1, ve = len;
        for (size_t k = v; k < len; k++)
            if (!mp_is_value_byte((unsigned char)line[k]))
                return MULTIPART_ERR_SYNTAX; /* bare CR or LF, NUL, controls */
        while (v < ve && mp_is_ows(line[v]))
            v++;
        while (ve > v && mp_is_ows(line[ve - 1]))
            ve--;
        const char **slot = NULL;
        size_t *slot_len = NULL;
        if (mp_name_is(line, colon, "Content-Disposition")) {
            slot = &h->disposition;
            slot_len = &h->disposition_len;
        } else if (mp_name_is(line, colon, "Content-Type")) {
            slot = &h->type;
            slot_len = &h->type_len;
        } else if (mp_name_is(line, colon, "Content-Transfer-Encoding")) {
            slot = &h->encoding;
            slot_len = &h->encoding_len;
        }
        if (slot) {
            if (*slot)
                return mp_name_is(line, colon, "Content-Disposition") ? MULTIPART_ERR_DISPOSITION
                                                                      : MULTIPART_ERR_SYNTAX;
            *slot = line + v;
            *slot_len = ve - v;
        }
        i = eol ? end + 2 : n;
    }
    return MULTIPART_OK;
}

/* One part: its header block s[0, hn) and its content. */
static enum multipart_err mp_part(struct arena *a, const char *hs, size_t hn,
                                  const unsigned char *data, size_t len, struct multipart *out)
{
    struct mp_headers h;
    enum multipart_err e = mp_headers(hs, hn, &h);
    if (e != MULTIPART_OK)
        return e;
    if (!h.disposition)
        return MULTIPART_ERR_DISPOSITION;
    if (h.encoding && !mp_name_is(h.encoding, h.encoding_len, "binary") &&
        !mp_name_is(h.encoding, h.encoding_len, "8bit") &&
        !mp_name_is(h.encoding, h.encoding_len, "7bit"))
        return MULTIPART_ERR_ENCODING; /* base64 or quoted-printable: RFC 7578 4.7 */
    struct mp_value d;
    if (mp_parse_value(a, h.disposition, h.disposition_len, false, &d) != MULTIPART_OK ||
        !mp_name_is(d.token, d.token_len, "form-data"))
        return MULTIPART_ERR_DISPOSITION;
    const struct mp_param *name = mp_param(&d, "name");
    if (!name || name->value_len == 0)
        return MULTIPART_ERR_DISPOSITION;
    if (memchr(name->value, '\0', name->value_len) ||
        !html_utf8_valid(name->value, name->value_len))
        return MULTIPART_ERR_ENCODING;
    const struct mp_param *fn = mp_param(&d, "filename"), *fx = mp_param(&d, "filename*");
    if (fn || fx) {
        if (out->nfiles == MULTIPART_MAX_FILES)
            return MULTIPART_ERR_TOO_MANY;
        struct req_file *f = &out->files[out->nfiles];
        f->field = name->value;
        f->filename = mp_filename(a, fn, fx, &e);
        if (!f->filename)
            return e;
        e = mp_file_type(a, h.type, h.type_len, &f->content_type);
        if (e != MULTIPART_OK)
            return e;
        f->data = data;
        f->len = len;
        out->nfiles++;
        return MULTIPART_OK;
    }
    e = mp_text_type(a, h.type, h.type_len);
    if (e != MULTIPART_OK)
        return e;
    if (len > HTTP_MAX_FIELD_BYTES)
        return MULTIPART_ERR_TOO_LONG;
    if (memchr(data, '\0', len) || !html_utf8_valid((const char *)data, len))
        return MULTIPART_ERR_ENCODING;
    if (out->nfields == HTTP_MAX_FIELDS)
        return MULTIPART_ERR_TOO_MANY;
    out->fields[out->nfields].name = name->value;
    out->fields[out->nfields].value = arena_strndup(a, (const char *)data, len);
    out->nfields++;
    return MULTIPART_OK;
}

static const unsigned char *mp_find(const unsigned char *s, size_t n, const char *needle, size_t nn)
{
    return n < nn ? NULL : memmem(s, n, needle, nn);
}

static enum multipart_err mp_body(struct arena *a, const char *boundary, const unsigned char *s,
                                  size_t n, struct multipart *out)
{
    size_t bl = strlen(boundary);
    /* "\r\n--" boundary: the delimiter between parts; the first one has no CRLF before it. */
    char *delim = arena_printf(a, "\r\n--%s", boundary);
    size_t dl = bl + 4;
    if (n < dl - 2 || memcmp(s, delim + 2, dl - 2) != 0)
        return MULTIPART_ERR_SYNTAX; /* no preamble: browsers never send one */
    size_t pos = dl - 2, parts = 0;
    for (;;) {
        if (n - pos >= 2 && s[pos] == '-' && s[pos + 1] == '-')
            return MULTIPART_OK; /* close delimiter; the epilogue is ignored (RFC 2046) */
        while (pos < n && mp_is_ows((char)s[pos]))
            pos++; /* transport padding */
        if (n - pos < 2 || s[pos] != '\r' || s[pos + 1] != '\n')
            return MULTIPART_ERR_SYNTAX;
        pos += 2;
        if (++parts > MULTIPART_MAX_PARTS)
            return MULTIPART_ERR_TOO_MANY;

        size_t hn, content;
        if (n - pos >= 2 && s[pos] == '\r' && s[pos + 1] == '\n') {
            hn = 0; /* no headers at all: refused below for want of a Content-Disposition */
            content = pos + 2;
        } else {
            size_t window = n - pos;
            if (window > MULTIPART_MAX_HEADER_BYTES + 4)
                window = MULTIPART_MAX_HEADER_BYTES + 4;
            const unsigned char *end = mp_find(s + pos, window, "\r\n\r\n", 4);
            if (!end)
                return window == n - pos ? MULTIPART_ERR_SYNTAX : MULTIPART_ERR_HEADER_SIZE;
            hn = (size_t)(end - (s + pos));
            if (hn > MULTIPART_MAX_HEADER_BYTES)
                return MULTIPART_ERR_HEADER_SIZE;
            content = pos + hn + 4;
        }
        const unsigned char *next = mp_find(s + content, n - content, delim, dl);
        if (!next)
            return MULTIPART_ERR_SYNTAX; /* truncated: no delimiter after the part */
        size_t clen = (size_t)(next - (s + content));
        enum multipart_err e = mp_part(a, (const char *)s + pos, hn, s + content, clen, out);
        if (e != MULTIPART_OK)
            return e;
        pos = content + clen + dl;
    }
}

enum multipart_err multipart_parse(struct arena *a, const char *content_type, const void *body,
                                   size_t len, struct multipart *out)
{
    memset(out, 0, sizeof(*out));
    const char *boundary;
    enum multipart_err e = multipart_boundary(a, content_type, &boundary);
    if (e != MULTIPART_OK)
        return e;
    if (!body)
        return MULTIPART_ERR_SYNTAX;
    struct multipart m = {
        .fields = arena_calloc(a, HTTP_MAX_FIELDS, sizeof(struct kv)),
        .files = arena_calloc(a, MULTIPART_MAX_FILES, sizeof(struct req_file)),
    };
    e = mp_body(a, boundary, body, len, &m);
    if (e == MULTIPART_OK)
        *out = m;
    return e;
}

const struct req_file *req_file(const struct req *r, const char *name)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i].field, name) && r->files[i].len > 0)
            return &r->files[i];
    return NULL;
}
