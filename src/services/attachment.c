#include "services/attachment.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/pdf_file.h"
#include "services/audit.h"
#include "services/staff.h"
#include "util/log.h"
#include "util/msg.h"
#include "util/time.h"

#define ATTACHMENT_EXT_MAX 16 /* characters of an extension kept when a long name is cut */

_Static_assert(ATTACHMENT_MAX_BYTES == 5 * 1024 * 1024, "the message for people says 5 MB");

static const char *const attachment_kinds[] = {
    [ATTACHMENT_MEDICAL_CERTIFICATE] = "medical_certificate",
    [ATTACHMENT_REGULATIONS] = "regulations",
    [ATTACHMENT_LOGO] = "logo",
};

const char *attachment_kind_name(enum attachment_kind kind)
{
    return (unsigned)kind < sizeof(attachment_kinds) / sizeof(attachment_kinds[0])
               ? attachment_kinds[kind]
               : "";
}

bool attachment_kind_parse(const char *s, enum attachment_kind *out)
{
    for (size_t i = 0; i < sizeof(attachment_kinds) / sizeof(attachment_kinds[0]); i++)
        if (s && !strcmp(s, attachment_kinds[i])) {
            *out = (enum attachment_kind)i;
            return true;
        }
    return false;
}

const char *attachment_err_message(enum attachment_err e)
{
    switch (e) {
    case ATTACHMENT_OK:
        return NULL;
    case ATTACHMENT_ERR_EMPTY:
        return N_("The file is empty: choose the file again.");
    case ATTACHMENT_ERR_TOO_LARGE:
        return N_("The file is larger than 5 MB.");
    case ATTACHMENT_ERR_NOT_PDF:
        return N_("The file must be a PDF document.");
    case ATTACHMENT_ERR_NOT_PNG:
        return N_("The file must be a PNG image.");
    case ATTACHMENT_ERR_DB:
        return N_("The file could not be saved. Please try again later.");
    }
    return N_("The file could not be saved. Please try again later.");
}

/* ---- file names ----------------------------------------------------------------------------- */

/* The code point of the UTF-8 sequence at s (n bytes left) and its length in *len; -1 (with
 *len = 1) for an invalid, overlong, surrogate or truncated sequence. */
static long attachment_utf8(const unsigned char *s, size_t n, size_t *len)
{
    static const struct {
        unsigned char lead_min, lead_max, mask;
        long min; /* smallest code point of this length: shorter forms are overlong */
    } forms[] = {{0xc2, 0xdf, 0x1f, 0x80}, {0xe0, 0xef, 0x0f, 0x800}, {0xf0, 0xf4, 0x07, 0x10000}};
    *len = 1;
    if (s[0] < 0x80)
        return s[0];
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        if (s[0] < forms[f].lead_min || s[0] > forms[f].lead_max)
            continue;
        size_t k = f + 2;
        if (n < k)
            return -1;
        long cp = s[0] & forms[f].mask;
        for (size_t i = 1; i < k; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < forms[f].min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        *len = k;
        return cp;
    }
    return -1;
}

/* Characters that must not reach a file name: controls (C0, DEL, C1), line and paragraph
   separators, the byte-order mark, and bidirectional formatting. */
static bool attachment_char_dropped(long cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static size_t attachment_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

/* Byte offset of the first `chars` characters of s. */
static size_t attachment_char_offset(const char *s, size_t chars)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80 && chars-- == 0)
            break;
    return i;
}

static bool attachment_trimmed(char c)
{
    return c == ' ' || c == '.';
}

