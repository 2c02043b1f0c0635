/*
 * The family's meals (/famiglie/pasti): a month calendar per child (booked, cancelled, plain
 * meal, no service and why, eaten with the amount charged), the forms that change it (cancel
 * one day or several, plain meal, restore, extended absence, "riattiva"), the family-wide
 * "cancel today for all my children", and the receipts of every change. The rules are
 * services/booking.h's; a refusal comes back next to the field that caused it with everything
 * typed kept, an accepted change goes to its receipt's page. Every form carries a fresh random
 * request_key, so a form sent twice makes one change and shows the same receipt.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/family/family.h"
#include "app/handlers.h"
#include "domain/money.h"
#include "services/booking.h"
#include "services/guardian.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define MEALS_KEY_BYTES     18 /* 24 url-safe characters */
#define MEALS_KEY_CHARS     25
#define MEALS_RECEIPTS_LIST 100 /* receipts on the list page */

/* ---- fields ---------------------------------------------------------------------------------- */

#define MEALS_COMMON_FIELDS                                                                        \
    {"alunno", field_row_id, FIELD_ROW_ID_CHARS, false}, {"mese", field_month, 7, false},          \
        {"request_key", field_token, BOOKING_KEY_MAX, false},                                      \
    {                                                                                              \
        "mail", field_token, 1, false                                                              \
    }

static const struct field_spec meals_view_fields[] = {
    {"alunno", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"mese", field_month, 7, false},
};
static const struct field_spec meals_cancel_fields[] = {
    MEALS_COMMON_FIELDS,
    {"cancel_from", field_day, 10, true},
    {"cancel_to", field_day, 10, false},
};
static const struct field_spec meals_plain_fields[] = {
    MEALS_COMMON_FIELDS,
    {"plain_from", field_day, 10, true},
    {"plain_to", field_day, 10, false},
};
static const struct field_spec meals_restore_fields[] = {
    MEALS_COMMON_FIELDS,
    {"restore_from", field_day, 10, true},
    {"restore_to", field_day, 10, false},
};
static const struct field_spec meals_absence_fields[] = {
    MEALS_COMMON_FIELDS,
    {"absence_from", field_day, 10, true},
    {"absence_resume", field_day, 10, false},
    {"absence_open", field_token, 1, false},
};
static const struct field_spec meals_resume_fields[] = {
    MEALS_COMMON_FIELDS,
    {"resume_from", field_day, 10, true},
};
static const struct field_spec meals_today_fields[] = {
    MEALS_COMMON_FIELDS,
};
static const struct field_spec meals_receipts_fields[] = {
    {"chiave", field_token, BOOKING_KEY_MAX, false},
};

/* One form of the page: its action and the names of its date fields. */
struct meals_form {
    enum booking_action action;
    const char *from, *to; /* to: the resume day for an absence; NULL for "riattiva" */
};
static const struct meals_form meals_cancel_form = {BOOKING_CANCEL, "cancel_from", "cancel_to"};
static const struct meals_form meals_plain_form = {BOOKING_PLAIN, "plain_from", "plain_to"};
static const struct meals_form meals_restore_form = {BOOKING_RESTORE, "restore_from", "restore_to"};
static const struct meals_form meals_absence_form = {BOOKING_ABSENCE, "absence_from",
                                                     "absence_resume"};
static const struct meals_form meals_resume_form = {BOOKING_RESUME, "resume_from", NULL};

/* ---- shared ---------------------------------------------------------------------------------- */

/* Like every family page but the password change, these wait until a temporary password is
   replaced. */
static bool meals_must_change_password(struct req *r, struct resp *w)
{
    if (!r->family.password_temporary)
        return false;
    resp_redirect(w, 303, family_href(r, "/password"));
    return true;
}

