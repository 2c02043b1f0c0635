/*
 * The child's side of PDF rendering (refettorio render-pdf): reads the document's JSON (see
 * doc_internal.h) from stdin, checks it as untrusted input, and draws it on an A4 cairo PDF
 * surface with pango, so text stays text (selectable, searchable) and cairo embeds subsets of the
 * fonts. Layout runs twice: the first pass only measures, to learn the page count for "page N of
 * M"; the second draws. Positions are computed from the start edge and mirrored for right-to-left
 * documents. The same child draws the emblem (emblem.c) when asked.
 */
#include "docs/doc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <sodium.h>
#include <string.h>

#include "docs/doc_internal.h"

#define MM(x)        ((x)*72.0 / 25.4)
#define PAGE_W       MM(210)
#define PAGE_H       MM(297)
#define MARGIN       MM(18)
#define CONTENT_W    (PAGE_W - 2 * MARGIN)
#define LOGO_H       MM(18)
#define FOOTER_BASE  (PAGE_H - MM(11)) /* bottom of the footer text */
#define NOTE_PAD     MM(3)
#define NOTE_BAR     MM(1.2)
#define CELL_PAD_X   MM(1.6)
#define CELL_PAD_Y   MM(1.1)
#define FIELD_GAP    MM(4)
#define FOOTER_LINES 4 /* longer footers are cut with an ellipsis */
#define PANEL_PAD    MM(3)
#define SYMBOL_SIDE  MM(36) /* a panel's symbol with its quiet zone */

#define FONT_SANS "DejaVu Sans"
#define FONT_MONO "DejaVu Sans Mono"

#define COLOR_TEXT   0x1a1a1a
#define COLOR_MUTED  0x595959
#define COLOR_ACCENT 0x1f4e8c
#define COLOR_RULE   0xb4bcc8
#define COLOR_TINT   0xeef3fa
#define COLOR_HEAD   0xe3e9f2
#define COLOR_STRIPE 0xf6f8fb

enum rfont {
    F_BODY,
    F_LABEL,
    F_SMALL,
    F_TITLE,
    F_ISSUER,
    F_SUBTITLE,
    F_HEADING,
    F_CODE,
    F_CELL,
    F_CELL_HEAD,
    F_FOOTER,
    F_PANEL_TITLE,
    F_COUNT
};

static const char *const render_font_names[F_COUNT] = {
    [F_BODY] = FONT_SANS " 10",         [F_LABEL] = FONT_SANS " 9.5",
    [F_SMALL] = FONT_SANS " 8.5",       [F_TITLE] = FONT_SANS " Bold 16",
    [F_ISSUER] = FONT_SANS " Bold 14",  [F_SUBTITLE] = FONT_SANS " 9.5",
    [F_HEADING] = FONT_SANS " Bold 12", [F_CODE] = FONT_MONO " Bold 20",
    [F_CELL] = FONT_SANS " 8.5",        [F_CELL_HEAD] = FONT_SANS " Bold 8.5",
    [F_FOOTER] = FONT_SANS " 7.5",      [F_PANEL_TITLE] = FONT_SANS " Bold 10.5",
};

enum rkind { R_HEADING, R_PARAGRAPH, R_FIELD, R_NOTE, R_CODE, R_TABLE, R_BREAK, R_PANEL };

struct rblock {
    enum rkind kind;
    const char *text;  /* heading, paragraph, note; label of a field or code; panel title */
    const char *value; /* field value, code; panel aside (may be NULL) */
    size_t ncols, nrows;
    const char **headers; /* ncols */
    const char **cells;   /* nrows * ncols, row by row; a panel's fields (ncols 2) */
    int sym_size, sym_quiet;
    const char *modules; /* panel symbol, sym_size * sym_size '0'/'1'; NULL when none */
    /* Measured once before the passes (they do not depend on the page). */
    double label_w;  /* fields: the label column of this run of fields */
    double *col_w;   /* table: widths in logical order */
    double header_h; /* table */
    double *row_h;   /* table */
};

struct rdoc {
    const char *lang, *title, *footer, *page_label, *issuer, *subtitle;
    bool rtl;
    cairo_surface_t *logo; /* NULL when absent or undecodable */
    struct rblock *blocks;
    size_t nblocks;
};

struct render {
    const struct rdoc *d;
    struct arena *arena;
    cairo_t *cr;
    PangoContext *ctx;     /* the document's direction and language */
    PangoContext *ctx_ltr; /* codes, always left to right */
    PangoFontDescription *fonts[F_COUNT];
    bool draw; /* second pass */
    int page, total;
    double y;      /* cursor */
    double bottom; /* of the body on this page */
    bool fresh;    /* nothing in the body of this page yet */
    double footer_h;
};

#ifdef __SANITIZE_ADDRESS__
/* fontconfig keeps caches that it never frees (and FcFini at exit races pango's font thread):
   LeakSanitizer is told here, so the ASan build still reports every other leak. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

/* ---- Reading the JSON ---- */

struct rparse {
    const char *err;
};

static const char *rp_text(struct rparse *p, json_t *o, const char *key, bool nullable)
{
    json_t *v = json_object_get(o, key);
    if (nullable && (!v || json_is_null(v)))
        return NULL;
    if (!json_is_string(v)) {
        if (!p->err)
            p->err = "a text field is missing or not a string";
        return "";
    }
    if (json_string_length(v) > DOC_TEXT_MAX) {
        if (!p->err)
            p->err = "a text field is longer than DOC_TEXT_MAX";
        return "";
    }
    return json_string_value(v);
}

