/* The six steps of the enrollment form. Each step validates its own fields, keeps everything
   typed when something is wrong (message next to the field), and saves. "Save draft" saves the
   step and makes the application part of an account (creating it for a new family). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/family/enroll.h"
#include "app/family/family.h"
#include "app/field_messages.h"
#include "domain/codice_fiscale.h"
#include "domain/iban.h"
#include "domain/mobile.h"
#include "domain/places.h"
#include "services/attachment.h"
#include "services/enroll.h"
#include "services/guardian.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"

static int enroll_step_param(struct req *r)
{
    const char *s = req_param(r, 1);
    return s && s[0] >= '1' && s[0] <= '6' && !s[1] ? s[0] - '0' : 0;
}

/* A text input (templates/form/input.html) showing what was typed after an error, or what is
   saved. */
static struct tv *enroll_text(struct req *r, struct tv *d, const char *list, const char *name,
                              const char *label, const char *type, const char *autocomplete,
                              const char *help, const char *saved)
{
    struct tv *f = page_field(r, d, list, name, label, type, autocomplete, help);
    if (r->method != HTTP_POST)
        tv_set_str(f, "value", saved);
    tv_set_bool(f, "required", true);
    return f;
}

/* The value a field shows: what was typed (after an error) or what is saved. */
static void enroll_value(struct req *r, struct tv *values, const char *name, const char *saved)
{
    const char *typed = req_field_raw(r, name);
    if (r->method == HTTP_POST)
        tv_set_str(values, name, typed ? typed : "");
    else
        tv_set_str(values, name, saved);
}

static bool enroll_checked(struct req *r, const char *name, bool saved)
{
    if (r->method == HTTP_POST)
        return req_field_raw(r, name) != NULL;
    return saved;
}

static const char *enroll_choice(struct req *r, const char *name, const char *saved)
{
    if (r->method == HTTP_POST) {
        const char *v = req_field_raw(r, name);
        return v ? v : "";
    }
    return saved;
}

