/*
 * PDF documents (enrollment summaries, credentials letters, payment notices, statements...): a
 * small document model that callers fill in their own arena, and its rendering to PDF.
 *
 * The model is a title, an issuer (municipality name, subtitle, PNG logo), a footer with page
 * numbering, and a list of blocks: headings, paragraphs, label/value fields, framed notes, large
 * monospace codes, tables (whose header row repeats on every page), panels (a framed slip with a
 * QR code or DataMatrix symbol beside label/value rows, kept on one page) and page breaks. Callers
 * pass every string already translated; nothing in src/docs is shown to people as is. NULL values
 * and table cells print as empty. Misuse (too many blocks, a string past DOC_TEXT_MAX, a row
 * without a table...) sets a sticky error that doc_render_pdf reports: builders need not check
 * each call.
 *
 * Rendering never happens in the calling thread: doc_render_pdf serialises the document to JSON
 * and hands it to a child process (this program's own binary, hidden subcommand `render-pdf`,
 * started with posix_spawn) that draws it with cairo and pango; the caller gets the PDF bytes or
 * an error. At most DOC_RENDER_CONCURRENCY children run at once, each is killed after the timeout,
 * and its output is bounded. The document's language selects the pango language and the
 * direction: for right-to-left languages (ar, he, fa, ur, ...) the whole page mirrors. Text is set
 * in DejaVu Sans and DejaVu Sans Mono (Debian's fonts-dejavu-core: Latin, Greek, Cyrillic, Arabic,
 * Hebrew), embedded as subsets, and stays text that can be selected and searched.
 */
#ifndef REFETTORIO_DOCS_DOC_H
#define REFETTORIO_DOCS_DOC_H

#include <stddef.h>
#include <stdio.h>

#include "util/arena.h"
#include "util/buf.h"

#define DOC_TEXT_MAX           (64 * 1024)        /* bytes in one string */
#define DOC_ITEMS_MAX          10000              /* blocks plus table rows in one document */
#define DOC_TABLE_COLS_MAX     12                 /* columns in one table */
#define DOC_LOGO_MAX           (1024 * 1024)      /* bytes of the PNG logo */
#define DOC_LOGO_PX_MAX        4096               /* logo width and height, in pixels */
#define DOC_JSON_MAX           (16 * 1024 * 1024) /* the serialised document handed to the child */
#define DOC_PDF_MAX            (32 * 1024 * 1024) /* bytes of PDF accepted from the child */
#define DOC_RENDER_TIMEOUT_MS  20000              /* then the child is killed */
#define DOC_RENDER_CONCURRENCY 2                  /* children at once in this process */
#define DOC_ERR_MAX            256                /* a sensible size for error messages */
#define DOC_PANEL_FIELDS_MAX   16                 /* label/value rows in one panel */
#define DOC_SYMBOL_TEXT_MAX    1024               /* bytes encoded in one 2D symbol */
#define DOC_SYMBOL_MODULES_MAX 177                /* modules per side (QR version 40) */
#define DOC_SYMBOL_QUIET_MAX   8                  /* modules of quiet zone around a symbol */

struct doc;

/* A new empty document in arena a. lang is a BCP 47 tag ("it", "en", "ar", "pt-BR"; anything else
   is a misuse); title goes on the first page and in the PDF metadata. */
struct doc *doc_new(struct arena *a, const char *lang, const char *title);
/* The issuer printed in the header and recorded as the PDF's author. subtitle may be NULL. The
   logo is PNG bytes (may be NULL/0); a logo that is not a PNG, is larger than DOC_LOGO_MAX or
   DOC_LOGO_PX_MAX, is left out: returns -1 then (the rest is set), else 0. A logo that passes
   these checks but does not decode is left out by the renderer. */
int doc_set_issuer(struct doc *d, const char *name, const char *subtitle, const void *logo_png,
                   size_t logo_len);
