#include "services/demo.h"

#include <stdio.h>
#include <string.h>

#include "services/audit.h"
#include "integrations/mail/outbox.h"
#include "services/guardian.h"
#include "services/staff.h"
#include "services/tenant.h"
#include "util/arena.h"

const struct demo_login demo_logins[] = {
    {"ufficio@comune.esempio.it", "Giulia Bianchi", "ufficio"},
    {"admin@comune.esempio.it", "Marco Rossi", "admin"},
    {"gestore@ristorazione-esempio.it", "Paolo Conti", "gestore"},
    {"cucina@ristorazione-esempio.it", "Anna Ferraro", "cucina"},
    {NULL, NULL, NULL},
};

#define DEMO_FAMILY_PASSWORD    "Pranzo-Sereno-2026"
#define DEMO_TEMPORARY_PASSWORD "Provvisoria-2026"

struct demo_family {
    struct guardian_new guardian;
    const char *password;
    int temporary;
    struct pupil_new pupils[3];
};

static const struct demo_family demo_families[] = {
    {{"RSSMRA82C14H501K", "Mario", "Rossi", "mario.rossi@example.it", "+393331234567",
      "Via dei Mille 12, 00100 Esempio", "it", true},
     DEMO_FAMILY_PASSWORD,
     0,
     {{"RSSGLI18E62H501A", "Giulia", "Rossi", "2018-05-22", "F"},
      {"RSSLCU21P03H501G", "Luca", "Rossi", "2021-09-03", "M"}}},
    {{"SPSNNA87S70F839K", "Anna", "Esposito", "anna.esposito@example.it", "+393479876543",
      "Via Roma 40, 00100 Esempio", "it", true},
     DEMO_TEMPORARY_PASSWORD,
     1,
     {{"SPSMTT17B11F839K", "Matteo", "Esposito", "2017-02-11", "M"}}},
    {{"BNCCHR90L48F205V", "Chiara", "Bianchi", "chiara.bianchi@example.it", "+393205554433",
      "Piazza Garibaldi 7, 00100 Esempio", "en", false},
     DEMO_FAMILY_PASSWORD,
     0,
     {{"FRRSFO19T41F205D", "Sofia", "Ferri", "2019-12-01", "F"}}},
};

const struct demo_family_login demo_family_logins[] = {
    {"RSSGLI18E62H501A", DEMO_FAMILY_PASSWORD, "Mario Rossi (Giulia, Luca)", 0},
    {"SPSMTT17B11F839K", DEMO_TEMPORARY_PASSWORD, "Anna Esposito (Matteo)", 1},
    {"FRRSFO19T41F205D", DEMO_FAMILY_PASSWORD, "Chiara Bianchi (Sofia); e-mails in English", 0},
    {NULL, NULL, NULL, 0},
};

/* The letter that gave Anna Esposito her temporary password, as the office would have sent
   it: the demo's e-mail page shows it delivered through the SMTP stand-in. */
static int demo_queue_mail(struct db *db, struct arena *a, int64_t tenant_id, const char *base_url)
{
    struct tenant t;
    if (tenant_find(db, a, DEMO_TENANT_SLUG, &t) != 1 || t.id != tenant_id)
        return -1;
    struct tv *data = tv_dict(a);
    tv_set_str(data, "name", "Anna Esposito");
    tv_set_str(data, "password", DEMO_TEMPORARY_PASSWORD);
    tv_set_str(data, "signin_href",
               arena_printf(a, "%s/%s/famiglie/accedi", base_url, DEMO_TENANT_SLUG));
    return mail_queue(db, a, &t, "anna.esposito@example.it", "it", "temporary_password", data,
                      NULL);
}

static int demo_create_families(struct db *db, int64_t tenant_id, const char *base_url)
{
    struct arena a;
    arena_init(&a, 1024);
    int rc = -1;
    for (size_t i = 0; i < sizeof(demo_families) / sizeof(demo_families[0]); i++) {
        const struct demo_family *f = &demo_families[i];
        int64_t gid, pid;
        if (guardian_create(db, tenant_id, &f->guardian, DEMO_FAMILY_PASSWORD, &gid, NULL) !=
            GUARDIAN_OK)
            goto done;
        if (f->temporary && guardian_set_password(db, &a, tenant_id, gid, f->password, true,
                                                  "refettorio demo") != GUARDIAN_OK)
            goto done;
        for (int p = 0; p < 3 && f->pupils[p].fiscal_code; p++)
            if (pupil_create(db, tenant_id, gid, &f->pupils[p], &pid) != GUARDIAN_OK)
                goto done;
    }
    rc = demo_queue_mail(db, &a, tenant_id, base_url);
done:
    arena_free(&a);
    return rc;
}

