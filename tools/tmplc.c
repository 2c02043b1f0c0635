/*
 * tmplc: the template compiler. Reads the .html files under templates/ and writes one C file and
 * its header (build/gen/templates.{c,h}), one function per template. It owns the template language
 * and the HTML context model: a small tokenizer follows every byte of markup so each {{tag}} knows
 * whether it stands in text, a quoted attribute value, a URL attribute, a tag name, a comment
 * or a <script>/<style> element, and picks the escaper (or refuses to compile) accordingly.
 *
 *   tmplc --root templates [--prefix tmpl_] --out-c F.c --out-h F.h file.html|file.txt...
 *
 * Errors are reported as "file:line: reason" and exit with status 1; nothing is written then
 * (outputs are written to F.tmp and renamed), so make never sees a half-generated file.
 *
 * Block tags ({{#if}}, {{else}}, {{/each}} ...) may stand anywhere a literal may, including
 * inside a tag ("<input {{#if on}}checked{{/if}}>"), but every branch must end in the same HTML
 * context it started in, so the context of whatever follows does not depend on run-time data.
 * An attribute name may not run across a block tag, for the same reason.
 *
 * Plain-text templates (".txt" files, e.g. the plain part of an e-mail) use the same language
 * without the HTML context model: every value and translated string is inserted as it is
 * (TMPL_CTX_PLAIN), because there is no markup to break. Their template name keeps the suffix
 * ("mail/verification_code.txt", C name tmpl_mail_verification_code_txt), and they may include
 * only plain-text partials, as HTML templates may include only HTML ones, so no text ever reaches
 * a page unescaped.
 *
 * Linked with src/util/{arena,buf}.c and src/web/html.c (libc only); tmpl_hash comes from
 * src/web/tmpl.h so the compile-time key hashes match the run time. fuzz/fuzz_tmplc.c includes
 * this file with TMPLC_NO_MAIN defined.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "web/html.h"
#include "web/tmpl.h"

#define TMPLC_SRC_MAX   (4u << 20)  /* one template file */
#define TMPLC_OUT_MAX   (64u << 20) /* generated C */
#define TMPLC_DEPTH_MAX 64          /* nested blocks in one template */
#define TMPLC_NAME_MAX  32          /* tag and attribute names tracked; longer ones are unknown */
#define TMPLC_MSG_MAX   256
#define TMPLC_TMPL_MAX  4096 /* templates in one run */

/* ---- HTML context ------------------------------------------------------------------------ */

enum hstate {
    H_DATA,
    H_TAG_OPEN,
    H_END_TAG_OPEN,
    H_TAG_NAME,
    H_BEFORE_ATTR_NAME,
    H_ATTR_NAME,
    H_AFTER_ATTR_NAME,
    H_BEFORE_ATTR_VALUE,
    H_ATTR_DQ,
    H_ATTR_SQ,
    H_ATTR_UNQ,
    H_AFTER_ATTR_VALUE,
    H_SELF_CLOSING,
    H_MARKUP_OPEN,
    H_MARKUP_DASH,
    H_COMMENT,
    H_DECL,
    H_RAW,    /* <script>, <style> ...: no escaping possible */
    H_RCDATA, /* <title>, <textarea>: text escaping works */
};

/* States grouped by what an output tag there would mean; blocks must not change the class. */
enum hclass {
    C_TEXT,
    C_TAGNAME,
    C_INTAG,
    C_BEFORE_VALUE,
    C_DQ,
    C_SQ,
    C_UNQ,
    C_COMMENT,
    C_DECL,
    C_RAW,
    C_RCDATA
};

struct html {
    enum hstate st;
    bool end_tag;
    bool value_started; /* the current attribute value already has content */
    bool boundary;      /* a block tag just passed; see html_step */
    int dashes;         /* consecutive '-' in a comment */
    int raw_match;      /* progress matching "</name" in RAW/RCDATA, -1 when not matching */
    size_t tag_len, attr_len;
    char tag[TMPLC_NAME_MAX + 2];
    char attr[TMPLC_NAME_MAX + 2];
    char raw[TMPLC_NAME_MAX + 2]; /* element whose end tag leaves RAW/RCDATA */
};

static bool html_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool html_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Names are lower-cased; a name longer than TMPLC_NAME_MAX keeps one extra byte so it can
   never equal a known name. */
static void html_name_add(char *name, size_t *len, char c)
{
    if (*len > TMPLC_NAME_MAX)
        return;
    name[(*len)++] = (char)tolower((unsigned char)c);
    name[*len] = '\0';
}

static bool html_in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