static void enroll_step_page(struct req *r, struct resp *w, int status, const struct enrollment *e,
                             const struct campaign *c, int step, const char *form_error)
{
    struct db *db = store_db();
    static const char *const titles[] = {
        N_("Pupil"),   N_("Parent and privacy"), N_("School and days"), N_("Diet"),
        N_("Payment"), N_("Declarations"),
    };
    struct tv *d = enroll_page(r, titles[step - 1], e, c, step);
    if (!page_form_begin(r, w, d, form_error))
        return;
    struct tv *values = (struct tv *)tv_get(d, "values");
    if (!values)
        values = tv_set_dict(d, "values");
    tv_set_int(d, "step", step);
    tv_set_str(d, "form_action",
               enroll_app_href(r, e->id, arena_printf(&r->arena, "/passo/%d", step)));
    if (step > 1)
        tv_set_str(d, "back_href",
                   enroll_app_href(r, e->id, arena_printf(&r->arena, "/passo/%d", step - 1)));
    tv_set_bool(d, "can_draft", e->step >= STEP_GUARDIAN || step >= STEP_GUARDIAN);
    tv_set_bool(d, "is_submitted", e->status == ENROLLMENT_SUBMITTED);
    tv_set_str(d, "status_href", enroll_app_href(r, e->id, ""));
    switch (step) {
    case STEP_PUPIL: {
        tv_set_bool(d, "step_pupil", true);
        enroll_text(r, d, "fields", "name", N_("Name"), "text", "off", NULL, e->pupil_name);
        enroll_text(r, d, "fields", "surname", N_("Surname"), "text", "off", NULL,
                    e->pupil_surname);
        tv_set_str(enroll_text(r, d, "fields", "birth_date", N_("Date of birth"), "text", "off",
                               N_("As dd/mm/yyyy, e.g. 22/05/2018."),
                               enroll_local_date(r, e->pupil_birth_date)),
                   "inputmode", "numeric");
        const struct place *p = places_find(e->pupil_birth_place);
        enroll_text(r, d, "fields2", "birth_place", N_("Place of birth"), "text", "off",
                    N_("The municipality (e.g. Roma) or, for pupils born abroad, the state (e.g. "
                       "Romania)."),
                    p ? (strcmp(p->province, "EE")
                             ? arena_printf(&r->arena, "%s (%s)", p->name, p->province)
                             : p->name)
                      : "");
        const char *sex = enroll_choice(r, "sex", e->pupil_sex);
        tv_set_bool(d, "sex_f", !strcmp(sex, "F"));
        tv_set_bool(d, "sex_m", !strcmp(sex, "M"));
        break;
    }
    case STEP_GUARDIAN: {
        tv_set_bool(d, "step_guardian", true);
        struct tv *cf = enroll_text(r, d, "fields", "fiscal_code", N_("Your codice fiscale"),
                                    "text", "off", NULL, e->guardian_fiscal_code);
        if (e->guardian_id && e->guardian_fiscal_code[0])
            tv_set_bool(cf, "readonly", true);
        enroll_text(r, d, "fields", "name", N_("Name"), "text", "given-name", NULL,
                    e->guardian_name);
        enroll_text(r, d, "fields", "surname", N_("Surname"), "text", "family-name", NULL,
                    e->guardian_surname);
        tv_set_str(enroll_text(r, d, "fields", "mobile", N_("Mobile phone"), "tel", "tel",
                               N_("We send messages about meals and payments to this number."),
                               e->guardian_mobile),
                   "inputmode", "tel");
        enroll_text(r, d, "fields", "address", N_("Address"), "text", "address-line1",
                    N_("Street, number, postcode and town."), e->guardian_address);
        tv_set_str(d, "email", e->guardian_email);
        const char *res = enroll_choice(
            r, "resident", e->step >= STEP_GUARDIAN ? (e->guardian_resident ? "yes" : "no") : "");
        tv_set_bool(d, "resident_yes", !strcmp(res, "yes"));
        tv_set_bool(d, "resident_no", !strcmp(res, "no"));
        tv_set_bool(d, "privacy_checked", enroll_checked(r, "privacy", e->privacy_accepted));
        tv_set_str(d, "privacy_notice", c->privacy_notice);
        tv_set_bool(d, "guardian_locked", e->guardian_id != 0);
        if (e->guardian_id) {
            struct pupil_summary *pupils;
            size_t n;
            if (guardian_pupils(db, &r->arena, r->tenant.id, e->guardian_id, &pupils, &n) == 0) {
                struct tv *sib = tv_set_list(d, "siblings");
                for (size_t i = 0; i < n; i++)
                    if (strcmp(pupils[i].fiscal_code, e->pupil_fiscal_code) != 0)
                        tv_set_str(
                            tv_push_dict(sib), "name",
                            arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname));
            }
        }
        break;
    }
    case STEP_SCHOOL: {
        tv_set_bool(d, "step_school", true);
        struct campaign_class *cls;
        size_t n;
        if (campaign_classes(db, &r->arena, c->id, &cls, &n) != 0) {
            page_error(r, w, 500);
            return;
        }
        const char *chosen = enroll_choice(
            r, "class_id",
            e->class_id ? arena_printf(&r->arena, "%lld", (long long)e->class_id) : "");
        struct tv *schools = tv_set_list(d, "schools");
        struct tv *cur = NULL;
        int64_t cur_school = 0;
        for (size_t i = 0; i < n; i++) {
            if (!cur || cls[i].school_id != cur_school) {
                cur = tv_push_dict(schools);
                tv_set_str(cur, "name", cls[i].school_name);
                tv_set_list(cur, "classes");
                cur_school = cls[i].school_id;
            }
            struct tv *k = tv_push_dict((struct tv *)tv_get(cur, "classes"));
            const char *id = arena_printf(&r->arena, "%lld", (long long)cls[i].class_id);
            tv_set_str(k, "id", id);
            tv_set_str(k, "name", cls[i].class_name);
            tv_set_bool(k, "selected", !strcmp(id, chosen));
        }
        if (e->previous_id && !e->class_id)
            tv_set_bool(d, "pick_new_school", true);
        struct tv *days = tv_set_list(d, "weekdays");
        for (const char *p = c->weekdays; *p; p++) {
            struct tv *day = tv_push_dict(days);
            char name[8];
            snprintf(name, sizeof(name), "wd_%c", *p);
            tv_set_str(day, "name", arena_strdup(&r->arena, name));
            tv_set_str(day, "label", tr(r->lang, enrollment_weekday_label(*p - '0')));
            bool saved = e->step >= STEP_SCHOOL ? strchr(e->weekdays, *p) != NULL : true;
            tv_set_bool(day, "checked", enroll_checked(r, name, saved));
        }
        break;
    }
    case STEP_DIET: {
        tv_set_bool(d, "step_diet", true);
        tv_set_bool(d, "diets_offered", c->diets_offered);
        const char *kind = enroll_choice(r, "diet_kind", e->diet_kind);
        tv_set_bool(d, "diet_none", !strcmp(kind, "none") || !*kind);
        tv_set_bool(d, "diet_medical", !strcmp(kind, "medical"));
        tv_set_bool(d, "diet_ethical", !strcmp(kind, "ethical"));
        enroll_value(r, values, "diet_notes", e->diet_notes);
        if (e->certificate_id) {
            struct attachment att;
            if (attachment_info(db, &r->arena, r->tenant.id, e->certificate_id, &att) == 1)
                tv_set_str(d, "certificate_name", att.filename);
        }
        break;
    }
    case STEP_PAYMENT: {
        tv_set_bool(d, "step_payment", true);
        tv_set_bool(d, "sdd_offered", c->direct_debit_offered);
        const char *m = enroll_choice(r, "payment_method", e->payment_method);
        tv_set_bool(d, "pay_prepaid", strcmp(m, "direct_debit") != 0);
        tv_set_bool(d, "pay_sdd", !strcmp(m, "direct_debit"));
        struct tv *f =
            enroll_text(r, d, "sdd_fields", "iban", N_("IBAN"), "text", "off", NULL, e->iban);
        tv_set_bool(f, "required", false);
        f = enroll_text(r, d, "sdd_fields", "iban_holder", N_("Account holder"), "text", "name",
                        N_("The person the bank account belongs to, who signs the mandate."),
                        e->iban_holder);
        tv_set_bool(f, "required", false);
        tv_set_bool(d, "mandate_checked", enroll_checked(r, "mandate", e->mandate_accepted));
        struct isee_band *bands;
        size_t n;
        if (isee_band_list(db, &r->arena, r->tenant.id, &bands, &n) != 0) {
            page_error(r, w, 500);
            return;
        }
        const char *chosen = enroll_choice(
            r, "isee_band",
            e->isee_band_id ? arena_printf(&r->arena, "%lld", (long long)e->isee_band_id) : "");
        struct tv *list = tv_set_list(d, "bands");
        for (size_t i = 0; i < n; i++) {
            struct tv *b = tv_push_dict(list);
            const char *id = arena_printf(&r->arena, "%lld", (long long)bands[i].id);
            tv_set_str(b, "id", id);
            tv_set_str(b, "label", bands[i].label);
            tv_set_bool(b, "selected", !strcmp(id, chosen));
        }
        tv_set_bool(d, "band_none", !*chosen);
        break;
    }
    case STEP_DECLARATIONS: {
        tv_set_bool(d, "step_declarations", true);
        struct campaign_declaration *decl;
        size_t n;
        if (campaign_declarations(db, &r->arena, c->id, &decl, &n) != 0) {
            page_error(r, w, 500);
            return;
        }
        struct tv *list = tv_set_list(d, "declarations");
        for (size_t i = 0; i < n; i++) {
            struct tv *x = tv_push_dict(list);
            char name[16];
            snprintf(name, sizeof(name), "decl_%d", decl[i].position);
            tv_set_str(x, "name", arena_strdup(&r->arena, name));
            tv_set_str(x, "text", decl[i].text);
            tv_set_bool(x, "checked", enroll_checked(r, name, e->declarations_accepted));
            tv_set_str(x, "error",
                       req_field_error(r, name) ? tr(r->lang, req_field_error(r, name)) : NULL);
        }
        break;
    }
    }
    page_render(r, w, status, tmpl_enroll_step, d);
}

