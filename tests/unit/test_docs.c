/* Unit tests for PDF documents (src/docs/): every block type rendered through the real child
   process ($REFETTORIO_BIN render-pdf, default build/refettorio) and checked with poppler's tools
   (pdftotext for the text, -bbox for positions, pdfinfo for pages and metadata, pdffonts for
   embedding, pdfimages for the logo); an Arabic document laid out right to left; bad logos; the
   renderer missing, failing, too talkative or too slow (killed, reaped); at most two renders at
   once; misuse of the model; the child's checks on its input; the emblem. The test binary also
   answers `render-pdf` itself, to check the default renderer (/proc/self/exe). */
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>

#include "docs/doc.h"
#include "docs/doc_internal.h"

#define ITALIAN_ROWS   120
#define ARABIC_WELCOME "مرحبا بكم في خدمة المقصف المدرسي"
#define ARABIC_TITLE   "ملخص التسجيل"
#define ARABIC_LABEL   "اسم التلميذ"
#define ISSUER         "Comune di Esempio"
#define CF             "RSSMRA80A01H501U"

static const char *real_renderer[3];

static void use_real_renderer(void)
{
    const char *bin = getenv("REFETTORIO_BIN");
    real_renderer[0] = bin && *bin ? bin : "build/refettorio";
    real_renderer[1] = "render-pdf";
    real_renderer[2] = NULL;
    doc_set_renderer(real_renderer, 0);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when this process has no child left to reap (no zombies, nothing running). */
static bool no_children(void)
{
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

/* ---- poppler's tools ---- */

/* Run a tool (found on PATH) and return its stdout; the test fails unless it exits with 0. */
static char *run_tool(const char *const *argv)
{
    char *out = NULL, *err = NULL;
    int status = 0;
    GError *e = NULL;
    gboolean ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &e);
    if (!ok)
        fail_msg("cannot run %s: %s", argv[0], e->message);
    if (!g_spawn_check_wait_status(status, NULL))
        fail_msg("%s failed: %s", argv[0], err);
    g_free(err);
    return out;
}

/* Write b to a new file /tmp/refettorio-doc-XXXXXX<suffix>, named in path. */
static void write_temp(const struct buf *b, const char *suffix, char path[64])
{
    snprintf(path, 64, "/tmp/refettorio-doc-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
    close(fd);
}

static char *pdf_text(const char *path, int page)
{
    char p[16];
    snprintf(p, sizeof(p), "%d", page);
    if (page == 0)
        return run_tool((const char *[]){"pdftotext", "-enc", "UTF-8", path, "-", NULL});
    return run_tool(
        (const char *[]){"pdftotext", "-enc", "UTF-8", "-f", p, "-l", p, path, "-", NULL});
}

/* One field of pdfinfo's report ("Title", "Pages"...), trimmed; g_free it. */
static char *pdf_info(const char *path, const char *field)
{
    char *info = run_tool((const char *[]){"pdfinfo", "-enc", "UTF-8", path, NULL});
    char **lines = g_strsplit(info, "\n", -1);
    char *value = NULL;
    size_t n = strlen(field);
    for (size_t i = 0; lines[i] && !value; i++)
        if (!strncmp(lines[i], field, n) && lines[i][n] == ':')
            value = g_strdup(g_strstrip(lines[i] + n + 1));
    g_strfreev(lines);
    g_free(info);
    if (!value)
        fail_msg("pdfinfo reports no %s", field);
    return value;
}

static void assert_info(const char *path, const char *field, const char *want)
{
    char *v = pdf_info(path, field);
    if (strcmp(v, want) != 0)
        fail_msg("%s is \"%s\", not \"%s\"", field, v, want);
    g_free(v);
}

static int pdf_pages(const char *path)
{
    char *v = pdf_info(path, "Pages");
    int n = atoi(v);
    g_free(v);
    return n;
}

/* Every font in the PDF is embedded; returns how many there are and checks that the families
   include each of want (NULL-terminated). */
static int pdf_fonts_embedded(const char *path, const char *const *want)
{
    char *out = run_tool((const char *[]){"pdffonts", path, NULL});
    char **lines = g_strsplit(out, "\n", -1);
    int fonts = 0;
    for (size_t i = 2; lines[i]; i++) {
        char **tok = g_strsplit_set(g_strstrip(lines[i]), " ", -1);
        int n = 0;
        char *words[32];
        for (size_t k = 0; tok[k] && n < 32; k++)
            if (*tok[k])
                words[n++] = tok[k];
        if (n >= 7) {
            /* name type... encoding emb sub uni object-number generation */
            if (strcmp(words[n - 5], "yes") != 0)
                fail_msg("font not embedded: %s", lines[i]);
            fonts++;
        }
        g_strfreev(tok);
    }
    for (size_t k = 0; want[k]; k++)
        if (!strstr(out, want[k]))
            fail_msg("no font %s in:\n%s", want[k], out);
    g_strfreev(lines);
    g_free(out);
    return fonts;
}

/* Images in the PDF (pdfimages -list rows of type "image", not their soft masks). */
static int pdf_image_count(const char *path)
{
    char *out = run_tool((const char *[]){"pdfimages", "-list", path, NULL});
    char **lines = g_strsplit(out, "\n", -1);
    int n = 0;
    for (size_t i = 2; lines[i]; i++) {
        char page[16], num[16], type[16];
        n += sscanf(lines[i], "%15s %15s %15s", page, num, type) == 3 && !strcmp(type, "image");
    }
    g_strfreev(lines);
    g_free(out);
    return n;
}

struct word {
    double x0, y0, x1, y1;
    char text[256];
};

/* The words of one page with their boxes (pdftotext -bbox), in *n. */
static struct word *pdf_words(const char *path, int page, size_t *n)
{
    char p[16];
    snprintf(p, sizeof(p), "%d", page);
    char *html = run_tool(
        (const char *[]){"pdftotext", "-enc", "UTF-8", "-bbox", "-f", p, "-l", p, path, "-", NULL});
    size_t cap = 64;
    struct word *w = calloc(cap, sizeof(*w));
    *n = 0;
    for (const char *s = strstr(html, "<word "); s; s = strstr(s + 1, "<word ")) {
        if (*n == cap)
            w = realloc(w, (cap *= 2) * sizeof(*w));
        struct word *x = &w[*n];
        int off = 0;
        if (sscanf(s, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%n", &x->x0,
                   &x->y0, &x->x1, &x->y1, &off) != 4 ||
            off == 0)
            continue;
        const char *end = strstr(s + off, "</word>");
        size_t len = end ? (size_t)(end - (s + off)) : 0;
        if (len >= sizeof(x->text))
            len = sizeof(x->text) - 1;
        memcpy(x->text, s + off, len);
        x->text[len] = '\0';
        (*n)++;
    }
    g_free(html);
    return w;
}

static const struct word *find_word(const struct word *w, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w[i].text, text))
            return &w[i];
    fail_msg("word \"%s\" not found", text);
    return NULL;
}

