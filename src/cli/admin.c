/*
 * refettorio admin: set-up commands for the municipality's IT person. Each creates one thing,
 * writes an audit entry in the same transaction, and prints what it created.
 *
 *   admin tenant-create --slug S --name N [--fiscal-code CF --address A --phone P --email E
 *                       --pec E --hours H --website URL]
 *   admin tenant-list
 *   admin school-create --tenant S --name N --kind infanzia|primaria|secondaria [--address A
 *                       --kitchen-email E]
 *   admin school-year-create --tenant S --label 2026/2027 --starts YYYY-MM-DD --ends YYYY-MM-DD
 *   admin class-create --tenant S --school NAME --year LABEL --name 1A
 *   admin staff-create --tenant S --email E --name N --role admin|ufficio|gestore|cucina
 *                      (password read from standard input)
 *   admin superadmin-create --email E --name N   (password read from standard input)
 *                      a platform super-admin (no municipality): signs in at /piattaforma/
 *   admin superadmin-unlock --email E
 *                      lift the sign-in lock of a super-admin (no office can: it has no tenant)
 *   admin cutoff --tenant S --day YYYY-MM-DD
 *                      freeze and charge the day's meals now (services/cutoff_job.h): once
 * Every command also takes --db PATH / --config FILE.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/run.h"
#include "domain/school_calendar.h"
#include "services/audit.h"
#include "services/cutoff_job.h"
#include "services/ledger.h"
#include "services/password.h"
#include "services/staff.h"
#include "services/tenant.h"
#include "services/throttle.h"
#include "store/store.h"
#include "util/arena.h"

#define ADMIN_MAX_OPTS 16

struct admin_opts {
    const char *name[ADMIN_MAX_OPTS];
    const char *value[ADMIN_MAX_OPTS];
    int n;
};

static const char *admin_opt(const struct admin_opts *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->name[i], name))
            return o->value[i];
    return NULL;
}

static int admin_collect(int argc, char **argv, int i, void *ctx)
{
    struct admin_opts *o = ctx;
    static const char *const known[] = {"--slug",    "--name",   "--fiscal-code", "--address",
                                        "--phone",   "--email",  "--pec",         "--hours",
                                        "--website", "--tenant", "--kind",        "--kitchen-email",
                                        "--label",   "--starts", "--ends",        "--school",
                                        "--year",    "--role",   "--day"};
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        if (strcmp(argv[i], known[k]) != 0)
            continue;
        if (i + 1 >= argc || o->n == ADMIN_MAX_OPTS) {
            fprintf(stderr, "refettorio admin: %s needs a value\n", argv[i]);
            return -1;
        }
        o->name[o->n] = argv[i] + 2;
        o->value[o->n] = argv[i + 1];
        o->n++;
        return 2;
    }
    return 0;
}

static const char *admin_need(const struct admin_opts *o, const char *name, int *missing)
{
    const char *v = admin_opt(o, name);
    if (!v || !*v) {
        fprintf(stderr, "refettorio admin: --%s is required\n", name);
        *missing = 1;
    }
    return v;
}

static int admin_audit(struct db *db, int64_t tenant_id, const char *action, const char *entity,
                       int64_t id, const char *detail)
{
    struct audit_entry e = {.tenant_id = tenant_id,
                            .actor = AUDIT_CLI,
                            .actor_label = "refettorio admin",
                            .action = action,
                            .entity = entity,
                            .entity_id = id,
                            .to_state = "created",
                            .detail = detail};
    return audit_record(db, &e);
}

static int admin_tenant_id(struct db *db, struct arena *a, const char *slug, struct tenant *t)
{
    int found = tenant_find(db, a, slug, t);
    if (found != 1) {
        fprintf(stderr, "refettorio admin: no municipality with slug \"%s\"\n", slug);
        return -1;
    }
    return 0;
}

static const char *admin_tenant_err(enum tenant_err e)
{
    switch (e) {
    case TENANT_OK:
        return "ok";
    case TENANT_ERR_INVALID:
        return "a value is not valid (see the usage)";
    case TENANT_ERR_DUPLICATE:
        return "it already exists";
    case TENANT_ERR_NOT_FOUND:
        return "the school or school year does not exist in this municipality";
    case TENANT_ERR_DB:
        return "database error";
    }
    return "?";
}

static const char *admin_staff_err(enum staff_err e)
{
    switch (e) {
    case STAFF_ERR_EMAIL:
        return "the e-mail address is not valid";
    case STAFF_ERR_NAME:
        return "the name is empty or too long";
    case STAFF_ERR_PASSWORD:
        return "the password must have at least 10 characters";
    case STAFF_ERR_DUPLICATE:
        return "a staff user with this e-mail already exists";
    default:
        return "database error";
    }
}

/* A platform super-admin (tenant 0, stored as tenant_id NULL), password from standard input. */
static int admin_superadmin_create(struct db *db, const struct admin_opts *o, int *missing)
{
    const char *email = admin_need(o, "email", missing);
    const char *name = admin_need(o, "name", missing);
    if (*missing)
        return 1;
    char password[PASSWORD_MAX_LEN + 2];
    if (cli_read_password("Password: ", password, sizeof(password)) != 0) {
        fprintf(stderr, "refettorio admin: no password on standard input\n");
        return 1;
    }
    int64_t id = 0;
    enum staff_err se = staff_create(db, 0, email, name, ROLE_SUPERADMIN, password, &id);
    explicit_bzero(password, sizeof(password));
    if (se != STAFF_OK) {
        fprintf(stderr, "refettorio admin: %s\n", admin_staff_err(se));
        return 1;
    }
    if (admin_audit(db, 0, "staff.create", "staff_user", id, "superadmin") != 0)
        return 1;
    printf("platform super-admin %s created (id %lld): sign in at /piattaforma/accedi\n", email,
           (long long)id);
    return 0;
}

