#include "web/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "web/route.h"

#define SESSION_ID_BYTES      32
#define SESSION_TOKEN_CHARS   44 /* base64url of 32 bytes without padding, + NUL */
#define SESSION_TOUCH_SECONDS 60

static bool session_secure;
static int session_idle_minutes = 30;

void session_configure(bool secure_cookies, int idle_minutes)
{
    session_secure = secure_cookies;
    session_idle_minutes = idle_minutes;
}

static void session_random_token(char out[SESSION_TOKEN_CHARS])
{
    unsigned char raw[SESSION_ID_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, SESSION_TOKEN_CHARS, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

static void session_hash_id(const char *id, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)id, strlen(id), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static bool session_id_wellformed(const char *id)
{
    if (strlen(id) != SESSION_TOKEN_CHARS - 1)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

/* Whether r may have a session at all: under a tenant, or in the platform's area. */
static bool session_possible(const struct req *r)
{
    return r->has_tenant || r->platform_area;
}

/* The tenant the session rows are scoped by: 0 for the platform (tenant_id NULL in the table,
   matched with ifnull(tenant_id, 0) so neither kind of session is ever found for the other). */
static int64_t session_tenant_id(const struct req *r)
{
    return r->has_tenant ? r->tenant.id : 0;
}

static void session_set_cookie(struct req *r, struct resp *w, const char *value, bool clear)
{
    const char *path =
        r->has_tenant ? arena_printf(&r->arena, "/%s/", r->tenant.slug) : ROUTE_PLATFORM_AREA;
    char *c =
        arena_printf(&r->arena, "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s%s", SESSION_COOKIE, value,
                     path, clear ? "; Max-Age=0" : "", session_secure ? "; Secure" : "");
    resp_header(w, "Set-Cookie", c);
}

static void session_expiry(int minutes, char out[TIME_ISO_MAX])
{
    time_iso(time_now() + (time_t)minutes * 60, out);
}

int session_load(struct req *r)
{
    r->has_session = false;
    r->signed_in = false;
    r->csrf = NULL;
    const char *id = req_cookie(r, SESSION_COOKIE);
    if (!id || !session_id_wellformed(id) || !session_possible(r))
        return 0;
    struct db *db = store_db();
    if (!db)
        return -1;
    char hash[65], now[TIME_ISO_MAX];
    session_hash_id(id, hash);
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_SESSION_BY_HASH);
    if (!st)
        return -1;
    db_bind_text(st, 1, hash);
    db_bind_int(st, 2, session_tenant_id(r));
    db_bind_text(st, 3, now);
    enum db_err e = db_step(st);
    int64_t staff_id = 0, guardian_id = 0;
    bool mfa_pending = false;
    char last_seen[TIME_ISO_MAX] = "";
    if (e == DB_ROW) {
        staff_id = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
        r->csrf = arena_strdup(&r->arena, db_col_text(st, 1));
        snprintf(last_seen, sizeof(last_seen), "%s", db_col_text(st, 2));
        guardian_id = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
        mfa_pending = db_col_int(st, 4) != 0;
    }
    db_reset(st);
    if (e != DB_ROW)
        return e == DB_DONE ? 0 : -1;
    r->has_session = true;
    memcpy(r->session_hash, hash, sizeof(hash));
    if (staff_id && mfa_pending) {
        r->mfa_staff_id = staff_id;
    } else if (staff_id) {
        /* Tenant 0 finds only super-admins, a tenant never does; the role check is a second
           lock on the same door. */
        int found = staff_find_by_id(db, &r->arena, session_tenant_id(r), staff_id, &r->user);
        r->signed_in =
            found == 1 && !r->user.disabled && (r->user.role == ROLE_SUPERADMIN) == !r->has_tenant;
    } else if (guardian_id && r->has_tenant) {
        int found = guardian_find_by_id(db, &r->arena, r->tenant.id, guardian_id, &r->family);
        r->family_signed_in = found == 1 && !r->family.disabled;
    }
    bool known = staff_id || guardian_id;
    /* Slide the expiry, at most once a minute, so a busy user is not written on every click. */
    char touch_after[TIME_ISO_MAX];
    time_iso(time_now() - SESSION_TOUCH_SECONDS, touch_after);
    if (strcmp(last_seen, touch_after) < 0) {
        char expires[TIME_ISO_MAX];
        session_expiry(known ? session_idle_minutes : SESSION_ANON_MINUTES, expires);
        st = db_stmt(db, STMT_SESSION_TOUCH);
        if (st) {
            db_bind_text(st, 1, hash);
            db_bind_text(st, 2, now);
            db_bind_text(st, 3, expires);
            db_exec_stmt(st);
        }
    }
    return 0;
}

static int session_create(struct req *r, struct resp *w, int64_t staff_id, int64_t guardian_id,
                          bool mfa_pending)
{
    struct db *db = store_db();
    if (!db || !session_possible(r) || (guardian_id && !r->has_tenant))
        return -1;
    char id[SESSION_TOKEN_CHARS], csrf[SESSION_TOKEN_CHARS], hash[65];
    char now[TIME_ISO_MAX], expires[TIME_ISO_MAX];
    session_random_token(id);
    session_random_token(csrf);
    session_hash_id(id, hash);
    time_now_iso(now);
    session_expiry(staff_id || guardian_id ? session_idle_minutes : SESSION_ANON_MINUTES, expires);
    struct db_stmt *st = db_stmt(db, STMT_SESSION_INSERT);
    if (!st)
        return -1;
    db_bind_text(st, 1, hash);
    db_bind_int(st, 2, session_tenant_id(r));
    if (staff_id)
        db_bind_int(st, 3, staff_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, csrf);
    db_bind_text(st, 5, now);
    db_bind_text(st, 6, expires);
    if (guardian_id)
        db_bind_int(st, 7, guardian_id);
    else
        db_bind_null(st, 7);
    db_bind_int(st, 8, mfa_pending ? 1 : 0);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    r->has_session = true;
    memcpy(r->session_hash, hash, sizeof(hash));
    r->csrf = arena_strdup(&r->arena, csrf);
    session_set_cookie(r, w, arena_strdup(&r->arena, id), false);
    sodium_memzero(id, sizeof(id));
    return 0;
}

int session_ensure(struct req *r, struct resp *w)
{
    if (r->has_session)
        return 0;
    if (!session_possible(r))
        return -1;
    return session_create(r, w, 0, 0, false);
}

static void session_delete_current(struct req *r)
{
    if (!r->has_session)
        return;
    struct db *db = store_db();
    struct db_stmt *st = db ? db_stmt(db, STMT_SESSION_DELETE) : NULL;
    if (st) {
        db_bind_text(st, 1, r->session_hash);
        db_exec_stmt(st);
    }
    r->has_session = false;
    r->csrf = NULL;
}

int session_start_staff(struct req *r, struct resp *w, int64_t staff_user_id, bool mfa_pending)
{
    session_delete_current(r);
    return session_create(r, w, staff_user_id, 0, mfa_pending);
}

int session_mfa_complete(struct req *r, struct resp *w)
{
    int64_t staff_id = r->mfa_staff_id;
    if (!staff_id)
        return -1;
    session_delete_current(r);
    r->mfa_staff_id = 0;
    return session_create(r, w, staff_id, 0, false);
}

int session_start_family(struct req *r, struct resp *w, int64_t guardian_id)
{
    session_delete_current(r);
    return session_create(r, w, 0, guardian_id, false);
}

void session_end(struct req *r, struct resp *w)
{
    session_delete_current(r);
    r->signed_in = false;
    r->family_signed_in = false;
    r->mfa_staff_id = 0;
    session_set_cookie(r, w, "", true);
}

bool session_csrf_ok(const struct req *r, const char *token)
{
    if (!r->csrf || !token)
        return false;
    size_t n = strlen(r->csrf);
    if (strlen(token) != n)
        return false;
    return sodium_memcmp(r->csrf, token, n) == 0;
}

int session_purge_expired(void)
{
    struct db *db = store_db();
    if (!db)
        return -1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_SESSION_PURGE_EXPIRED);
    if (!st)
        return -1;
    db_bind_text(st, 1, now);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    return db_changes(db);
}
