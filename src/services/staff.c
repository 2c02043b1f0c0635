#include "services/staff.h"

#include <ctype.h>
#include <string.h>

#include "services/audit.h"
#include "services/password.h"
#include "util/msg.h"
#include "util/time.h"

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
