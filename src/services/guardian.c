#include "services/guardian.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "domain/codice_fiscale.h"
#include "domain/email.h"
#include "domain/password_policy.h"
#include "services/audit.h"
#include "services/password.h"
#include "util/time.h"

/* Reads the GUARDIAN_COLUMNS of store/sql/accounts.def; *hash (may be NULL) gets the password
   hash ("" when none). */
static void guardian_read_row(struct db_stmt *st, struct arena *a, struct guardian *g,
                              const char **hash)
{
    g->id = db_col_int(st, 0);
    g->user_code = arena_strdup(a, db_col_text(st, 1));
    g->fiscal_code = arena_strdup(a, db_col_text(st, 2));
    g->name = arena_strdup(a, db_col_text(st, 3));
    g->surname = arena_strdup(a, db_col_text(st, 4));
    g->email = arena_strdup(a, db_col_text(st, 5));
    g->email_verified = db_col_int(st, 6) != 0;
    g->mobile = arena_strdup(a, db_col_text(st, 7));
    g->address = arena_strdup(a, db_col_text(st, 8));
    g->lang = arena_strdup(a, db_col_text(st, 9));
    g->has_password = db_col_int(st, 10) != 0;
    g->password_temporary = db_col_int(st, 11) != 0;
    g->disabled = db_col_int(st, 12) != 0;
    if (hash)
        *hash = arena_strdup(a, db_col_text(st, 13));
}

int guardian_find_by_id(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                        struct guardian *out)
{
    struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        guardian_read_row(st, a, out, NULL);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* Letters and digits that cannot be misread on paper (no 0/O, 1/I/L). */
static const char guardian_code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
#define GUARDIAN_CODE_TRIES 8

static void guardian_random_code(char *out, size_t len, const char *alphabet)
{
    size_t n = strlen(alphabet);
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)n)];
    out[len] = '\0';
}

static int guardian_audit(struct db *db, int64_t tenant_id, enum audit_actor actor,
                          int64_t actor_id, const char *actor_label, const char *action,
                          const char *entity, int64_t id, const char *from, const char *to,
                          const char *detail)
{
    struct audit_entry e = {.tenant_id = tenant_id,
                            .actor = actor,
                            .actor_id = actor_id,
                            .actor_label = actor_label,
                            .action = action,
                            .entity = entity,
                            .entity_id = id,
                            .from_state = from,
                            .to_state = to,
                            .detail = detail};
    return audit_record(db, &e);
}

/* Normalised codice fiscale of a person, or NULL. */
static const char *guardian_cf(struct arena *a, const char *in)
{
    struct codice_fiscale cf;
    if (!in || codice_fiscale_parse(in, &cf) != CODICE_FISCALE_OK)
        return NULL;
    return arena_strdup(a, cf.normalized);
}

/* Whether the codice fiscale already has an account (to tell it from a user-code collision). */
static bool guardian_cf_taken(struct db *db, int64_t tenant_id, const char *cf)
{
    struct db_stmt *q = db_stmt(db, STMT_GUARDIAN_BY_FISCAL_CODE);
    if (!q)
        return false;
    db_bind_int(q, 1, tenant_id);
    db_bind_text(q, 2, cf);
    bool taken = db_step(q) == DB_ROW;
    db_reset(q);
    return taken;
}