/* ncols strings from array a into out; false when a is not such an array. */
static bool rp_strings(struct rparse *p, json_t *a, size_t ncols, const char **out)
{
    if (!json_is_array(a) || json_array_size(a) != ncols) {
        if (!p->err)
            p->err = "a table row does not have the table's column count";
        return false;
    }
    for (size_t i = 0; i < ncols; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_string(v) || json_string_length(v) > DOC_TEXT_MAX) {
            if (!p->err)
                p->err = "a table cell is not a string or is too long";
            return false;
        }
        out[i] = json_string_value(v);
    }
    return true;
}

struct rpng {
    const unsigned char *p;
    size_t left;
};

static cairo_status_t render_png_read(void *closure, unsigned char *data, unsigned int length)
{
    struct rpng *in = closure;
    if (in->left < length)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, in->p, length);
    in->p += length;
    in->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

/* The logo as a cairo surface, or NULL (with a warning) when it does not decode. */
static cairo_surface_t *rp_logo(struct arena *a, json_t *v)
{
    const char *b64 = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > sodium_base64_ENCODED_LEN(DOC_LOGO_MAX, sodium_base64_VARIANT_ORIGINAL)) {
        fprintf(stderr, "render-pdf: logo left out: larger than DOC_LOGO_MAX\n");
        return NULL;
    }
    unsigned char *bin = arena_alloc(a, n / 4 * 3 + 3);
    size_t len = 0;
    if (sodium_base642bin(bin, n / 4 * 3 + 3, b64, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        !doc_png_acceptable(bin, len)) {
        fprintf(stderr, "render-pdf: logo left out: not an acceptable PNG\n");
        return NULL;
    }
    struct rpng cursor = {bin, len};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(render_png_read, &cursor);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "render-pdf: logo left out: %s\n",
                cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return NULL;
    }
    return s;
}

/* A panel's symbol and fields, bounded before anything is allocated. */
static bool rp_panel(struct rparse *p, struct arena *a, json_t *o, struct rblock *b)
{
    json_t *sym = json_object_get(o, "symbol"), *fields = json_object_get(o, "fields");
    if (!json_is_array(fields) || json_array_size(fields) > DOC_PANEL_FIELDS_MAX) {
        p->err = "a panel has no fields array or more than DOC_PANEL_FIELDS_MAX fields";
        return false;
    }
    b->ncols = 2;
    b->nrows = json_array_size(fields);
    b->cells = arena_calloc(a, b->nrows ? b->nrows * 2 : 1, sizeof(*b->cells));
    for (size_t r = 0; r < b->nrows; r++)
        if (!rp_strings(p, json_array_get(fields, r), 2, b->cells + r * 2))
            return false;
    if (!sym || json_is_null(sym))
        return true;
    json_t *size = json_object_get(sym, "size"), *quiet = json_object_get(sym, "quiet");
    json_t *modules = json_object_get(sym, "modules");
    if (!json_is_object(sym) || !json_is_integer(size) || !json_is_integer(quiet) ||
        !json_is_string(modules) || json_integer_value(size) < 1 ||
        json_integer_value(size) > DOC_SYMBOL_MODULES_MAX || json_integer_value(quiet) < 0 ||
        json_integer_value(quiet) > DOC_SYMBOL_QUIET_MAX) {
        p->err = "a panel's symbol has no size, quiet zone or modules, or they are out of range";
        return false;
    }
    b->sym_size = (int)json_integer_value(size);
    b->sym_quiet = (int)json_integer_value(quiet);
    b->modules = json_string_value(modules);
    size_t n = (size_t)b->sym_size * (size_t)b->sym_size;
    if (json_string_length(modules) != n || strspn(b->modules, "01") != n) {
        p->err = "a panel's symbol modules are not size * size characters 0 or 1";
        return false;
    }
    return true;
}

static bool rp_block(struct rparse *p, struct arena *a, json_t *o, struct rblock *b, size_t *items)
{
    static const char *const kinds[] = {
        [R_HEADING] = "heading", [R_PARAGRAPH] = "paragraph", [R_FIELD] = "field",
        [R_NOTE] = "note",       [R_CODE] = "code",           [R_TABLE] = "table",
        [R_BREAK] = "break",     [R_PANEL] = "panel"};
    const char *t = json_string_value(json_object_get(o, "t"));
    size_t k = 0;
    while (t && k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(t, kinds[k]) != 0)
        k++;
    if (!t || k == sizeof(kinds) / sizeof(kinds[0])) {
        p->err = "unknown block type";
        return false;
    }
    b->kind = (enum rkind)k;
    switch (b->kind) {
    case R_HEADING:
    case R_PARAGRAPH:
    case R_NOTE:
        b->text = rp_text(p, o, "text", false);
        break;
    case R_FIELD:
        b->text = rp_text(p, o, "label", false);
        b->value = rp_text(p, o, "value", false);
        break;
    case R_CODE:
        b->text = rp_text(p, o, "label", false);
        b->value = rp_text(p, o, "code", false);
        break;
    case R_TABLE: {
        json_t *h = json_object_get(o, "headers"), *rows = json_object_get(o, "rows");
        b->ncols = json_array_size(h);
        if (b->ncols == 0 || b->ncols > DOC_TABLE_COLS_MAX || !json_is_array(rows)) {
            p->err = "a table has no columns, too many, or no rows array";
            return false;
        }
        b->nrows = json_array_size(rows);
        if (b->nrows > DOC_ITEMS_MAX - *items) {
            p->err = "more than DOC_ITEMS_MAX blocks and rows";
            return false;
        }
        *items += b->nrows;
        b->headers = arena_calloc(a, b->ncols, sizeof(*b->headers));
        b->cells = arena_calloc(a, b->nrows * b->ncols, sizeof(*b->cells));
        if (!rp_strings(p, h, b->ncols, b->headers))
            return false;
        for (size_t r = 0; r < b->nrows; r++)
            if (!rp_strings(p, json_array_get(rows, r), b->ncols, b->cells + r * b->ncols))
                return false;
        break;
    }
    case R_BREAK:
        break;
    case R_PANEL:
        b->text = rp_text(p, o, "title", false);
        b->value = rp_text(p, o, "aside", true);
        if (!rp_panel(p, a, o, b))
            return false;
        break;
    }
    return p->err == NULL;
}