static const char *const html_raw_elements[] = {
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext", NULL};
static const char *const html_rcdata_elements[] = {"title", "textarea", NULL};
static const char *const html_url_attrs[] = {
    "href",      "src",        "action",     "formaction", "poster",   "cite",
    "data-href", "xlink:href", "background", "ping",       "manifest", "codebase",
    "longdesc",  "usemap",     "icon",       "data",       "lowsrc",   "dynsrc",
    "profile",   "classid",    "archive",    NULL};
/* Quoted values of these are script, CSS, markup or URL lists: attribute escaping does not
   make a value safe there (the browser decodes it, then runs it). */
static const char *const html_unsafe_attrs[] = {"style", "srcdoc", "srcset", "imagesrcset", NULL};

static bool html_attr_unsafe(const char *name)
{
    if (name[0] == 'o' && name[1] == 'n' && strcmp(name, "open") != 0)
        return true; /* event handlers */
    return html_in_list(name, html_unsafe_attrs);
}

static void html_tag_end(struct html *h)
{
    h->st = H_DATA;
    if (h->end_tag)
        return;
    bool raw = html_in_list(h->tag, html_raw_elements);
    if (raw || html_in_list(h->tag, html_rcdata_elements)) {
        h->st = raw ? H_RAW : H_RCDATA;
        memcpy(h->raw, h->tag, sizeof(h->raw));
        h->raw_match = -1;
    }
}

/* Feeds one byte of literal markup. Returns NULL, or the reason the byte cannot stand here. */
static const char *html_step(struct html *h, char c)
{
    if (h->boundary) {
        h->boundary = false;
        if (h->st == H_ATTR_NAME && !html_ws(c) && c != '/' && c != '>')
            return "an attribute name runs across a block tag; end it before the tag";
        if (h->st == H_AFTER_ATTR_NAME && c == '=')
            return "an attribute value follows a block tag; keep the whole attribute inside "
                   "the block";
    }
again:
    switch (h->st) {
    case H_DATA:
        if (c == '<')
            h->st = H_TAG_OPEN;
        break;
    case H_TAG_OPEN:
        if (c == '!') {
            h->st = H_MARKUP_OPEN;
        } else if (c == '/') {
            h->st = H_END_TAG_OPEN;
        } else if (html_alpha(c)) {
            h->end_tag = false;
            h->tag_len = 0;
            html_name_add(h->tag, &h->tag_len, c);
            h->st = H_TAG_NAME;
        } else if (c == '?') {
            h->st = H_DECL;
        } else {
            h->st = H_DATA;
            goto again;
        }
        break;
    case H_END_TAG_OPEN:
        if (html_alpha(c)) {
            h->end_tag = true;
            h->tag_len = 0;
            html_name_add(h->tag, &h->tag_len, c);
            h->st = H_TAG_NAME;
        } else {
            h->st = c == '>' ? H_DATA : H_DECL;
        }
        break;
    case H_TAG_NAME:
        if (html_ws(c))
            h->st = H_BEFORE_ATTR_NAME;
        else if (c == '/')
            h->st = H_SELF_CLOSING;
        else if (c == '>')
            html_tag_end(h);
        else
            html_name_add(h->tag, &h->tag_len, c);
        break;
    case H_BEFORE_ATTR_NAME:
    case H_AFTER_ATTR_NAME:
        if (html_ws(c))
            break;
        if (c == '/') {
            h->st = H_SELF_CLOSING;
        } else if (c == '>') {
            html_tag_end(h);
        } else if (c == '=' && h->st == H_AFTER_ATTR_NAME) {
            h->st = H_BEFORE_ATTR_VALUE;
        } else {
            h->attr_len = 0;
            html_name_add(h->attr, &h->attr_len, c);
            h->st = H_ATTR_NAME;
        }
        break;
    case H_ATTR_NAME:
        if (html_ws(c))
            h->st = H_AFTER_ATTR_NAME;
        else if (c == '/')
            h->st = H_SELF_CLOSING;
        else if (c == '>')
            html_tag_end(h);
        else if (c == '=')
            h->st = H_BEFORE_ATTR_VALUE;
        else
            html_name_add(h->attr, &h->attr_len, c);
        break;
    case H_BEFORE_ATTR_VALUE:
        h->value_started = false;
        if (html_ws(c))
            break;
        if (c == '"')
            h->st = H_ATTR_DQ;
        else if (c == '\'')
            h->st = H_ATTR_SQ;
        else if (c == '>')
            html_tag_end(h);
        else
            h->st = H_ATTR_UNQ;
        break;
    case H_ATTR_DQ:
    case H_ATTR_SQ:
        if (c == (h->st == H_ATTR_DQ ? '"' : '\''))
            h->st = H_AFTER_ATTR_VALUE;
        else
            h->value_started = true;
        break;
    case H_ATTR_UNQ:
        if (html_ws(c))
            h->st = H_BEFORE_ATTR_NAME;
        else if (c == '>')
            html_tag_end(h);
        break;
    case H_AFTER_ATTR_VALUE:
    case H_SELF_CLOSING:
        if (c == '>') {
            html_tag_end(h);
        } else {
            h->st = H_BEFORE_ATTR_NAME;
            if (!html_ws(c))
                goto again;
        }
        break;
    case H_MARKUP_OPEN:
    case H_MARKUP_DASH:
        if (c == '-') {
            if (h->st == H_MARKUP_DASH) {
                h->st = H_COMMENT;
                h->dashes = 0;
            } else {
                h->st = H_MARKUP_DASH;
            }
        } else {
            h->st = c == '>' ? H_DATA : H_DECL;
        }
        break;
    case H_COMMENT:
        if (c == '-')
            h->dashes++;
        else if (c == '>' && h->dashes >= 2)
            h->st = H_DATA;
        else
            h->dashes = 0;
        break;
    case H_DECL:
        if (c == '>')
            h->st = H_DATA;
        break;
    case H_RAW:
    case H_RCDATA: {
        size_t n = strlen(h->raw);
        if (h->raw_match < 0) {
            if (c == '<')
                h->raw_match = 0;
        } else if (h->raw_match == 0) {
            h->raw_match = c == '/' ? 1 : (c == '<' ? 0 : -1);
        } else if ((size_t)h->raw_match <= n) {
            if (tolower((unsigned char)c) == h->raw[h->raw_match - 1])
                h->raw_match++;
            else
                h->raw_match = c == '<' ? 0 : -1;
        } else if (html_ws(c) || c == '/' || c == '>') {
            h->end_tag = true;
            memcpy(h->tag, h->raw, sizeof(h->tag));
            h->tag_len = n;
            h->st = H_BEFORE_ATTR_NAME;
            goto again;
        } else {
            h->raw_match = c == '<' ? 0 : -1;
        }
        break;
    }
    }
    return NULL;
}

static enum hclass html_class(const struct html *h)
{
    switch (h->st) {
    case H_DATA:
        return C_TEXT;
    case H_TAG_OPEN:
    case H_END_TAG_OPEN:
    case H_TAG_NAME:
    case H_MARKUP_OPEN:
    case H_MARKUP_DASH:
        return C_TAGNAME;
    case H_BEFORE_ATTR_NAME:
    case H_ATTR_NAME:
    case H_AFTER_ATTR_NAME:
    case H_AFTER_ATTR_VALUE:
    case H_SELF_CLOSING:
        return C_INTAG;
    case H_BEFORE_ATTR_VALUE:
        return C_BEFORE_VALUE;
    case H_ATTR_DQ:
        return C_DQ;
    case H_ATTR_SQ:
        return C_SQ;
    case H_ATTR_UNQ:
        return C_UNQ;
    case H_COMMENT:
        return C_COMMENT;
    case H_DECL:
        return C_DECL;
    case H_RAW:
        return C_RAW;
    case H_RCDATA:
        return C_RCDATA;
    }
    return C_DECL;
}

/* Same context for everything that follows: same class, same element, same attribute. */
static bool html_same_ctx(const struct html *a, const struct html *b)
{
    enum hclass c = html_class(a);
    if (c != html_class(b))
        return false;
    switch (c) {
    case C_INTAG:
        return a->end_tag == b->end_tag && strcmp(a->tag, b->tag) == 0;
    case C_BEFORE_VALUE:
    case C_DQ:
    case C_SQ:
    case C_UNQ:
        return strcmp(a->tag, b->tag) == 0 && strcmp(a->attr, b->attr) == 0;
    case C_RAW:
    case C_RCDATA:
        return strcmp(a->raw, b->raw) == 0 && a->raw_match == b->raw_match;
    default:
        return true;
    }
}

/* ---- Compiler state ---------------------------------------------------------------------- */

struct ref {
    const char *name;
    int line;
};

struct tpl {
    const char *file;
    bool plain;        /* a .txt template: no HTML context, values inserted as they are */
    const char *name;  /* "office/home" */
    const char *ident; /* "office_home" */
    struct buf body;   /* the static body function */
    struct ref *refs;  /* partials used */
    size_t nrefs, refs_cap;
    int mark; /* cycle check: 0 new, 1 on the path, 2 done */
};

struct gen {
    struct arena arena;
    const char *prefix;
    struct tpl *tpls;
    size_t ntpls;
    const char **keys; /* distinct dotted paths, emitted as K<n> */
    size_t nkeys, keys_cap;
    char err[TMPLC_MSG_MAX + 64]; /* "file:line: reason" */
};

enum block_kind { B_IF, B_UNLESS, B_EACH };

struct block {
    enum block_kind kind;
    int line;
    bool has_else;
    int each_id;
    struct html open;     /* context where the block opened */
    struct html then_end; /* context at {{else}} */
};

struct comp {
    struct gen *g;
    struct tpl *t;
    const char *src;
    size_t len, pos;
    int line;
    struct html h;
    struct block blocks[TMPLC_DEPTH_MAX];
    int depth;
    int eachs[TMPLC_DEPTH_MAX]; /* ids of the #each scopes in effect, innermost last */
    int neach;
    int next_each;
    struct buf lit; /* literal text not yet emitted */
};

enum path_kind { P_NAME, P_DOT, P_INDEX, P_FIRST, P_LAST };

struct path {
    enum path_kind kind;
    const char *text; /* dotted path for P_NAME */
    size_t nseg;
};

static const char *const block_names[] = {"if", "unless", "each"};

__attribute__((format(printf, 4, 5))) static int gen_fail(struct gen *g, const char *file, int line,
                                                          const char *fmt, ...)
{
    char msg[TMPLC_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(g->err, sizeof(g->err), "%s:%d: %s", file, line, msg);
    else
        snprintf(g->err, sizeof(g->err), "%s: %s", file, msg);
    return -1;
}

/* Plain-text templates are named "<path>.txt". */
static bool tmplc_is_txt(const char *name, size_t n)
{
    return n > 4 && memcmp(name + n - 4, ".txt", 4) == 0;
}

static void gen_init(struct gen *g, const char *prefix)
{
    memset(g, 0, sizeof(*g));
    arena_init(&g->arena, 0);
    g->prefix = prefix;
    g->tpls = arena_calloc(&g->arena, TMPLC_TMPL_MAX, sizeof(*g->tpls));
}

static void gen_free(struct gen *g)
{
    for (size_t i = 0; i < g->ntpls; i++)
        buf_free(&g->tpls[i].body);
    arena_free(&g->arena);
}

/* ---- C output helpers -------------------------------------------------------------------- */

static void c_indent(struct buf *b, int depth)
{
    for (int i = 0; i < depth + 1; i++)
        buf_append(b, "    ", 4);
}

/* A C string literal body. Octal escapes (three digits, never extended by what follows); "??"
   is split because -std=c17 turns trigraphs on. With split_lines, a literal newline also
   closes the string and starts a new line of source, for readable output. */
static void c_string(struct buf *b, const char *s, size_t n, bool split_lines, int depth)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            if (split_lines && i + 1 < n) {
                buf_puts(b, "\"\n");
                c_indent(b, depth + 1);
                buf_putc(b, '"');
            }
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '?':
            buf_puts(b, i > 0 && s[i - 1] == '?' ? "\\?" : "?");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(b, "\\%03o", c);
            else
                buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

static void comp_flush(struct comp *c)
{
    if (c->lit.len == 0)
        return;
    struct buf *b = &c->t->body;
    c_indent(b, c->depth);
    buf_puts(b, "buf_append(o->out, ");
    c_string(b, c->lit.data, c->lit.len, true, c->depth);
    buf_printf(b, ", %zu);\n", c->lit.len);
    buf_reset(&c->lit);
}

/* ---- Paths, keys and scopes -------------------------------------------------------------- */

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

/* Parses a path at s[0..n) exactly; returns false when it is not one. */
static bool path_parse(struct comp *c, const char *s, size_t n, struct path *p)
{
    memset(p, 0, sizeof(*p));
    if (n == 1 && s[0] == '.') {
        p->kind = P_DOT;
        return true;
    }
    if (n > 0 && s[0] == '@') {
        static const struct {
            const char *name;
            enum path_kind kind;
        } special[] = {{"@index", P_INDEX}, {"@first", P_FIRST}, {"@last", P_LAST}};
        for (size_t i = 0; i < 3; i++)
            if (strlen(special[i].name) == n && memcmp(s, special[i].name, n) == 0) {
                p->kind = special[i].kind;
                return true;
            }
        return false;
    }
    size_t seg = 0;
    p->nseg = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (seg == 0 || ++p->nseg > TMPL_PATH_MAX)
                return false;
            seg = 0;
        } else if (name_char(s[i])) {
            seg++;
        } else {
            return false;
        }
    }
    if (seg == 0)
        return false;
    p->kind = P_NAME;
    p->text = arena_strndup(&c->g->arena, s, n);
    return true;
}