static bool is_arabic(const char *s)
{
    for (; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char(s);
        if ((c >= 0x600 && c <= 0x6ff) || (c >= 0xfb50 && c <= 0xfdff) ||
            (c >= 0xfe70 && c <= 0xfeff))
            return true;
    }
    return false;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- Documents ---- */

static struct doc *italian_document(struct arena *a, const struct buf *logo)
{
    struct doc *d = doc_new(a, "it", "Riepilogo dell'iscrizione");
    assert_int_equal(doc_set_issuer(d, ISSUER, "Servizio di refezione scolastica",
                                    logo ? logo->data : NULL, logo ? logo->len : 0),
                     0);
    doc_set_footer(d, "Via Roma 1, 00100 Esempio · tel. 06 123456\nscuola@comune.esempio.it");
    doc_set_page_label(d, "Pagina {n} di {total}");
    doc_heading(d, "Dati dell'alunno");
    doc_field(d, "Nome e cognome", "Mario Rossi");
    doc_field(d, "Codice fiscale", CF);
    doc_field(d, "Telefono", NULL);
    doc_paragraph(d, "Perché è così: il servizio di refezione scolastica è garantito a tutti gli "
                     "alunni iscritti, anche a chi ha una dieta speciale sanitaria o "
                     "etico-religiosa.\nSeconda riga dopo un a capo.");
    doc_note(d, "Conservate questa lettera: il codice utente serve per disdire i pasti entro "
                "le 9:30.");
    doc_big_code(d, "Codice utente", "RFT-7Q2X-93KD");
    const char *headers[] = {"Giorno", "Descrizione del pasto", "Importo dovuto"};
    doc_table(d, 3, headers);
    for (int i = 1; i <= ITALIAN_ROWS; i++) {
        char c0[32], c1[64], c2[32];
        snprintf(c0, sizeof(c0), "Riga %03d", i);
        snprintf(c1, sizeof(c1), "Pasto completo con frutta di stagione %d", i);
        snprintf(c2, sizeof(c2), "%d,50 €", i);
        doc_table_row(d, (const char *[]){c0, c1, c2});
    }
    doc_page_break(d);
    doc_paragraph(d, "Dopo l'interruzione di pagina.");
    assert_null(doc_error(d));
    return d;
}

/* The demo emblem, as a logo for the letterhead. */
static void emblem(struct buf *logo)
{
    buf_init(logo, DOC_LOGO_MAX);
    char err[DOC_ERR_MAX] = "";
    if (doc_emblem_png("Esempio", logo, err, sizeof(err)) != 0)
        fail_msg("emblem: %s", err);
}

static void render_ok(const struct doc *d, char path[64])
{
    struct buf pdf;
    buf_init(&pdf, DOC_PDF_MAX);
    char err[DOC_ERR_MAX] = "";
    if (doc_render_pdf(d, &pdf, err, sizeof(err)) != 0)
        fail_msg("render failed: %s", err);
    assert_memory_equal(pdf.data, "%PDF-", 5);
    write_temp(&pdf, ".pdf", path);
    buf_free(&pdf);
}

static void test_italian_document_every_block(void **state)
{
    use_real_renderer();
    struct arena a;
    arena_init(&a, 0);
    struct buf logo;
    emblem(&logo);
    char path[64];
    render_ok(italian_document(&a, &logo), path);

    /* It opens, with its page count and metadata. */
    assert_info(path, "Title", "Riepilogo dell'iscrizione");
    assert_info(path, "Author", ISSUER);
    assert_info(path, "Creator", "Refettorio");
    char *size = pdf_info(path, "Page size");
    assert_non_null(strstr(size, "(A4)"));
    g_free(size);
    int pages = pdf_pages(path);
    assert_true(pages >= 4);

    /* Real text, accents included. */
    char *all = pdf_text(path, 0);
    static const char *const expect[] = {
        ISSUER,
        "Servizio di refezione scolastica",
        "Riepilogo dell'iscrizione",
        "Dati dell'alunno",
        "Nome e cognome",
        "Mario Rossi",
        "Telefono",
        CF,
        "Perché è così: il servizio di refezione scolastica è garantito",
        "Seconda riga dopo un a capo.",
        "Conservate questa lettera",
        "Codice utente",
        "RFT-7Q2X-93KD",
        "Pasto completo con frutta di stagione 77",
        "120,50 €",
        "Dopo l'interruzione di pagina.",
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        if (!strstr(all, expect[i]))
            fail_msg("\"%s\" missing from the text:\n%s", expect[i], all);
    for (int i = 1; i <= ITALIAN_ROWS; i++) {
        char row[32];
        snprintf(row, sizeof(row), "Riga %03d\n", i);
        assert_int_equal(count_of(all, row), 1);
    }
    g_free(all);

    /* Footer and numbering on every page; the table's header on every page it reaches; the page
       break leaves the last paragraph alone on the last page. */
    int table_pages = 0;
    for (int p = 1; p <= pages; p++) {
        char *t = pdf_text(path, p);
        char label[64];
        snprintf(label, sizeof(label), "Pagina %d di %d", p, pages);
        if (!strstr(t, label) || !strstr(t, "Via Roma 1, 00100 Esempio") ||
            !strstr(t, "scuola@comune.esempio.it"))
            fail_msg("page %d lacks its footer:\n%s", p, t);
        if (strstr(t, "Riga ")) {
            table_pages++;
            assert_int_equal(count_of(t, "Importo dovuto"), 1);
            assert_int_equal(count_of(t, "Descrizione del pasto"), 1);
        }
        bool last = p == pages;
        assert_int_equal(strstr(t, "Dopo l'interruzione di pagina.") != NULL, last);
        if (last)
            assert_null(strstr(t, "Riga "));
        g_free(t);
    }
    assert_true(table_pages >= 3);

    /* Left to right: the logo takes the left of the letterhead, labels sit left of values. */
    size_t n;
    struct word *w = pdf_words(path, 1, &n);
    const struct word *issuer = find_word(w, n, "Comune");
    assert_true(issuer->x0 > 90); /* margin 51 pt + logo 43 pt */
    const struct word *label = find_word(w, n, "Codice");
    const struct word *value = find_word(w, n, CF);
    assert_true(label->x1 < value->x0);
    assert_true(label->x0 < 60);
    free(w);

    static const char *const families[] = {"DejaVuSans", "DejaVuSansMono", NULL};
    assert_true(pdf_fonts_embedded(path, families) >= 2);

    /* The logo is in the PDF as an image. */
    assert_int_equal(pdf_image_count(path), 1);

    unlink(path);
    buf_free(&logo);
    arena_free(&a);
    assert_true(no_children());
}

static void test_arabic_document_right_to_left(void **state)
{
    use_real_renderer();
    struct arena a;
    arena_init(&a, 0);
    struct buf logo;
    emblem(&logo);
    struct doc *d = doc_new(&a, "ar", ARABIC_TITLE);
    doc_set_issuer(d, ISSUER, NULL, logo.data, logo.len);
    doc_set_page_label(d, "{n}/{total}");
    doc_paragraph(d, ARABIC_WELCOME);
    doc_field(d, ARABIC_LABEL, CF);
    doc_note(d, ARABIC_WELCOME);
    doc_big_code(d, ARABIC_LABEL, "RFT-7Q2X-93KD");
    doc_table(d, 3, (const char *[]){"ColA", "ColB", "ColC"});
    doc_table_row(d, (const char *[]){"a1", "b1", "c1"});
    char path[64];
    render_ok(d, path);

    assert_info(path, "Title", ARABIC_TITLE);
    char *all = pdf_text(path, 0);
    if (!strstr(all, ARABIC_WELCOME) || !strstr(all, ARABIC_TITLE) || !strstr(all, CF) ||
        !strstr(all, "RFT-7Q2X-93KD"))
        fail_msg("Arabic text missing:\n%s", all);
    assert_int_equal(count_of(all, ARABIC_WELCOME), 2);
    g_free(all);

    size_t n;
    struct word *w = pdf_words(path, 1, &n);
    /* The label column is on the right: every Arabic glyph on the value's line is right of it. */
    const struct word *value = find_word(w, n, CF);
    int on_line = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_arabic(w[i].text) && w[i].y0 < value->y1 && w[i].y1 > value->y0) {
            assert_true(w[i].x0 > value->x1);
            on_line++;
        }
    }
    assert_true(on_line > 0);
    /* Text is right-aligned to the margin (page 595.3 pt, margin 51 pt); the issuer leaves room
       for the logo on the right. */
    double right = 0;
    for (size_t i = 0; i < n; i++)
        if (is_arabic(w[i].text) && w[i].x1 > right)
            right = w[i].x1;
    assert_true(right > 540 && right < 546);
    const struct word *issuer = find_word(w, n, "Esempio");
    assert_true(issuer->x1 < 505);
    /* Table columns run right to left. */
    const struct word *ca = find_word(w, n, "ColA"), *cb = find_word(w, n, "ColB"),
                      *cc = find_word(w, n, "ColC");
    assert_true(ca->x0 > cb->x0 && cb->x0 > cc->x0);
    assert_true(find_word(w, n, "a1")->x0 > find_word(w, n, "c1")->x0);
    /* The code still reads left to right. */
    find_word(w, n, "RFT-7Q2X-93KD");
    free(w);

    static const char *const families[] = {"DejaVuSans", NULL};
    pdf_fonts_embedded(path, families);
    unlink(path);
    buf_free(&logo);
    arena_free(&a);
}

