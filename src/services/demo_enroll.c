/* The demo's enrollments: last year's campaign (closed, the demo families' children
   confirmed), this spring's campaign for 2027/2028 (open now, with new families' applications
   waiting for the office), ISEE bands, and a family in debt to show the enrollment gate. */
#include <stdio.h>
#include <string.h>

#include "domain/codice_fiscale.h"
#include "services/campaign.h"
#include "services/demo.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/tenant.h"
#include "services/enrollment.h"
#include "util/time.h"

static const char demo_privacy[] =
    "Informativa ai sensi dell'art. 13 del Regolamento (UE) 2016/679.\n"
    "Titolare del trattamento è il Comune di Esempio, Piazza del Municipio 1, 00100 Esempio "
    "(protocollo@pec.comune.esempio.it). Il Responsabile della protezione dei dati è "
    "raggiungibile all'indirizzo dpo@comune.esempio.it.\n"
    "I dati dell'alunno e del genitore sono trattati per l'erogazione del servizio di "
    "refezione scolastica, la gestione delle diete speciali, la riscossione delle tariffe e "
    "gli adempimenti fiscali, sulla base dell'esecuzione di un compito di interesse pubblico "
    "(art. 6, par. 1, lett. e) e, per i dati relativi alla salute, dell'art. 9, par. 2, lett. "
    "g) del Regolamento.\n"
    "I dati sono comunicati al gestore del servizio di ristorazione, nominato responsabile del "
    "trattamento, e non sono diffusi. Sono conservati per la durata dell'iscrizione e per i "
    "dieci anni successivi previsti per la documentazione contabile; i certificati medici per "
    "il solo anno scolastico a cui si riferiscono.\n"
    "L'interessato può chiedere l'accesso, la rettifica, la cancellazione o la limitazione dei "
    "dati, opporsi al trattamento e proporre reclamo al Garante per la protezione dei dati "
    "personali.";

static const char *const demo_declarations[] = {
    "Dichiaro di aver preso visione del Regolamento del servizio di refezione scolastica e di "
    "accettarne le condizioni.",
    "Mi impegno a comunicare tempestivamente all'Ufficio scuola ogni variazione dei dati "
    "dichiarati.",
    "Dichiaro di essere consapevole che le dichiarazioni mendaci sono punite ai sensi "
    "dell'art. 76 del D.P.R. 445/2000.",
};

static int64_t demo_class(struct db *db, int64_t tenant_id, const char *school, int64_t year_id,
                          const char *name)
{
    struct db_stmt *st = db_stmt(db, STMT_DEMO_CLASS);
    if (!st)
        return 0;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, school);
    db_bind_int(st, 3, year_id);
    db_bind_text(st, 4, name);
    int64_t id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    return id;
}

static size_t demo_year_classes(struct db *db, int64_t year_id, int64_t *out, size_t max)
{
    struct db_stmt *st = db_stmt(db, STMT_DEMO_YEAR_CLASSES);
    if (!st)
        return 0;
    db_bind_int(st, 1, year_id);
    size_t n = 0;
    while (n < max && db_step(st) == DB_ROW)
        out[n++] = db_col_int(st, 0);
    db_reset(st);
    return n;
}

static int demo_campaign(struct db *db, int64_t tenant_id, int64_t year_id, const char *title,
                         const char *opens, const char *closes, bool gate, int64_t *id)
{
    int64_t classes[64];
    size_t n = demo_year_classes(db, year_id, classes, 64);
    struct campaign_input in = {.school_year_id = year_id,
                                .title = title,
                                .kind = CAMPAIGN_BOTH,
                                .opens_at = opens,
                                .closes_at = closes,
                                .weekdays = "12345",
                                .privacy_notice = demo_privacy,
                                .fee_cents = 0,
                                .diets_offered = true,
                                .direct_debit_offered = true,
                                .has_debt_threshold = gate,
                                .debt_threshold_cents = -3000,
                                .declarations = demo_declarations,
                                .ndeclarations = 3,
                                .class_ids = classes,
                                .nclass_ids = n};
    const char *field = NULL;
    return campaign_create_tx(db, tenant_id, &in, "refettorio demo", id, &field) == CAMPAIGN_OK
               ? 0
               : -1;
}