static size_t gen_key(struct gen *g, const char *path)
{
    for (size_t i = 0; i < g->nkeys; i++)
        if (strcmp(g->keys[i], path) == 0)
            return i;
    if (g->nkeys == g->keys_cap) {
        size_t cap = g->keys_cap ? g->keys_cap * 2 : 64;
        const char **n = arena_calloc(&g->arena, cap, sizeof(*n));
        if (g->nkeys)
            memcpy(n, g->keys, g->nkeys * sizeof(*n));
        g->keys = n;
        g->keys_cap = cap;
    }
    g->keys[g->nkeys] = path;
    return g->nkeys++;
}

/* The C expression of the current scope (a const struct tmpl_scope *). */
static void comp_scope(struct comp *c, struct buf *b)
{
    if (c->neach == 0)
        buf_puts(b, "s");
    else
        buf_printf(b, "&e%d", c->eachs[c->neach - 1]);
}

/* The C expression of a value (const struct tv *). */
static void comp_value(struct comp *c, struct buf *b, const struct path *p)
{
    if (p->kind == P_DOT) {
        if (c->neach == 0)
            buf_puts(b, "s->v");
        else
            buf_printf(b, "e%d.v", c->eachs[c->neach - 1]);
        return;
    }
    buf_puts(b, "tmpl_lookup(");
    comp_scope(c, b);
    buf_printf(b, ", K%zu, %zu)", gen_key(c->g, p->text), p->nseg);
}

static int comp_need_each(struct comp *c, int line, const char *what)
{
    if (c->neach == 0)
        return gen_fail(c->g, c->t->file, line, "%s outside {{#each}}", what);
    return 0;
}