/* A PNG signature and a plausible header, then garbage. */
static size_t fake_png(unsigned char *p, uint32_t w, uint32_t h)
{
    static const unsigned char head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                         0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    memcpy(p, head, sizeof(head));
    unsigned char dims[8] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h};
    memcpy(p + 16, dims, 8);
    memcpy(p + 24, "\x08\x02\x00\x00\x00", 5);
    memset(p + 29, 0x5a, 100); /* wrong CRC, no IDAT: does not decode */
    return 129;
}

static void test_bad_logos_are_left_out(void **state)
{
    use_real_renderer();
    struct arena a;
    arena_init(&a, 0);
    unsigned char png[256];

    struct doc *d = doc_new(&a, "it", "Logo non valido");
    assert_int_equal(doc_set_issuer(d, ISSUER, NULL, "not a png at all", 16), -1);
    doc_paragraph(d, "Testo");
    char path[64];
    render_ok(d, path);
    assert_int_equal(pdf_image_count(path), 0);
    char *t = pdf_text(path, 0);
    assert_non_null(strstr(t, ISSUER));
    g_free(t);
    unlink(path);

    /* Passes the header check, fails to decode in the child: left out there. */
    d = doc_new(&a, "it", "Logo rovinato");
    assert_int_equal(doc_set_issuer(d, ISSUER, NULL, png, fake_png(png, 10, 10)), 0);
    doc_paragraph(d, "Testo");
    render_ok(d, path);
    assert_int_equal(pdf_image_count(path), 0);
    unlink(path);

    /* Too many pixels to decode: refused before anything else. */
    d = doc_new(&a, "it", "Logo enorme");
    assert_int_equal(doc_set_issuer(d, ISSUER, NULL, png, fake_png(png, 100000, 100000)), -1);
    assert_int_equal(doc_set_issuer(d, ISSUER, NULL, png, fake_png(png, 0, 10)), -1);
    assert_int_equal(doc_set_issuer(d, ISSUER, NULL, png, 20), -1); /* truncated header */
    assert_false(doc_png_acceptable(png, DOC_LOGO_MAX + 1));
    assert_null(doc_error(d));
    arena_free(&a);
}