void enroll_step_form(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    int step = enroll_step_param(r);
    if (!step) {
        page_error(r, w, 404);
        return;
    }
    if (!e.guardian_id && !e.email_verified[0]) {
        resp_redirect(w, 303, enroll_app_href(r, e.id, "/email"));
        return;
    }
    if (!enroll_editable(&e)) {
        resp_redirect(w, 303, enroll_app_href(r, e.id, ""));
        return;
    }
    if (step > e.step + 1) {
        resp_redirect(w, 303,
                      enroll_app_href(r, e.id, arena_printf(&r->arena, "/passo/%d", e.step + 1)));
        return;
    }
    enroll_step_page(r, w, 200, &e, &c, step, NULL);
}

static const char *enroll_required(struct req *r, const char *name)
{
    const char *v = req_field(r, name);
    if (!v || !*v) {
        if (!req_field_error(r, name))
            req_set_field_error(r, name, N_("This field is required."));
        return NULL;
    }
    return v;
}

/* ---- validation and saving of each step ---------------------------------------------- */

static int enroll_do_pupil(struct req *r, struct db *db, const struct enrollment *e,
                           const struct campaign *c, const struct enrollment_actor *who)
{
    const char *name = enroll_required(r, "name"), *surname = enroll_required(r, "surname");
    const char *birth = enroll_required(r, "birth_date"), *sex = enroll_required(r, "sex");
    const char *place_typed = enroll_required(r, "birth_place");
    int y = 0, m = 0, dd = 0;
    char date[16] = "";
    if (birth) {
        /* type="date" sends YYYY-MM-DD; people typing write dd/mm/yyyy. */
        if (strlen(birth) == 10 && birth[2] == '/' && birth[5] == '/')
            snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", birth + 6, birth + 3, birth);
        else
            snprintf(date, sizeof(date), "%s", birth);
        int sy, sm, sd;
        if (!time_parse_date(date, &y, &m, &dd)) {
            req_set_field_error(r, "birth_date", N_("Write the date as dd/mm/yyyy."));
        } else if (time_parse_date(c->school_year_starts_on, &sy, &sm, &sd) &&
                   (sy - y > 16 || sy - y < 2)) {
            req_set_field_error(r, "birth_date",
                                N_("This date of birth is not that of a pupil of these schools."));
        }
    }
    if (sex && strcmp(sex, "M") && strcmp(sex, "F"))
        req_set_field_error(r, "sex", N_("Choose one of the options."));
    const struct place *places[4];
    const char *place = NULL;
    if (place_typed) {
        size_t n = places_search_name(place_typed, places, 4);
        if (n == 0)
            req_set_field_error(r, "birth_place",
                                N_("No municipality or foreign state with this name: write the "
                                   "municipality (e.g. Roma) or the state (e.g. Romania)."));
        else if (n > 1)
            req_set_field_error(r, "birth_place",
                                N_("Several municipalities have this name: add the province, e.g. "
                                   "\"Castro (LE)\"."));
        else
            place = places[0]->code;
    }
    if (r->has_errors)
        return 1;
    struct codice_fiscale_person p = {.surname = surname,
                                      .name = name,
                                      .year = y,
                                      .month = m,
                                      .day = dd,
                                      .sex = sex[0],
                                      .place = place};
    unsigned mismatch = 0;
    if (codice_fiscale_check_person(e->pupil_fiscal_code, &p, &mismatch) != CODICE_FISCALE_OK) {
        req_set_field_error(r, "name", N_("These data cannot be checked: verify them."));
        return 1;
    }
    const char *msg = N_("This does not match the pupil's codice fiscale: check it.");
    if (mismatch & CODICE_FISCALE_FIELD_SURNAME)
        req_set_field_error(r, "surname", msg);
    if (mismatch & CODICE_FISCALE_FIELD_NAME)
        req_set_field_error(r, "name", msg);
    if (mismatch & CODICE_FISCALE_FIELD_BIRTH_DATE)
        req_set_field_error(r, "birth_date", msg);
    if (mismatch & CODICE_FISCALE_FIELD_SEX)
        req_set_field_error(r, "sex", msg);
    if (mismatch & CODICE_FISCALE_FIELD_PLACE)
        req_set_field_error(r, "birth_place", msg);
    if (mismatch)
        return 1;
    struct enroll_pupil ep = {name, surname, date, sex, place};
    return enroll_save_pupil(db, e, &ep, who) == 0 ? 0 : -1;
}