/* ---- Tags -------------------------------------------------------------------------------- */

static const char *const ctx_names[] = {"TMPL_CTX_TEXT", "TMPL_CTX_ATTR", "TMPL_CTX_URL",
                                        "TMPL_CTX_URL_PART", "TMPL_CTX_PLAIN"};

/* Where an output tag ({{x}} or {{_ "..."}}) stands decides its escaper, or that it is an
   error. */
static int comp_out_ctx(struct comp *c, int line, const char *what, enum tmpl_ctx *ctx)
{
    struct html *h = &c->h;
    const char *f = c->t->file;
    if (c->t->plain) {
        *ctx = TMPL_CTX_PLAIN;
        return 0;
    }
    switch (html_class(h)) {
    case C_TEXT:
        *ctx = TMPL_CTX_TEXT;
        return 0;
    case C_RCDATA:
        if (h->raw_match > 0)
            return gen_fail(c->g, f, line, "%s inside a closing tag", what);
        *ctx = TMPL_CTX_TEXT;
        return 0;
    case C_RAW:
        return gen_fail(c->g, f, line, "%s inside <%s> (raw text cannot be escaped)", what, h->raw);
    case C_COMMENT:
        return gen_fail(c->g, f, line, "%s inside an HTML comment", what);
    case C_DECL:
        return gen_fail(c->g, f, line, "%s inside a markup declaration", what);
    case C_TAGNAME:
    case C_INTAG:
        return gen_fail(c->g, f, line, "%s in a tag or attribute name", what);
    case C_BEFORE_VALUE:
    case C_UNQ:
        return gen_fail(c->g, f, line, "%s in an unquoted attribute value (quote it)", what);
    case C_DQ:
    case C_SQ:
        if (html_attr_unsafe(h->attr))
            return gen_fail(c->g, f, line,
                            "%s in attribute %s (script, style or markup: cannot be escaped)", what,
                            h->attr);
        if (html_in_list(h->attr, html_url_attrs))
            *ctx = h->value_started ? TMPL_CTX_URL_PART : TMPL_CTX_URL;
        else
            *ctx = TMPL_CTX_ATTR;
        h->value_started = true;
        return 0;
    }
    return gen_fail(c->g, f, line, "%s in an unknown context", what);
}

static int comp_print(struct comp *c, int line, const struct path *p)
{
    enum tmpl_ctx ctx;
    if (p->kind == P_FIRST || p->kind == P_LAST)
        return gen_fail(c->g, c->t->file, line, "%s is a boolean: use it in {{#if}}",
                        p->kind == P_FIRST ? "@first" : "@last");
    if (p->kind == P_INDEX && comp_need_each(c, line, "@index") < 0)
        return -1;
    if (comp_out_ctx(c, line, "variable", &ctx) < 0)
        return -1;
    comp_flush(c);
    struct buf *b = &c->t->body;
    c_indent(b, c->depth);
    if (p->kind == P_INDEX) {
        buf_printf(b, "tmpl_emit_index(o, e%d.index);\n", c->eachs[c->neach - 1]);
        return 0;
    }
    buf_printf(b, "tmpl_emit(o, %s, ", ctx_names[ctx]);
    comp_value(c, b, p);
    buf_puts(b, ");\n");
    return 0;
}

/* Every '{' in a msgid must start a {path} placeholder: a typo would otherwise reach people. */
static int comp_check_placeholders(struct comp *c, int line, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '}')
            return gen_fail(c->g, c->t->file, line, "stray '}' in translated string");
        if (s[i] != '{')
            continue;
        const char *end = memchr(s + i, '}', n - i);
        struct path p;
        if (!end || !path_parse(c, s + i + 1, (size_t)(end - s - i - 1), &p) || p.kind != P_NAME)
            return gen_fail(c->g, c->t->file, line,
                            "bad placeholder in translated string (want {name} or {a.b})");
        i = (size_t)(end - s);
    }
    return 0;
}

static int comp_translate(struct comp *c, int line, const char *msgid, size_t n)
{
    enum tmpl_ctx ctx;
    if (n == 0)
        return gen_fail(c->g, c->t->file, line, "empty translated string");
    if (comp_check_placeholders(c, line, msgid, n) < 0)
        return -1;
    if (comp_out_ctx(c, line, "translated string", &ctx) < 0)
        return -1;
    comp_flush(c);
    struct buf *b = &c->t->body;
    c_indent(b, c->depth);
    buf_printf(b, "tmpl_emit_tr(o, %s, ", ctx_names[ctx]);
    comp_scope(c, b);
    buf_puts(b, ", tr(o->lang, ");
    c_string(b, msgid, n, false, 0);
    buf_puts(b, "));\n");
    return 0;
}

static int comp_open(struct comp *c, int line, enum block_kind kind, const struct path *p)
{
    enum hclass cls = html_class(&c->h);
    if (cls == C_TAGNAME)
        return gen_fail(c->g, c->t->file, line, "block tag inside a tag name");
    if ((cls == C_RAW || cls == C_RCDATA) && c->h.raw_match > 0)
        return gen_fail(c->g, c->t->file, line, "block tag inside a closing tag");
    if (c->depth + 2 > TMPLC_DEPTH_MAX)
        return gen_fail(c->g, c->t->file, line, "blocks nested deeper than %d", TMPLC_DEPTH_MAX);
    if (p->kind == P_INDEX || p->kind == P_FIRST || p->kind == P_LAST) {
        if (kind == B_EACH)
            return gen_fail(c->g, c->t->file, line, "{{#each}} needs a list");
        if (comp_need_each(c, line, "@index, @first and @last") < 0)
            return -1;
    }
    comp_flush(c);
    struct buf *b = &c->t->body;
    struct block *blk = &c->blocks[c->depth];
    memset(blk, 0, sizeof(*blk));
    blk->kind = kind;
    blk->line = line;
    blk->open = c->h;
    c_indent(b, c->depth);
    if (kind == B_EACH) {
        int id = c->next_each++;
        blk->each_id = id;
        buf_printf(b, "{\n");
        c_indent(b, c->depth + 1);
        buf_printf(b, "const struct tv *l%d = ", id);
        comp_value(c, b, p);
        buf_puts(b, ";\n");
        c_indent(b, c->depth + 1);
        buf_printf(b, "const size_t n%d = tmpl_list_len(l%d);\n", id, id);
        c_indent(b, c->depth + 1);
        buf_printf(b, "for (size_t i%d = 0; i%d < n%d; i%d++) {\n", id, id, id, id);
        c_indent(b, c->depth + 2);
        buf_printf(b, "const struct tmpl_scope e%d = {tmpl_list_at(l%d, i%d), ", id, id, id);
        comp_scope(c, b);
        buf_printf(b, ", i%d, n%d};\n", id, id);
        c_indent(b, c->depth + 2);
        buf_printf(b, "(void)e%d;\n", id);
        c->eachs[c->neach++] = id;
    } else {
        buf_puts(b, kind == B_IF ? "if (" : "if (!(");
        int e = c->neach ? c->eachs[c->neach - 1] : -1;
        switch (p->kind) {
        case P_INDEX:
            buf_printf(b, "e%d.index != 0", e);
            break;
        case P_FIRST:
            buf_printf(b, "e%d.index == 0", e);
            break;
        case P_LAST:
            buf_printf(b, "e%d.index + 1 == e%d.count", e, e);
            break;
        default:
            buf_puts(b, "tv_truthy(");
            comp_value(c, b, p);
            buf_puts(b, ")");
        }
        buf_puts(b, kind == B_IF ? ") {\n" : ")) {\n");
    }
    /* The body of #each sits two levels in ("{" and "for"); the block record goes on top so
       {{else}} and the close find it at depth - 1. */
    c->depth += kind == B_EACH ? 2 : 1;
    if (kind == B_EACH)
        c->blocks[c->depth - 1] = *blk;
    c->h.boundary = true;
    if (cls == C_COMMENT)
        c->h.dashes = 0;
    return 0;
}