/* A fresh request key for one rendered form. */
static const char *meals_new_key(struct req *r)
{
    unsigned char raw[MEALS_KEY_BYTES];
    char *out = arena_alloc(&r->arena, MEALS_KEY_CHARS);
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, MEALS_KEY_CHARS, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static const char *meals_actor(struct req *r)
{
    return arena_printf(&r->arena, "%s %s (%s)", r->family.name, r->family.surname,
                        r->family.user_code);
}

static const char *meals_day_ymd(struct req *r, long day)
{
    char *s = arena_alloc(&r->arena, SCHOOL_CALENDAR_DAY_SIZE);
    school_calendar_format_day(day, s);
    return s;
}

/* "24/11/2026" */
static const char *meals_day_text(struct req *r, long day)
{
    return time_date_display(&r->arena, meals_day_ymd(r, day));
}

static const char *meals_money(struct req *r, int64_t cents)
{
    char *s = arena_alloc(&r->arena, MONEY_TEXT_SIZE);
    money_format(cents, s);
    return s;
}

/* The days a receipt covers, for people. to_day "" for one day, an open-ended absence and a
   resume. */
static const char *meals_receipt_days(struct req *r, const char *action, const char *from_day,
                                      const char *to_day)
{
    const char *from = time_date_display(&r->arena, from_day);
    enum booking_action a = BOOKING_CANCEL;
    booking_action_parse(action, &a);
    if (a == BOOKING_ABSENCE && !*to_day)
        return page_tr(r, N_("from {from}, until further notice"), "from", from, NULL);
    if (a == BOOKING_ABSENCE) {
        char resume[TIME_LOCAL_DATE_MAX];
        if (!time_date_add_days(to_day, 1, resume))
            return from;
        return page_tr(r, N_("from {from}, back at school on {resume}"), "from", from, "resume",
                       time_date_display(&r->arena, resume), NULL);
    }
    if (a == BOOKING_RESUME)
        return page_tr(r, N_("from {from} on"), "from", from, NULL);
    if (!*to_day)
        return from;
    return page_tr(r, N_("from {from} to {to}"), "from", from, "to",
                   time_date_display(&r->arena, to_day), NULL);
}

/* ---- the calendar page ----------------------------------------------------------------------- */

/* The state of a day for people: a short label, and the cell's class. */
static void meals_day_state(struct req *r, const struct booking_day *bd, struct tv *c)
{
    const char *label = NULL, *state = NULL, *cls = "";
    switch (bd->state) {
    case BOOKING_DAY_NO_SERVICE:
        label = N_("No service");
        state = "no-service";
        cls = "table-light";
        break;
    case BOOKING_DAY_BOOKED:
        label = N_("Booked");
        state = "booked";
        break;
    case BOOKING_DAY_CANCELLED:
        label = bd->open_ended ? N_("Absent") : N_("Meal cancelled");
        state = "cancelled";
        cls = "table-danger";
        break;
    case BOOKING_DAY_PLAIN:
        label = N_("Plain meal");
        state = "plain";
        cls = "table-warning";
        break;
    case BOOKING_DAY_EATEN:
        label = bd->plain ? N_("Eaten (plain)") : N_("Eaten");
        state = "eaten";
        cls = "table-success";
        break;
    case BOOKING_DAY_NOT_EATEN:
        label = N_("Not eaten");
        state = "not-eaten";
        cls = "table-secondary";
        break;
    }
    tv_set_str(c, "label", tr(r->lang, label));
    tv_set_str(c, "state", state);
    tv_set_str(c, "cls", cls);
    if (bd->state == BOOKING_DAY_NO_SERVICE) {
        const char *holiday = NULL;
        if (bd->reason == SCHOOL_CALENDAR_NATIONAL_HOLIDAY &&
            school_calendar_national_holiday(bd->day, &holiday) && holiday)
            tv_set_str(c, "reason", tr(r->lang, holiday));
        else
            tv_set_str(c, "reason", tr(r->lang, school_calendar_reason_text(bd->reason)));
    }
    if (bd->state == BOOKING_DAY_EATEN)
        tv_set_str(c, "amount", meals_money(r, bd->charged_cents));
}

static void meals_legend(struct req *r, struct tv *d)
{
    static const struct {
        const char *cls, *label, *text;
    } items[] = {
        {"", N_("Booked"),
         N_("your child eats at school; the meal is charged after the time limit")},
        {"table-danger", N_("Meal cancelled"), N_("no meal and nothing to pay")},
        {"table-danger", N_("Absent"), N_("cancelled by an absence until further notice")},
        {"table-warning", N_("Plain meal"), N_("a plain meal (pasto in bianco) is served")},
        {"table-success", N_("Eaten"), N_("the meal was served, with the amount charged")},
        {"table-secondary", N_("Not eaten"), N_("the day has passed without a meal")},
        {"table-light", N_("No service"), N_("no meal that day, and why")},
    };
    struct tv *list = tv_set_list(d, "legend");
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        struct tv *it = tv_push_dict(list);
        tv_set_str(it, "cls", items[i].cls);
        tv_set_str(it, "label", tr(r->lang, items[i].label));
        tv_set_str(it, "text", tr(r->lang, items[i].text));
    }
}