const char *attachment_filename_sanitize(struct arena *a, const char *name, const char *fallback)
{
    if (!name)
        return fallback;
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t n = strlen(base);
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        long cp = attachment_utf8((const unsigned char *)base + i, n - i, &len);
        if (cp < 0)
            out[j++] = '_';
        else if (!attachment_char_dropped(cp)) {
            memcpy(out + j, base + i, len);
            j += len;
        }
        i += len;
    }
    out[j] = '\0';
    char *s = out;
    while (attachment_trimmed(*s))
        s++;
    j = strlen(s);
    while (j && attachment_trimmed(s[j - 1]))
        s[--j] = '\0';
    if (!*s)
        return fallback;
    if (attachment_chars(s) <= ATTACHMENT_FILENAME_MAX)
        return s;
    const char *dot = strrchr(s, '.');
    size_t ext = dot ? attachment_chars(dot) : 0;
    if (ext > ATTACHMENT_EXT_MAX)
        ext = 0;
    size_t stem = attachment_char_offset(s, ATTACHMENT_FILENAME_MAX - ext);
    while (stem && attachment_trimmed(s[stem - 1]))
        stem--;
    return arena_printf(a, "%.*s%s", (int)stem, s, ext ? dot : "");
}

/* ---- storing and reading -------------------------------------------------------------------- */

static enum attachment_err attachment_check(enum attachment_kind kind, const void *data, size_t len,
                                            const char **content_type, char pdfa[8])
{
    pdfa[0] = '\0';
    if (!data || len == 0)
        return ATTACHMENT_ERR_EMPTY;
    if (len > ATTACHMENT_MAX_BYTES)
        return ATTACHMENT_ERR_TOO_LARGE;
    if (kind == ATTACHMENT_LOGO) {
        if (!png_file_is_png(data, len, NULL, NULL))
            return ATTACHMENT_ERR_NOT_PNG;
        *content_type = "image/png";
        return ATTACHMENT_OK;
    }
    if (!pdf_file_is_pdf(data, len))
        return ATTACHMENT_ERR_NOT_PDF;
    pdf_file_pdfa_claim(data, len, pdfa);
    *content_type = "application/pdf";
    return ATTACHMENT_OK;
}

static void attachment_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

enum attachment_err attachment_store(struct db *db, int64_t tenant_id, enum attachment_kind kind,
                                     const char *filename, const void *data, size_t len,
                                     const char *uploaded_by, int64_t *id)
{
    const char *content_type = NULL;
    char pdfa[8];
    enum attachment_err err = attachment_check(kind, data, len, &content_type, pdfa);
    if (err != ATTACHMENT_OK)
        return err;
    char sha[65], now[TIME_ISO_MAX];
    attachment_sha256_hex(data, len, sha);
    time_now_iso(now);
    struct arena a;
    arena_init(&a, 1024);
    const char *name = attachment_filename_sanitize(
        &a, filename, kind == ATTACHMENT_LOGO ? "logo.png" : "document.pdf");
    err = ATTACHMENT_ERR_DB;
    struct db_stmt *st = db_stmt(db, STMT_ATTACHMENT_INSERT);
    if (st) {
        db_bind_int(st, 1, tenant_id);
        db_bind_text(st, 2, attachment_kind_name(kind));
        db_bind_text(st, 3, name);
        db_bind_text(st, 4, content_type);
        db_bind_int(st, 5, (int64_t)len);
        db_bind_text(st, 6, sha);
        db_bind_text(st, 7, pdfa[0] ? pdfa : NULL);
        db_bind_blob(st, 8, data, len);
        db_bind_text(st, 9, now);
        db_bind_text(st, 10, uploaded_by ? uploaded_by : "");
        if (db_exec_stmt(st) == DB_OK) {
            int64_t new_id = db_last_id(db);
            struct audit_entry e = {
                .tenant_id = tenant_id,
                .actor = AUDIT_SYSTEM,
                .actor_label = uploaded_by,
                .action = "attachment.upload",
                .entity = "attachment",
                .entity_id = new_id,
                .detail =
                    arena_printf(&a, "kind=%s size=%zu sha256=%s%s%s", attachment_kind_name(kind),
                                 len, sha, pdfa[0] ? " pdfa=" : "", pdfa),
            };
            if (audit_record(db, &e) == 0) {
                err = ATTACHMENT_OK;
                if (id)
                    *id = new_id;
            }
        } else {
            log_error("attachment not stored", "detail", db_errmsg(db));
        }
    }
    arena_free(&a);
    return err;
}