static int comp_ctx_check(struct comp *c, int line, const struct block *blk)
{
    if (html_same_ctx(&c->h, &blk->open))
        return 0;
    return gen_fail(c->g, c->t->file, line,
                    "{{#%s}} from line %d: this branch ends in a different HTML context than "
                    "it started (close every tag, quote and comment inside the branch)",
                    block_names[blk->kind], blk->line);
}

static int comp_else(struct comp *c, int line)
{
    if (c->depth == 0)
        return gen_fail(c->g, c->t->file, line, "{{else}} outside a block");
    struct block *blk = &c->blocks[c->depth - 1];
    if (blk->has_else)
        return gen_fail(c->g, c->t->file, line, "second {{else}} in {{#%s}} from line %d",
                        block_names[blk->kind], blk->line);
    if (comp_ctx_check(c, line, blk) < 0)
        return -1;
    comp_flush(c);
    blk->has_else = true;
    blk->then_end = c->h;
    c->h = blk->open;
    c->h.boundary = true;
    struct buf *b = &c->t->body;
    if (blk->kind == B_EACH) {
        /* The else branch of #each runs once, for an empty list, in the outer scope. */
        c->neach--;
        c_indent(b, c->depth - 1);
        buf_puts(b, "}\n");
        c_indent(b, c->depth - 1);
        buf_printf(b, "if (n%d == 0) {\n", blk->each_id);
    } else {
        c_indent(b, c->depth - 1);
        buf_puts(b, "} else {\n");
    }
    return 0;
}

static int comp_close(struct comp *c, int line, const char *word, size_t n)
{
    enum block_kind kind;
    if (n == 2 && memcmp(word, "if", 2) == 0)
        kind = B_IF;
    else if (n == 6 && memcmp(word, "unless", 6) == 0)
        kind = B_UNLESS;
    else if (n == 4 && memcmp(word, "each", 4) == 0)
        kind = B_EACH;
    else
        return gen_fail(c->g, c->t->file, line, "unknown block {{/%.*s}}", (int)n, word);
    if (c->depth == 0)
        return gen_fail(c->g, c->t->file, line, "{{/%s}} without an open block", block_names[kind]);
    struct block *blk = &c->blocks[c->depth - 1];
    if (blk->kind != kind)
        return gen_fail(c->g, c->t->file, line, "{{/%s}} closes {{#%s}} from line %d",
                        block_names[kind], block_names[blk->kind], blk->line);
    if (comp_ctx_check(c, line, blk) < 0)
        return -1;
    comp_flush(c);
    struct block done = *blk;
    if (done.has_else)
        c->h.value_started |= done.then_end.value_started;
    c->h.boundary = true;
    struct buf *b = &c->t->body;
    c->depth--;
    c_indent(b, c->depth);
    buf_puts(b, "}\n");
    if (kind == B_EACH) {
        if (!done.has_else)
            c->neach--;
        c->depth--;
        c_indent(b, c->depth);
        buf_puts(b, "}\n");
    }
    return 0;
}

static int comp_partial(struct comp *c, int line, const char *name, size_t n)
{
    if (html_class(&c->h) != C_TEXT)
        return gen_fail(c->g, c->t->file, line,
                        "partial outside text (inside a tag, comment "
                        "or raw text element)");
    bool txt = tmplc_is_txt(name, n);
    size_t base = txt ? n - 4 : n;
    for (size_t i = 0; i < base; i++)
        if (!name_char(name[i]) && name[i] != '/')
            return gen_fail(c->g, c->t->file, line, "bad partial name");
    if (base == 0)
        return gen_fail(c->g, c->t->file, line, "missing partial name");
    if (txt != c->t->plain)
        return gen_fail(c->g, c->t->file, line,
                        c->t->plain ? "a plain-text template includes only .txt partials"
                                    : "an HTML template cannot include a .txt partial");
    comp_flush(c);
    struct tpl *t = c->t;
    if (t->nrefs == t->refs_cap) {
        size_t cap = t->refs_cap ? t->refs_cap * 2 : 8;
        struct ref *r = arena_calloc(&c->g->arena, cap, sizeof(*r));
        if (t->nrefs)
            memcpy(r, t->refs, t->nrefs * sizeof(*r));
        t->refs = r;
        t->refs_cap = cap;
    }
    const char *pname = arena_strndup(&c->g->arena, name, n);
    t->refs[t->nrefs++] = (struct ref){pname, line};
    struct buf *b = &t->body;
    c_indent(b, c->depth);
    buf_puts(b, "body_");
    for (size_t i = 0; i < n; i++)
        buf_putc(b, name[i] == '/' || name[i] == '-' || name[i] == '.' ? '_' : name[i]);
    buf_puts(b, "(o, ");
    comp_scope(c, b);
    buf_puts(b, ");\n");
    return 0;
}

static void comp_lines(struct comp *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n')
            c->line++;
}

static size_t skip_ws(const char *s, size_t i, size_t end)
{
    while (i < end && html_ws(s[i]))
        i++;
    return i;
}

