#include "services/staff.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "domain/totp.h"
#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "services/password.h"
#include "util/log.h"
#include "util/msg.h"
#include "util/time.h"
#include "web/tmpl.h"

static const struct {
    enum role role;
    const char *name;
    const char *label;
} staff_roles[] = {
    {ROLE_SUPERADMIN, "superadmin", N_("Platform administrator")},
    {ROLE_ADMIN, "admin", N_("Administrator")},
    {ROLE_UFFICIO, "ufficio", N_("School services office")},
    {ROLE_GESTORE, "gestore", N_("Catering operator")},
    {ROLE_CUCINA, "cucina", N_("Kitchen")},
};

bool staff_role_parse(const char *s, enum role *out)
{
    for (size_t i = 0; i < sizeof(staff_roles) / sizeof(staff_roles[0]); i++)
        if (!strcmp(s, staff_roles[i].name)) {
            *out = staff_roles[i].role;
            return true;
        }
    return false;
}

const char *staff_role_name(enum role r)
{
    for (size_t i = 0; i < sizeof(staff_roles) / sizeof(staff_roles[0]); i++)
        if (staff_roles[i].role == r)
            return staff_roles[i].name;
    return "";
}

const char *staff_role_label(enum role r)
{
    for (size_t i = 0; i < sizeof(staff_roles) / sizeof(staff_roles[0]); i++)
        if (staff_roles[i].role == r)
            return staff_roles[i].label;
    return "";
}