/* Paragraphs and notes continue line by line on the next pages, in order; an oversized title or
   footer is cut (with an ellipsis) so that the body keeps its room. */
static void test_long_text_flows_across_pages(void **state)
{
    use_real_renderer();
    struct arena a;
    arena_init(&a, 0);
    GString *title = g_string_new(""), *footer = g_string_new("");
    for (int i = 0; i < 400; i++) {
        g_string_append(title, "Titolo lunghissimo ");
        g_string_append(footer, "Piede lunghissimo ");
    }
    struct doc *d = doc_new(&a, "it", title->str);
    doc_set_issuer(d, ISSUER, NULL, NULL, 0);
    doc_set_footer(d, footer->str);
    GString *para = g_string_new(""), *note = g_string_new("");
    for (int i = 1; i <= 300; i++) {
        g_string_append_printf(para, "Frase%03d del paragrafo. ", i);
        g_string_append_printf(note, "Avviso%03d nella nota. ", i);
    }
    doc_paragraph(d, para->str);
    doc_note(d, note->str);
    char path[64];
    render_ok(d, path);
    assert_true(pdf_pages(path) >= 3);
    char *all = pdf_text(path, 0);
    const char *prev = all;
    for (int i = 1; i <= 600; i++) {
        char want[32];
        snprintf(want, sizeof(want), i <= 300 ? "Frase%03d " : "Avviso%03d ",
                 i <= 300 ? i : i - 300);
        const char *at = strstr(all, want);
        if (!at || count_of(all, want) != 1 || at < prev)
            fail_msg("%s missing, repeated or out of order", want);
        prev = at;
    }
    g_free(all);
    /* Page 1: four lines of title, then the body; the footer's four lines at the bottom. */
    size_t n;
    struct word *w = pdf_words(path, 1, &n);
    assert_true(find_word(w, n, "Frase001")->y0 < 250);
    double footer_top = 842;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w[i].text, "Piede") && w[i].y0 < footer_top)
            footer_top = w[i].y0;
    assert_true(footer_top > 760);
    free(w);
    g_string_free(title, TRUE);
    g_string_free(footer, TRUE);
    g_string_free(para, TRUE);
    g_string_free(note, TRUE);
    unlink(path);
    arena_free(&a);
}