static void meals_grid(struct req *r, struct tv *d, const struct booking_month *m)
{
    static const char *const shorts[] = {N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"),
                                         N_("Fri"), N_("Sat"), N_("Sun")};
    static const char *const longs[] = {N_("Monday"),   N_("Tuesday"), N_("Wednesday"),
                                        N_("Thursday"), N_("Friday"),  N_("Saturday"),
                                        N_("Sunday")};
    struct tv *heads = tv_set_list(d, "weekdays");
    for (int i = 0; i < 7; i++) {
        struct tv *h = tv_push_dict(heads);
        tv_set_str(h, "short", tr(r->lang, shorts[i]));
        tv_set_str(h, "long", tr(r->lang, longs[i]));
    }
    struct tv *weeks = tv_set_list(d, "weeks");
    struct tv *days = NULL;
    int col = 0;
    for (int lead = 1; lead < m->first_weekday; lead++) {
        if (!days)
            days = tv_set_list(tv_push_dict(weeks), "days");
        tv_set_bool(tv_push_dict(days), "blank", true);
        col++;
    }
    for (int i = 0; i < m->ndays; i++) {
        if (col % 7 == 0)
            days = tv_set_list(tv_push_dict(weeks), "days");
        const struct booking_day *bd = &m->days[i];
        struct tv *c = tv_push_dict(days);
        tv_set_int(c, "num", i + 1);
        tv_set_str(c, "ymd", meals_day_ymd(r, bd->day));
        tv_set_bool(c, "changeable", bd->changeable);
        if (bd->receipt)
            tv_set_str(c, "receipt", bd->receipt);
        meals_day_state(r, bd, c);
        col++;
    }
    while (col % 7 != 0) {
        tv_set_bool(tv_push_dict(days), "blank", true);
        col++;
    }
}

/* One date input of a form: the value typed (or the default) and the error next to it. */
static void meals_date_field(struct req *r, struct tv *d, struct tv *fields, const char *name,
                             const char *label, const char *help, const char *fallback)
{
    struct tv *f = tv_push_dict(fields);
    tv_set_str(f, "name", name);
    tv_set_str(f, "label", tr(r->lang, label));
    const char *typed = req_field_raw(r, name);
    tv_set_str(f, "value", typed ? typed : fallback);
    const char *err = tv_get_str(d, arena_printf(&r->arena, "errors.%s", name));
    tv_set_str(f, "error", err);
    if (help)
        tv_set_str(f, "help", tr(r->lang, help));
    const char *described = help && err ? arena_printf(&r->arena, "%s-help %s-error", name, name)
                            : help      ? arena_printf(&r->arena, "%s-help", name)
                            : err       ? arena_printf(&r->arena, "%s-error", name)
                                        : NULL;
    tv_set_str(f, "describedby", described);
}

/* The forms that change the shown child's bookings, each with a fresh request key. open_from:
   the first day of an open-ended absence ("YYYY-MM-DD"), or NULL when there is none. */
static void meals_forms(struct req *r, struct tv *d, const struct booking_rules *rules,
                        const char *open_from)
{
    char max[16];
    snprintf(max, sizeof(max), "%d", rules->plain_max_days);
    struct {
        const char *id, *path, *title, *intro, *submit;
    } forms[] = {
        {"cancel", "/pasti/disdici", N_("Cancel the meal"),
         N_("One day, or several days in a row: no meal and nothing to pay."),
         N_("Cancel the meal")},
        {"plain", "/pasti/bianco", N_("Ask for a plain meal"),
         page_tr(r,
                 N_("A plain meal (pasto in bianco) for one day or a few: at most {max} school "
                    "days in a row without a medical certificate."),
                 "max", max, NULL),
         N_("Ask for a plain meal")},
        {"absence", "/pasti/assenza", N_("Extended absence"),
         N_("For an illness or a holiday: every meal from the first day until your child is back "
            "at school, or until further notice. It may start any day ahead."),
         N_("Record the absence")},
        {"resume", "/pasti/riattiva", N_("Back at school (riattiva)"),
         open_from ? page_tr(r,
                             N_("The absence until further notice from {first} is still on: "
                                "choose the day your child eats at school again."),
                             "first", time_date_display(&r->arena, open_from), NULL)
                   : N_("Ends an absence until further notice: choose the day your child eats "
                        "at school again."),
         N_("Resume the meals")},
        {"restore", "/pasti/ripristina", N_("Undo a change"),
         N_("Books the meal again on days you cancelled or asked a plain meal for."),
         N_("Book the meal again")},
    };
    struct tv *list = tv_set_list(d, "forms");
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        /* "Riattiva" while an absence until further notice is on, or to show its refusal. */
        if (!strcmp(forms[i].id, "resume") && !open_from && !req_field_raw(r, "resume_from"))
            continue;
        struct tv *f = tv_push_dict(list);
        tv_set_str(f, "id", forms[i].id);
        tv_set_str(f, "title", tr(r->lang, forms[i].title));
        tv_set_str(f, "intro", tr(r->lang, forms[i].intro));
        tv_set_str(f, "submit", tr(r->lang, forms[i].submit));
        tv_set_str(f, "action", family_href(r, forms[i].path));
        tv_set_str(f, "key", meals_new_key(r));
        struct tv *fields = tv_set_list(f, "fields");
        const char *id = forms[i].id;
        if (!strcmp(id, "cancel") || !strcmp(id, "plain") || !strcmp(id, "restore")) {
            meals_date_field(r, d, fields, arena_printf(&r->arena, "%s_from", id), N_("Day"), NULL,
                             NULL);
            meals_date_field(r, d, fields, arena_printf(&r->arena, "%s_to", id),
                             N_("Last day (optional)"),
                             N_("For several days in a row, enter the last one too."), NULL);
        } else if (!strcmp(id, "absence")) {
            meals_date_field(r, d, fields, "absence_from", N_("First day of absence"), NULL, NULL);
            meals_date_field(r, d, fields, "absence_resume", N_("Back at school on"),
                             N_("The first day your child eats at school again."), NULL);
            tv_set_bool(f, "open", true);
            tv_set_bool(f, "open_checked", req_field_raw(r, "absence_open") != NULL);
        } else {
            meals_date_field(r, d, fields, "resume_from", N_("Eats at school again from"), NULL,
                             open_from);
        }
    }
}

