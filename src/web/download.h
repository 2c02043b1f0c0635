/*
 * Sending a stored file (an attachment) as the response: its content type, a Content-Disposition
 * that every browser reads safely (a plain ASCII filename="..." for old ones, the real UTF-8 name
 * in filename*=UTF-8''...), and Cache-Control: private, no-store, because what is downloaded here
 * is personal (medical certificates) or may be replaced. X-Content-Type-Options: nosniff and the
 * Content-Security-Policy come with every response from the adapter (server.c), so a PDF or PNG
 * is never sniffed into HTML. The file may be larger than a rendered page
 * (HTTP_MAX_RESPONSE_BYTES): the body buffer is re-sized to it.
 */
#ifndef REFETTORIO_WEB_DOWNLOAD_H
#define REFETTORIO_WEB_DOWNLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "web/http.h"

/* Headers resp_download adds (Content-Disposition, Cache-Control): with fewer than this many of
   RESP_MAX_HEADERS left, it answers 500 rather than send a file without its disposition. */
#define DOWNLOAD_HEADERS 2

/* Answer 200 with len bytes of data (copied) as content_type; inline_view shows it in the
   browser ("inline"), otherwise it is saved ("attachment"). filename is cleaned again
   (attachment_filename_sanitize) whatever its origin; "download" when nothing is left. The
   header values live in r's arena. */
void resp_download(struct req *r, struct resp *w, const char *content_type, const char *filename,
                   const void *data, size_t len, bool inline_view);

#endif