/* Columns 0-8 of STMT_ATTACHMENT_INFO / _GET into out. */
static void attachment_read_row(struct db_stmt *st, struct arena *a, struct attachment *out)
{
    memset(out, 0, sizeof(*out));
    out->id = db_col_int(st, 0);
    out->kind = arena_strdup(a, db_col_text(st, 1));
    out->filename = arena_strdup(a, db_col_text(st, 2));
    out->content_type = arena_strdup(a, db_col_text(st, 3));
    out->size = (size_t)db_col_int(st, 4);
    out->sha256 = arena_strdup(a, db_col_text(st, 5));
    out->pdfa = db_col_null(st, 6) ? NULL : arena_strdup(a, db_col_text(st, 6));
    out->uploaded_at = arena_strdup(a, db_col_text(st, 7));
    out->uploaded_by = arena_strdup(a, db_col_text(st, 8));
}

/* The bytes from column 9 (hex), checked against the stored size and hash. */
static bool attachment_read_data(struct db_stmt *st, struct arena *a, struct attachment *out)
{
    const char *hex = db_col_text(st, 9);
    size_t hex_len = strlen(hex), bin_len = 0;
    if (hex_len != 2 * out->size || out->size == 0)
        return false;
    unsigned char *bin = arena_alloc(a, out->size);
    if (sodium_hex2bin(bin, out->size, hex, hex_len, NULL, &bin_len, NULL) != 0 ||
        bin_len != out->size)
        return false;
    char sha[65];
    attachment_sha256_hex(bin, bin_len, sha);
    if (strcmp(sha, out->sha256) != 0)
        return false;
    out->data = bin;
    return true;
}

static int attachment_select(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                             bool with_data, struct attachment *out)
{
    struct db_stmt *st = db_stmt(db, with_data ? STMT_ATTACHMENT_GET : STMT_ATTACHMENT_INFO);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    int found;
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        found = 1;
        attachment_read_row(st, a, out);
        if (with_data && !attachment_read_data(st, a, out)) {
            char num[24];
            snprintf(num, sizeof(num), "%lld", (long long)id);
            log_error("attachment bytes do not match their size or SHA-256", "id", num);
            found = -1;
        }
    } else {
        found = e == DB_DONE ? 0 : -1;
    }
    db_reset(st);
    return found;
}

int attachment_get(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                   struct attachment *out)
{
    return attachment_select(db, a, tenant_id, id, true, out);
}

int attachment_info(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                    struct attachment *out)
{
    return attachment_select(db, a, tenant_id, id, false, out);
}

/* ---- health data ---------------------------------------------------------------------------- */

bool attachment_role_may_read(enum attachment_kind kind, unsigned role_bits)
{
    if (kind != ATTACHMENT_MEDICAL_CERTIFICATE)
        return true;
    return (role_bits & (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)) != 0;
}

int attachment_record_read(struct db *db, int64_t tenant_id, int64_t id, const char *actor_kind,
                           int64_t actor_id, const char *actor_label, const char *client_addr)
{
    enum audit_actor actor;
    if (actor_kind && !strcmp(actor_kind, "staff"))
        actor = AUDIT_STAFF;
    else if (actor_kind && !strcmp(actor_kind, "family"))
        actor = AUDIT_FAMILY;
    else {
        log_error("attachment read by an unknown kind of actor", "actor",
                  actor_kind ? actor_kind : "(null)");
        return -1;
    }
    struct audit_entry e = {
        .tenant_id = tenant_id,
        .actor = actor,
        .actor_id = actor_id,
        .actor_label = actor_label,
        .action = "attachment.read",
        .entity = "attachment",
        .entity_id = id,
        .client_addr = client_addr,
    };
    return audit_record(db, &e);
}