enum guardian_err guardian_create(struct db *db, int64_t tenant_id, const struct guardian_new *g,
                                  const char *password, int64_t *id, char *temp_password)
{
    struct arena a;
    arena_init(&a, 1024);
    char temp[GUARDIAN_TEMP_PASSWORD_LEN + 1] = "";
    char hash[PASSWORD_HASH_MAX] = "";
    char now[TIME_ISO_MAX];
    enum guardian_err result = GUARDIAN_ERR_INVALID;
    struct email em;
    const char *cf = guardian_cf(&a, g->fiscal_code);
    bool has_email = g->email && *g->email;
    if (!cf || !g->name || !*g->name || !g->surname || !*g->surname ||
        (has_email && email_parse(g->email, &em) != EMAIL_OK))
        goto done;
    const char *email = has_email ? em.normalized : "";
    if (!password) {
        guardian_random_code(temp, GUARDIAN_TEMP_PASSWORD_LEN, guardian_code_alphabet);
        password = temp;
    } else if (password_policy_check(password, cf, email) != PASSWORD_POLICY_OK) {
        result = GUARDIAN_ERR_PASSWORD;
        goto done;
    }
    result = GUARDIAN_ERR_DB;
    if (password_hash(password, hash) != 0)
        goto done;
    time_now_iso(now);
    for (int tries = 0; tries < GUARDIAN_CODE_TRIES; tries++) {
        char code[GUARDIAN_USER_CODE_LEN + 1];
        guardian_random_code(code, GUARDIAN_USER_CODE_LEN, guardian_code_alphabet);
        struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_INSERT);
        if (!st)
            goto done;
        db_bind_int(st, 1, tenant_id);
        db_bind_text(st, 2, code);
        db_bind_text(st, 3, cf);
        db_bind_text(st, 4, g->name);
        db_bind_text(st, 5, g->surname);
        db_bind_text(st, 6, email);
        db_bind_text(st, 7, g->email_verified && *email ? now : NULL);
        db_bind_text(st, 8, g->mobile ? g->mobile : "");
        db_bind_text(st, 9, g->address ? g->address : "");
        db_bind_text(st, 10, g->lang && !strcmp(g->lang, "en") ? "en" : "it");
        db_bind_text(st, 11, hash);
        db_bind_int(st, 12, password == temp ? 1 : 0);
        db_bind_text(st, 13, now);
        enum db_err e = db_exec_stmt(st);
        if (e == DB_ERR_CONSTRAINT && guardian_cf_taken(db, tenant_id, cf)) {
            result = GUARDIAN_ERR_DUPLICATE;
            goto done;
        }
        if (e == DB_ERR_CONSTRAINT)
            continue; /* the random user code was taken: draw another */
        if (e != DB_OK)
            goto done;
        int64_t new_id = db_last_id(db);
        if (guardian_audit(db, tenant_id, AUDIT_SYSTEM, 0, "", "guardian.create", "guardian",
                           new_id, NULL, "created", code) != 0)
            goto done;
        if (id)
            *id = new_id;
        if (password == temp && temp_password)
            memcpy(temp_password, temp, sizeof(temp));
        result = GUARDIAN_OK;
        goto done;
    }
done:
    sodium_memzero(temp, sizeof(temp));
    sodium_memzero(hash, sizeof(hash));
    arena_free(&a);
    return result;
}

/* Badge codes are 10 digits, the format kitchens' badge readers and families' letters use. */
#define PUPIL_BADGE_LEN 10

enum guardian_err pupil_create(struct db *db, int64_t tenant_id, int64_t guardian_id,
                               const struct pupil_new *p, int64_t *id)
{
    struct arena a;
    arena_init(&a, 512);
    enum guardian_err result = GUARDIAN_ERR_INVALID;
    const char *cf = guardian_cf(&a, p->fiscal_code);
    int y, m, d;
    if (!cf || !p->name || !*p->name || !p->surname || !*p->surname || !p->birth_date ||
        !time_parse_date(p->birth_date, &y, &m, &d) || !p->sex ||
        (strcmp(p->sex, "M") && strcmp(p->sex, "F")))
        goto done;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    result = GUARDIAN_ERR_DB;
    for (int tries = 0; tries < GUARDIAN_CODE_TRIES; tries++) {
        char badge[PUPIL_BADGE_LEN + 1];
        guardian_random_code(badge, PUPIL_BADGE_LEN, "0123456789");
        struct db_stmt *st = db_stmt(db, STMT_PUPIL_INSERT);
        if (!st)
            goto done;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, guardian_id);
        db_bind_text(st, 3, cf);
        db_bind_text(st, 4, p->name);
        db_bind_text(st, 5, p->surname);
        db_bind_text(st, 6, p->birth_date);
        db_bind_text(st, 7, p->sex);
        db_bind_text(st, 8, badge);
        db_bind_text(st, 9, now);
        enum db_err e = db_exec_stmt(st);
        if (e == DB_OK && db_changes(db) == 0) {
            result = GUARDIAN_ERR_INVALID; /* no such guardian in this tenant */
            goto done;
        }
        if (e == DB_OK) {
            int64_t new_id = db_last_id(db);
            if (guardian_audit(db, tenant_id, AUDIT_SYSTEM, 0, "", "pupil.create", "pupil", new_id,
                               NULL, "created", badge) != 0)
                goto done;
            if (id)
                *id = new_id;
            result = GUARDIAN_OK;
            goto done;
        }
        if (e != DB_ERR_CONSTRAINT)
            goto done;
        struct guardian owner;
        if (guardian_find_by_login(db, &a, tenant_id, cf, &owner) == 1) {
            result = GUARDIAN_ERR_DUPLICATE; /* the pupil already exists */
            goto done;
        }
    }
done:
    arena_free(&a);
    return result;
}