/* Checks the box from what was sent (a form coming back) or the family's last choice. */
static bool meals_mail_checked(struct req *r, struct db *db)
{
    if (r->method == HTTP_POST)
        return req_field(r, "mail") != NULL;
    return booking_mail_choice(db, r->tenant.id, r->family.id) == 1;
}

/* The calendar page for the pupil and month asked for (or the first child and this month).
   pupil_missing answers 404 on a GET for a child not of the family; on a form coming back the
   first child is shown. */
static void meals_show(struct req *r, struct resp *w, int status, const char *form_error,
                       const char *today_error)
{
    struct db *db = store_db();
    struct pupil_summary *pupils = NULL;
    size_t np = 0;
    struct booking_rules rules;
    if (!db || guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &pupils, &np) != 0 ||
        booking_rules_load(db, r->tenant.id, &rules) != 0) {
        page_error(r, w, 500);
        return;
    }
    const struct pupil_summary *pupil = np ? &pupils[0] : NULL;
    const char *asked = req_field(r, "alunno");
    if (asked) {
        int64_t id = field_row_id_parse(asked);
        const struct pupil_summary *found = NULL;
        for (size_t i = 0; i < np; i++)
            if (pupils[i].id == id)
                found = &pupils[i];
        if (!found && r->method != HTTP_POST) {
            page_error(r, w, 404);
            return;
        }
        if (found)
            pupil = found;
    }
    time_t now = time_now();
    long today = cutoff_rome_day(now);
    int year, month, dd;
    school_calendar_ymd(today, &year, &month, &dd);
    const char *mese = req_field(r, "mese");
    if (mese) {
        year = atoi(mese);
        month = atoi(mese + 5);
    }
    struct tv *d = family_page(r, N_("Meal bookings"));
    page_crumb(r, d, N_("Meal bookings"), NULL);
    if (!page_form_begin(r, w, d, form_error ? tr(r->lang, form_error) : NULL))
        return;
    if (today_error)
        tv_set_str(d, "today_error", today_error);
    const char *base = family_href(r, "/pasti");
    tv_set_str(d, "receipts_href", family_href(r, "/pasti/ricevute"));
    struct cutoff_explain ex;
    cutoff_explain(&rules.cutoff, today, &ex);
    tv_set_str(d, "latest", ex.closes_time);
    tv_set_str(d, "earliest", ex.opens_time);
    tv_set_int(d, "plain_max", rules.plain_max_days);
    bool today_open = cutoff_check(&rules.cutoff, today, now, NULL) == CUTOFF_ALLOWED;
    tv_set_bool(d, "today_open", today_open);
    tv_set_str(d, "today", meals_day_text(r, today));
    tv_set_bool(d, "mail_checked", meals_mail_checked(r, db));
    tv_set_str(d, "family_email", r->family.email);
    tv_set_str(d, "today_key", meals_new_key(r));
    tv_set_str(d, "today_action", family_href(r, "/pasti/oggi-tutti"));
    tv_set_str(d, "mese", arena_printf(&r->arena, "%04d-%02d", year, month));
    if (!pupil) {
        page_render(r, w, status, tmpl_family_meals, d);
        return;
    }
    struct tv *tabs = tv_set_list(d, "pupils");
    for (size_t i = 0; i < np; i++) {
        struct tv *t = tv_push_dict(tabs);
        tv_set_str(t, "name", arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname));
        tv_set_str(t, "href",
                   arena_printf(&r->arena, "%s?alunno=%lld&mese=%04d-%02d", base,
                                (long long)pupils[i].id, year, month));
        tv_set_bool(t, "current", &pupils[i] == pupil);
    }
    tv_set_bool(d, "several", np > 1);
    struct tv *p = tv_set_dict(d, "pupil");
    tv_set_int(p, "id", pupil->id);
    tv_set_str(p, "name", arena_printf(&r->arena, "%s %s", pupil->name, pupil->surname));
    struct booking_month m;
    int rc = booking_month(db, &r->arena, r->tenant.id, r->family.id, pupil->id, year, month, &m);
    if (rc != 1) {
        page_error(r, w, rc == 0 ? 404 : 500);
        return;
    }
    tv_set_str(d, "month_label", field_month_label(&r->arena, r->lang, year, month));
    int py = month == 1 ? year - 1 : year, pm = month == 1 ? 12 : month - 1;
    int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
    if (py >= SCHOOL_CALENDAR_YEAR_MIN)
        tv_set_str(d, "prev_href",
                   arena_printf(&r->arena, "%s?alunno=%lld&mese=%04d-%02d", base,
                                (long long)pupil->id, py, pm));
    if (ny <= SCHOOL_CALENDAR_YEAR_MAX)
        tv_set_str(d, "next_href",
                   arena_printf(&r->arena, "%s?alunno=%lld&mese=%04d-%02d", base,
                                (long long)pupil->id, ny, nm));
    tv_set_str(d, "prev_label", field_month_label(&r->arena, r->lang, py, pm));
    tv_set_str(d, "next_label", field_month_label(&r->arena, r->lang, ny, nm));
    tv_set_bool(d, "enrolled", m.enrolled);
    if (m.enrolled) {
        meals_grid(r, d, &m);
        meals_legend(r, d);
        struct tv *t = tv_set_dict(d, "totals");
        tv_set_int(t, "eaten", m.eaten);
        tv_set_str(t, "charged", meals_money(r, m.charged_cents));
        tv_set_int(t, "cancelled", m.cancelled);
        tv_set_int(t, "plain", m.plain);
        tv_set_int(t, "booked", m.booked);
    }
    char open_from[SCHOOL_CALENDAR_DAY_SIZE];
    rc = booking_open_absence(db, r->tenant.id, pupil->id, meals_day_ymd(r, today), open_from);
    if (rc < 0) {
        page_error(r, w, 500);
        return;
    }
    if (rc == 1)
        tv_set_str(d, "open_absence", time_date_display(&r->arena, open_from));
    meals_forms(r, d, &rules, rc == 1 ? open_from : NULL);
    page_render(r, w, status, tmpl_family_meals, d);
}