static int enroll_do_guardian(struct req *r, struct db *db, const struct enrollment *e,
                              const struct enrollment_actor *who)
{
    const char *cf_s = enroll_required(r, "fiscal_code");
    const char *name = enroll_required(r, "name"), *surname = enroll_required(r, "surname");
    const char *mobile_s = enroll_required(r, "mobile");
    const char *address = enroll_required(r, "address");
    const char *resident = req_field(r, "resident");
    struct codice_fiscale cf;
    if (cf_s) {
        enum codice_fiscale_err ce = codice_fiscale_parse(cf_s, &cf);
        if (ce != CODICE_FISCALE_OK)
            req_set_field_error(r, "fiscal_code", app_codice_fiscale_msgid(ce));
        else if (!strcmp(cf.canonical, e->pupil_fiscal_code))
            req_set_field_error(r, "fiscal_code",
                                N_("This is the pupil's codice fiscale: write the parent's."));
    }
    struct mobile mob;
    if (mobile_s) {
        enum mobile_err me = mobile_parse(mobile_s, &mob);
        if (me != MOBILE_OK)
            req_set_field_error(r, "mobile", app_mobile_msgid(me));
    }
    if (!resident || (strcmp(resident, "yes") && strcmp(resident, "no")))
        req_set_field_error(r, "resident", N_("Choose one of the options."));
    if (!req_field(r, "privacy"))
        req_set_field_error(r, "privacy",
                            N_("To go on, read the privacy notice and tick the box."));
    if (r->has_errors)
        return 1;
    struct enroll_guardian g = {
        e->guardian_id && e->guardian_fiscal_code[0] ? e->guardian_fiscal_code : cf.canonical,
        name,
        surname,
        mob.e164,
        address,
        !strcmp(resident, "yes")};
    return enroll_save_guardian(db, e, &g, who) == 0 ? 0 : -1;
}

