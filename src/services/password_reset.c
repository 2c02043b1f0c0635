#include "services/password_reset.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "services/guardian.h"
#include "util/time.h"

static void password_reset_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* A fresh random token and its hash. */
static void password_reset_new_token(char token[PASSWORD_RESET_TOKEN_CHARS + 1], char hash[65])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, PASSWORD_RESET_TOKEN_CHARS + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    password_reset_hash(token, hash);
}

static int password_reset_cancel_all(struct db *db, int64_t tenant_id, int64_t guardian_id)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_RESET_INVALIDATE_ACCOUNT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, "guardian");
    db_bind_int(st, 3, guardian_id);
    db_bind_text(st, 4, now);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

int password_reset_request(struct db *db, struct arena *a, const struct tenant *t,
                           const char *login, const char *link_base, const char *lang)
{
    struct guardian g;
    int found = guardian_find_by_login(db, a, t->id, login, &g);
    if (found < 0)
        return -1;
    char token[PASSWORD_RESET_TOKEN_CHARS + 1], hash[65];
    /* Drawn either way, so both branches take about the same time. */
    password_reset_new_token(token, hash);
    if (found == 0 || g.disabled || !*g.email)
        return 0;
    if (password_reset_cancel_all(db, t->id, g.id) != 0)
        return -1;
    char now[TIME_ISO_MAX], expires[TIME_ISO_MAX];
    time_now_iso(now);
    time_iso(time_now() + PASSWORD_RESET_MINUTES * 60, expires);
    int rc = -1;
    struct db_stmt *st = db_stmt(db, STMT_RESET_INSERT);
    if (st) {
        db_bind_text(st, 1, hash);
        db_bind_int(st, 2, t->id);
        db_bind_text(st, 3, "guardian");
        db_bind_int(st, 4, g.id);
        db_bind_text(st, 5, now);
        db_bind_text(st, 6, expires);
        struct tv *data = tv_dict(a);
        tv_set_str(data, "link", arena_printf(a, "%s?token=%s", link_base, token));
        tv_set_int(data, "minutes", PASSWORD_RESET_MINUTES);
        struct audit_entry e = {.tenant_id = t->id,
                                .actor = AUDIT_FAMILY,
                                .actor_id = g.id,
                                .actor_label = g.user_code,
                                .action = "guardian.password_reset_requested",
                                .entity = "guardian",
                                .entity_id = g.id};
        if (db_exec_stmt(st) == DB_OK &&
            mail_queue(db, a, t, g.email, *g.lang ? g.lang : lang, "password_reset", data, NULL) ==
                0 &&
            audit_record(db, &e) == 0)
            rc = 0;
    }
    sodium_memzero(token, sizeof(token));
    return rc;
}

/* The reset row for a token: 1 usable (*guardian_id set), 0 unknown/used/expired, -1 error. */
static int password_reset_lookup(struct db *db, int64_t tenant_id, const char *token,
                                 int64_t *guardian_id)
{
    if (strlen(token) != PASSWORD_RESET_TOKEN_CHARS)
        return 0;
    char hash[65], now[TIME_ISO_MAX];
    password_reset_hash(token, hash);
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_RESET_BY_HASH);
    if (!st)
        return -1;
    db_bind_text(st, 1, hash);
    db_bind_int(st, 2, tenant_id);
    enum db_err e = db_step(st);
    int usable = 0;
    if (e == DB_ROW) {
        usable = !strcmp(db_col_text(st, 0), "guardian") && strcmp(db_col_text(st, 2), now) > 0 &&
                 db_col_int(st, 3) == 0;
        *guardian_id = db_col_int(st, 1);
    }
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        return -1;
    return usable;
}

enum password_reset_result password_reset_peek(struct db *db, int64_t tenant_id, const char *token)
{
    int64_t id;
    int r = password_reset_lookup(db, tenant_id, token, &id);
    return r < 0 ? PASSWORD_RESET_ERROR : r ? PASSWORD_RESET_OK : PASSWORD_RESET_INVALID;
}

enum password_reset_result password_reset_use(struct db *db, struct arena *a, int64_t tenant_id,
                                              const char *token, const char *new_password,
                                              int64_t *guardian_id)
{
    int r = password_reset_lookup(db, tenant_id, token, guardian_id);
    if (r <= 0)
        return r < 0 ? PASSWORD_RESET_ERROR : PASSWORD_RESET_INVALID;
    enum guardian_err ge =
        guardian_set_password(db, a, tenant_id, *guardian_id, new_password, false, "reset link");
    if (ge == GUARDIAN_ERR_PASSWORD)
        return PASSWORD_RESET_POLICY;
    if (ge != GUARDIAN_OK)
        return PASSWORD_RESET_ERROR;
    char hash[65], now[TIME_ISO_MAX];
    password_reset_hash(token, hash);
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_RESET_USE);
    if (!st)
        return PASSWORD_RESET_ERROR;
    db_bind_text(st, 1, hash);
    db_bind_int(st, 2, tenant_id);
    db_bind_text(st, 3, now);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        return PASSWORD_RESET_INVALID; /* used by a concurrent request: refuse this one */
    return password_reset_cancel_all(db, tenant_id, *guardian_id) == 0 ? PASSWORD_RESET_OK
                                                                       : PASSWORD_RESET_ERROR;
}