static void meals_page(struct req *r, struct resp *w)
{
    if (meals_must_change_password(r, w))
        return;
    meals_show(r, w, r->has_errors ? 422 : 200, NULL, NULL);
}

/* ---- refusals -------------------------------------------------------------------------------- */

/* The message for a refusal of the cut-off, in the request's language. */
static const char *meals_cutoff_text(struct req *r, enum booking_err e,
                                     const struct booking_result *res)
{
    struct booking_rules rules;
    struct db *db = store_db();
    struct cutoff_explain ex;
    memset(&ex, 0, sizeof(ex));
    if (db && booking_rules_load(db, r->tenant.id, &rules) == 0)
        cutoff_explain(&rules.cutoff, res->first_day, &ex);
    const char *day = meals_day_text(r, res->first_day);
    if (e == BOOKING_TOO_EARLY)
        return page_tr(r,
                       N_("Changes for {day} are accepted from {time} on {opens}. To plan "
                          "several days ahead, use the extended absence."),
                       "day", day, "time", ex.opens_time, "opens", ex.opens_day, NULL);
    if (e == BOOKING_PAST)
        return page_tr(r,
                       N_("{day} has passed: you can change today's meal (until {time}) and "
                          "the days after."),
                       "day", day, "time", ex.closes_time, NULL);
    if (*r->tenant.phone)
        return page_tr(r,
                       N_("Too late: changes for {day} were accepted until {time} of that day, "
                          "and a plain meal is too late as well. You can change the days from "
                          "tomorrow on; for {day} call the school office ({phone})."),
                       "day", day, "time", ex.closes_time, "phone", r->tenant.phone, NULL);
    return page_tr(r,
                   N_("Too late: changes for {day} were accepted until {time} of that day, and a "
                      "plain meal is too late as well. You can change the days from tomorrow "
                      "on; for {day} call the school office."),
                   "day", day, "time", ex.closes_time, NULL);
}