/* Fill d from the JSON root; NULL or the reason it is refused. */
static const char *rp_doc(struct arena *a, json_t *root, struct rdoc *d)
{
    struct rparse p = {NULL};
    if (!json_is_object(root) || json_integer_value(json_object_get(root, "v")) != DOC_JSON_VERSION)
        return "not a document of this version";
    d->lang = rp_text(&p, root, "lang", false);
    if (!p.err && !doc_lang_valid(d->lang))
        return "invalid language tag";
    d->rtl = doc_lang_is_rtl(d->lang);
    d->title = rp_text(&p, root, "title", false);
    d->footer = rp_text(&p, root, "footer", false);
    d->page_label = rp_text(&p, root, "page_label", false);
    json_t *issuer = json_object_get(root, "issuer");
    if (!json_is_object(issuer))
        return "issuer missing";
    d->issuer = rp_text(&p, issuer, "name", false);
    d->subtitle = rp_text(&p, issuer, "subtitle", true);
    json_t *logo = json_object_get(issuer, "logo");
    if (logo && !json_is_null(logo) && !json_is_string(logo))
        return "the logo is not a string";
    json_t *blocks = json_object_get(root, "blocks");
    if (!json_is_array(blocks) || json_array_size(blocks) > DOC_ITEMS_MAX)
        return "blocks missing or more than DOC_ITEMS_MAX";
    d->nblocks = json_array_size(blocks);
    d->blocks = arena_calloc(a, d->nblocks, sizeof(*d->blocks));
    size_t items = d->nblocks;
    for (size_t i = 0; i < d->nblocks && !p.err; i++) {
        json_t *o = json_array_get(blocks, i);
        if (!json_is_object(o))
            return "a block is not an object";
        if (!rp_block(&p, a, o, &d->blocks[i], &items))
            return p.err;
    }
    if (p.err)
        return p.err;
    if (json_is_string(logo))
        d->logo = rp_logo(a, logo);
    return NULL;
}

/* ---- Drawing helpers ---- */

void doc_cairo_rgb(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

/* The page x of a box that starts s points from the start edge of the content and is w wide. */
static double r_x(const struct render *r, double s, double w)
{
    return r->d->rtl ? PAGE_W - MARGIN - s - w : MARGIN + s;
}

enum r_align { R_START, R_END };

/* A layout of text in font, wrapped at width (<= 0: no wrapping), aligned to the start (or end)
   edge of the document's direction; ltr forces left to right. */
static PangoLayout *r_layout(struct render *r, const char *text, enum rfont font, double width,
                             enum r_align align, bool ltr)
{
    PangoLayout *l = pango_layout_new(ltr ? r->ctx_ltr : r->ctx);
    pango_layout_set_font_description(l, r->fonts[font]);
    pango_layout_set_auto_dir(l, FALSE);
    if (width > 0) {
        pango_layout_set_width(l, pango_units_from_double(width));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    bool right = r->d->rtl != (align == R_END);
    pango_layout_set_alignment(l, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, text, -1);
    return l;
}

static double r_height(PangoLayout *l)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    return pango_units_to_double(logical.height);
}

static double r_width(PangoLayout *l)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    return pango_units_to_double(logical.width);
}

/* Cut l after lines lines, with an ellipsis: the letterhead and footer must leave room for the
   body whatever their text. */
static void r_max_lines(PangoLayout *l, int lines)
{
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(l, -lines);
}

/* Draw l with its top-left corner at page coordinates (x, y), in the second pass only. */
static void r_show(struct render *r, PangoLayout *l, double x, double y, unsigned color)
{
    if (!r->draw)
        return;
    doc_cairo_rgb(r->cr, color);
    cairo_move_to(r->cr, x, y);
    pango_cairo_show_layout(r->cr, l);
}

static void r_rect(struct render *r, double x, double y, double w, double h, unsigned color)
{
    if (!r->draw)
        return;
    doc_cairo_rgb(r->cr, color);
    cairo_rectangle(r->cr, x, y, w, h);
    cairo_fill(r->cr);
}

static void r_hline(struct render *r, double y, double width, unsigned color)
{
    if (!r->draw)
        return;
    doc_cairo_rgb(r->cr, color);
    cairo_set_line_width(r->cr, width);
    cairo_move_to(r->cr, MARGIN, y);
    cairo_line_to(r->cr, PAGE_W - MARGIN, y);
    cairo_stroke(r->cr);
}

/* ---- Pages ---- */

static char *r_page_label(struct render *r)
{
    GString *s = g_string_new(r->d->page_label);
    char num[16];
    snprintf(num, sizeof(num), "%d", r->page);
    g_string_replace(s, "{n}", num, 0);
    snprintf(num, sizeof(num), "%d", r->total);
    g_string_replace(s, "{total}", num, 0);
    return g_string_free(s, FALSE);
}

/* The footer text takes the start side, the page label the end side. */
static PangoLayout *r_footer_layout(struct render *r)
{
    PangoLayout *l = r_layout(r, r->d->footer, F_FOOTER, CONTENT_W * 0.72, R_START, false);
    r_max_lines(l, FOOTER_LINES);
    return l;
}