static void test_renderer_missing(void **state)
{
    static const char *const argv[] = {"/nonexistent/refettorio", "render-pdf", NULL};
    doc_set_renderer(argv, 0);
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "it", "Titolo");
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    char err[DOC_ERR_MAX] = "";
    assert_int_equal(doc_render_pdf(d, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot start /nonexistent/refettorio"));
    assert_int_equal(out.len, 0);
    assert_true(no_children());
    arena_free(&a);
}

/* Render a small document with renderer argv and timeout; returns the error ("" on success). */
static void render_with(const char *const *argv, int timeout_ms, size_t out_max, char *err,
                        size_t errsz, size_t *out_len)
{
    doc_set_renderer(argv, timeout_ms);
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "it", "Titolo");
    doc_paragraph(d, "Testo");
    struct buf out;
    buf_init(&out, out_max);
    err[0] = '\0';
    doc_render_pdf(d, &out, err, errsz);
    *out_len = out.len;
    buf_free(&out);
    arena_free(&a);
}

static void test_renderer_timeout_kills_and_reaps(void **state)
{
    char err[DOC_ERR_MAX];
    size_t len;
    int64_t t0 = now_ms();
    render_with((const char *[]){"/bin/sleep", "30", NULL}, 300, DOC_PDF_MAX, err, sizeof(err),
                &len);
    assert_non_null(strstr(err, "timed out after 300 ms"));
    assert_true(now_ms() - t0 < 5000);
    assert_int_equal(len, 0);
    assert_true(no_children());

    /* Closing its outputs does not buy the child more time. */
    t0 = now_ms();
    render_with((const char *[]){"/bin/sh", "-c", "exec >&- 2>&-; sleep 30", NULL}, 300,
                DOC_PDF_MAX, err, sizeof(err), &len);
    assert_non_null(strstr(err, "timed out"));
    assert_true(now_ms() - t0 < 5000);
    assert_true(no_children());
    doc_set_renderer(NULL, 0);
}