/* Puts the refusal e next to the field of form f that caused it (or at the top of the page). */
static void meals_refusal(struct req *r, const struct meals_form *f, enum booking_err e,
                          const struct booking_result *res, const char **form_error)
{
    const char *field = f->from, *msg = NULL;
    switch (e) {
    case BOOKING_OK:
    case BOOKING_DB:
    case BOOKING_INVALID:
        return;
    case BOOKING_NOT_FOUND:
    case BOOKING_BAD_KEY:
    case BOOKING_REASON_REQUIRED:
        *form_error = booking_strerror(e);
        return;
    case BOOKING_BAD_DATE:
        msg = N_("Enter a date like 15/01/2027.");
        break;
    case BOOKING_BAD_RANGE:
        if (f->action == BOOKING_ABSENCE)
            msg = N_("The day back at school must come after the first day of absence, within "
                     "one year.");
        else
            msg = N_("The last day must not come before the first one, and a change covers at "
                     "most one year.");
        if (f->to)
            field = f->to;
        break;
    case BOOKING_NOT_ENROLLED:
        msg = N_("Your child has no confirmed enrollment for the school year of this day.");
        break;
    case BOOKING_OUTSIDE_YEAR:
        if (res->first_day && res->last_day) {
            long from = 0;
            const char *typed = req_field(r, f->from);
            if (typed && school_calendar_parse_day(typed, &from) && from >= res->first_day &&
                from <= res->last_day && f->to)
                field = f->to;
            msg = page_tr(r,
                          N_("Choose a day within the meal service of the school year, from "
                             "{first} to {last}."),
                          "first", meals_day_text(r, res->first_day), "last",
                          meals_day_text(r, res->last_day), NULL);
        } else {
            msg = N_("This day is outside the school year.");
        }
        break;
    case BOOKING_NO_SERVICE: {
        if (f->action == BOOKING_ABSENCE)
            msg = N_("There is no meal service on any day of this absence.");
        else if (res->last_day != res->first_day)
            msg = N_("There is no meal service on any of these days.");
        else {
            const char *holiday = NULL;
            const char *why = res->why == SCHOOL_CALENDAR_NATIONAL_HOLIDAY &&
                                      school_calendar_national_holiday(res->first_day, &holiday) &&
                                      holiday
                                  ? tr(r->lang, holiday)
                                  : tr(r->lang, school_calendar_reason_text(res->why));
            msg = page_tr(r, N_("There is no meal service on {day}: {why}."), "day",
                          meals_day_text(r, res->first_day), "why", why, NULL);
        }
        break;
    }
    case BOOKING_TOO_LATE:
    case BOOKING_TOO_EARLY:
    case BOOKING_PAST:
        msg = meals_cutoff_text(r, e, res);
        break;
    case BOOKING_PLAIN_LIMIT: {
        char max[16];
        snprintf(max, sizeof(max), "%d", res->plain_max_days);
        msg = page_tr(r,
                      N_("A plain meal can be asked for at most {max} school days in a row "
                         "without a medical certificate, counting the plain meals already booked "
                         "next to these days. For longer, ask the school office about a special "
                         "diet."),
                      "max", max, NULL);
        break;
    }
    case BOOKING_NO_ABSENCE:
        msg = N_("There is no open-ended absence to end from this day.");
        break;
    case BOOKING_FROZEN:
        msg = N_("The meals of this day have already been sent to the kitchen: call the school "
                 "office.");
        break;
    }
    req_set_field_error(r, field, msg);
}

/* ---- the forms ------------------------------------------------------------------------------- */