/* Text printed at the foot of every page (address, contacts; may contain \n). */
void doc_set_footer(struct doc *d, const char *text);
/* Page numbering printed on every page, "{n}" and "{total}" replaced: "Pagina {n} di {total}".
   Default "{n}/{total}"; "" prints none. */
void doc_set_page_label(struct doc *d, const char *label);

void doc_heading(struct doc *d, const char *text);
/* Wrapped text; \n starts a new line. Long paragraphs continue on the next page. */
void doc_paragraph(struct doc *d, const char *text);
/* A label/value row; consecutive fields share one label column. */
void doc_field(struct doc *d, const char *label, const char *value);
/* Text in a framed, tinted box. */
void doc_note(struct doc *d, const char *text);
/* A code printed large in monospace inside a box (user code, badge code), always left to right. */
void doc_big_code(struct doc *d, const char *label, const char *code);
/* Start a table of ncols columns (1..DOC_TABLE_COLS_MAX); headers has ncols strings. Rows follow
   with doc_table_row (cells: ncols strings) before any other block. */
void doc_table(struct doc *d, size_t ncols, const char *const *headers);
void doc_table_row(struct doc *d, const char *const *cells);
/* The 2D symbol of a panel. QR codes use error correction level M and 8-bit mode, with a quiet
   zone of 4 modules; DataMatrix symbols are ECC 200, square, the smallest that holds the payload,
   with a quiet zone of 2 modules. */
enum doc_symbol { DOC_SYMBOL_NONE, DOC_SYMBOL_QR, DOC_SYMBOL_DATAMATRIX };
/* Start a panel: a framed slip with title (and aside, e.g. an amount, at the end of the title
   bar; may be NULL) and a symbol encoding payload (at most DOC_SYMBOL_TEXT_MAX bytes; ignored
   for DOC_SYMBOL_NONE) drawn as vector squares at the start side, beside the rows added with
   doc_panel_field (at most DOC_PANEL_FIELDS_MAX) before any other block. The symbol is encoded
   here, in the caller's process; a payload that does not fit is a misuse. A panel is never split
   across pages. */
void doc_panel(struct doc *d, const char *title, const char *aside, enum doc_symbol kind,
               const char *payload);
void doc_panel_field(struct doc *d, const char *label, const char *value);
/* Continue on a new page (nothing when the current page is still empty). */
void doc_page_break(struct doc *d);

/* The first misuse recorded on d, or NULL. */
const char *doc_error(const struct doc *d);

/* Render d to PDF in a child process and append the bytes to out. 0 on success; -1 with a message
   in err (English, for the log) when the document has an error, is not valid UTF-8, or the child
   cannot start, fails, times out or writes more than DOC_PDF_MAX bytes or than out accepts; out is
   unchanged then. Safe to call from any thread; while DOC_RENDER_CONCURRENCY renders are running
   it waits for one to finish, at most the timeout ("renderer: busy"). */
int doc_render_pdf(const struct doc *d, struct buf *out, char *err, size_t errsz);

/* The renderer command: argv (NULL-terminated, argv[0] the program's path) and the timeout in
   milliseconds. Defaults (argv NULL, timeout 0): {"/proc/self/exe", "render-pdf"} and
   DOC_RENDER_TIMEOUT_MS. For tests, whose binary is not refettorio; argv must outlive every
   render, and renders must not be running while it changes. */
void doc_set_renderer(const char *const *argv, int timeout_ms);

/* The child's side (refettorio render-pdf): read the JSON from in, write the PDF (or the emblem's
   PNG) to out. Returns the exit status: 0, or 1 with a message on stderr. */
int doc_render_main(FILE *in, FILE *out);

/* A simple coat of arms for a municipality without a logo (demo seeding): a blue shield with a
   gold border and the first letter of name, under a mural crown, as a 256x300 PNG appended to
   out. Drawn by the renderer child like documents, so fonts are never loaded in this process.
   0, or -1 with a message in err. */
int doc_emblem_png(const char *name, struct buf *out, char *err, size_t errsz);

#endif