static void test_renderer_failures(void **state)
{
    char err[DOC_ERR_MAX];
    size_t len;
    render_with((const char *[]){"/bin/false", NULL}, 0, DOC_PDF_MAX, err, sizeof(err), &len);
    assert_non_null(strstr(err, "exit status 1"));
    render_with((const char *[]){"/bin/sh", "-c", "cat >/dev/null; echo boom >&2; exit 3", NULL}, 0,
                DOC_PDF_MAX, err, sizeof(err), &len);
    assert_string_equal(err, "renderer: exit status 3: boom");
    render_with((const char *[]){"/bin/sh", "-c", "kill -9 $$", NULL}, 0, DOC_PDF_MAX, err,
                sizeof(err), &len);
    assert_non_null(strstr(err, "killed by signal 9"));
    /* Echoing the JSON back is not a PDF. */
    render_with((const char *[]){"/bin/cat", NULL}, 0, DOC_PDF_MAX, err, sizeof(err), &len);
    assert_non_null(strstr(err, "not what was asked for"));
    assert_int_equal(len, 0);
    /* Output past the caller's buffer: stopped, killed, nothing appended. */
    render_with((const char *[]){"/bin/sh", "-c",
                                 "cat >/dev/null; printf %%PDF-; head -c 3000000 /dev/zero", NULL},
                0, 1024 * 1024, err, sizeof(err), &len);
    assert_non_null(strstr(err, "larger than"));
    assert_int_equal(len, 0);
    assert_true(no_children());

    /* A child that exits without reading a large document: no SIGPIPE, no hang. */
    static const char *const quit[] = {"/bin/sh", "-c", "exit 4", NULL};
    doc_set_renderer(quit, 0);
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "it", "Grande");
    char *text = arena_alloc(&a, DOC_TEXT_MAX + 1);
    memset(text, 'x', DOC_TEXT_MAX);
    for (int i = 0; i < 64; i++)
        doc_paragraph(d, text); /* 4 MiB of JSON, more than a socket buffer holds */
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    assert_int_equal(doc_render_pdf(d, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "exit status 4"));
    buf_free(&out);
    arena_free(&a);
    assert_true(no_children());
    doc_set_renderer(NULL, 0);
}

struct concurrent {
    int rc;
    char err[DOC_ERR_MAX];
    int64_t elapsed_ms;
};

static void *render_thread(void *arg)
{
    struct concurrent *c = arg;
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "it", "Titolo");
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    int64_t t0 = now_ms();
    c->rc = doc_render_pdf(d, &out, c->err, sizeof(c->err));
    c->elapsed_ms = now_ms() - t0;
    buf_free(&out);
    arena_free(&a);
    return NULL;
}

