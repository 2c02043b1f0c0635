/*
 * multipart/form-data (RFC 7578) over a buffered body, for the routes flagged ROUTE_UPLOAD. Text
 * parts become fields like an urlencoded body's (so declared-field validation and the CSRF check
 * read them unchanged); parts with a filename become files whose data points into the body, which
 * must outlive them (the request's body does). Strict, like form.c: the body must start with the
 * first delimiter (no preamble) and hold the close delimiter (an epilogue after it is ignored, as
 * RFC 2046 says); a part must carry Content-Disposition: form-data with a name; header folding,
 * bare LF, transfer encodings other than 7bit/8bit/binary and text fields with NUL or invalid UTF-8
 * are errors (the request gets 400), never repaired. Bounded by the limits below and by
 * HTTP_MAX_FIELDS / HTTP_MAX_FIELD_BYTES for text fields. Filenames are decoded (quoted-string
 * escapes, RFC 8187 filename* in UTF-8, the %22 %0D %0A browsers write) and stripped of any folder,
 * but not otherwise cleaned: attachment_filename_sanitize does that. Fuzzed by
 * fuzz/fuzz_multipart.c.
 */
#ifndef REFETTORIO_WEB_MULTIPART_H
#define REFETTORIO_WEB_MULTIPART_H

#include <stddef.h>

#include "util/arena.h"
#include "web/http.h"

#define MULTIPART_MAX_BOUNDARY     70              /* RFC 2046 5.1.1 */
#define MULTIPART_MAX_PARTS        HTTP_MAX_FIELDS /* text and file parts together */
#define MULTIPART_MAX_FILES        8
#define MULTIPART_MAX_HEADER_BYTES 2048 /* one part's header block, up to the empty line */
#define MULTIPART_MAX_HEADER_LINES 8    /* header lines of one part */
#define MULTIPART_MAX_TYPE_BYTES   127  /* a file part's Content-Type (RFC 6838 names) */

enum multipart_err {
    MULTIPART_OK = 0,
    MULTIPART_ERR_CONTENT_TYPE, /* not multipart/form-data, or no valid boundary */
    MULTIPART_ERR_SYNTAX,       /* delimiters, header lines or parameters malformed, truncated */
    MULTIPART_ERR_HEADER_SIZE,  /* a part's headers past MULTIPART_MAX_HEADER_BYTES or _LINES */
    MULTIPART_ERR_DISPOSITION,  /* no Content-Disposition: form-data with a name, or two */
    MULTIPART_ERR_TOO_MANY,     /* past MULTIPART_MAX_PARTS parts or MULTIPART_MAX_FILES files */
    MULTIPART_ERR_TOO_LONG,     /* a text field past HTTP_MAX_FIELD_BYTES */
    MULTIPART_ERR_ENCODING,     /* NUL or invalid UTF-8 in a field or name, a transfer encoding */
};

struct multipart {
    struct kv *fields; /* text parts, in order; names and values NUL-terminated UTF-8 */
    size_t nfields;
    struct req_file *files; /* parts with a filename, in order, empty ones included */
    size_t nfiles;
};

const char *multipart_err_reason(enum multipart_err e);
/* The boundary of a Content-Type "multipart/form-data; boundary=..." (token or quoted-string,
   1 to MULTIPART_MAX_BOUNDARY characters of RFC 2046's bchars), copied into the arena. */
enum multipart_err multipart_boundary(struct arena *a, const char *content_type,
                                      const char **boundary);
/* Parse len bytes of body sent with content_type. On MULTIPART_OK *out is filled (arena memory,
   file data pointing into body); on an error *out is left empty. */
enum multipart_err multipart_parse(struct arena *a, const char *content_type, const void *body,
                                   size_t len, struct multipart *out);

#endif