struct demo_school {
    const char *name;
    enum school_kind kind;
    const char *address;
    const char *kitchen_email;
    const char *classes[12];
};

static const struct demo_school demo_schools[] = {
    {"Scuola dell'infanzia Gianni Rodari",
     SCHOOL_INFANZIA,
     "Via dei Tigli 4, 00100 Esempio",
     "cucina.rodari@ristorazione-esempio.it",
     {"Sezione A", "Sezione B", "Sezione C", NULL}},
    {"Scuola primaria Maria Montessori",
     SCHOOL_PRIMARIA,
     "Piazza Garibaldi 1, 00100 Esempio",
     "cucina.montessori@ristorazione-esempio.it",
     {"1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "5B", NULL}},
    {"Scuola primaria Don Lorenzo Milani",
     SCHOOL_PRIMARIA,
     "Via Roma 22, 00100 Esempio",
     "cucina.milani@ristorazione-esempio.it",
     {"1A", "2A", "3A", "4A", "5A", NULL}},
};

static int demo_create(struct db *db, const char *base_url)
{
    struct tenant_new t = {
        .slug = DEMO_TENANT_SLUG,
        .name = "Comune di Esempio",
        .fiscal_code = "80012345676",
        .address = "Piazza del Municipio 1, 00100 Esempio",
        .phone = "+39 06 1234 5678",
        .email = "scuola@comune.esempio.it",
        .pec = "protocollo@pec.comune.esempio.it",
        .office_hours = "Lunedì, mercoledì e venerdì 9:00-12:30; giovedì 15:00-17:30",
        .website = "https://www.comune.esempio.it",
    };
    int64_t tenant_id, year_id;
    if (tenant_create(db, &t, &tenant_id) != TENANT_OK)
        return -1;
    if (school_year_create(db, tenant_id, "2026/2027", "2026-09-14", "2027-06-30", &year_id) !=
        TENANT_OK)
        return -1;
    for (size_t i = 0; i < sizeof(demo_schools) / sizeof(demo_schools[0]); i++) {
        const struct demo_school *s = &demo_schools[i];
        int64_t school_id, class_id;
        if (school_create(db, tenant_id, s->name, s->kind, s->address, s->kitchen_email,
                          &school_id) != TENANT_OK)
            return -1;
        for (int c = 0; s->classes[c]; c++)
            if (class_create(db, tenant_id, school_id, year_id, s->classes[c], &class_id) !=
                TENANT_OK)
                return -1;
    }
    for (int i = 0; demo_logins[i].email; i++) {
        enum role role;
        int64_t id;
        if (!staff_role_parse(demo_logins[i].role, &role) ||
            staff_create(db, tenant_id, demo_logins[i].email, demo_logins[i].name, role,
                         DEMO_PASSWORD, &id) != STAFF_OK)
            return -1;
    }
    if (demo_create_families(db, tenant_id, base_url) != 0)
        return -1;
    if (demo_seed_enrollments(db, tenant_id, year_id) != 0)
        return -1;
    if (demo_seed_tariffs(db, tenant_id) != 0)
        return -1;
    if (demo_seed_debts(db, tenant_id) != 0)
        return -1;
    if (demo_seed_calendar(db, tenant_id, year_id) != 0)
        return -1;
    if (demo_seed_bookings(db, tenant_id) != 0)
        return -1;
    /* The platform's super-admin, who manages the municipalities at /piattaforma/. */
    int64_t superadmin_id;
    if (staff_create(db, 0, DEMO_SUPERADMIN_EMAIL, "Elena Galli", ROLE_SUPERADMIN, DEMO_PASSWORD,
                     &superadmin_id) != STAFF_OK)
        return -1;
    struct audit_entry e = {.tenant_id = tenant_id,
                            .actor = AUDIT_CLI,
                            .actor_label = "refettorio demo",
                            .action = "tenant.create",
                            .entity = "tenant",
                            .entity_id = tenant_id,
                            .to_state = "created",
                            .detail = "demo data"};
    return audit_record(db, &e);
}

int demo_seed(struct db *db, const char *base_url, bool *created)
{
    struct arena a;
    arena_init(&a, 1024);
    struct tenant t;
    int found = tenant_find(db, &a, DEMO_TENANT_SLUG, &t);
    arena_free(&a);
    *created = false;
    if (found < 0)
        return -1;
    if (found == 1)
        return 0;
    if (db_begin(db) != DB_OK)
        return -1;
    if (demo_create(db, base_url) != 0) {
        db_rollback(db);
        return -1;
    }
    if (db_commit(db) != DB_OK)
        return -1;
    *created = true;
    return 0;
}