/* Lift a super-admin's sign-in lock (the key the platform's sign-in throttles). */
static int admin_superadmin_unlock(struct db *db, struct arena *a, const struct admin_opts *o,
                                   int *missing)
{
    const char *email = admin_need(o, "email", missing);
    if (*missing)
        return 1;
    const char *key = arena_printf(a, "superadmin:%s", staff_email_normalize(a, email));
    int done = throttle_unlock(db, 0, key, 0, "refettorio admin");
    if (done < 0)
        return 1;
    printf(done ? "sign-in of %s unlocked\n" : "the sign-in of %s was not locked\n", email);
    return 0;
}

/* The cut-off of one day now, whatever the clock says; a day already frozen is reported as such.
   The job claims its run and writes in its own transactions. */
static int admin_cutoff(struct db *db, struct arena *a, const struct admin_opts *o)
{
    int missing = 0;
    const char *slug = admin_need(o, "tenant", &missing);
    const char *day = admin_need(o, "day", &missing);
    long dayno;
    if (!missing && !school_calendar_parse_day(day, &dayno)) {
        fprintf(stderr, "refettorio admin: --day must be a date YYYY-MM-DD\n");
        missing = 1;
    }
    struct tenant t;
    if (missing)
        return 2;
    if (admin_tenant_id(db, a, slug, &t) != 0)
        return 1;
    char node[JOB_NODE_MAX + 1];
    job_node_name(node);
    struct cutoff_job_result res;
    int rc = cutoff_job_run(db, t.id, day, node, &res);
    if (rc < 0) {
        fprintf(stderr,
                "refettorio admin: the cut-off of %s failed (see the log); it can be run "
                "again\n",
                day);
        return 1;
    }
    if (rc == 1) {
        printf("the cut-off of %s is running on another node\n", day);
        return 0;
    }
    if (res.claim == JOB_ALREADY_DONE) {
        printf("the cut-off of %s was already done: nothing changed\n", day);
        return 0;
    }
    printf("cut-off of %s done: %ld meals (%ld plain), %ld charged for %lld.%02lld euro, %ld "
           "without a price, %ld kitchen e-mails\n",
           day, res.meals, res.plain, res.charged, (long long)(res.charged_cents / 100),
           (long long)(res.charged_cents % 100), res.unpriced, res.mails);
    return 0;
}