/* Parses the string of {{_ "..."}} starting at the quote; *out gets the unescaped msgid. */
static int comp_msgid(struct comp *c, int line, size_t *i, struct buf *out)
{
    const char *s = c->src;
    size_t p = *i + 1;
    for (;;) {
        if (p >= c->len || s[p] == '\n')
            return gen_fail(c->g, c->t->file, line, "unterminated string");
        if (s[p] == '"')
            break;
        if (s[p] == '\\') {
            char e = p + 1 < c->len ? s[p + 1] : '\0';
            if (e == '"' || e == '\\')
                buf_putc(out, e);
            else if (e == 'n')
                buf_putc(out, '\n');
            else
                return gen_fail(c->g, c->t->file, line,
                                "unknown escape in string (use \\\" "
                                "\\\\ or \\n)");
            p += 2;
            continue;
        }
        buf_putc(out, s[p++]);
    }
    *i = p + 1;
    return 0;
}

/* Handles the tag at c->pos (which points at "{{") and moves past it. */
static int comp_tag(struct comp *c)
{
    const char *s = c->src;
    const char *f = c->t->file;
    int line = c->line;
    size_t start = c->pos;
    size_t i = start + 2;
    if (i < c->len && s[i] == '{')
        return gen_fail(c->g, f, line,
                        "triple braces are not supported: values are always "
                        "escaped");
    if (i < c->len && s[i] == '!') {
        bool long_form = c->len - i >= 3 && memcmp(s + i, "!--", 3) == 0;
        const char *end = memmem(s + i, c->len - i, long_form ? "--}}" : "}}", long_form ? 4 : 2);
        if (!end)
            return gen_fail(c->g, f, line, "unterminated comment");
        size_t stop = (size_t)(end - s) + (long_form ? 4 : 2);
        comp_lines(c, s + start, stop - start);
        c->pos = stop;
        return 0;
    }
    int rc = 0;
    struct buf msgid;
    buf_init(&msgid, TMPL_TR_MAX);
    i = skip_ws(s, i, c->len);
    if (i < c->len && s[i] == '_' && i + 1 < c->len && (html_ws(s[i + 1]) || s[i + 1] == '"')) {
        i = skip_ws(s, i + 1, c->len);
        if (i >= c->len || s[i] != '"') {
            rc = gen_fail(c->g, f, line, "{{_ needs a string: {{_ \"English text\"}}");
            goto out;
        }
        if (comp_msgid(c, line, &i, &msgid) < 0 || msgid.err != BUF_OK) {
            rc = msgid.err != BUF_OK ? gen_fail(c->g, f, line, "string too long") : -1;
            goto out;
        }
        i = skip_ws(s, i, c->len);
        if (c->len - i < 2 || s[i] != '}' || s[i + 1] != '}') {
            rc = gen_fail(c->g, f, line, "expected }} after the string");
            goto out;
        }
        comp_lines(c, s + start, i + 2 - start);
        c->pos = i + 2;
        rc = comp_translate(c, line, msgid.data ? msgid.data : "", msgid.len);
        goto out;
    }
    const char *end = memmem(s + i, c->len - i, "}}", 2);
    if (!end) {
        rc = gen_fail(c->g, f, line, "unterminated {{");
        goto out;
    }
    size_t stop = (size_t)(end - s);
    while (stop > i && html_ws(s[stop - 1]))
        stop--;
    comp_lines(c, s + start, (size_t)(end - s) + 2 - start);
    c->pos = (size_t)(end - s) + 2;
    if (stop == i) {
        rc = gen_fail(c->g, f, line, "empty tag");
        goto out;
    }
    char sigil = s[i];
    if (sigil == '#' || sigil == '/' || sigil == '>') {
        size_t w = i + 1;
        if (sigil == '>')
            w = skip_ws(s, w, stop);
        size_t we = w;
        while (we < stop && !html_ws(s[we]))
            we++;
        if (sigil == '>') {
            rc = we != stop ? gen_fail(c->g, f, line, "bad partial name")
                            : comp_partial(c, line, s + w, we - w);
            goto out;
        }
        if (sigil == '/') {
            rc = we != stop ? gen_fail(c->g, f, line, "unexpected text in closing tag")
                            : comp_close(c, line, s + w, we - w);
            goto out;
        }
        enum block_kind kind;
        if (we - w == 2 && memcmp(s + w, "if", 2) == 0) {
            kind = B_IF;
        } else if (we - w == 6 && memcmp(s + w, "unless", 6) == 0) {
            kind = B_UNLESS;
        } else if (we - w == 4 && memcmp(s + w, "each", 4) == 0) {
            kind = B_EACH;
        } else {
            rc = gen_fail(c->g, f, line, "unknown block {{#%.*s}}", (int)(we - w), s + w);
            goto out;
        }
        size_t ps = skip_ws(s, we, stop);
        struct path p;
        if (ps == stop || !path_parse(c, s + ps, stop - ps, &p)) {
            rc = gen_fail(c->g, f, line, "{{#%s}} needs one name", block_names[kind]);
            goto out;
        }
        rc = comp_open(c, line, kind, &p);
        goto out;
    }
    if (stop - i == 4 && memcmp(s + i, "else", 4) == 0) {
        rc = comp_else(c, line);
        goto out;
    }
    struct path p;
    if (!path_parse(c, s + i, stop - i, &p)) {
        rc =
            gen_fail(c->g, f, line, "bad name '%.*s'", (int)(stop - i > 40 ? 40 : stop - i), s + i);
        goto out;
    }
    rc = comp_print(c, line, &p);
out:
    buf_free(&msgid);
    return rc;
}

static int comp_literal(struct comp *c, size_t end)
{
    for (size_t i = c->pos; i < end; i++) {
        const char *why = c->t->plain ? NULL : html_step(&c->h, c->src[i]);
        if (why)
            return gen_fail(c->g, c->t->file, c->line, "%s", why);
        if (c->src[i] == '\n')
            c->line++;
    }
    buf_append(&c->lit, c->src + c->pos, end - c->pos);
    c->pos = end;
    return 0;
}

static int comp_run(struct comp *c)
{
    while (c->pos < c->len) {
        const char *open = memmem(c->src + c->pos, c->len - c->pos, "{{", 2);
        size_t end = open ? (size_t)(open - c->src) : c->len;
        if (comp_literal(c, end) < 0)
            return -1;
        if (open && comp_tag(c) < 0)
            return -1;
    }
    comp_flush(c);
    if (c->depth > 0) {
        const struct block *blk = &c->blocks[c->depth - 1];
        return gen_fail(c->g, c->t->file, blk->line, "{{#%s}} is never closed",
                        block_names[blk->kind]);
    }
    if (html_class(&c->h) != C_TEXT)
        return gen_fail(c->g, c->t->file, c->line,
                        "template ends inside a tag, comment or <%s> element",
                        c->h.st == H_RAW || c->h.st == H_RCDATA ? c->h.raw : "...");
    if (c->lit.err != BUF_OK || c->t->body.err != BUF_OK)
        return gen_fail(c->g, c->t->file, 0, "template too large");
    return 0;
}