static void meals_submit(struct req *r, struct resp *w, const struct meals_form *f)
{
    if (meals_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *form_error = N_("Check the highlighted fields.");
    int64_t pupil_id = field_row_id_parse(req_field(r, "alunno"));
    if (!pupil_id && !req_field_error(r, "alunno"))
        form_error = N_("Choose one of your children.");
    const char *from = req_field(r, f->from);
    const char *to = f->to ? req_field(r, f->to) : NULL;
    bool open = f->action == BOOKING_ABSENCE && req_field(r, "absence_open");
    if (f->action == BOOKING_ABSENCE && !r->has_errors) {
        if (open && to && *to)
            req_set_field_error(r, f->to,
                                N_("Leave the day back at school empty for an absence until "
                                   "further notice."));
        else if (!open && !(to && *to))
            req_set_field_error(r, f->to,
                                N_("Enter the day your child is back at school, or choose "
                                   "until further notice."));
    }
    if (r->has_errors || !pupil_id) {
        meals_show(r, w, 422, form_error, NULL);
        return;
    }
    struct booking_input in = {.tenant_id = r->tenant.id,
                               .guardian_id = r->family.id,
                               .pupil_id = pupil_id,
                               .action = f->action,
                               .from = from,
                               .to = open ? NULL : to,
                               .request_key = req_field(r, "request_key"),
                               .actor_label = meals_actor(r),
                               .mail_receipt = req_field(r, "mail") != NULL};
    struct booking_result res;
    enum booking_err e = booking_apply(db, &in, &res);
    if (e == BOOKING_OK) {
        resp_redirect(w, 303,
                      family_href(r, arena_printf(&r->arena, "/pasti/ricevute/%s", res.receipt)));
        return;
    }
    if (e == BOOKING_DB) {
        page_error(r, w, 500);
        return;
    }
    const char *top = N_("Check the highlighted fields.");
    meals_refusal(r, f, e, &res, &top);
    meals_show(r, w, 422, top, NULL);
}

static void meals_cancel(struct req *r, struct resp *w)
{
    meals_submit(r, w, &meals_cancel_form);
}

static void meals_plain(struct req *r, struct resp *w)
{
    meals_submit(r, w, &meals_plain_form);
}

static void meals_restore(struct req *r, struct resp *w)
{
    meals_submit(r, w, &meals_restore_form);
}

static void meals_absence(struct req *r, struct resp *w)
{
    meals_submit(r, w, &meals_absence_form);
}

static void meals_resume(struct req *r, struct resp *w)
{
    meals_submit(r, w, &meals_resume_form);
}

/* "Cancel today for all my children". */
static void meals_today_all(struct req *r, struct resp *w)
{
    if (meals_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    struct booking_result results[BOOKING_PUPILS_MAX];
    size_t n = 0, skipped = 0;
    const char *key = req_field(r, "request_key");
    enum booking_err e =
        booking_cancel_today_all(db, r->tenant.id, r->family.id, key, meals_actor(r),
                                 req_field(r, "mail") != NULL, results, &n, &skipped);
    if (e == BOOKING_OK) {
        resp_redirect(w, 303,
                      family_href(r, arena_printf(&r->arena, "/pasti/ricevute?chiave=%s", key)));
        return;
    }
    if (e == BOOKING_DB) {
        page_error(r, w, 500);
        return;
    }
    const char *msg;
    if (e == BOOKING_TOO_LATE || e == BOOKING_TOO_EARLY || e == BOOKING_PAST)
        msg = meals_cutoff_text(r, e, &results[0]);
    else if (e == BOOKING_NO_SERVICE)
        msg = tr(r->lang, N_("None of your children has a meal at school today: there is nothing "
                             "to cancel."));
    else if (e == BOOKING_FROZEN)
        msg = tr(r->lang, N_("The meals of this day have already been sent to the kitchen: call "
                             "the school office."));
    else
        msg = tr(r->lang, booking_strerror(e));
    meals_show(r, w, 422, N_("Nothing has been changed."), msg);
}

/* ---- receipts -------------------------------------------------------------------------------- */

static void meals_receipt_data(struct req *r, struct tv *t, const struct booking_receipt *b)
{
    tv_set_str(t, "receipt", b->receipt);
    tv_set_str(t, "at", time_rome_display(&r->arena, b->created_at));
    tv_set_str(t, "pupil", b->pupil_name);
    tv_set_str(t, "action", tr(r->lang, booking_action_label(b->action)));
    tv_set_str(t, "days", meals_receipt_days(r, b->action, b->from_day, b->to_day));
    tv_set_int(t, "changed", b->days_changed);
    tv_set_bool(t, "staff", !strcmp(b->actor_kind, "staff"));
    tv_set_str(t, "reason", b->reason);
    tv_set_str(t, "href",
               family_href(r, arena_printf(&r->arena, "/pasti/ricevute/%s", b->receipt)));
    tv_set_str(t, "calendar_href",
               family_href(r, arena_printf(&r->arena, "/pasti?alunno=%lld&mese=%.7s",
                                           (long long)b->pupil_id, b->from_day)));
}

static void meals_receipt_page(struct req *r, struct resp *w)
{
    if (meals_must_change_password(r, w))
        return;
    struct db *db = store_db();
    const char *receipt = req_param(r, 0);
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (!receipt || strlen(receipt) != 12) {
        page_error(r, w, 404);
        return;
    }
    struct booking_receipt *rows;
    size_t n = 0;
    bool mailed = false;
    if (booking_receipts_find(db, &r->arena, r->tenant.id, r->family.id, 0, NULL, receipt, 1, &rows,
                              &n, &mailed) != 0) {
        page_error(r, w, 500);
        return;
    }
    if (n != 1) {
        page_error(r, w, 404);
        return;
    }
    const char *title = N_("Receipt of your change");
    struct tv *d = family_page(r, title);
    page_crumb(r, d, N_("Meal bookings"), family_href(r, "/pasti"));
    page_crumb(r, d, title, NULL);
    meals_receipt_data(r, d, &rows[0]);
    if (mailed && *r->family.email)
        tv_set_str(d, "mailed_to", r->family.email);
    tv_set_bool(d, "mail_asked", mailed);
    tv_set_str(d, "receipts_href", family_href(r, "/pasti/ricevute"));
    page_render(r, w, 200, tmpl_family_meal_receipt, d);
}

static void meals_receipts_page(struct req *r, struct resp *w)
{
    if (meals_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *key = req_field(r, "chiave");
    struct booking_receipt *rows;
    size_t n = 0;
    if (booking_receipts_find(db, &r->arena, r->tenant.id, r->family.id, 0, key, NULL,
                              MEALS_RECEIPTS_LIST, &rows, &n, NULL) != 0) {
        page_error(r, w, 500);
        return;
    }
    if (key && !n) {
        page_error(r, w, 404);
        return;
    }
    const char *title = key ? N_("Today's meals cancelled") : N_("Receipts of your changes");
    struct tv *d = family_page(r, title);
    page_crumb(r, d, N_("Meal bookings"), family_href(r, "/pasti"));
    page_crumb(r, d, title, NULL);
    tv_set_str(d, "title", tr(r->lang, title));
    tv_set_bool(d, "today_all", key != NULL);
    struct tv *list = tv_set_list(d, "receipts");
    for (size_t i = 0; i < n; i++)
        meals_receipt_data(r, tv_push_dict(list), &rows[i]);
    if (key) {
        /* The children the family-wide cancel skipped: no meal today. */
        struct pupil_summary *pupils;
        size_t np;
        if (guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &pupils, &np) != 0) {
            page_error(r, w, 500);
            return;
        }
        struct tv *sk = tv_set_list(d, "skipped");
        for (size_t i = 0; i < np; i++) {
            bool has = false;
            for (size_t j = 0; j < n; j++)
                has |= rows[j].pupil_id == pupils[i].id;
            if (!has)
                tv_push_str(sk,
                            arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname));
        }
    }
    tv_set_str(d, "calendar_href", family_href(r, "/pasti"));
    page_render(r, w, 200, tmpl_family_meal_receipts, d);
}

const struct route meals_routes[] = {
    {HTTP_GET, "/famiglie/pasti", ROLE_FAMILY, ROUTE_FIELDS(meals_view_fields), meals_page, 0},
    {HTTP_POST, "/famiglie/pasti/disdici", ROLE_FAMILY, ROUTE_FIELDS(meals_cancel_fields),
     meals_cancel, 0},
    {HTTP_POST, "/famiglie/pasti/bianco", ROLE_FAMILY, ROUTE_FIELDS(meals_plain_fields),
     meals_plain, 0},
    {HTTP_POST, "/famiglie/pasti/ripristina", ROLE_FAMILY, ROUTE_FIELDS(meals_restore_fields),
     meals_restore, 0},
    {HTTP_POST, "/famiglie/pasti/assenza", ROLE_FAMILY, ROUTE_FIELDS(meals_absence_fields),
     meals_absence, 0},
    {HTTP_POST, "/famiglie/pasti/riattiva", ROLE_FAMILY, ROUTE_FIELDS(meals_resume_fields),
     meals_resume, 0},
    {HTTP_POST, "/famiglie/pasti/oggi-tutti", ROLE_FAMILY, ROUTE_FIELDS(meals_today_fields),
     meals_today_all, 0},
    {HTTP_GET, "/famiglie/pasti/ricevute", ROLE_FAMILY, ROUTE_FIELDS(meals_receipts_fields),
     meals_receipts_page, 0},
    {HTTP_GET, "/famiglie/pasti/ricevute/{receipt}", ROLE_FAMILY, NULL, 0, meals_receipt_page, 0},
    {0},
};