static void test_at_most_two_renders_at_once(void **state)
{
    char log[] = "/tmp/refettorio-doc-XXXXXX";
    int fd = mkstemp(log);
    assert_true(fd >= 0);
    close(fd);
    const char *const argv[] = {
        "/bin/sh",
        "-c",
        "cat >/dev/null; echo s >>\"$1\"; sleep 0.3; echo e >>\"$1\"; printf '%%PDF-1.5 x'",
        "sh",
        log,
        NULL};
    doc_set_renderer(argv, 0);
    pthread_t t[4];
    struct concurrent c[4];
    int64_t t0 = now_ms();
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, render_thread, &c[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    int64_t elapsed = now_ms() - t0;
    for (int i = 0; i < 4; i++)
        if (c[i].rc != 0)
            fail_msg("render %d: %s", i, c[i].err);
    FILE *f = fopen(log, "r");
    char line[8];
    int running = 0, peak = 0, started = 0;
    while (fgets(line, sizeof(line), f)) {
        running += line[0] == 's' ? 1 : -1;
        started += line[0] == 's';
        if (running > peak)
            peak = running;
    }
    fclose(f);
    unlink(log);
    assert_int_equal(started, 4);
    assert_true(peak >= 1 && peak <= DOC_RENDER_CONCURRENCY);
    assert_true(elapsed >= 600); /* two rounds of 0.3 s */
    assert_true(no_children());
    doc_set_renderer(NULL, 0);
}

/* Waiting for a slot is bounded by the timeout too: requests queued behind busy renderers fail
   instead of holding their threads. 10 renders of 0.3 s, two at a time, cannot all start within
   1 s: at least two are refused, each after about 1 s. */
static void test_waiting_for_a_slot_is_bounded(void **state)
{
    static const char *const argv[] = {"/bin/sh", "-c",
                                       "cat >/dev/null; sleep 0.3; printf '%%PDF-1.5 x'", NULL};
    doc_set_renderer(argv, 1000);
    pthread_t t[10];
    struct concurrent c[10];
    for (int i = 0; i < 10; i++)
        pthread_create(&t[i], NULL, render_thread, &c[i]);
    for (int i = 0; i < 10; i++)
        pthread_join(t[i], NULL);
    int busy = 0;
    for (int i = 0; i < 10; i++) {
        if (c[i].rc == 0)
            continue;
        if (strcmp(c[i].err, "renderer: busy for 1000 ms") != 0)
            fail_msg("render %d: %s", i, c[i].err);
        assert_true(c[i].elapsed_ms >= 1000 && c[i].elapsed_ms < 3000);
        busy++;
    }
    assert_true(busy >= 2);
    assert_true(no_children());
    doc_set_renderer(NULL, 0);
}

static void test_model_misuse_is_reported(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    char err[DOC_ERR_MAX];

    struct doc *d = doc_new(&a, "it", "T");
    doc_paragraph(d, "p");
    doc_table_row(d, (const char *[]){"x"});
    assert_non_null(doc_error(d));
    assert_int_equal(doc_render_pdf(d, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "document: doc_table_row without a table"));

    d = doc_new(&a, "it", "T");
    doc_table(d, 0, NULL);
    assert_non_null(doc_error(d));
    d = doc_new(&a, "it", "T");
    doc_table(d, DOC_TABLE_COLS_MAX + 1, NULL);
    assert_non_null(doc_error(d));

    d = doc_new(&a, "it", "T");
    char *big = arena_alloc(&a, DOC_TEXT_MAX + 2);
    memset(big, 'x', DOC_TEXT_MAX + 1);
    doc_paragraph(d, big);
    assert_non_null(strstr(doc_error(d), "DOC_TEXT_MAX"));

    d = doc_new(&a, "it", "T");
    doc_table(d, 1, (const char *[]){"h"});
    for (int i = 0; i < DOC_ITEMS_MAX; i++)
        doc_table_row(d, (const char *[]){"r"});
    assert_non_null(strstr(doc_error(d), "DOC_ITEMS_MAX"));

    assert_non_null(doc_error(doc_new(&a, "it;rm -rf", "T")));
    assert_non_null(doc_error(doc_new(&a, "", "T")));
    assert_null(doc_error(doc_new(&a, "pt-BR", "T")));

    /* Invalid UTF-8 is refused before any child starts. */
    static const char *const nothing[] = {"/nonexistent", NULL};
    doc_set_renderer(nothing, 0);
    d = doc_new(&a, "it", "T");
    doc_paragraph(d, "caf\xe9");
    assert_null(doc_error(d));
    assert_int_equal(doc_render_pdf(d, &out, err, sizeof(err)), -1);
    assert_string_equal(err, "document: text is not valid UTF-8");
    assert_int_equal(out.len, 0);
    doc_set_renderer(NULL, 0);
    buf_free(&out);
    arena_free(&a);
}

/* Run doc_render_main in this process on input; returns its status, output in *out. */
static int child_main(const char *input, size_t len, struct buf *out)
{
    FILE *in = fmemopen((void *)input, len, "r");
    char *data = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&data, &size);
    /* The child explains on stderr; keep the test output clean. */
    fflush(stderr);
    int saved = dup(2);
    FILE *null = fopen("/dev/null", "w");
    dup2(fileno(null), 2);
    int rc = doc_render_main(in, o);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(null);
    fclose(in);
    fclose(o);
    buf_reset(out);
    buf_append(out, data, size);
    free(data);
    return rc;
}

