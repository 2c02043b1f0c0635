/*
 * What the two sides of PDF rendering share: the parent (docs/doc.c) serialises a document to
 * JSON, the child (docs/render.c) reads it back. The format, version DOC_JSON_VERSION:
 *
 *   {"v": 1, "lang": "it", "title": "...", "footer": "...", "page_label": "{n}/{total}",
 *    "issuer": {"name": "...", "subtitle": "..." | null, "logo": "<base64 PNG>" | null},
 *    "blocks": [{"t": "heading", "text": "..."}, {"t": "paragraph", "text": "..."},
 *               {"t": "field", "label": "...", "value": "..."}, {"t": "note", "text": "..."},
 *               {"t": "code", "label": "...", "code": "..."},
 *               {"t": "table", "headers": ["..."], "rows": [["..."]]}, {"t": "break"}]}
 *
 * or, for doc_emblem_png, {"v": 1, "emblem": "<name>"}, answered with a PNG. The child checks it
 * again as untrusted input (same limits).
 */
#ifndef REFETTORIO_DOCS_DOC_INTERNAL_H
#define REFETTORIO_DOCS_DOC_INTERNAL_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/* Child side: cairo's source colour from 0xRRGGBB. */
void doc_cairo_rgb(cairo_t *cr, unsigned rgb);
/* Child side: a cairo write function appending to the FILE * closure. */
cairo_status_t doc_cairo_fwrite(void *closure, const unsigned char *data, unsigned int length);
/* Child side: draw the emblem for name and write the PNG to out. 0 or -1. */
int doc_emblem_write(const char *name, FILE *out);

#endif