static int admin_run(struct db *db, const char *cmd, const struct admin_opts *o)
{
    struct arena a;
    arena_init(&a, 4096);
    int missing = 0, rc = 1;
    struct tenant t;
    int64_t id = 0;
    enum tenant_err te = TENANT_OK;

    if (!strcmp(cmd, "tenant-list")) {
        struct db_stmt *st = db_stmt(db, STMT_TENANT_LIST);
        while (st && db_step(st) == DB_ROW)
            printf("%s\t%s\n", db_col_text(st, 1), db_col_text(st, 2));
        if (st)
            db_reset(st);
        arena_free(&a);
        return st ? 0 : 1;
    }
    if (!strcmp(cmd, "ledger-check")) {
        /* Every wallet's cached balance against the sum of its ledger entries. */
        const char *slug = admin_opt(o, "tenant");
        int64_t tid = 0;
        if (slug && *slug) {
            if (admin_tenant_id(db, &a, slug, &t) != 0) {
                arena_free(&a);
                return 1;
            }
            tid = t.id;
        }
        size_t checked = 0, mismatches = 0;
        char first[512];
        rc = ledger_check(db, tid, &checked, &mismatches, first, sizeof(first));
        arena_free(&a);
        if (rc != 0) {
            fprintf(stderr, "refettorio admin: the database could not be read\n");
            return 1;
        }
        printf("%zu wallets checked, %zu differ from their ledger\n", checked, mismatches);
        if (mismatches)
            printf("first difference: %s\n", first);
        return mismatches ? 1 : 0;
    }
    if (!strcmp(cmd, "cutoff")) {
        rc = admin_cutoff(db, &a, o);
        arena_free(&a);
        return rc;
    }
    if (db_begin(db) != DB_OK) {
        arena_free(&a);
        return 1;
    }
    if (!strcmp(cmd, "tenant-create")) {
        struct tenant_new n = {
            .slug = admin_need(o, "slug", &missing),
            .name = admin_need(o, "name", &missing),
            .fiscal_code = admin_opt(o, "fiscal-code"),
            .address = admin_opt(o, "address"),
            .phone = admin_opt(o, "phone"),
            .email = admin_opt(o, "email"),
            .pec = admin_opt(o, "pec"),
            .office_hours = admin_opt(o, "hours"),
            .website = admin_opt(o, "website"),
        };
        if (!missing && (te = tenant_create(db, &n, &id)) == TENANT_OK &&
            admin_audit(db, id, "tenant.create", "tenant", id, n.slug) == 0) {
            printf("municipality %s created (id %lld)\n", n.slug, (long long)id);
            rc = 0;
        }
    } else if (!strcmp(cmd, "school-create")) {
        const char *slug = admin_need(o, "tenant", &missing);
        const char *name = admin_need(o, "name", &missing);
        const char *kind = admin_need(o, "kind", &missing);
        enum school_kind k;
        if (!missing && !school_kind_parse(kind, &k)) {
            fprintf(stderr, "refettorio admin: --kind must be infanzia, primaria or secondaria\n");
            missing = 1;
        }
        if (!missing && admin_tenant_id(db, &a, slug, &t) == 0 &&
            (te = school_create(db, t.id, name, k, admin_opt(o, "address"),
                                admin_opt(o, "kitchen-email"), &id)) == TENANT_OK &&
            admin_audit(db, t.id, "school.create", "school", id, name) == 0) {
            printf("school \"%s\" created (id %lld)\n", name, (long long)id);
            rc = 0;
        }
    } else if (!strcmp(cmd, "school-year-create")) {
        const char *slug = admin_need(o, "tenant", &missing);
        const char *label = admin_need(o, "label", &missing);
        const char *starts = admin_need(o, "starts", &missing);
        const char *ends = admin_need(o, "ends", &missing);
        if (!missing && admin_tenant_id(db, &a, slug, &t) == 0 &&
            (te = school_year_create(db, t.id, label, starts, ends, &id)) == TENANT_OK &&
            admin_audit(db, t.id, "school_year.create", "school_year", id, label) == 0) {
            printf("school year %s created (id %lld)\n", label, (long long)id);
            rc = 0;
        }
    } else if (!strcmp(cmd, "class-create")) {
        const char *slug = admin_need(o, "tenant", &missing);
        const char *school = admin_need(o, "school", &missing);
        const char *year = admin_need(o, "year", &missing);
        const char *name = admin_need(o, "name", &missing);
        if (!missing && admin_tenant_id(db, &a, slug, &t) == 0) {
            int64_t school_id = school_find(db, t.id, school);
            int64_t year_id = school_year_find(db, t.id, year);
            if (!school_id || !year_id) {
                te = TENANT_ERR_NOT_FOUND;
            } else if ((te = class_create(db, t.id, school_id, year_id, name, &id)) == TENANT_OK &&
                       admin_audit(db, t.id, "class.create", "class", id, name) == 0) {
                printf("class %s created (id %lld)\n", name, (long long)id);
                rc = 0;
            }
        }
    } else if (!strcmp(cmd, "staff-create")) {
        const char *slug = admin_need(o, "tenant", &missing);
        const char *email = admin_need(o, "email", &missing);
        const char *name = admin_need(o, "name", &missing);
        const char *role_s = admin_need(o, "role", &missing);
        enum role role;
        if (!missing && (!staff_role_parse(role_s, &role) || role == ROLE_SUPERADMIN)) {
            fprintf(stderr, "refettorio admin: --role must be admin, ufficio, gestore or cucina\n");
            missing = 1;
        }
        char password[PASSWORD_MAX_LEN + 2];
        if (!missing && admin_tenant_id(db, &a, slug, &t) == 0) {
            if (cli_read_password("Password: ", password, sizeof(password)) != 0) {
                fprintf(stderr, "refettorio admin: no password on standard input\n");
            } else {
                enum staff_err se = staff_create(db, t.id, email, name, role, password, &id);
                explicit_bzero(password, sizeof(password));
                if (se != STAFF_OK)
                    fprintf(stderr, "refettorio admin: %s\n", admin_staff_err(se));
                else if (admin_audit(db, t.id, "staff.create", "staff_user", id, role_s) == 0) {
                    printf("staff user %s (%s) created (id %lld)\n", email, role_s, (long long)id);
                    rc = 0;
                }
            }
        }
    } else if (!strcmp(cmd, "superadmin-create")) {
        rc = admin_superadmin_create(db, o, &missing);
    } else if (!strcmp(cmd, "superadmin-unlock")) {
        rc = admin_superadmin_unlock(db, &a, o, &missing);
    } else {
        fprintf(stderr, "refettorio admin: unknown command \"%s\"\n", cmd);
        missing = 1;
    }
    if (te != TENANT_OK)
        fprintf(stderr, "refettorio admin: %s: %s\n", cmd, admin_tenant_err(te));
    if (rc == 0)
        rc = db_commit(db) == DB_OK ? 0 : 1;
    else
        db_rollback(db);
    arena_free(&a);
    return missing ? 2 : rc;
}