struct demo_app {
    const char *pupil_cf;
    const char *school, *class_name;
    const char *status; /* draft, submitted, confirmed, rejected */
    const char *diet_kind, *diet_notes, *diet_status, *diet_code;
    const char *reject_reason;
};

static int demo_enrollment(struct db *db, int64_t tenant_id, int64_t campaign_id, int64_t year_id,
                           const char *kind, const struct demo_app *app, const char *when)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLL_PUPIL_BY_CF);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, app->pupil_cf);
    int64_t pupil_id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    int64_t class_id = demo_class(db, tenant_id, app->school, year_id, app->class_name);
    struct codice_fiscale cf;
    if (!pupil_id || !class_id || codice_fiscale_parse(app->pupil_cf, &cf) != CODICE_FISCALE_OK)
        return -1;
    st = db_stmt(db, STMT_DEMO_ENROLLMENT_INSERT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, campaign_id);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, app->status);
    db_bind_text(st, 5, cf.place);
    db_bind_text(st, 6, when);
    db_bind_text(st, 7, app->diet_kind ? app->diet_kind : "none");
    db_bind_text(st, 8, app->diet_notes ? app->diet_notes : "");
    db_bind_text(st, 9, app->diet_status ? app->diet_status : "none");
    db_bind_text(st, 10, app->diet_code ? app->diet_code : "");
    db_bind_text(st, 11, app->reject_reason ? app->reject_reason : "");
    db_bind_text(st, 12,
                 strcmp(app->status, "confirmed") && strcmp(app->status, "rejected")
                     ? ""
                     : "ufficio@comune.esempio.it");
    db_bind_int(st, 13, class_id);
    db_bind_int(st, 14, pupil_id);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        return -1;
    int64_t id = db_last_id(db);
    struct enrollment_actor who = {.kind = AUDIT_CLI, .label = "refettorio demo"};
    enum enrollment_status s = ENROLLMENT_DRAFT;
    enrollment_status_parse(app->status, &s);
    return enrollment_history_add(db, id, &who, "demo", s, "seeded by the demo");
}

/* New families applying for 2027/2028: a parent and a child each. */
struct demo_new_family {
    const char *parent_name, *parent_surname, *parent_birth, *parent_place;
    char parent_sex;
    const char *child_name, *birth, *place;
    char child_sex;
    const char *school, *class_name, *status, *diet_kind, *diet_notes, *reject;
};

static const struct demo_new_family demo_new_families[] = {
    {"Francesca", "Colombo", "1988-03-14", "F205", 'F', "Tommaso", "2022-04-09", "H501", 'M',
     "Scuola dell'infanzia Gianni Rodari", "Sezione A", "submitted", NULL, NULL, NULL},
    {"Luca", "Ricci", "1985-07-02", "H501", 'M', "Aurora", "2021-11-20", "H501", 'F',
     "Scuola primaria Maria Montessori", "1A", "submitted", "ethical", "Senza carne di maiale",
     NULL},
    {"Sara", "Marino", "1990-01-30", "F839", 'F', "Leonardo", "2021-02-17", "F839", 'M',
     "Scuola primaria Maria Montessori", "1B", "submitted", NULL, NULL, NULL},
    {"Davide", "Greco", "1983-09-11", "H501", 'M', "Alice", "2022-06-05", "H501", 'F',
     "Scuola dell'infanzia Gianni Rodari", "Sezione B", "confirmed", NULL, NULL, NULL},
    {"Elena", "Bruno", "1987-12-24", "L219", 'F', "Gabriele", "2021-08-29", "L219", 'M',
     "Scuola primaria Don Lorenzo Milani", "1A", "submitted", "ethical", "Vegetariana", NULL},
    {"Marco", "Gallo", "1986-05-19", "A944", 'M', "Ginevra", "2022-01-13", "A944", 'F',
     "Scuola dell'infanzia Gianni Rodari", "Sezione C", "rejected", NULL, NULL,
     "Il codice fiscale del genitore non corrisponde ai documenti allegati: ripresentare la "
     "domanda con i dati corretti."},
    {"Valentina", "Conti", "1992-10-08", "H501", 'F', "Edoardo", "2021-05-03", "H501", 'M',
     "Scuola primaria Maria Montessori", "1A", "submitted", NULL, NULL, NULL},
    {"Andrea", "De Luca", "1984-02-27", "F839", 'M', "Beatrice", "2022-09-15", "F839", 'F',
     "Scuola dell'infanzia Gianni Rodari", "Sezione A", "draft", NULL, NULL, NULL},
    {"Chiara", "Mancini", "1989-04-16", "H501", 'F', "Riccardo", "2021-12-01", "H501", 'M',
     "Scuola primaria Don Lorenzo Milani", "1A", "submitted", "ethical",
     "Nessun alimento di origine animale (dieta vegana)", NULL},
    {"Stefano", "Lombardi", "1981-08-03", "D612", 'M', "Emma", "2021-03-22", "D612", 'F',
     "Scuola primaria Maria Montessori", "1B", "confirmed", NULL, NULL, NULL},
};