static void r_footer(struct render *r)
{
    double top = FOOTER_BASE - r->footer_h;
    r_hline(r, top - MM(2), 0.5, COLOR_RULE);
    PangoLayout *f = r_footer_layout(r);
    r_show(r, f, r_x(r, 0, CONTENT_W * 0.72), top, COLOR_MUTED);
    g_object_unref(f);
    if (*r->d->page_label) {
        char *text = r_page_label(r);
        PangoLayout *n = r_layout(r, text, F_FOOTER, CONTENT_W * 0.25, R_END, false);
        r_max_lines(n, 1);
        r_show(r, n, r_x(r, CONTENT_W * 0.75, CONTENT_W * 0.25), top, COLOR_MUTED);
        g_object_unref(n);
        g_free(text);
    }
}

/* The letterhead of the first page: logo, issuer and subtitle, a rule, the title. */
static void r_letterhead(struct render *r)
{
    const struct rdoc *d = r->d;
    double logo_w = 0, logo_h = 0, scale = 1;
    if (d->logo) {
        int iw = cairo_image_surface_get_width(d->logo);
        int ih = cairo_image_surface_get_height(d->logo);
        scale = LOGO_H / ih;
        if (iw * scale > 3 * LOGO_H)
            scale = 3 * LOGO_H / iw;
        logo_w = iw * scale;
        logo_h = ih * scale;
    }
    double s = logo_w > 0 ? logo_w + MM(4) : 0;
    PangoLayout *name = r_layout(r, d->issuer, F_ISSUER, CONTENT_W - s, R_START, false);
    PangoLayout *sub =
        d->subtitle ? r_layout(r, d->subtitle, F_SUBTITLE, CONTENT_W - s, R_START, false) : NULL;
    r_max_lines(name, 2);
    if (sub)
        r_max_lines(sub, 2);
    double text_h = r_height(name) + (sub ? MM(1) + r_height(sub) : 0);
    double head_h = text_h > logo_h ? text_h : logo_h;
    double y = MARGIN;
    if (d->logo && r->draw) {
        cairo_save(r->cr);
        cairo_translate(r->cr, r_x(r, 0, logo_w), y + (head_h - logo_h) / 2);
        cairo_scale(r->cr, scale, scale);
        cairo_set_source_surface(r->cr, d->logo, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(r->cr), CAIRO_FILTER_GOOD);
        cairo_paint(r->cr);
        cairo_restore(r->cr);
    }
    double ty = y + (head_h - text_h) / 2;
    r_show(r, name, r_x(r, s, CONTENT_W - s), ty, COLOR_ACCENT);
    if (sub)
        r_show(r, sub, r_x(r, s, CONTENT_W - s), ty + r_height(name) + MM(1), COLOR_MUTED);
    y += head_h + MM(3);
    r_hline(r, y, 1.0, COLOR_ACCENT);
    y += MM(7);
    PangoLayout *title = r_layout(r, d->title, F_TITLE, CONTENT_W, R_START, false);
    r_max_lines(title, 4);
    r_show(r, title, r_x(r, 0, CONTENT_W), y, COLOR_TEXT);
    y += r_height(title) + MM(5);
    g_object_unref(title);
    g_object_unref(name);
    if (sub)
        g_object_unref(sub);
    r->y = y;
}

/* Later pages: issuer at the start, title at the end, one small line and a rule. */
static void r_running_head(struct render *r)
{
    PangoLayout *a = r_layout(r, r->d->issuer, F_SMALL, CONTENT_W * 0.48, R_START, false);
    PangoLayout *b = r_layout(r, r->d->title, F_SMALL, CONTENT_W * 0.48, R_END, false);
    r_max_lines(a, 1);
    r_max_lines(b, 1);
    double h = r_height(a) > r_height(b) ? r_height(a) : r_height(b);
    r_show(r, a, r_x(r, 0, CONTENT_W * 0.48), MARGIN, COLOR_MUTED);
    r_show(r, b, r_x(r, CONTENT_W * 0.52, CONTENT_W * 0.48), MARGIN, COLOR_MUTED);
    r_hline(r, MARGIN + h + MM(1.5), 0.5, COLOR_RULE);
    r->y = MARGIN + h + MM(6);
    g_object_unref(a);
    g_object_unref(b);
}

static void r_begin_page(struct render *r)
{
    r->page++;
    if (r->page == 1)
        r_letterhead(r);
    else
        r_running_head(r);
    r->bottom = FOOTER_BASE - r->footer_h - MM(5);
    r->fresh = true;
    /* Blocks taller than a whole page are cut at the footer rather than drawn over it. */
    if (r->draw) {
        cairo_save(r->cr);
        cairo_rectangle(r->cr, 0, r->y - MM(1), PAGE_W, r->bottom - r->y + MM(1));
        cairo_clip(r->cr);
    }
}

static void r_end_page(struct render *r)
{
    if (r->draw)
        cairo_restore(r->cr);
    r_footer(r);
    if (r->draw)
        cairo_show_page(r->cr);
}

static void r_new_page(struct render *r)
{
    r_end_page(r);
    r_begin_page(r);
}

/* Start a new page unless h more points fit on this one (or the page is still empty). */
static void r_need(struct render *r, double h)
{
    if (!r->fresh && r->y + h > r->bottom)
        r_new_page(r);
}

/* ---- Blocks ---- */

struct rline {
    PangoLayoutLine *line;
    double x, y0, y1, baseline; /* layout coordinates, points */
};

/* Draw l (wrapped at width w, s from the start edge) line by line from the cursor, continuing on
   new pages; framed: each page's part sits in a tinted box with a bar on the start edge. */
