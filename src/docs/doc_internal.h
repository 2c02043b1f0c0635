/*
 * What the two sides of PDF rendering share: the parent (docs/doc.c) serialises a document to
 * JSON, the child (docs/render.c) reads it back. The format, version DOC_JSON_VERSION:
 *
 *   {"v": 1, "lang": "it", "title": "...", "footer": "...", "page_label": "{n}/{total}",
 *    "issuer": {"name": "...", "subtitle": "..." | null, "logo": "<base64 PNG>" | null},
 *    "blocks": [{"t": "heading", "text": "..."}, {"t": "paragraph", "text": "..."},
 *               {"t": "field", "label": "...", "value": "..."}, {"t": "note", "text": "..."},
 *               {"t": "code", "label": "...", "code": "..."},
 *               {"t": "table", "headers": ["..."], "rows": [["..."]]}, {"t": "break"},
 *               {"t": "panel", "title": "...", "aside": "..." | null,
 *                "symbol": {"size": 33, "quiet": 4, "modules": "0110..."} | null,
 *                "fields": [["label", "value"]]}]}
 *
 * or, for doc_emblem_png, {"v": 1, "emblem": "<name>"}, answered with a PNG. The child checks it
 * again as untrusted input (same limits). A symbol's modules are size * size characters '1'
 * (dark) or '0', row by row from the top, encoded by the parent (symbol.c): the child only draws.
 */
#ifndef REFETTORIO_DOCS_DOC_INTERNAL_H
#define REFETTORIO_DOCS_DOC_INTERNAL_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "docs/doc.h"

#define DOC_JSON_VERSION  1
#define DOC_LANG_MAX      35 /* BCP 47 tags longer than this are refused */
#define DOC_DEFAULT_LABEL "{n}/{total}"

/* True for languages written right to left (the primary subtag of lang). */
bool doc_lang_is_rtl(const char *lang);
/* True when lang looks like a BCP 47 tag: letters, digits and '-', 1..DOC_LANG_MAX bytes. */
bool doc_lang_valid(const char *lang);
/* True when p starts with a PNG signature and an IHDR chunk whose width and height are within
   1..DOC_LOGO_PX_MAX, and n <= DOC_LOGO_MAX (checked before any decoding). */
bool doc_png_acceptable(const void *p, size_t n);

/* A 2D symbol as a square matrix of modules. */
struct doc_symbol_matrix {
    int size;      /* modules per side, 1..DOC_SYMBOL_MODULES_MAX */
    int quiet;     /* modules of quiet zone on each side, 0..DOC_SYMBOL_QUIET_MAX */
    char *modules; /* size * size characters '1' (dark) or '0', row by row from the top, NUL */
};

/* Parent side (symbol.c): encode payload (NUL-terminated, at most DOC_SYMBOL_TEXT_MAX bytes) as
   kind (QR or DataMatrix, see doc.h), modules allocated in a. 0, or -1 when it does not fit. */
int doc_symbol_encode(struct arena *a, enum doc_symbol kind, const char *payload,
                      struct doc_symbol_matrix *m);

/* Child side: cairo's source colour from 0xRRGGBB. */
void doc_cairo_rgb(cairo_t *cr, unsigned rgb);
/* Child side: a cairo write function appending to the FILE * closure. */
cairo_status_t doc_cairo_fwrite(void *closure, const unsigned char *data, unsigned int length);
/* Child side: draw the emblem for name and write the PNG to out. 0 or -1. */
int doc_emblem_write(const char *name, FILE *out);

#endif