static int demo_new_applications(struct db *db, int64_t tenant_id, int64_t campaign_id,
                                 int64_t year_id, const char *when)
{
    for (size_t i = 0; i < sizeof(demo_new_families) / sizeof(demo_new_families[0]); i++) {
        const struct demo_new_family *f = &demo_new_families[i];
        char pcf[CODICE_FISCALE_LEN + 1], ccf[CODICE_FISCALE_LEN + 1];
        int y, m, d;
        time_parse_date(f->parent_birth, &y, &m, &d);
        struct codice_fiscale_person pp = {f->parent_surname, f->parent_name, y, m, d,
                                           f->parent_sex,     f->parent_place};
        time_parse_date(f->birth, &y, &m, &d);
        struct codice_fiscale_person cp = {f->parent_surname, f->child_name, y, m, d,
                                           f->child_sex,      f->place};
        if (codice_fiscale_compute(&pp, pcf) != CODICE_FISCALE_OK ||
            codice_fiscale_compute(&cp, ccf) != CODICE_FISCALE_OK)
            return -1;
        char email[120], mobile[20], address[120];
        snprintf(email, sizeof(email), "%s.%s@example.it", f->parent_name, f->parent_surname);
        for (char *p = email; *p; p++)
            *p = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        snprintf(mobile, sizeof(mobile), "+39333%07zu", 1000000 + i * 7919);
        snprintf(address, sizeof(address), "Via Garibaldi %zu, 00100 Esempio", 3 + i * 4);
        struct guardian_new gn = {
            pcf, f->parent_name, f->parent_surname, email, mobile, address, "it", true};
        int64_t gid, pid;
        if (guardian_create(db, tenant_id, &gn, "Pranzo-Sereno-2026", &gid, NULL) != GUARDIAN_OK)
            return -1;
        struct pupil_new pn = {ccf, f->child_name, f->parent_surname, f->birth,
                               f->child_sex == 'F' ? "F" : "M"};
        if (pupil_create(db, tenant_id, gid, &pn, &pid) != GUARDIAN_OK)
            return -1;
        struct demo_app app = {ccf,
                               f->school,
                               f->class_name,
                               f->status,
                               f->diet_kind,
                               f->diet_notes,
                               f->diet_kind ? "pending" : "none",
                               NULL,
                               f->reject};
        if (demo_enrollment(db, tenant_id, campaign_id, year_id, "new", &app, when) != 0)
            return -1;
    }
    return 0;
}