/* Template names are file paths below the root without ".html" (plain-text ones keep ".txt"):
   lower-case letters, digits, '-' and '_' in segments separated by '/'. The C name replaces '/'
   and '-' with '_', and ".txt" with "_txt". */
static const char *gen_ident(struct gen *g, const char *name)
{
    size_t n = strlen(name);
    bool txt = tmplc_is_txt(name, n);
    size_t base = txt ? n - 4 : n;
    if (base == 0)
        return NULL;
    char *id = arena_strndup(&g->arena, name, n);
    if (txt)
        id[base] = '_';
    for (size_t i = 0; i < base; i++) {
        char ch = name[i];
        if (ch == '/' || ch == '-')
            id[i] = '_';
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return NULL;
    }
    /* "__" and edge underscores are reserved for names the generator makes (TMPL__COUNT). */
    if (id[0] == '_' || id[n - 1] == '_' || strstr(id, "__") || (id[0] >= '0' && id[0] <= '9'))
        return NULL;
    if (strcmp(id, "by_name") == 0 || strcmp(id, "by_id") == 0)
        return NULL;
    return id;
}

/* Compiles one template held in memory. */
static int gen_add(struct gen *g, const char *file, const char *name, const char *src, size_t len)
{
    if (g->ntpls == TMPLC_TMPL_MAX)
        return gen_fail(g, file, 0, "more than %d templates", TMPLC_TMPL_MAX);
    const char *ident = gen_ident(g, name);
    if (!ident)
        return gen_fail(g, file, 0,
                        "bad template name '%s' (lower-case letters, digits, '-', '_' and '/'; "
                        "no leading digit, no doubled or edge '_', not by_name or by_id)",
                        name);
    for (size_t i = 0; i < g->ntpls; i++)
        if (strcmp(g->tpls[i].ident, ident) == 0)
            return gen_fail(g, file, 0, "template name '%s' gives the same C name as %s", name,
                            g->tpls[i].file);
    if (!html_utf8_valid(src, len))
        return gen_fail(g, file, 0, "not valid UTF-8");
    if (memchr(src, '\0', len))
        return gen_fail(g, file, 0, "contains a NUL byte");
    struct tpl *t = &g->tpls[g->ntpls++];
    memset(t, 0, sizeof(*t));
    t->file = arena_strdup(&g->arena, file);
    t->name = arena_strdup(&g->arena, name);
    t->ident = ident;
    t->plain = tmplc_is_txt(name, strlen(name));
    buf_init(&t->body, TMPLC_OUT_MAX);

    struct comp c;
    memset(&c, 0, sizeof(c));
    c.g = g;
    c.t = t;
    c.src = src;
    c.len = len;
    c.line = 1;
    c.h.st = H_DATA;
    c.h.raw_match = -1;
    buf_init(&c.lit, TMPLC_OUT_MAX);
    int rc = comp_run(&c);
    buf_free(&c.lit);
    return rc;
}

static int tpl_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tpl *)a)->name, ((const struct tpl *)b)->name);
}

static struct tpl *gen_find(struct gen *g, const char *name)
{
    size_t lo = 0, hi = g->ntpls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(name, g->tpls[mid].name);
        if (r == 0)
            return &g->tpls[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int gen_visit(struct gen *g, struct tpl *t)
{
    if (t->mark == 2)
        return 0;
    if (t->mark == 1)
        return gen_fail(g, t->file, 0, "partials include each other in a cycle through '%s'",
                        t->name);
    t->mark = 1;
    for (size_t i = 0; i < t->nrefs; i++) {
        struct tpl *p = gen_find(g, t->refs[i].name);
        if (!p)
            return gen_fail(g, t->file, t->refs[i].line, "unknown partial '%s'", t->refs[i].name);
        if (gen_visit(g, p) < 0)
            return -1;
    }
    t->mark = 2;
    return 0;
}

/* After every template: sorts them by name, resolves partials, refuses cycles. */
static int gen_finish(struct gen *g)
{
    if (g->ntpls > 1)
        qsort(g->tpls, g->ntpls, sizeof(*g->tpls), tpl_cmp);
    for (size_t i = 0; i < g->ntpls; i++)
        if (gen_visit(g, &g->tpls[i]) < 0)
            return -1;
    return 0;
}

static void gen_upper(struct buf *b, const char *s)
{
    for (; *s; s++)
        buf_putc(b, (char)toupper((unsigned char)*s));
}

static void gen_header(struct gen *g, struct buf *h)
{
    buf_puts(h, "/* Generated by tools/tmplc; do not edit. */\n#ifndef GEN_");
    gen_upper(h, g->prefix);
    buf_puts(h, "TEMPLATES_H\n#define GEN_");
    gen_upper(h, g->prefix);
    buf_puts(h, "TEMPLATES_H\n\n#include \"web/tmpl.h\"\n\n");
    buf_printf(h, "enum %sid {\n", g->prefix);
    for (size_t i = 0; i < g->ntpls; i++) {
        buf_puts(h, "    ");
        gen_upper(h, g->prefix);
        gen_upper(h, g->tpls[i].ident);
        buf_puts(h, ",\n");
    }
    buf_puts(h, "    ");
    gen_upper(h, g->prefix);
    buf_puts(h, "_COUNT\n};\n\n");
    for (size_t i = 0; i < g->ntpls; i++)
        buf_printf(h, "/* %s */\nvoid %s%s(struct tmpl_out *o, const struct tv *data);\n",
                   g->tpls[i].name, g->prefix, g->tpls[i].ident);
    buf_printf(h,
               "\n/* The template called name (\"office/home\"), or NULL. */\n"
               "tmpl_render_fn %sby_name(const char *name);\n"
               "/* NULL when id is out of range. */\n"
               "tmpl_render_fn %sby_id(enum %sid id);\n\n#endif\n",
               g->prefix, g->prefix, g->prefix);
}

static void gen_source(struct gen *g, struct buf *o, const char *header)
{
    const char *P = g->prefix;
    buf_printf(o, "/* Generated by tools/tmplc; do not edit. */\n#include \"%s\"\n\n", header);
    buf_puts(o, "#include <string.h>\n\n");
    for (size_t i = 0; i < g->ntpls; i++)
        buf_printf(o, "static void body_%s(struct tmpl_out *o, const struct tmpl_scope *s);\n",
                   g->tpls[i].ident);
    if (g->nkeys)
        buf_putc(o, '\n');
    for (size_t k = 0; k < g->nkeys; k++) {
        buf_printf(o, "static const struct tmpl_key K%zu[] = {", k);
        const char *p = g->keys[k];
        while (*p) {
            size_t n = strcspn(p, ".");
            buf_printf(o, "%s{\"%.*s\", %zu, 0x%08xu}", p == g->keys[k] ? "" : ", ", (int)n, p, n,
                       (unsigned)tmpl_hash(p, n));
            p += n;
            if (*p == '.')
                p++;
        }
        buf_puts(o, "};\n");
    }
    for (size_t i = 0; i < g->ntpls; i++) {
        const struct tpl *t = &g->tpls[i];
        buf_printf(o,
                   "\n/* %s */\nstatic void body_%s(struct tmpl_out *o, const struct tmpl_scope "
                   "*s)\n{\n    (void)o;\n    (void)s;\n",
                   t->name, t->ident);
        buf_append(o, t->body.data ? t->body.data : "", t->body.len);
        buf_printf(o,
                   "}\n\nvoid %s%s(struct tmpl_out *o, const struct tv *data)\n{\n"
                   "    const struct tmpl_scope root = {data, NULL, 0, 0};\n"
                   "    body_%s(o, &root);\n}\n",
                   P, t->ident, t->ident);
    }
    if (g->ntpls == 0) {
        buf_printf(o,
                   "\ntmpl_render_fn %sby_name(const char *name)\n{\n    (void)name;\n"
                   "    return NULL;\n}\n\ntmpl_render_fn %sby_id(enum %sid id)\n{\n"
                   "    (void)id;\n    return NULL;\n}\n",
                   P, P, P);
        return;
    }
    /* Sorted by name, so lookups by name are a binary search. */
    buf_printf(o,
               "\nstatic const struct {\n    const char *name;\n    tmpl_render_fn fn;\n"
               "} %stable[%zu] = {\n",
               P, g->ntpls);
    for (size_t i = 0; i < g->ntpls; i++)
        buf_printf(o, "    {\"%s\", %s%s},\n", g->tpls[i].name, P, g->tpls[i].ident);
    buf_printf(o,
               "};\n\ntmpl_render_fn %sby_name(const char *name)\n{\n"
               "    size_t lo = 0, hi = %zu;\n"
               "    while (name && lo < hi) {\n"
               "        size_t mid = lo + (hi - lo) / 2;\n"
               "        int r = strcmp(name, %stable[mid].name);\n"
               "        if (r == 0)\n            return %stable[mid].fn;\n"
               "        if (r < 0)\n            hi = mid;\n        else\n"
               "            lo = mid + 1;\n    }\n    return NULL;\n}\n\n"
               "tmpl_render_fn %sby_id(enum %sid id)\n{\n"
               "    return (size_t)id < %zu ? %stable[id].fn : NULL;\n}\n",
               P, g->ntpls, P, P, P, P, g->ntpls, P);
}

#ifndef TMPLC_NO_MAIN

static char *read_file(const char *path, size_t *len, struct gen *g)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        gen_fail(g, path, 0, "%s", strerror(errno));
        return NULL;
    }
    struct buf b;
    buf_init(&b, TMPLC_SRC_MAX);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(&b, chunk, n) != BUF_OK)
            break;
    bool bad = ferror(f) || b.err != BUF_OK;
    fclose(f);
    if (bad) {
        gen_fail(g, path, 0, b.err == BUF_TOOBIG ? "file too large" : "read error");
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b, len);
}

