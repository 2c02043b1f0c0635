#include "services/email_verify.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "integrations/mail/outbox.h"
#include "util/time.h"

#define EMAIL_CODE_HASH_HEX 65

/* BLAKE2b of the code, keyed by a hash of the session and the address: a stored hash matches
   only in the session and for the address it was made for. */
static void email_code_hash(const char *session_hash, const char *email, const char *code,
                            char out[EMAIL_CODE_HASH_HEX])
{
    unsigned char key[crypto_generichash_KEYBYTES];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(key));
    crypto_generichash_update(&st, (const unsigned char *)session_hash, strlen(session_hash));
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    crypto_generichash_update(&st, (const unsigned char *)email, strlen(email));
    crypto_generichash_final(&st, key, sizeof(key));
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)code, strlen(code), key, sizeof(key));
    sodium_bin2hex(out, EMAIL_CODE_HASH_HEX, h, sizeof(h));
    sodium_memzero(key, sizeof(key));
}

static time_t email_parse_iso(const char *s)
{
    struct tm tm = {0};
    return strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) ? timegm(&tm) : 0;
}

struct email_code_row {
    int64_t id;
    char code_hash[EMAIL_CODE_HASH_HEX];
    int64_t attempts;
    time_t sent_at, expires_at;
    bool verified;
};

/* The live code of the session and address: 1 found, 0 none, -1 error. */
static int email_code_current(struct db *db, int64_t tenant_id, const char *session_hash,
                              const char *email, struct email_code_row *row)
{
    struct db_stmt *st = db_stmt(db, STMT_EMAIL_CODE_CURRENT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, session_hash);
    db_bind_text(st, 3, email);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        row->id = db_col_int(st, 0);
        snprintf(row->code_hash, sizeof(row->code_hash), "%s", db_col_text(st, 1));
        row->attempts = db_col_int(st, 2);
        row->sent_at = email_parse_iso(db_col_text(st, 3));
        row->expires_at = email_parse_iso(db_col_text(st, 4));
        row->verified = !db_col_null(st, 5);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

enum email_verify_result email_verify_send(struct db *db, struct arena *a, const struct tenant *t,
                                           const char *session_hash, const char *email,
                                           const char *lang, long *wait)
{
    struct email_code_row row;
    int found = email_code_current(db, t->id, session_hash, email, &row);
    if (found < 0)
        return EMAIL_VERIFY_ERROR;
    time_t now = time_now();
    if (found == 1 && !row.verified && now - row.sent_at < EMAIL_CODE_RESEND_SECONDS) {
        *wait = (long)(EMAIL_CODE_RESEND_SECONDS - (now - row.sent_at));
        return EMAIL_VERIFY_TOO_SOON;
    }
    char code[EMAIL_CODE_DIGITS + 1], hash[EMAIL_CODE_HASH_HEX];
    snprintf(code, sizeof(code), "%06u", (unsigned)randombytes_uniform(1000000));
    email_code_hash(session_hash, email, code, hash);
    char sent[TIME_ISO_MAX], expires[TIME_ISO_MAX];
    time_iso(now, sent);
    time_iso(now + EMAIL_CODE_MINUTES * 60, expires);

    enum email_verify_result result = EMAIL_VERIFY_ERROR;
    struct db_stmt *st = db_stmt(db, STMT_EMAIL_CODE_SUPERSEDE);
    if (!st)
        goto done;
    db_bind_int(st, 1, t->id);
    db_bind_text(st, 2, session_hash);
    if (db_exec_stmt(st) != DB_OK)
        goto done;
    st = db_stmt(db, STMT_EMAIL_CODE_INSERT);
    if (!st)
        goto done;
    db_bind_int(st, 1, t->id);
    db_bind_text(st, 2, session_hash);
    db_bind_text(st, 3, email);
    db_bind_text(st, 4, hash);
    db_bind_text(st, 5, sent);
    db_bind_text(st, 6, expires);
    if (db_exec_stmt(st) != DB_OK)
        goto done;
    struct tv *data = tv_dict(a);
    tv_set_str(data, "code", code);
    tv_set_int(data, "minutes", EMAIL_CODE_MINUTES);
    if (mail_queue(db, a, t, email, lang, "verification_code", data, NULL) != 0)
        goto done;
    result = EMAIL_VERIFY_SENT;
done:
    sodium_memzero(code, sizeof(code));
    return result;
}

enum email_verify_result email_verify_check(struct db *db, int64_t tenant_id,
                                            const char *session_hash, const char *email,
                                            const char *code, int *attempts_left)
{
    struct email_code_row row;
    int found = email_code_current(db, tenant_id, session_hash, email, &row);
    if (found < 0)
        return EMAIL_VERIFY_ERROR;
    if (found == 0)
        return EMAIL_VERIFY_NO_CODE;
    if (row.verified)
        return EMAIL_VERIFY_OK;
    if (time_now() >= row.expires_at)
        return EMAIL_VERIFY_EXPIRED;
    if (row.attempts >= EMAIL_CODE_ATTEMPTS)
        return EMAIL_VERIFY_EXHAUSTED;
    char hash[EMAIL_CODE_HASH_HEX];
    email_code_hash(session_hash, email, code, hash);
    bool right = sodium_memcmp(hash, row.code_hash, EMAIL_CODE_HASH_HEX - 1) == 0;
    struct db_stmt *st = db_stmt(db, right ? STMT_EMAIL_CODE_VERIFIED : STMT_EMAIL_CODE_ATTEMPT);
    if (!st)
        return EMAIL_VERIFY_ERROR;
    db_bind_int(st, 1, row.id);
    if (right) {
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        db_bind_text(st, 2, now);
    }
    if (db_exec_stmt(st) != DB_OK)
        return EMAIL_VERIFY_ERROR;
    if (right)
        return EMAIL_VERIFY_OK;
    *attempts_left = (int)(EMAIL_CODE_ATTEMPTS - row.attempts - 1);
    return *attempts_left > 0 ? EMAIL_VERIFY_WRONG : EMAIL_VERIFY_EXHAUSTED;
}

bool email_verify_done(struct db *db, int64_t tenant_id, const char *session_hash,
                       const char *email)
{
    struct email_code_row row;
    return email_code_current(db, tenant_id, session_hash, email, &row) == 1 && row.verified;
}

const char *email_verify_mask(struct arena *a, const char *email)
{
    const char *at = strchr(email, '@');
    if (!at || at == email)
        return "***";
    return arena_printf(a, "%c***%s", email[0], at);
}