static int enroll_do_school(struct req *r, struct db *db, const struct enrollment *e,
                            const struct campaign *c, const struct enrollment_actor *who)
{
    const char *class_s = enroll_required(r, "class_id");
    char *end = NULL;
    long long class_id = class_s ? strtoll(class_s, &end, 10) : 0;
    if (class_s && (class_id <= 0 || *end || !campaign_has_class(db, c->id, class_id)))
        req_set_field_error(r, "class_id", N_("Choose one of the classes listed."));
    char days[8];
    size_t n = 0;
    for (const char *p = c->weekdays; *p; p++) {
        char name[8];
        snprintf(name, sizeof(name), "wd_%c", *p);
        if (req_field(r, name))
            days[n++] = *p;
    }
    days[n] = '\0';
    if (n == 0)
        req_set_field_error(r, "weekdays", N_("Choose at least one day."));
    if (r->has_errors)
        return 1;
    struct enroll_school s = {class_id, days};
    return enroll_save_school(db, e, &s, who) == 0 ? 0 : -1;
}

static int enroll_do_diet(struct req *r, struct db *db, const struct enrollment *e,
                          const struct campaign *c, const struct enrollment_actor *who)
{
    const char *kind = req_field(r, "diet_kind");
    if (!kind || !*kind)
        kind = "none";
    if (strcmp(kind, "none") && strcmp(kind, "medical") && strcmp(kind, "ethical")) {
        req_set_field_error(r, "diet_kind", N_("Choose one of the options."));
        return 1;
    }
    if (!c->diets_offered && strcmp(kind, "none") != 0) {
        req_set_field_error(r, "diet_kind", N_("This campaign does not take diet requests."));
        return 1;
    }
    const char *notes = req_field(r, "diet_notes");
    int64_t cert = e->certificate_id;
    const struct req_file *f = req_file(r, "certificate");
    if (f && !strcmp(kind, "medical")) {
        int64_t id = 0;
        enum attachment_err ae = attachment_store(db, r->tenant.id, ATTACHMENT_MEDICAL_CERTIFICATE,
                                                  f->filename, f->data, f->len, who->label, &id);
        if (ae == ATTACHMENT_ERR_DB)
            return -1;
        if (ae != ATTACHMENT_OK)
            req_set_field_error(r, "certificate", attachment_err_message(ae));
        else
            cert = id;
    }
    if (strcmp(kind, "none") != 0 && (!notes || !*notes))
        req_set_field_error(r, "diet_notes",
                            N_("Describe the diet: the foods to avoid or the diet requested."));
    if (!strcmp(kind, "medical") && !cert && !req_field_error(r, "certificate"))
        req_set_field_error(r, "certificate",
                            N_("A medical diet needs the doctor's certificate as a PDF file."));
    if (r->has_errors) {
        /* Keep a valid certificate just received, so that it is not asked again. */
        if (cert != e->certificate_id) {
            struct enroll_diet keep = {e->diet_kind, e->diet_notes, cert};
            if (enroll_save_diet(db, e, &keep, who) != 0)
                return -1;
        }
        return 1;
    }
    struct enroll_diet dt = {kind, !strcmp(kind, "none") ? "" : notes,
                             !strcmp(kind, "medical") ? cert : 0};
    return enroll_save_diet(db, e, &dt, who) == 0 ? 0 : -1;
}

