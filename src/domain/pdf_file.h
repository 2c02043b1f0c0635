/*
 * What an uploaded file is, judged by its bytes and never by its name or the type the browser
 * claimed: a PDF document (with the PDF/A conformance it claims in its XMP metadata, if any) or a
 * PNG image (with its size). Pure functions over a buffer; nothing is decoded or rendered, so
 * these are gates against the wrong kind of file, not proofs that a reader will open it.
 * Fuzzed through fuzz/fuzz_multipart.c (every uploaded part goes through them).
 */
#ifndef REFETTORIO_DOMAIN_PDF_FILE_H
#define REFETTORIO_DOMAIN_PDF_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Where "%%EOF" must appear: within this many bytes of the end (ISO 32000 readers look there). */
#define PDF_FILE_TAIL_BYTES 1024

/* A PDF: "%PDF-1.<digit>" or "%PDF-2.0" at offset 0, at least one indirect object ("N G obj")
   and "%%EOF" within the last PDF_FILE_TAIL_BYTES bytes.

   The header must be at offset 0 although readers accept it anywhere in the first 1024 bytes:
   every producer writes it first, and leading bytes are how polyglot files are made (an HTML
   page or an archive that is also a "PDF"), which we have no reason to store. */
bool pdf_file_is_pdf(const void *data, size_t len);

/* The PDF/A claim of the XMP metadata: pdfaid:part (1-4) and pdfaid:conformance (A, B, U, E, F),
   in the attribute form (pdfaid:part="2" pdfaid:conformance="B") or the element form
   (<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>). Writes "2B", "1A",
   "3U", or the part alone ("2", "4") when there is no valid conformance; false (out = "") when
   there is no valid part. A claim only: the document is not checked against the standard. */
bool pdf_file_pdfa_claim(const void *data, size_t len, char out[8]);

/* A PNG: the 8-byte signature, then an IHDR chunk of length 13 with a correct CRC, a width and
   height in 1..2^31-1, a valid bit depth for its colour type, compression and filter 0 and
   interlace 0 or 1. *w and *h (either may be NULL) get the size. */
bool png_file_is_png(const void *data, size_t len, unsigned *w, unsigned *h);

#endif