int guardian_pupils(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                    struct pupil_summary **out, size_t *n)
{
    struct db_stmt *st = db_stmt(db, STMT_PUPIL_LIST_BY_GUARDIAN);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_int(st, 3, GUARDIAN_PUPILS_MAX);
    struct pupil_summary *list = arena_calloc(a, GUARDIAN_PUPILS_MAX, sizeof(*list));
    size_t count = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && count < GUARDIAN_PUPILS_MAX) {
        struct pupil_summary *p = &list[count++];
        p->id = db_col_int(st, 0);
        p->fiscal_code = arena_strdup(a, db_col_text(st, 1));
        p->name = arena_strdup(a, db_col_text(st, 2));
        p->surname = arena_strdup(a, db_col_text(st, 3));
        p->birth_date = arena_strdup(a, db_col_text(st, 4));
        p->badge_code = arena_strdup(a, db_col_text(st, 5));
    }
    db_reset(st);
    *out = list;
    *n = count;
    return (e == DB_ROW || e == DB_DONE) ? 0 : -1;
}

const char *guardian_login_key(struct arena *a, const char *login)
{
    char compact[40];
    size_t n = 0;
    for (const char *p = login; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '-')
            continue;
        if (n + 1 >= sizeof(compact) || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return NULL;
        compact[n++] = (char)toupper((unsigned char)*p);
    }
    compact[n] = '\0';
    if (n != GUARDIAN_USER_CODE_LEN && n != CODICE_FISCALE_LEN)
        return NULL;
    return arena_printf(a, "family:%s", compact);
}

/* One lookup by statement and key; 1 found, 0 not, -1 error. */
static int guardian_lookup(struct db *db, struct arena *a, enum stmt_id id, int64_t tenant_id,
                           const char *key, struct guardian *out, const char **hash)
{
    struct db_stmt *st = db_stmt(db, id);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, key);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        guardian_read_row(st, a, out, hash);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* The login name as a user code or a codice fiscale: by the key guardian_login_key built. */
static int guardian_lookup_login(struct db *db, struct arena *a, int64_t tenant_id,
                                 const char *login, struct guardian *out, const char **hash)
{
    const char *key = guardian_login_key(a, login);
    if (!key)
        return 0;
    const char *code = key + strlen("family:");
    if (strlen(code) == GUARDIAN_USER_CODE_LEN)
        return guardian_lookup(db, a, STMT_GUARDIAN_BY_USER_CODE, tenant_id, code, out, hash);
    const char *cf = guardian_cf(a, code);
    if (!cf)
        return 0;
    int found = guardian_lookup(db, a, STMT_GUARDIAN_BY_PUPIL_CF, tenant_id, cf, out, hash);
    if (found == 0)
        found = guardian_lookup(db, a, STMT_GUARDIAN_BY_FISCAL_CODE, tenant_id, cf, out, hash);
    return found;
}

int guardian_find_by_login(struct db *db, struct arena *a, int64_t tenant_id, const char *login,
                           struct guardian *out)
{
    return guardian_lookup_login(db, a, tenant_id, login, out, NULL);
}

enum guardian_auth guardian_authenticate(struct db *db, struct arena *a, int64_t tenant_id,
                                         const char *login, const char *password,
                                         const char *client_addr, struct guardian *out)
{
    const char *hash = NULL;
    int found = guardian_lookup_login(db, a, tenant_id, login, out, &hash);
    if (found < 0)
        return GUARDIAN_AUTH_ERROR;
    enum guardian_auth result;
    if (found == 0 || !hash || !*hash) {
        password_verify_dummy(password);
        result = GUARDIAN_AUTH_BAD;
    } else if (!password_verify(hash, password)) {
        result = GUARDIAN_AUTH_BAD;
    } else {
        result = out->disabled ? GUARDIAN_AUTH_DISABLED : GUARDIAN_AUTH_OK;
    }
    const char *key = guardian_login_key(a, login);
    struct audit_entry e = {
        .tenant_id = tenant_id,
        .actor = AUDIT_FAMILY,
        .actor_id = found == 1 ? out->id : 0,
        .actor_label = key ? key : "family:?",
        .action = result == GUARDIAN_AUTH_OK ? "family.login" : "family.login_failed",
        .entity = "guardian",
        .entity_id = found == 1 ? out->id : 0,
        .detail = result == GUARDIAN_AUTH_DISABLED            ? "account disabled"
                  : found == 1 && result == GUARDIAN_AUTH_BAD ? "wrong password"
                  : result == GUARDIAN_AUTH_BAD               ? "unknown login"
                                                              : "",
        .client_addr = client_addr,
    };
    if (audit_record(db, &e) != 0)
        return GUARDIAN_AUTH_ERROR;
    return result;
}