static void r_flow(struct render *r, PangoLayout *l, double s, double w, bool framed)
{
    int n = pango_layout_get_line_count(l);
    struct rline *lines = g_new0(struct rline, n > 0 ? n : 1);
    PangoLayoutIter *it = pango_layout_get_iter(l);
    int count = 0;
    do {
        int y0, y1;
        PangoRectangle logical;
        pango_layout_iter_get_line_yrange(it, &y0, &y1);
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        lines[count++] = (struct rline){
            .line = pango_layout_iter_get_line_readonly(it),
            .x = pango_units_to_double(logical.x),
            .y0 = pango_units_to_double(y0),
            .y1 = pango_units_to_double(y1),
            .baseline = pango_units_to_double(pango_layout_iter_get_baseline(it)),
        };
    } while (count < n && pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);

    double pad = framed ? NOTE_PAD : 0;
    int i = 0;
    while (i < count) {
        double avail = r->bottom - r->y - 2 * pad;
        int j = i;
        while (j < count && lines[j].y1 - lines[i].y0 <= avail)
            j++;
        if (j == i) {
            if (!r->fresh) {
                r_new_page(r);
                continue;
            }
            j = i + 1;
        }
        double h = lines[j - 1].y1 - lines[i].y0;
        if (framed) {
            r_rect(r, r_x(r, 0, CONTENT_W), r->y, CONTENT_W, h + 2 * pad, COLOR_TINT);
            r_rect(r, r_x(r, 0, NOTE_BAR), r->y, NOTE_BAR, h + 2 * pad, COLOR_ACCENT);
        }
        if (r->draw) {
            double x = r_x(r, s, w);
            doc_cairo_rgb(r->cr, COLOR_TEXT);
            for (int k = i; k < j; k++) {
                cairo_move_to(r->cr, x + lines[k].x, r->y + pad + lines[k].baseline - lines[i].y0);
                pango_cairo_show_layout_line(r->cr, lines[k].line);
            }
        }
        r->y += h + 2 * pad;
        r->fresh = false;
        i = j;
        if (i < count)
            r_new_page(r);
    }
    g_free(lines);
}

static void r_heading(struct render *r, const struct rblock *b)
{
    PangoLayout *l = r_layout(r, b->text, F_HEADING, CONTENT_W, R_START, false);
    double h = r_height(l);
    if (!r->fresh)
        r->y += MM(3);
    r_need(r, h + MM(14)); /* keep the heading with what follows it */
    r_show(r, l, r_x(r, 0, CONTENT_W), r->y, COLOR_ACCENT);
    r->y += h + MM(1.5);
    r->fresh = false;
    g_object_unref(l);
}

static void r_paragraph(struct render *r, const struct rblock *b)
{
    PangoLayout *l = r_layout(r, b->text, F_BODY, CONTENT_W, R_START, false);
    r_flow(r, l, 0, CONTENT_W, false);
    r->y += MM(2.5);
    g_object_unref(l);
}

static void r_note(struct render *r, const struct rblock *b)
{
    double s = NOTE_BAR + NOTE_PAD, w = CONTENT_W - NOTE_BAR - 2 * NOTE_PAD;
    PangoLayout *l = r_layout(r, b->text, F_BODY, w, R_START, false);
    r->y += MM(1);
    r_flow(r, l, s, w, true);
    r->y += MM(3.5);
    g_object_unref(l);
}

static void r_field(struct render *r, const struct rblock *b, bool last_of_run)
{
    double vs = b->label_w + FIELD_GAP, vw = CONTENT_W - vs;
    PangoLayout *label = r_layout(r, b->text, F_LABEL, b->label_w, R_START, false);
    PangoLayout *value = r_layout(r, b->value, F_BODY, vw, R_START, false);
    double lh = r_height(label), vh = r_height(value);
    double h = lh > vh ? lh : vh;
    r_need(r, h);
    /* Labels are a little smaller: sit them on the value's first baseline. */
    double dy =
        pango_units_to_double(pango_layout_get_baseline(value) - pango_layout_get_baseline(label));
    r_show(r, label, r_x(r, 0, b->label_w), r->y + dy, COLOR_MUTED);
    r_show(r, value, r_x(r, vs, vw), r->y, COLOR_TEXT);
    r->y += h + (last_of_run ? MM(3) : MM(1.2));
    r->fresh = false;
    g_object_unref(label);
    g_object_unref(value);
}