int cli_admin(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: refettorio admin COMMAND [--db PATH] [options]\n\n"
                "  tenant-create --slug S --name N [--fiscal-code CF] [--address A] [--phone P]\n"
                "                [--email E] [--pec E] [--hours H] [--website URL]\n"
                "  tenant-list\n"
                "  school-create --tenant S --name N --kind infanzia|primaria|secondaria\n"
                "                [--address A] [--kitchen-email E]\n"
                "  school-year-create --tenant S --label 2026/2027 --starts DATE --ends DATE\n"
                "  class-create --tenant S --school NAME --year LABEL --name 1A\n"
                "  staff-create --tenant S --email E --name N --role admin|ufficio|gestore|cucina\n"
                "               (the password is read from standard input)\n"
                "  superadmin-create --email E --name N\n"
                "               (a platform super-admin; the password is read from standard "
                "input)\n"
                "  superadmin-unlock --email E\n"
                "  ledger-check [--tenant S]\n"
                "               (every family's cached balance against its ledger entries; exit 1\n"
                "               when one differs)\n"
                "  cutoff --tenant S --day YYYY-MM-DD\n"
                "               (freeze and charge the day's meals now; a day already frozen is\n"
                "               left as it is)\n");
        return argc < 2 ? 2 : 0;
    }
    struct admin_opts opts = {0};
    struct cli_server_flags flags = {0};
    int next = cli_parse_server_flags(argc - 1, argv + 1, &flags, admin_collect, &opts);
    if (next < 0)
        return 2;
    if (next < argc - 1) {
        fprintf(stderr, "refettorio admin: unknown argument \"%s\"\n", argv[next + 1]);
        return 2;
    }
    struct config cfg;
    if (cli_build_config(&cfg, &flags) != 0)
        return 2;
    if (cli_start_services(&cfg) != 0)
        return 1;
    struct db *db = store_db();
    int rc = db ? admin_run(db, argv[1], &opts) : 1;
    store_thread_done();
    return rc;
}