static int enroll_do_payment(struct req *r, struct db *db, const struct enrollment *e,
                             const struct campaign *c, const struct enrollment_actor *who)
{
    const char *method = req_field(r, "payment_method");
    if (!method || (strcmp(method, "prepaid") && strcmp(method, "direct_debit")) ||
        (!c->direct_debit_offered && !strcmp(method, "direct_debit"))) {
        req_set_field_error(r, "payment_method", N_("Choose one of the options."));
        return 1;
    }
    bool sdd = !strcmp(method, "direct_debit");
    struct iban iban;
    const char *holder = req_field(r, "iban_holder");
    if (sdd) {
        const char *iban_s = enroll_required(r, "iban");
        if (iban_s) {
            enum iban_err ie = iban_parse(iban_s, &iban);
            if (ie != IBAN_OK)
                req_set_field_error(r, "iban", app_iban_msgid(ie));
            else if (!iban.sepa)
                req_set_field_error(r, "iban",
                                    N_("Direct debit needs an account in the SEPA "
                                       "area."));
        }
        holder = enroll_required(r, "iban_holder");
        if (!req_field(r, "mandate"))
            req_set_field_error(r, "mandate",
                                N_("To pay by direct debit, accept the SEPA mandate."));
    }
    const char *band_s = req_field(r, "isee_band");
    int64_t band = 0;
    if (band_s && *band_s) {
        char *end;
        band = strtoll(band_s, &end, 10);
        struct isee_band b;
        if (band <= 0 || *end || isee_band_find(db, &r->arena, r->tenant.id, band, &b) != 1)
            req_set_field_error(r, "isee_band", N_("Choose one of the options."));
    }
    if (r->has_errors)
        return 1;
    struct enroll_payment p = {method, sdd ? iban.normalized : "", sdd ? holder : "", sdd, band};
    return enroll_save_payment(db, e, &p, who) == 0 ? 0 : -1;
}

static int enroll_do_declarations(struct req *r, struct db *db, const struct enrollment *e,
                                  const struct campaign *c, const struct enrollment_actor *who)
{
    struct campaign_declaration *decl;
    size_t n;
    if (campaign_declarations(db, &r->arena, c->id, &decl, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "decl_%d", decl[i].position);
        if (!req_field(r, name))
            req_set_field_error(r, arena_strdup(&r->arena, name),
                                N_("This declaration is required to enroll."));
    }
    if (r->has_errors)
        return 1;
    return enroll_save_declarations(db, e, who) == 0 ? 0 : -1;
}