static void r_code(struct render *r, const struct rblock *b)
{
    double pad = MM(3.5);
    PangoLayout *label = r_layout(r, b->text, F_SMALL, CONTENT_W - 2 * pad, R_START, false);
    PangoLayout *code = r_layout(r, b->value, F_CODE, CONTENT_W - 2 * pad, R_START, true);
    double lw = r_width(label), cw = r_width(code);
    double inner = lw > cw ? lw : cw;
    double box_w = inner + 2 * pad > MM(60) ? inner + 2 * pad : MM(60);
    if (box_w > CONTENT_W)
        box_w = CONTENT_W;
    pango_layout_set_width(label, pango_units_from_double(box_w - 2 * pad));
    pango_layout_set_width(code, pango_units_from_double(box_w - 2 * pad));
    /* The code reads left to right, but sits at the start edge of the box. */
    pango_layout_set_alignment(code, r->d->rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    double lh = r_height(label), ch = r_height(code);
    double box_h = pad + lh + MM(1.5) + ch + pad;
    r->y += MM(1);
    r_need(r, box_h);
    double x = r_x(r, 0, box_w);
    if (r->draw) {
        doc_cairo_rgb(r->cr, COLOR_TINT);
        cairo_rectangle(r->cr, x, r->y, box_w, box_h);
        cairo_fill_preserve(r->cr);
        doc_cairo_rgb(r->cr, COLOR_ACCENT);
        cairo_set_line_width(r->cr, 1.2);
        cairo_stroke(r->cr);
    }
    r_show(r, label, x + pad, r->y + pad, COLOR_MUTED);
    r_show(r, code, x + pad, r->y + pad + lh + MM(1.5), COLOR_TEXT);
    r->y += box_h + MM(4);
    r->fresh = false;
    g_object_unref(label);
    g_object_unref(code);
}

/* One table row (or the header row) at the cursor: cells laid out right to left in RTL. */
static void r_table_row(struct render *r, const struct rblock *b, const char *const *cells,
                        double h, bool header, bool stripe)
{
    if (header)
        r_rect(r, MARGIN, r->y, CONTENT_W, h, COLOR_HEAD);
    else if (stripe)
        r_rect(r, MARGIN, r->y, CONTENT_W, h, COLOR_STRIPE);
    if (r->draw) {
        double s = 0;
        for (size_t c = 0; c < b->ncols; c++) {
            double w = b->col_w[c];
            PangoLayout *l = r_layout(r, cells[c], header ? F_CELL_HEAD : F_CELL,
                                      w - 2 * CELL_PAD_X, R_START, false);
            r_show(r, l, r_x(r, s + CELL_PAD_X, w - 2 * CELL_PAD_X), r->y + CELL_PAD_Y, COLOR_TEXT);
            g_object_unref(l);
            s += w;
        }
    }
    r_hline(r, r->y + h, header ? 0.8 : 0.4, header ? COLOR_ACCENT : COLOR_RULE);
    r->y += h;
    r->fresh = false;
}

static void r_table(struct render *r, const struct rblock *b)
{
    r->y += MM(1);
    r_need(r, b->header_h + (b->nrows ? b->row_h[0] : 0));
    r_table_row(r, b, b->headers, b->header_h, true, false);
    for (size_t i = 0; i < b->nrows; i++) {
        if (r->y + b->row_h[i] > r->bottom) {
            r_new_page(r);
            r_table_row(r, b, b->headers, b->header_h, true, false);
        }
        r_table_row(r, b, b->cells + i * b->ncols, b->row_h[i], false, i % 2 == 1);
    }
    r->y += MM(4);
}

/* The symbol's dark modules, one rectangle per horizontal run, filled as one path (no seams
   between rows), on white with its quiet zone: side points wide, top-left corner at (x, y). A
   symbol reads the same in right-to-left documents: it is never mirrored. */
static void r_symbol(struct render *r, const struct rblock *b, double x, double y, double side)
{
    if (!r->draw)
        return;
    int n = b->sym_size, q = b->sym_quiet;
    double m = side / (n + 2 * q);
    r_rect(r, x, y, side, side, 0xffffff);
    for (int row = 0; row < n; row++) {
        const char *mods = b->modules + (size_t)row * (size_t)n;
        for (int c = 0; c < n;) {
            if (mods[c] != '1') {
                c++;
                continue;
            }
            int start = c;
            while (c < n && mods[c] == '1')
                c++;
            cairo_rectangle(r->cr, x + (q + start) * m, y + (q + row) * m, (c - start) * m, m);
        }
    }
    doc_cairo_rgb(r->cr, 0x000000);
    cairo_set_fill_rule(r->cr, CAIRO_FILL_RULE_WINDING);
    cairo_fill(r->cr);
}

/* A framed slip kept on one page: a title bar (title at the start, aside at the end), then the
   symbol at the start and the label/value rows beside it. */
static void r_panel(struct render *r, const struct rblock *b)
{
    double pad = PANEL_PAD, bar_pad = MM(2), gap = MM(3);
    PangoLayout *aside = NULL;
    double aw = 0, ah = 0;
    if (b->value && *b->value) {
        /* As wide as its text, up to half the bar (then it wraps there). */
        aside = r_layout(r, b->value, F_PANEL_TITLE, -1, R_END, false);
        aw = r_width(aside);
        if (aw > CONTENT_W / 2 - pad) {
            aw = CONTENT_W / 2 - pad;
            pango_layout_set_width(aside, pango_units_from_double(aw));
            pango_layout_set_wrap(aside, PANGO_WRAP_WORD_CHAR);
        }
        ah = r_height(aside);
    }
    double tw = CONTENT_W - 2 * pad - (aside ? aw + MM(4) : 0);
    PangoLayout *title = r_layout(r, b->text, F_PANEL_TITLE, tw, R_START, false);
    double bar_h = (r_height(title) > ah ? r_height(title) : ah) + 2 * bar_pad;

    double sym = b->modules ? SYMBOL_SIDE : 0;
    double fs = pad + (sym > 0 ? sym + MM(5) : 0); /* the rows' start offset */
    double fw = CONTENT_W - fs - pad;
    PangoLayout *labels[DOC_PANEL_FIELDS_MAX], *values[DOC_PANEL_FIELDS_MAX];
    size_t nf = b->nrows < DOC_PANEL_FIELDS_MAX ? b->nrows : DOC_PANEL_FIELDS_MAX;
    double lw = 0;
    for (size_t i = 0; i < nf; i++) {
        labels[i] = r_layout(r, b->cells[2 * i], F_LABEL, -1, R_START, false);
        if (r_width(labels[i]) > lw)
            lw = r_width(labels[i]);
    }
    lw = lw < fw * 0.25 ? fw * 0.25 : lw > fw * 0.45 ? fw * 0.45 : lw;
    lw += 1;
    double vw = fw - lw - gap, rows_h = 0;
    for (size_t i = 0; i < nf; i++) {
        pango_layout_set_width(labels[i], pango_units_from_double(lw));
        pango_layout_set_wrap(labels[i], PANGO_WRAP_WORD_CHAR);
        values[i] = r_layout(r, b->cells[2 * i + 1], F_BODY, vw, R_START, false);
        double h =
            r_height(labels[i]) > r_height(values[i]) ? r_height(labels[i]) : r_height(values[i]);
        rows_h += h + (i + 1 < nf ? MM(1.5) : 0);
    }
    double inner = rows_h > sym ? rows_h : sym;
    double total = bar_h + inner + 2 * pad;
    r->y += MM(1);
    r_need(r, total);
    double y = r->y;
    r_rect(r, MARGIN, y, CONTENT_W, bar_h, COLOR_HEAD);
    if (r->draw) {
        doc_cairo_rgb(r->cr, COLOR_ACCENT);
        cairo_set_line_width(r->cr, 1.0);
        cairo_rectangle(r->cr, MARGIN, y, CONTENT_W, total);
        cairo_stroke(r->cr);
    }
    r_show(r, title, r_x(r, pad, tw), y + bar_pad, COLOR_ACCENT);
    if (aside)
        r_show(r, aside, r_x(r, CONTENT_W - pad - aw, aw), y + bar_pad, COLOR_TEXT);
    double by = y + bar_h + pad;
    if (sym > 0)
        r_symbol(r, b, r_x(r, pad, sym), by + (inner - sym) / 2, sym);
    double ry = by + (inner - rows_h) / 2;
    for (size_t i = 0; i < nf; i++) {
        double dy = pango_units_to_double(pango_layout_get_baseline(values[i]) -
                                          pango_layout_get_baseline(labels[i]));
        r_show(r, labels[i], r_x(r, fs, lw), ry + dy, COLOR_MUTED);
        r_show(r, values[i], r_x(r, fs + lw + gap, vw), ry, COLOR_TEXT);
        double h =
            r_height(labels[i]) > r_height(values[i]) ? r_height(labels[i]) : r_height(values[i]);
        ry += h + MM(1.5);
        g_object_unref(labels[i]);
        g_object_unref(values[i]);
    }
    r->y += total + MM(4);
    r->fresh = false;
    g_object_unref(title);
    if (aside)
        g_object_unref(aside);
}

/* ---- Measuring what does not depend on the page ---- */

/* The longest run of non-blank characters in s (by characters): its start and length in bytes. */
static const char *r_longest_word(const char *s, size_t *len)
{
    const char *best = s;
    size_t best_chars = 0;
    *len = 0;
    while (*s) {
        while (*s == ' ' || *s == '\n' || *s == '\t')
            s++;
        const char *w = s;
        size_t chars = 0;
        while (*s && *s != ' ' && *s != '\n' && *s != '\t') {
            chars += ((unsigned char)*s & 0xc0) != 0x80;
            s++;
        }
        if (chars > best_chars) {
            best = w;
            best_chars = chars;
            *len = (size_t)(s - w);
        }
    }
    return best;
}

/* Column widths, as HTML's automatic table layout does: every column gets its natural width when
   they all fit (the spare width spread in proportion); otherwise its longest word plus a share of
   the rest in proportion to how much more it would like; when even the longest words do not fit,
   widths follow them and words break. */
static void r_measure_table(struct render *r, struct rblock *b)
{
    size_t n = b->ncols, nr = b->nrows;
    double *max = arena_calloc(r->arena, n, sizeof(*max));
    double *min = arena_calloc(r->arena, n, sizeof(*min));
    double *one_line = arena_calloc(r->arena, (nr + 1) * n, sizeof(*one_line));
    double *nat_cell = arena_calloc(r->arena, (nr + 1) * n, sizeof(*nat_cell));
    PangoLayout *cell = r_layout(r, "", F_CELL, -1, R_START, false);
    PangoLayout *head = r_layout(r, "", F_CELL_HEAD, -1, R_START, false);
    for (size_t i = 0; i <= nr; i++) {
        for (size_t c = 0; c < n; c++) {
            PangoLayout *l = i == 0 ? head : cell;
            const char *text = i == 0 ? b->headers[c] : b->cells[(i - 1) * n + c];
            pango_layout_set_text(l, text, -1);
            double w = r_width(l) + 2 * CELL_PAD_X;
            nat_cell[i * n + c] = w;
            one_line[i * n + c] = r_height(l);
            if (w > max[c])
                max[c] = w;
            /* The longest word is no wider than the cell: measure it only when it could raise
               the column's minimum. */
            size_t wlen;
            const char *word = w > min[c] ? r_longest_word(text, &wlen) : NULL;
            if (word && wlen < strlen(text)) {
                pango_layout_set_text(l, word, (int)wlen);
                w = r_width(l) + 2 * CELL_PAD_X;
            }
            if (w > min[c])
                min[c] = w;
        }
    }
    b->col_w = arena_calloc(r->arena, n, sizeof(*b->col_w));
    double sum_max = 0, sum_min = 0;
    for (size_t c = 0; c < n; c++) {
        sum_max += max[c];
        sum_min += min[c];
    }
    for (size_t c = 0; c < n; c++) {
        if (sum_max <= CONTENT_W)
            b->col_w[c] = max[c] + (CONTENT_W - sum_max) * max[c] / sum_max;
        else if (sum_min <= CONTENT_W)
            b->col_w[c] = min[c] + (CONTENT_W - sum_min) * (max[c] - min[c]) / (sum_max - sum_min);
        else
            b->col_w[c] = CONTENT_W * min[c] / sum_min;
    }
    /* Row heights: only cells wider than their column need wrapping. */
    b->row_h = arena_calloc(r->arena, nr ? nr : 1, sizeof(*b->row_h));
    for (size_t i = 0; i <= nr; i++) {
        double h = 0;
        for (size_t c = 0; c < n; c++) {
            double ch = one_line[i * n + c];
            if (nat_cell[i * n + c] > b->col_w[c] + 0.01) {
                PangoLayout *l = i == 0 ? head : cell;
                pango_layout_set_text(l, i == 0 ? b->headers[c] : b->cells[(i - 1) * n + c], -1);
                pango_layout_set_width(l, pango_units_from_double(b->col_w[c] - 2 * CELL_PAD_X));
                pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
                ch = r_height(l);
                pango_layout_set_width(l, -1);
            }
            if (ch > h)
                h = ch;
        }
        if (i == 0)
            b->header_h = h + 2 * CELL_PAD_Y;
        else
            b->row_h[i - 1] = h + 2 * CELL_PAD_Y;
    }
    g_object_unref(cell);
    g_object_unref(head);
}

static void r_measure(struct render *r, struct rdoc *d)
{
    PangoLayout *label = r_layout(r, "", F_LABEL, -1, R_START, false);
    for (size_t i = 0; i < d->nblocks; i++) {
        struct rblock *b = &d->blocks[i];
        if (b->kind == R_TABLE) {
            r_measure_table(r, b);
        } else if (b->kind == R_FIELD && (i == 0 || d->blocks[i - 1].kind != R_FIELD)) {
            /* One label column per run of fields: the widest label, within 20%..40%. */
            size_t end = i;
            double w = 0;
            for (; end < d->nblocks && d->blocks[end].kind == R_FIELD; end++) {
                pango_layout_set_text(label, d->blocks[end].text, -1);
                if (r_width(label) > w)
                    w = r_width(label);
            }
            w = w < CONTENT_W * 0.2 ? CONTENT_W * 0.2 : w > CONTENT_W * 0.4 ? CONTENT_W * 0.4 : w;
            for (size_t k = i; k < end; k++)
                d->blocks[k].label_w = w + 1;
        }
    }
    g_object_unref(label);
    PangoLayout *f = r_footer_layout(r);
    r->footer_h = r_height(f);
    g_object_unref(f);
}

/* One pass over the document: measuring (draw false) or drawing. */
static void r_pass(struct render *r, bool draw)
{
    const struct rdoc *d = r->d;
    r->draw = draw;
    r->page = 0;
    r_begin_page(r);
    for (size_t i = 0; i < d->nblocks; i++) {
        const struct rblock *b = &d->blocks[i];
        switch (b->kind) {
        case R_HEADING:
            r_heading(r, b);
            break;
        case R_PARAGRAPH:
            r_paragraph(r, b);
            break;
        case R_FIELD:
            r_field(r, b, i + 1 == d->nblocks || d->blocks[i + 1].kind != R_FIELD);
            break;
        case R_NOTE:
            r_note(r, b);
            break;
        case R_CODE:
            r_code(r, b);
            break;
        case R_TABLE:
            r_table(r, b);
            break;
        case R_BREAK:
            if (!r->fresh)
                r_new_page(r);
            break;
        case R_PANEL:
            r_panel(r, b);
            break;
        }
    }
    r_end_page(r);
}

/* ---- The child's main ---- */

cairo_status_t doc_cairo_fwrite(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

static PangoContext *render_context(cairo_t *cr, const char *lang, bool rtl)
{
    PangoContext *ctx = pango_cairo_create_context(cr);
    pango_cairo_context_set_resolution(ctx, 72.0); /* font sizes in points = PDF units */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(ctx, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(ctx, FALSE);
    pango_context_set_language(ctx, pango_language_from_string(lang));
    pango_context_set_base_dir(ctx, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
    return ctx;
}

static int render_fail(const char *msg)
{
    fprintf(stderr, "render-pdf: %s\n", msg);
    return 1;
}

static int render_document(struct arena *a, struct rdoc *d, FILE *out)
{
    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(doc_cairo_fwrite, out, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, d->issuer);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Refettorio");
    cairo_t *cr = cairo_create(surface);
    struct render r = {.d = d, .arena = a, .cr = cr};
    r.ctx = render_context(cr, d->lang, d->rtl);
    r.ctx_ltr = render_context(cr, d->lang, false);
    for (int f = 0; f < F_COUNT; f++)
        r.fonts[f] = pango_font_description_from_string(render_font_names[f]);
    r_measure(&r, d);
    r_pass(&r, false);
    r.total = r.page;
    r_pass(&r, true);
    for (int f = 0; f < F_COUNT; f++)
        pango_font_description_free(r.fonts[f]);
    g_object_unref(r.ctx);
    g_object_unref(r.ctx_ltr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS)
        return render_fail(cairo_status_to_string(st));
    if (fflush(out) != 0 || ferror(out))
        return render_fail("cannot write the PDF");
    return 0;
}

int doc_render_main(FILE *in, FILE *out)
{
    struct buf input;
    buf_init(&input, DOC_JSON_MAX);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
        if (buf_append(&input, chunk, n) != BUF_OK) {
            buf_free(&input);
            return render_fail("input larger than DOC_JSON_MAX");
        }
    }
    if (ferror(in)) {
        buf_free(&input);
        return render_fail("cannot read the input");
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf_str(&input), input.len, JSON_REJECT_DUPLICATES, &jerr);
    buf_free(&input);
    if (!root) {
        fprintf(stderr, "render-pdf: invalid JSON: %s\n", jerr.text);
        return 1;
    }
    struct arena a;
    arena_init(&a, 0);
    struct rdoc d = {0};
    int rc;
    json_t *emblem = json_object_get(root, "emblem");
    if (emblem) {
        if (!json_is_string(emblem) || json_string_length(emblem) > DOC_TEXT_MAX)
            rc = render_fail("the emblem's name is not a string or is too long");
        else if (doc_emblem_write(json_string_value(emblem), out) != 0)
            rc = render_fail("cannot write the emblem");
        else
            rc = 0;
    } else {
        const char *why = rp_doc(&a, root, &d);
        rc = why ? render_fail(why) : render_document(&a, &d, out);
    }
    if (d.logo)
        cairo_surface_destroy(d.logo);
    json_decref(root);
    arena_free(&a);
    return rc;
}