static int write_file(const char *path, const struct buf *b, struct gen *g)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return gen_fail(g, path, 0, "path too long");
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return gen_fail(g, tmp, 0, "%s", strerror(errno));
    bool ok = fwrite(buf_str(b), 1, b->len, f) == b->len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return gen_fail(g, path, 0, "cannot write");
    }
    return 0;
}

static bool prefix_ok(const char *p)
{
    size_t n = strlen(p);
    if (n < 2 || p[n - 1] != '_' || !(p[0] >= 'a' && p[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
            return false;
    return true;
}

int main(int argc, char **argv)
{
    const char *root = NULL, *prefix = "tmpl_", *out_c = NULL, *out_h = NULL;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            root = argv[++i];
        } else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
            prefix = argv[++i];
        } else if (strcmp(argv[i], "--out-c") == 0 && i + 1 < argc) {
            out_c = argv[++i];
        } else if (strcmp(argv[i], "--out-h") == 0 && i + 1 < argc) {
            out_h = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "tmplc: unknown option %s\n", argv[i]);
            return 1;
        } else {
            first = i;
            break;
        }
    }
    if (!root || !out_c || !out_h || !prefix_ok(prefix)) {
        fprintf(stderr, "usage: tmplc --root DIR [--prefix name_] --out-c F.c --out-h F.h "
                        "file.html|file.txt...\n");
        return 1;
    }
    struct gen g;
    gen_init(&g, prefix);
    struct buf c_out, h_out;
    buf_init(&c_out, TMPLC_OUT_MAX);
    buf_init(&h_out, TMPLC_OUT_MAX);
    int rc = 1;
    size_t rlen = strlen(root);
    while (rlen > 1 && root[rlen - 1] == '/')
        rlen--;
    for (int i = first; i < argc; i++) {
        const char *file = argv[i];
        size_t flen = strlen(file);
        bool txt = flen > rlen + 5 && strcmp(file + flen - 4, ".txt") == 0;
        if (flen <= rlen + 5 || strncmp(file, root, rlen) != 0 || file[rlen] != '/' ||
            (!txt && (flen <= rlen + 6 || strcmp(file + flen - 5, ".html") != 0))) {
            gen_fail(&g, file, 0, "not a .html or .txt file under %s", root);
            goto out;
        }
        /* "a/b.html" is template "a/b"; "a/b.txt" keeps its suffix: "a/b.txt". */
        char *name = arena_strndup(&g.arena, file + rlen + 1, flen - rlen - 1 - (txt ? 0 : 5));
        size_t len;
        char *src = read_file(file, &len, &g);
        if (!src)
            goto out;
        int r = gen_add(&g, file, name, src, len);
        free(src);
        if (r < 0)
            goto out;
    }
    if (gen_finish(&g) < 0)
        goto out;
    const char *slash = strrchr(out_h, '/');
    gen_header(&g, &h_out);
    gen_source(&g, &c_out, slash ? slash + 1 : out_h);
    if (c_out.err != BUF_OK || h_out.err != BUF_OK) {
        gen_fail(&g, out_c, 0, "output too large");
        goto out;
    }
    if (write_file(out_h, &h_out, &g) < 0 || write_file(out_c, &c_out, &g) < 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "%s\n", g.err);
    buf_free(&c_out);
    buf_free(&h_out);
    gen_free(&g);
    return rc;
}

#endif
