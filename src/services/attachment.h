/*
 * Attachments: the files people upload (a family's medical certificate for a diet, a campaign's
 * regulations, the municipality's logo). Each is checked by its content for its kind (PDF or PNG,
 * domain/pdf_file.h; the name and the browser's claim count for nothing), held to
 * ATTACHMENT_MAX_BYTES, and stored with its SHA-256 and the PDF/A conformance it claims; it is
 * read back only within its tenant, and the bytes read are checked against the stored hash.
 * Medical certificates are health data (GDPR art. 9): only the roles that need them may read
 * them (attachment_role_may_read), and every read is written to the audit log
 * (attachment_record_read). Owns the attachment table.
 */
#ifndef REFETTORIO_SERVICES_ATTACHMENT_H
#define REFETTORIO_SERVICES_ATTACHMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

enum attachment_kind { ATTACHMENT_MEDICAL_CERTIFICATE, ATTACHMENT_REGULATIONS, ATTACHMENT_LOGO };

#define ATTACHMENT_MAX_BYTES    (5 * 1024 * 1024)
#define ATTACHMENT_FILENAME_MAX 200 /* characters kept of an uploaded file's name */

enum attachment_err {
    ATTACHMENT_OK,
    ATTACHMENT_ERR_EMPTY,
    ATTACHMENT_ERR_TOO_LARGE,
    ATTACHMENT_ERR_NOT_PDF,
    ATTACHMENT_ERR_NOT_PNG,
    ATTACHMENT_ERR_DB,
};

/* English msgid for the person, for tr() ("The file must be a PDF document."); NULL for
   ATTACHMENT_OK. */
const char *attachment_err_message(enum attachment_err e);

/* The kind as stored ("medical_certificate", "regulations", "logo") and back. */
const char *attachment_kind_name(enum attachment_kind kind);
bool attachment_kind_parse(const char *s, enum attachment_kind *out);

struct attachment {
    int64_t id;
    const char *kind, *filename, *content_type, *sha256, *pdfa, *uploaded_at, *uploaded_by;
    size_t size;
    const unsigned char *data; /* attachment_get only; NULL from attachment_info */
};

/* Validate by content for the kind (PDF for certificates and regulations, PNG for logos),
   compute the SHA-256, record the PDF/A claim, store, and audit-log "attachment.upload" (kind,
   size and hash; not the name, which may itself say something about health). Runs inside the
   caller's transaction, which it neither begins nor ends: on an error the caller rolls back.
   filename is cleaned with attachment_filename_sanitize; the content type stored is the one the
   content proved ("application/pdf", "image/png"). *id (may be NULL) gets the new row's id. */
enum attachment_err attachment_store(struct db *db, int64_t tenant_id, enum attachment_kind kind,
                                     const char *filename, const void *data, size_t len,
                                     const char *uploaded_by, int64_t *id);
/* 1 found (data included, arena memory), 0 not found in this tenant, -1 error (also when the
   bytes no longer match the stored size or SHA-256: logged, never served). */
int attachment_get(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                   struct attachment *out);
/* Metadata only (no data): 1, 0 or -1 as attachment_get. */
int attachment_info(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                    struct attachment *out);

/* Health data: whether a staff role may read attachments of this kind. Medical certificates:
   admin, ufficio and gestore, not cucina (the kitchen sees the diet, not the diagnosis), nor the
   platform's super-admin, nor a family by role (a family reads its own certificate, which is the
   handler's check of ownership). Regulations and logos are public: always true. */
bool attachment_role_may_read(enum attachment_kind kind, unsigned role_bits);
/* The audit record of a read: "attachment.read" with the actor ("staff" or "family", anything
   else is refused), the attachment's id and the client address. 0, or -1 (logged). */
int attachment_record_read(struct db *db, int64_t tenant_id, int64_t id, const char *actor_kind,
                           int64_t actor_id, const char *actor_label, const char *client_addr);

/* The name kept for an uploaded file: no folder; no control, line-separator or bidirectional
   formatting characters (which disguise "fdp.exe" as "exe.pdf"); invalid UTF-8 bytes become
   '_'; no leading or trailing dots and spaces; at most ATTACHMENT_FILENAME_MAX characters,
   keeping the extension when cut. fallback when nothing is left. Arena memory. */
const char *attachment_filename_sanitize(struct arena *a, const char *name, const char *fallback);

#endif
