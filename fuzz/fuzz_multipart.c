/*
 * libFuzzer target over what an upload brings: the multipart/form-data parser (web/multipart.c),
 * and the content checks every file part then meets (domain/pdf_file.c: PDF, PDF/A claim, PNG).
 * The first byte picks the Content-Type: the usual one with boundary "b", or the input's first
 * line (so boundary parsing is fuzzed too, against the rest as the body).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/pdf_file.h"
#include "util/arena.h"
#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *body = data + 1;
    size_t n = size - 1;
    struct arena a;
    arena_init(&a, 4096);
    const char *ct = "multipart/form-data; boundary=b";
    if (data[0] & 1) {
        const uint8_t *nl = memchr(body, '\n', n);
        if (!nl) {
            arena_free(&a);
            return 0;
        }
        ct = arena_strndup(&a, (const char *)body, (size_t)(nl - body));
        n -= (size_t)(nl - body) + 1;
        body = nl + 1;
    }
    /* The body in a buffer of its own exact size, so any over-read is caught. */
    uint8_t *copy = arena_alloc(&a, n + 1);
    memcpy(copy, body, n);
    struct multipart m;
    if (multipart_parse(&a, ct, copy, n, &m) == MULTIPART_OK) {
        if (m.nfields > HTTP_MAX_FIELDS || m.nfiles > MULTIPART_MAX_FILES)
            __builtin_trap();
        for (size_t i = 0; i < m.nfields; i++)
            if (strlen(m.fields[i].value) > HTTP_MAX_FIELD_BYTES || !*m.fields[i].name)
                __builtin_trap();
        for (size_t i = 0; i < m.nfiles; i++) {
            const struct req_file *f = &m.files[i];
            if (f->data < copy || f->data + f->len > copy + n || strchr(f->filename, '/') ||
                strchr(f->filename, '\\'))
                __builtin_trap(); /* file data stays inside the body; no folder in a name */
            char claim[8];
            unsigned w, h;
            if (pdf_file_is_pdf(f->data, f->len))
                pdf_file_pdfa_claim(f->data, f->len, claim);
            png_file_is_png(f->data, f->len, &w, &h);
        }
    }
    /* The content checks on the raw input as well, whatever the parser said. */
    char claim[8];
    pdf_file_is_pdf(copy, n);
    pdf_file_pdfa_claim(copy, n, claim);
    png_file_is_png(copy, n, NULL, NULL);
    arena_free(&a);
    return 0;
}