char *staff_email_normalize(struct arena *a, const char *email)
{
    char *s = arena_strdup(a, email);
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

/* Practical syntax: local@domain.tld, printable ASCII, one @, a dot in the domain. The full
   rule lives in the domain core's e-mail module; this guard keeps bad rows out of the table. */
static bool staff_email_plausible(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (n < 6 || n > STAFF_EMAIL_MAX || !at || at == e || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot < at + 2 || dot[1] == '\0')
        return false;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

enum staff_err staff_create(struct db *db, int64_t tenant_id, const char *email, const char *name,
                            enum role role, const char *password, int64_t *id)
{
    if (!staff_email_plausible(email))
        return STAFF_ERR_EMAIL;
    size_t nl = strlen(name);
    if (nl == 0 || nl > STAFF_NAME_MAX)
        return STAFF_ERR_NAME;
    size_t pl = strlen(password);
    if (pl < STAFF_PASSWORD_MIN || pl > PASSWORD_MAX_LEN)
        return STAFF_ERR_PASSWORD;
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(password, hash) != 0)
        return STAFF_ERR_DB;
    struct arena a;
    arena_init(&a, 512);
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    enum staff_err result = STAFF_ERR_DB;
    struct db_stmt *st = db_stmt(db, STMT_STAFF_INSERT);
    if (st) {
        if (tenant_id)
            db_bind_int(st, 1, tenant_id);
        else
            db_bind_null(st, 1);
        db_bind_text(st, 2, staff_email_normalize(&a, email));
        db_bind_text(st, 3, name);
        db_bind_text(st, 4, staff_role_name(role));
        db_bind_text(st, 5, hash);
        db_bind_text(st, 6, now);
        enum db_err e = db_exec_stmt(st);
        if (e == DB_OK) {
            result = STAFF_OK;
            if (id)
                *id = db_last_id(db);
        } else if (e == DB_ERR_CONSTRAINT) {
            result = STAFF_ERR_DUPLICATE;
        }
    }
    arena_free(&a);
    return result;
}

static void staff_read_row(struct db_stmt *st, struct arena *a, struct staff_user *out,
                           const char **hash)
{
    out->id = db_col_int(st, 0);
    out->email = arena_strdup(a, db_col_text(st, 1));
    out->name = arena_strdup(a, db_col_text(st, 2));
    if (!staff_role_parse(db_col_text(st, 3), &out->role))
        out->role = ROLE_CUCINA; /* least privilege if the row is odd */
    if (hash)
        *hash = arena_strdup(a, db_col_text(st, 4));
    out->disabled = db_col_int(st, 5) != 0;
}

int staff_find_by_id(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                     struct staff_user *out)
{
    struct db_stmt *st = db_stmt(db, STMT_STAFF_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        staff_read_row(st, a, out, NULL);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

enum staff_auth staff_authenticate(struct db *db, struct arena *a, int64_t tenant_id,
                                   const char *email, const char *password, const char *client_addr,
                                   struct staff_user *out)
{
    struct db_stmt *st = db_stmt(db, STMT_STAFF_BY_EMAIL);
    if (!st)
        return STAFF_AUTH_ERROR;
    const char *norm = staff_email_normalize(a, email);
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, norm);
    const char *hash = NULL;
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        staff_read_row(st, a, out, &hash);
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        return STAFF_AUTH_ERROR;

    enum staff_auth result;
    if (e == DB_DONE) {
        password_verify_dummy(password);
        result = STAFF_AUTH_BAD;
    } else if (!password_verify(hash, password)) {
        result = STAFF_AUTH_BAD;
    } else if (out->disabled) {
        result = STAFF_AUTH_DISABLED;
    } else {
        result = STAFF_AUTH_OK;
    }
    struct audit_entry ae = {
        .tenant_id = tenant_id,
        .actor = AUDIT_STAFF,
        .actor_id = e == DB_ROW ? out->id : 0,
        .actor_label = norm,
        .action = result == STAFF_AUTH_OK ? "staff.login" : "staff.login_failed",
        .entity = "staff_user",
        .entity_id = e == DB_ROW ? out->id : 0,
        .detail = result == STAFF_AUTH_DISABLED ? "account disabled"
                  : e == DB_DONE                ? "unknown e-mail"
                  : result == STAFF_AUTH_BAD    ? "wrong password"
                                                : "",
        .client_addr = client_addr,
    };
    if (audit_record(db, &ae) != 0)
        return STAFF_AUTH_ERROR;
    return result;
}

/* ---- office administration and self-service -------------------------------------------- */

/* Unambiguous characters only (no 0/O, 1/l/I), since people may copy it from a printout. */
static const char staff_temp_alphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/* "Abcd-efgh-jkmn-pqrs": 16 characters from 56, about 93 bits, from libsodium's generator. */
static void staff_temp_password(char out[STAFF_TEMP_CHARS])
{
    size_t n = 0;
    for (int g = 0; g < STAFF_TEMP_GROUPS; g++) {
        if (g)
            out[n++] = '-';
        for (int i = 0; i < 4; i++)
            out[n++] = staff_temp_alphabet[randombytes_uniform(sizeof(staff_temp_alphabet) - 1)];
    }
    out[n] = '\0';
}

static int staff_audit(struct db *db, int64_t tenant_id, const struct staff_actor *by,
                       const char *action, int64_t id, const char *from, const char *to,
                       const char *detail)
{
    struct audit_entry e = {
        .tenant_id = tenant_id,
        .actor = by->id ? AUDIT_STAFF : AUDIT_CLI,
        .actor_id = by->id,
        .actor_label = by->label,
        .action = action,
        .entity = "staff_user",
        .entity_id = id,
        .from_state = from,
        .to_state = to,
        .detail = detail,
        .client_addr = by->client_addr,
    };
    return audit_record(db, &e);
}

/* Commit when result is STAFF_OK, roll back otherwise; a failed commit is STAFF_ERR_DB. */
static enum staff_err staff_finish(struct db *db, enum staff_err result)
{
    if (result == STAFF_OK)
        return db_commit(db) == DB_OK ? STAFF_OK : STAFF_ERR_DB;
    db_rollback(db);
    return result;
}

/* Run an UPDATE on one staff member: $1 tenant, $2 id, then text3 (if not NULL) and num (if
   >= 0) as the next parameters. */
static bool staff_exec(struct db *db, enum stmt_id id, int64_t tenant_id, int64_t staff_id,
                       const char *text3, int64_t num)
{
    struct db_stmt *st = db_stmt(db, id);
    if (!st)
        return false;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, staff_id);
    int pos = 3;
    if (text3)
        db_bind_text(st, pos++, text3);
    if (num >= 0)
        db_bind_int(st, pos, num);
    return db_exec_stmt(st) == DB_OK;
}

int staff_list(struct db *db, struct arena *a, int64_t tenant_id, struct staff_row **rows,
               size_t *n, bool *more)
{
    *rows = arena_calloc(a, STAFF_LIST_MAX, sizeof(**rows));
    *n = 0;
    *more = false;
    struct db_stmt *st = db_stmt(db, STMT_STAFF_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, STAFF_LIST_MAX + 1);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == STAFF_LIST_MAX) {
            *more = true;
            continue;
        }
        struct staff_row *r = &(*rows)[(*n)++];
        r->user.id = db_col_int(st, 0);
        r->user.email = arena_strdup(a, db_col_text(st, 1));
        r->user.name = arena_strdup(a, db_col_text(st, 2));
        if (!staff_role_parse(db_col_text(st, 3), &r->user.role))
            r->user.role = ROLE_CUCINA;
        r->user.disabled = db_col_int(st, 4) != 0;
        r->totp_enabled = db_col_int(st, 5) != 0;
        r->password_temporary = db_col_int(st, 6) != 0;
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

int staff_security_get(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                       struct staff_security *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = db_stmt(db, STMT_STAFF_SECURITY);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        out->totp_enabled = db_col_int(st, 1) != 0;
        if (!out->totp_enabled && !db_col_null(st, 0))
            out->totp_pending = arena_strdup(a, db_col_text(st, 0));
        out->totp_last_step = db_col_int(st, 2);
        out->password_temporary = db_col_int(st, 3) != 0;
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* The secret of an enabled second factor, for verification only (never shown). */
static int staff_totp_secret(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                             const char **secret, int64_t *last_step, bool *enabled)
{
    struct db_stmt *st = db_stmt(db, STMT_STAFF_SECURITY);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    *secret = NULL;
    if (e == DB_ROW) {
        if (!db_col_null(st, 0))
            *secret = arena_strdup(a, db_col_text(st, 0));
        *enabled = db_col_int(st, 1) != 0;
        *last_step = db_col_int(st, 2);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

static int staff_queue_temp_mail(struct db *db, struct arena *a, const struct staff_mail *m,
                                 const char *to, const char *name, const char *password)
{
    struct tv *data = tv_dict(a);
    tv_set_str(data, "name", name);
    tv_set_str(data, "password", password);
    tv_set_str(data, "signin_href", m->signin_href);
    return mail_queue(db, a, m->tenant, to, m->lang, "temporary_password", data, NULL);
}

enum staff_err staff_create_invited_tx(struct db *db, struct arena *a, const struct staff_actor *by,
                                       const struct staff_mail *m, const char *email,
                                       const char *name, enum role role, int64_t *id)
{
    int64_t tenant_id = m->tenant->id;
    char temp[STAFF_TEMP_CHARS];
    staff_temp_password(temp);
    int64_t new_id = 0;
    enum staff_err result = staff_create(db, tenant_id, email, name, role, temp, &new_id);
    if (result == STAFF_OK &&
        (!staff_exec(db, STMT_STAFF_SET_TEMPORARY, tenant_id, new_id, NULL, -1) ||
         staff_audit(db, tenant_id, by, "staff.create", new_id, NULL, staff_role_name(role),
                     staff_email_normalize(a, email)) != 0))
        result = STAFF_ERR_DB;
    if (result == STAFF_OK &&
        staff_queue_temp_mail(db, a, m, staff_email_normalize(a, email), name, temp) != 0)
        result = STAFF_ERR_MAIL;
    explicit_bzero(temp, sizeof(temp));
    if (result == STAFF_OK && id)
        *id = new_id;
    return result;
}

enum staff_err staff_create_invited(struct db *db, struct arena *a, const struct staff_actor *by,
                                    const struct staff_mail *m, const char *email, const char *name,
                                    enum role role, int64_t *id)
{
    if (db_begin(db) != DB_OK)
        return STAFF_ERR_DB;
    int64_t new_id = 0;
    enum staff_err result =
        staff_finish(db, staff_create_invited_tx(db, a, by, m, email, name, role, &new_id));
    if (result == STAFF_OK && id)
        *id = new_id;
    return result;
}

enum staff_err staff_set_disabled(struct db *db, int64_t tenant_id, const struct staff_actor *by,
                                  int64_t id, bool disabled)
{
    if (disabled && by->id == id)
        return STAFF_ERR_SELF;
    struct arena a;
    arena_init(&a, 512);
    if (db_begin(db) != DB_OK) {
        arena_free(&a);
        return STAFF_ERR_DB;
    }
    struct staff_user u;
    enum staff_err result = STAFF_OK;
    int found = staff_find_by_id(db, &a, tenant_id, id, &u);
    if (found < 0)
        result = STAFF_ERR_DB;
    else if (found == 0)
        result = STAFF_ERR_NOT_FOUND;
    else if (u.disabled == disabled)
        result = STAFF_OK; /* nothing to change: not an error, not an audit entry */
    else {
        if (disabled && u.role == ROLE_ADMIN) {
            struct db_stmt *st = db_stmt(db, STMT_STAFF_COUNT_ACTIVE_ADMINS);
            int64_t admins = -1;
            if (st) {
                db_bind_int(st, 1, tenant_id);
                if (db_step(st) == DB_ROW)
                    admins = db_col_int(st, 0);
                db_reset(st);
            }
            if (admins < 0)
                result = STAFF_ERR_DB;
            else if (admins <= 1)
                result = STAFF_ERR_LAST_ADMIN;
        }
        if (result == STAFF_OK &&
            (!staff_exec(db, STMT_STAFF_SET_DISABLED, tenant_id, id, NULL, disabled) ||
             staff_audit(db, tenant_id, by, disabled ? "staff.disable" : "staff.enable", id,
                         disabled ? "enabled" : "disabled", disabled ? "disabled" : "enabled",
                         u.email) != 0))
            result = STAFF_ERR_DB;
    }
    arena_free(&a);
    return staff_finish(db, result);
}

enum staff_err staff_reset_password(struct db *db, struct arena *a, const struct staff_actor *by,
                                    const struct staff_mail *m, int64_t id)
{
    int64_t tenant_id = m->tenant->id;
    char temp[STAFF_TEMP_CHARS], hash[PASSWORD_HASH_MAX];
    staff_temp_password(temp);
    if (password_hash(temp, hash) != 0) {
        explicit_bzero(temp, sizeof(temp));
        return STAFF_ERR_DB;
    }
    if (db_begin(db) != DB_OK) {
        explicit_bzero(temp, sizeof(temp));
        return STAFF_ERR_DB;
    }
    struct staff_user u;
    enum staff_err result = STAFF_OK;
    int found = staff_find_by_id(db, a, tenant_id, id, &u);
    if (found < 0)
        result = STAFF_ERR_DB;
    else if (found == 0)
        result = STAFF_ERR_NOT_FOUND;
    else if (!staff_exec(db, STMT_STAFF_SET_PASSWORD_FLAG, tenant_id, id, hash, 1) ||
             !staff_exec(db, STMT_STAFF_TOTP_CLEAR, tenant_id, id, NULL, -1) ||
             staff_audit(db, tenant_id, by, "staff.password_reset", id, NULL, "temporary",
                         u.email) != 0)
        result = STAFF_ERR_DB;
    else if (staff_queue_temp_mail(db, a, m, u.email, u.name, temp) != 0)
        result = STAFF_ERR_MAIL;
    explicit_bzero(temp, sizeof(temp));
    explicit_bzero(hash, sizeof(hash));
    return staff_finish(db, result);
}

/* The stored hash of a staff member, for checking the current password. */
static const char *staff_password_hash(struct db *db, struct arena *a, int64_t tenant_id,
                                       int64_t id)
{
    struct db_stmt *st = db_stmt(db, STMT_STAFF_BY_ID);
    if (!st)
        return NULL;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    const char *hash = NULL;
    if (db_step(st) == DB_ROW)
        hash = arena_strdup(a, db_col_text(st, 4));
    db_reset(st);
    return hash;
}

enum staff_err staff_change_password(struct db *db, struct arena *a, int64_t tenant_id,
                                     const struct staff_actor *by, const char *current,
                                     const char *new_password, enum password_policy_err *why)
{
    *why = PASSWORD_POLICY_OK;
    struct staff_security sec;
    int found = staff_security_get(db, a, tenant_id, by->id, &sec);
    if (found <= 0)
        return found == 0 ? STAFF_ERR_NOT_FOUND : STAFF_ERR_DB;
    if (!current && !sec.password_temporary)
        return STAFF_ERR_CURRENT;
    const char *old_hash = staff_password_hash(db, a, tenant_id, by->id);
    if (!old_hash)
        return STAFF_ERR_DB;
    if (current && !password_verify(old_hash, current))
        return STAFF_ERR_CURRENT;
    *why = password_policy_check(new_password, NULL, by->label);
    if (*why != PASSWORD_POLICY_OK)
        return STAFF_ERR_POLICY;
    /* The temporary password itself is not a new one. */
    if (password_verify(old_hash, new_password))
        return STAFF_ERR_SAME;
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(new_password, hash) != 0)
        return STAFF_ERR_DB;
    enum staff_err result = STAFF_ERR_DB;
    if (db_begin(db) == DB_OK) {
        result = staff_exec(db, STMT_STAFF_SET_PASSWORD_FLAG, tenant_id, by->id, hash, 0) &&
                         staff_audit(db, tenant_id, by, "staff.password_change", by->id,
                                     sec.password_temporary ? "temporary" : "set", "set", NULL) == 0
                     ? STAFF_OK
                     : STAFF_ERR_DB;
        result = staff_finish(db, result);
    }
    explicit_bzero(hash, sizeof(hash));
    return result;
}

enum staff_err staff_totp_begin(struct db *db, struct arena *a, int64_t tenant_id,
                                const struct staff_actor *by, const char **secret_b32)
{
    unsigned char key[TOTP_SECRET_BYTES];
    char b32[TOTP_SECRET_B32 + 1];
    randombytes_buf(key, sizeof(key));
    base32_encode(key, sizeof(key), false, b32, sizeof(b32));
    explicit_bzero(key, sizeof(key));
    enum staff_err result = STAFF_ERR_DB;
    if (db_begin(db) == DB_OK) {
        if (!staff_exec(db, STMT_STAFF_TOTP_SET_PENDING, tenant_id, by->id, b32, -1))
            result = STAFF_ERR_DB;
        else if (db_changes(db) != 1)
            result = STAFF_ERR_STATE;
        else
            result = staff_audit(db, tenant_id, by, "staff.totp_enrol", by->id, "off", "pending",
                                 NULL) == 0
                         ? STAFF_OK
                         : STAFF_ERR_DB;
        result = staff_finish(db, result);
    }
    if (result == STAFF_OK)
        *secret_b32 = arena_strdup(a, b32);
    explicit_bzero(b32, sizeof(b32));
    return result;
}

enum staff_err staff_totp_confirm(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct staff_actor *by, const char *code)
{
    const char *secret;
    int64_t last_step = 0, step = 0;
    bool enabled = false;
    int found = staff_totp_secret(db, a, tenant_id, by->id, &secret, &last_step, &enabled);
    if (found <= 0)
        return found == 0 ? STAFF_ERR_NOT_FOUND : STAFF_ERR_DB;
    if (enabled || !secret)
        return STAFF_ERR_STATE;
    if (!totp_verify(secret, code, time_now(), 0, &step))
        return STAFF_ERR_CODE;
    enum staff_err result = STAFF_ERR_DB;
    if (db_begin(db) == DB_OK) {
        if (!staff_exec(db, STMT_STAFF_TOTP_ENABLE, tenant_id, by->id, NULL, step))
            result = STAFF_ERR_DB;
        else if (db_changes(db) != 1)
            result = STAFF_ERR_STATE;
        else
            result = staff_audit(db, tenant_id, by, "staff.totp_enable", by->id, "pending", "on",
                                 NULL) == 0
                         ? STAFF_OK
                         : STAFF_ERR_DB;
        result = staff_finish(db, result);
    }
    return result;
}

/* Verify code and record its step atomically, so it cannot be used twice. Inside a
   transaction. */
static enum staff_err staff_totp_accept(struct db *db, struct arena *a, int64_t tenant_id,
                                        int64_t id, const char *code)
{
    const char *secret;
    int64_t last_step = 0, step = 0;
    bool enabled = false;
    int found = staff_totp_secret(db, a, tenant_id, id, &secret, &last_step, &enabled);
    if (found <= 0)
        return found == 0 ? STAFF_ERR_NOT_FOUND : STAFF_ERR_DB;
    if (!enabled || !secret)
        return STAFF_ERR_STATE;
    if (!code || !totp_verify(secret, code, time_now(), last_step, &step))
        return STAFF_ERR_CODE;
    if (!staff_exec(db, STMT_STAFF_TOTP_USE_STEP, tenant_id, id, NULL, step))
        return STAFF_ERR_DB;
    /* Another request took this step (or a later one) first. */
    return db_changes(db) == 1 ? STAFF_OK : STAFF_ERR_CODE;
}

enum staff_err staff_totp_disable(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct staff_actor *by, const char *code)
{
    struct staff_security sec;
    int found = staff_security_get(db, a, tenant_id, by->id, &sec);
    if (found <= 0)
        return found == 0 ? STAFF_ERR_NOT_FOUND : STAFF_ERR_DB;
    if (!sec.totp_enabled && !sec.totp_pending)
        return STAFF_ERR_STATE;
    if (db_begin(db) != DB_OK)
        return STAFF_ERR_DB;
    enum staff_err result =
        sec.totp_enabled ? staff_totp_accept(db, a, tenant_id, by->id, code) : STAFF_OK;
    if (result == STAFF_OK &&
        (!staff_exec(db, STMT_STAFF_TOTP_CLEAR, tenant_id, by->id, NULL, -1) ||
         staff_audit(db, tenant_id, by, "staff.totp_disable", by->id,
                     sec.totp_enabled ? "on" : "pending", "off", NULL) != 0))
        result = STAFF_ERR_DB;
    return staff_finish(db, result);
}

enum staff_err staff_totp_check(struct db *db, struct arena *a, int64_t tenant_id,
                                const struct staff_actor *who, const char *code)
{
    if (db_begin(db) != DB_OK)
        return STAFF_ERR_DB;
    enum staff_err result = staff_totp_accept(db, a, tenant_id, who->id, code);
    if (result == STAFF_OK || result == STAFF_ERR_CODE) {
        bool ok = result == STAFF_OK;
        if (staff_audit(db, tenant_id, who, ok ? "staff.totp_ok" : "staff.totp_failed", who->id,
                        NULL, NULL, ok ? "" : "wrong or reused code") != 0)
            result = STAFF_ERR_DB;
        else if (!ok) {
            /* Keep the failure's audit entry: commit, then report the wrong code. */
            return db_commit(db) == DB_OK ? STAFF_ERR_CODE : STAFF_ERR_DB;
        }
    }
    return staff_finish(db, result);
}