void enroll_step_submit(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    int step = enroll_step_param(r);
    if (!step) {
        page_error(r, w, 404);
        return;
    }
    if (!e.guardian_id && !e.email_verified[0]) {
        resp_redirect(w, 303, enroll_app_href(r, e.id, "/email"));
        return;
    }
    if (!enroll_editable(&e) || step > e.step + 1) {
        resp_redirect(w, 303, enroll_app_href(r, e.id, ""));
        return;
    }
    const char *action = req_field(r, "action");
    bool draft = action && !strcmp(action, "draft");
    struct db *db = store_db();
    struct enrollment_actor who = enroll_actor(r);
    if (r->has_errors) {
        enroll_step_page(r, w, 422, &e, &c, step,
                         tr(r->lang, N_("Check the fields marked below.")));
        return;
    }
    if (db_begin(db) != DB_OK) {
        page_error(r, w, 500);
        return;
    }
    int rc = -1;
    switch (step) {
    case STEP_PUPIL:
        rc = enroll_do_pupil(r, db, &e, &c, &who);
        break;
    case STEP_GUARDIAN:
        rc = enroll_do_guardian(r, db, &e, &who);
        break;
    case STEP_SCHOOL:
        rc = enroll_do_school(r, db, &e, &c, &who);
        break;
    case STEP_DIET:
        rc = enroll_do_diet(r, db, &e, &c, &who);
        break;
    case STEP_PAYMENT:
        rc = enroll_do_payment(r, db, &e, &c, &who);
        break;
    case STEP_DECLARATIONS:
        rc = enroll_do_declarations(r, db, &e, &c, &who);
        break;
    }
    if (rc < 0 || db_commit(db) != DB_OK) {
        db_rollback(db);
        page_error(r, w, 500);
        return;
    }
    if (rc > 0) {
        enrollment_find(db, &r->arena, r->tenant.id, e.id, &e);
        enroll_step_page(r, w, 422, &e, &c, step,
                         tr(r->lang, N_("Check the fields marked below.")));
        return;
    }
    if (enrollment_find(db, &r->arena, r->tenant.id, e.id, &e) != 1) {
        page_error(r, w, 500);
        return;
    }
    if (draft) {
        int64_t gid = 0;
        bool created = false;
        if (db_begin(db) != DB_OK) {
            page_error(r, w, 500);
            return;
        }
        enum enroll_account a = enroll_save_draft(db, &r->arena, &r->tenant, &e,
                                                  page_absolute_url(r, family_href(r, "/accedi")),
                                                  &who, &gid, &created);
        if (a != ENROLL_ACCOUNT_OK || db_commit(db) != DB_OK) {
            db_rollback(db);
            if (a == ENROLL_ACCOUNT_ERROR || a == ENROLL_ACCOUNT_OK) {
                page_error(r, w, 500);
                return;
            }
            enroll_step_page(
                r, w, 409, &e, &c, step,
                tr(r->lang,
                   a == ENROLL_ACCOUNT_INCOMPLETE
                       ? N_("To save a draft, first fill in the pupil's and the parent's data and "
                            "accept the privacy notice.")
                   : a == ENROLL_ACCOUNT_TAKEN
                       ? N_("The parent's codice fiscale already has an account with another "
                            "e-mail address: sign in to that account to enroll another child.")
                       : N_("This pupil is in another family's account: contact the school "
                            "meals office.")));
            return;
        }
        if (!r->family_signed_in && session_start_family(r, w, gid) != 0) {
            page_error(r, w, 500);
            return;
        }
        resp_redirect(w, 303,
                      enroll_app_href(r, e.id, created ? "?salvata=1&account=1" : "?salvata=1"));
        return;
    }
    resp_redirect(w, 303,
                  step < ENROLLMENT_STEPS
                      ? enroll_app_href(r, e.id, arena_printf(&r->arena, "/passo/%d", step + 1))
                      : enroll_app_href(r, e.id, "/riepilogo"));
}
