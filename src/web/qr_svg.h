/*
 * QR codes as standalone SVG documents, for the TOTP enrolment page (an <img> pointing at our own
 * URL, which the Content-Security-Policy allows, where inline images or script would not be).
 * Owns the drawing only: the symbol comes from libqrencode (error correction M), and each row's
 * runs of dark modules become one path, inside a quiet zone of QR_SVG_QUIET_ZONE modules. The
 * document carries role="img" and a <title> for screen readers.
 */
#ifndef REFETTORIO_WEB_QR_SVG_H
#define REFETTORIO_WEB_QR_SVG_H

#include "util/buf.h"

#define QR_SVG_QUIET_ZONE 4    /* modules of white around the symbol (ISO/IEC 18004) */
#define QR_SVG_TEXT_MAX   1024 /* bytes of text encoded; longer text is refused */
#define QR_SVG_SIZE_PX    240  /* rendered width and height */

/* Append the SVG document for text, titled title (escaped), to out. Returns the symbol's width
   in modules (without the quiet zone), or -1 when text is empty or too long, the encoder fails,
   or out overflows. */
int qr_svg_render(const char *text, const char *title, struct buf *out);

#endif