static void test_child_checks_its_input(void **state)
{
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
#define DOC_HEAD "{\"v\":1,\"lang\":\"it\",\"title\":\"T\",\"footer\":\"\",\"page_label\":\"\","
    static const char *const bad[] = {
        "not json",
        "{\"v\":2}",
        DOC_HEAD "\"issuer\":{\"name\":\"X\"},\"blocks\":[{\"t\":\"script\"}]}",
        DOC_HEAD "\"issuer\":{\"name\":\"X\"},\"blocks\":[{\"t\":\"table\",\"headers\":[\"a\","
                 "\"b\"],\"rows\":[[\"1\"]]}]}",
        DOC_HEAD "\"issuer\":{\"name\":\"X\"},\"blocks\":[{\"t\":\"field\",\"label\":1}]}",
        DOC_HEAD "\"issuer\":{\"name\":\"X\"},\"blocks\":{}}",
        DOC_HEAD "\"blocks\":[]}",
        "{\"v\":1,\"lang\":\"a b\",\"title\":\"T\",\"footer\":\"\",\"page_label\":\"\","
        "\"issuer\":{\"name\":\"X\"},\"blocks\":[]}",
        DOC_HEAD "\"issuer\":{\"name\":\"X\",\"logo\":7},\"blocks\":[]}",
        DOC_HEAD "\"title\":\"again\",\"issuer\":{\"name\":\"X\"},\"blocks\":[]}",
        "{\"v\":1,\"emblem\":3}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (child_main(bad[i], strlen(bad[i]), &out) != 1)
            fail_msg("accepted: %s", bad[i]);
        assert_int_equal(out.len, 0);
    }
    /* Past the limits: a long string, too many blocks. */
    GString *s = g_string_new(DOC_HEAD "\"issuer\":{\"name\":\"X\"},\"blocks\":[{\"t\":\"note\","
                                       "\"text\":\"");
    for (int i = 0; i <= DOC_TEXT_MAX; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"}]}");
    assert_int_equal(child_main(s->str, s->len, &out), 1);
    g_string_assign(s, DOC_HEAD "\"issuer\":{\"name\":\"X\"},\"blocks\":[");
    for (int i = 0; i <= DOC_ITEMS_MAX; i++)
        g_string_append(s, i ? ",{\"t\":\"break\"}" : "{\"t\":\"break\"}");
    g_string_append(s, "]}");
    assert_int_equal(child_main(s->str, s->len, &out), 1);
    g_string_free(s, TRUE);

    /* The smallest valid document. */
    const char *ok = DOC_HEAD "\"issuer\":{\"name\":\"X\",\"subtitle\":null},\"blocks\":[]}";
    assert_int_equal(child_main(ok, strlen(ok), &out), 0);
    assert_memory_equal(out.data, "%PDF-", 5);
    buf_free(&out);
#undef DOC_HEAD
}

static void test_default_renderer_is_this_binary(void **state)
{
    doc_set_renderer(NULL, 0); /* /proc/self/exe render-pdf: main() below answers */
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "en", "Default renderer");
    doc_paragraph(d, "Rendered by /proc/self/exe.");
    char path[64];
    render_ok(d, path);
    char *t = pdf_text(path, 0);
    assert_non_null(strstr(t, "Rendered by /proc/self/exe."));
    g_free(t);
    unlink(path);
    arena_free(&a);
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *row =
        cairo_image_surface_get_data(s) + (size_t)y * cairo_image_surface_get_stride(s);
    return ((const uint32_t *)row)[x];
}

static void test_emblem(void **state)
{
    use_real_renderer();
    struct buf png;
    emblem(&png);
    assert_true(doc_png_acceptable(png.data, png.len));
    char path[64];
    write_temp(&png, ".png", path);
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    unlink(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(s);
    assert_int_equal(cairo_image_surface_get_width(s), 256);
    assert_int_equal(cairo_image_surface_get_height(s), 300);
    assert_int_equal(pixel(s, 2, 2) >> 24, 0); /* transparent around the shield */
    uint32_t blue = pixel(s, 128, 108);        /* the field, above the letter */
    assert_int_equal(blue >> 24, 0xff);
    if (!((blue & 0xff) > ((blue >> 16) & 0xff) + 0x40))
        fail_msg("not blue: %08x", blue);
    /* The gold letter is in the middle: count gold pixels along the centre line. */
    int gold = 0;
    for (int y = 120; y < 240; y++) {
        uint32_t p = pixel(s, 128, y);
        gold += ((p >> 16) & 0xff) > 0xa0 && (p & 0xff) < 0x60;
    }
    assert_true(gold > 10);
    cairo_surface_destroy(s);

    /* No name, no letter; invalid UTF-8 refused. */
    char err[DOC_ERR_MAX];
    buf_reset(&png);
    assert_int_equal(doc_emblem_png("", &png, err, sizeof(err)), 0);
    assert_memory_equal(png.data, "\x89PNG", 4);
    buf_reset(&png);
    assert_int_equal(doc_emblem_png("\xff", &png, err, sizeof(err)), -1);
    assert_string_equal(err, "emblem: name is not valid UTF-8");
    assert_int_equal(png.len, 0);
    buf_free(&png);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "render-pdf"))
        return doc_render_main(stdin, stdout);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_italian_document_every_block),
        cmocka_unit_test(test_arabic_document_right_to_left),
        cmocka_unit_test(test_bad_logos_are_left_out),
        cmocka_unit_test(test_long_text_flows_across_pages),
        cmocka_unit_test(test_renderer_missing),
        cmocka_unit_test(test_renderer_timeout_kills_and_reaps),
        cmocka_unit_test(test_renderer_failures),
        cmocka_unit_test(test_at_most_two_renders_at_once),
        cmocka_unit_test(test_waiting_for_a_slot_is_bounded),
        cmocka_unit_test(test_model_misuse_is_reported),
        cmocka_unit_test(test_child_checks_its_input),
        cmocka_unit_test(test_default_renderer_is_this_binary),
        cmocka_unit_test(test_emblem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