bool guardian_verify_password(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                              const char *password)
{
    struct guardian g;
    const char *hash = NULL;
    struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_BY_ID);
    if (!st)
        return false;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    bool found = db_step(st) == DB_ROW;
    if (found)
        guardian_read_row(st, a, &g, &hash);
    db_reset(st);
    return found && hash && *hash && password_verify(hash, password);
}

enum guardian_err guardian_set_password(struct db *db, struct arena *a, int64_t tenant_id,
                                        int64_t id, const char *password, bool temporary,
                                        const char *actor_label)
{
    struct guardian g;
    int found = guardian_find_by_id(db, a, tenant_id, id, &g);
    if (found != 1)
        return found == 0 ? GUARDIAN_ERR_INVALID : GUARDIAN_ERR_DB;
    if (!temporary && password_policy_check(password, g.fiscal_code, g.email) != PASSWORD_POLICY_OK)
        return GUARDIAN_ERR_PASSWORD;
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(password, hash) != 0)
        return GUARDIAN_ERR_DB;
    struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_SET_PASSWORD);
    enum guardian_err result = GUARDIAN_ERR_DB;
    if (st) {
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, id);
        db_bind_text(st, 3, hash);
        db_bind_int(st, 4, temporary ? 1 : 0);
        if (db_exec_stmt(st) == DB_OK &&
            guardian_audit(db, tenant_id, AUDIT_FAMILY, id, actor_label, "guardian.password",
                           "guardian", id, NULL, temporary ? "temporary" : "set", "") == 0)
            result = GUARDIAN_OK;
    }
    sodium_memzero(hash, sizeof(hash));
    return result;
}

enum guardian_err guardian_set_email(struct db *db, int64_t tenant_id, int64_t id,
                                     const char *email)
{
    struct arena a;
    arena_init(&a, 512);
    struct guardian g;
    enum guardian_err result = GUARDIAN_ERR_DB;
    int found = guardian_find_by_id(db, &a, tenant_id, id, &g);
    if (found == 1) {
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_SET_EMAIL);
        if (st) {
            db_bind_int(st, 1, tenant_id);
            db_bind_int(st, 2, id);
            db_bind_text(st, 3, email);
            db_bind_text(st, 4, now);
            if (db_exec_stmt(st) == DB_OK &&
                guardian_audit(db, tenant_id, AUDIT_FAMILY, id, g.user_code, "guardian.email",
                               "guardian", id, g.email, email, "verified") == 0)
                result = GUARDIAN_OK;
        }
    } else if (found == 0) {
        result = GUARDIAN_ERR_INVALID;
    }
    arena_free(&a);
    return result;
}

int guardian_find_by_external(struct db *db, struct arena *a, int64_t tenant_id,
                              const char *provider, const char *fiscal_code, struct guardian *out)
{
    const char *cf = guardian_cf(a, fiscal_code);
    if (!cf || (strcmp(provider, "spid") && strcmp(provider, "cie")))
        return 0;
    struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_BY_EXTERNAL);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, provider);
    db_bind_text(st, 3, cf);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        guardian_read_row(st, a, out, NULL);
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        return -1;
    if (e == DB_ROW) {
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        st = db_stmt(db, STMT_EXTERNAL_TOUCH);
        if (st) {
            db_bind_int(st, 1, tenant_id);
            db_bind_text(st, 2, provider);
            db_bind_text(st, 3, cf);
            db_bind_text(st, 4, now);
            db_exec_stmt(st);
        }
        return 1;
    }
    /* First use: the provider vouches for this codice fiscale, so the account holding it is
       reached and the identity linked to it from now on. */
    int found = guardian_lookup(db, a, STMT_GUARDIAN_BY_FISCAL_CODE, tenant_id, cf, out, NULL);
    if (found == 1 && guardian_link_external(db, tenant_id, out->id, provider, cf) != GUARDIAN_OK)
        return -1;
    return found;
}

enum guardian_err guardian_link_external(struct db *db, int64_t tenant_id, int64_t guardian_id,
                                         const char *provider, const char *fiscal_code)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_EXTERNAL_INSERT);
    if (!st)
        return GUARDIAN_ERR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, provider);
    db_bind_text(st, 4, fiscal_code);
    db_bind_text(st, 5, now);
    enum db_err e = db_exec_stmt(st);
    if (e == DB_ERR_CONSTRAINT)
        return GUARDIAN_ERR_DUPLICATE;
    if (e != DB_OK || db_changes(db) == 0)
        return e == DB_OK ? GUARDIAN_ERR_INVALID : GUARDIAN_ERR_DB;
    return guardian_audit(db, tenant_id, AUDIT_SYSTEM, 0, provider, "guardian.identity_link",
                          "guardian", guardian_id, NULL, provider, "") == 0
               ? GUARDIAN_OK
               : GUARDIAN_ERR_DB;
}