int demo_seed_enrollments(struct db *db, int64_t tenant_id, int64_t year_id)
{
    /* The next school year, with the same schools and classes. */
    int64_t next_year;
    if (school_year_create(db, tenant_id, "2027/2028", "2027-09-13", "2028-06-30", &next_year) !=
        TENANT_OK)
        return -1;
    static const struct {
        const char *school, *classes[12];
    } layout[] = {
        {"Scuola dell'infanzia Gianni Rodari", {"Sezione A", "Sezione B", "Sezione C", NULL}},
        {"Scuola primaria Maria Montessori",
         {"1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "5B", NULL}},
        {"Scuola primaria Don Lorenzo Milani", {"1A", "2A", "3A", "4A", "5A", NULL}},
    };
    for (size_t s = 0; s < sizeof(layout) / sizeof(layout[0]); s++) {
        int64_t school_id = school_find(db, tenant_id, layout[s].school), id;
        for (int c = 0; layout[s].classes[c]; c++)
            if (!school_id || class_create(db, tenant_id, school_id, next_year,
                                           layout[s].classes[c], &id) != TENANT_OK)
                return -1;
    }
    int64_t band;
    if (isee_band_create(db, tenant_id, "A", "Fascia A: ISEE fino a 6.000,00 €", true, 600000,
                         &band) != CAMPAIGN_OK ||
        isee_band_create(db, tenant_id, "B", "Fascia B: ISEE fino a 12.000,00 €", true, 1200000,
                         &band) != CAMPAIGN_OK ||
        isee_band_create(db, tenant_id, "C", "Fascia C: ISEE fino a 20.000,00 €", true, 2000000,
                         &band) != CAMPAIGN_OK)
        return -1;
    /* Last spring's campaign, closed, with the demo families' children confirmed. */
    int64_t past, current;
    if (demo_campaign(db, tenant_id, year_id, "Iscrizioni al servizio mensa 2026/2027",
                      "2026-03-02T08:00:00Z", "2026-06-30T21:59:00Z", false, &past) != 0)
        return -1;
    static const struct demo_app past_apps[] = {
        {"RSSGLI18E62H501A", "Scuola primaria Maria Montessori", "3A", "confirmed", NULL, NULL,
         NULL, NULL, NULL},
        {"RSSLCU21P03H501G", "Scuola dell'infanzia Gianni Rodari", "Sezione B", "confirmed",
         "medical", "Allergia alle proteine del latte vaccino", "approved", "APLV", NULL},
        {"SPSMTT17B11F839K", "Scuola primaria Maria Montessori", "4B", "confirmed", NULL, NULL,
         NULL, NULL, NULL},
        {"FRRSFO19T41F205D", "Scuola primaria Don Lorenzo Milani", "2A", "confirmed", "ethical",
         "Senza carne di maiale", "approved", "NO-SUINO", NULL},
    };
    for (size_t i = 0; i < sizeof(past_apps) / sizeof(past_apps[0]); i++)
        if (demo_enrollment(db, tenant_id, past, year_id, "new", &past_apps[i],
                            "2026-04-15T09:30:00Z") != 0)
            return -1;
    /* This campaign: open from ten days ago for two months, so the demo can always enroll. */
    time_t now = time_now();
    char opens[TIME_ISO_MAX], closes[TIME_ISO_MAX], when[TIME_ISO_MAX];
    time_iso(now - 10 * 86400, opens);
    time_iso(now + 60 * 86400, closes);
    time_iso(now - 3 * 86400, when);
    if (demo_campaign(db, tenant_id, next_year, "Iscrizioni e rinnovi 2027/2028", opens, closes,
                      true, &current) != 0)
        return -1;
    if (demo_new_applications(db, tenant_id, current, next_year, when) != 0)
        return -1;
    /* Anna Esposito owes 45 euro from the previous platform: the debt gate stops her renewal
       until she tops up or the office allows it. */
    struct guardian g;
    struct arena a;
    arena_init(&a, 512);
    int found = guardian_find_by_login(db, &a, tenant_id, "SPSNNA87S70F839K", &g);
    arena_free(&a);
    struct ledger_new debt = {.guardian_id = g.id,
                              .kind = LEDGER_OPENING,
                              .amount_cents = -4500,
                              .description = "Saldo riportato dalla piattaforma precedente",
                              .ref = "demo-opening-esposito",
                              .created_by = "refettorio demo"};
    if (found != 1 || ledger_append(db, tenant_id, &debt, NULL) != 0)
        return -1;
    struct guardian m;
    arena_init(&a, 512);
    found = guardian_find_by_login(db, &a, tenant_id, "RSSMRA82C14H501K", &m);
    arena_free(&a);
    struct ledger_new credit = {.guardian_id = m.id,
                                .kind = LEDGER_OPENING,
                                .amount_cents = 3720,
                                .description = "Saldo riportato dalla piattaforma precedente",
                                .ref = "demo-opening-rossi",
                                .created_by = "refettorio demo"};
    return found == 1 && ledger_append(db, tenant_id, &credit, NULL) == 0 ? 0 : -1;
}
