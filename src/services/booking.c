/* Bookings: the families' changes to the default booking; see booking.h. */
#include "services/booking.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "services/calendar.h"
#include "services/cutoff_job.h"
#include "services/guardian.h"
#include "services/tenant.h"
#include "util/log.h"
#include "util/msg.h"
#include "util/time_local.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/tmpl.h"

#define BOOKING_RECEIPT_MAX_SEQ 9999999L /* 7 digits per tenant and year */
#define BOOKING_PLAIN_MAX       30       /* the schema's bound for plain_max_days */

/* ---- names ----------------------------------------------------------------------------------- */

static const char *const booking_names[] = {
    [BOOKING_CANCEL] = "cancel",   [BOOKING_PLAIN] = "plain",   [BOOKING_RESTORE] = "restore",
    [BOOKING_ABSENCE] = "absence", [BOOKING_RESUME] = "resume",
};

const char *booking_action_name(enum booking_action a)
{
    if ((int)a < 0 || (size_t)a >= sizeof(booking_names) / sizeof(booking_names[0]))
        return "";
    return booking_names[a];
}

bool booking_action_parse(const char *s, enum booking_action *out)
{
    for (size_t i = 0; s && i < sizeof(booking_names) / sizeof(booking_names[0]); i++)
        if (!strcmp(s, booking_names[i])) {
            *out = (enum booking_action)i;
            return true;
        }
    return false;
}

const char *booking_action_label(const char *name)
{
    enum booking_action a;
    if (!booking_action_parse(name, &a))
        return N_("Change");
    switch (a) {
    case BOOKING_CANCEL:
        return N_("Cancellation");
    case BOOKING_PLAIN:
        return N_("Plain meal");
    case BOOKING_RESTORE:
        return N_("Booking restored");
    case BOOKING_ABSENCE:
        return N_("Extended absence");
    case BOOKING_RESUME:
        return N_("Back at school");
    }
    return N_("Change");
}

const char *booking_strerror(enum booking_err e)
{
    switch (e) {
    case BOOKING_OK:
        return "";
    case BOOKING_NOT_FOUND:
        return N_("This child is not among yours.");
    case BOOKING_BAD_DATE:
        return N_("Enter a date like 15/01/2027.");
    case BOOKING_BAD_RANGE:
        return N_("The last day must not come before the first one, and a change covers at most "
                  "one year.");
    case BOOKING_NOT_ENROLLED:
        return N_("Your child has no confirmed enrollment for the school year of this day.");
    case BOOKING_OUTSIDE_YEAR:
        return N_("Choose a day within the school year's meal service.");
    case BOOKING_NO_SERVICE:
        return N_("There is no meal service on this day.");
    case BOOKING_TOO_LATE:
        return N_("The time limit for this day has passed.");
    case BOOKING_TOO_EARLY:
        return N_("Changes for this day are not accepted yet.");
    case BOOKING_PAST:
        return N_("This day has passed.");
    case BOOKING_PLAIN_LIMIT:
        return N_("Too many consecutive days of plain meal without a medical certificate.");
    case BOOKING_NO_ABSENCE:
        return N_("There is no open-ended absence to end from this day.");
    case BOOKING_FROZEN:
        return N_("The meals of this day have already been sent to the kitchen.");
    case BOOKING_REASON_REQUIRED:
        return N_("Write the reason for this change (at most 500 characters).");
    case BOOKING_BAD_KEY:
        return N_("This form has expired: reload the page and try again.");
    case BOOKING_INVALID:
        return N_("Check the highlighted fields.");
    case BOOKING_DB:
        return N_("Something went wrong on our side: try again.");
    }
    return "";
}

/* ---- small helpers --------------------------------------------------------------------------- */

/* 8..64 of [A-Za-z0-9_-]. */
static bool booking_key_valid(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < BOOKING_KEY_MIN || n > BOOKING_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A reason with something other than spaces in it, and not too long (UTF-8 characters). */
static bool booking_reason_valid(const char *s)
{
    if (!s)
        return false;
    size_t chars = 0;
    bool text = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            text = true;
    }
    return text && chars <= BOOKING_REASON_MAX;
}

static const char *booking_day_text(struct arena *a, long day)
{
    char *s = arena_alloc(a, SCHOOL_CALENDAR_DAY_SIZE);
    school_calendar_format_day(day, s);
    return s;
}

/* ---- the rule -------------------------------------------------------------------------------- */

int booking_rules_load(struct db *db, int64_t tenant_id, struct booking_rules *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_RULES_GET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    enum db_err e = db_step(st);
    int rc = -1;
    if (e == DB_ROW) {
        if (cutoff_rule_parse(db_col_text(st, 0), db_col_text(st, 1), &out->cutoff) == CUTOFF_OK) {
            out->plain_max_days = (int)db_col_int(st, 2);
            rc = 0;
        } else {
            log_error("booking: the stored cut-off rule is malformed");
        }
    }
    db_reset(st);
    return rc;
}

enum booking_err booking_rules_save(struct db *db, int64_t tenant_id, const char *latest,
                                    const char *earliest, int plain_max_days,
                                    const char *actor_label, const char **field)
{
    struct cutoff_rule rule;
    *field = NULL;
    enum cutoff_err ce = cutoff_rule_parse(latest, earliest, &rule);
    if (ce == CUTOFF_BAD_LATEST) {
        *field = "cutoff_time";
        return BOOKING_INVALID;
    }
    if (ce == CUTOFF_BAD_EARLIEST) {
        *field = "earliest_time";
        return BOOKING_INVALID;
    }
    if (plain_max_days < 1 || plain_max_days > BOOKING_PLAIN_MAX) {
        *field = "plain_max_days";
        return BOOKING_INVALID;
    }
    char l[CUTOFF_HHMM_SIZE], e[CUTOFF_HHMM_SIZE];
    cutoff_format_minute(rule.latest_minute, l);
    cutoff_format_minute(rule.earliest_minute, e); /* "" for none */
    struct booking_rules before;
    if (booking_rules_load(db, tenant_id, &before) != 0)
        return BOOKING_DB;
    char bl[CUTOFF_HHMM_SIZE], be[CUTOFF_HHMM_SIZE];
    cutoff_format_minute(before.cutoff.latest_minute, bl);
    cutoff_format_minute(before.cutoff.earliest_minute, be);
    if (db_begin(db) != DB_OK)
        return BOOKING_DB;
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_RULES_SET);
    if (!st)
        goto fail;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, l);
    db_bind_text(st, 3, e);
    db_bind_int(st, 4, plain_max_days);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        goto fail;
    char from[64], to[64];
    snprintf(from, sizeof(from), "cutoff %s, earliest %s, plain %d", bl, *be ? be : "none",
             before.plain_max_days);
    snprintf(to, sizeof(to), "cutoff %s, earliest %s, plain %d", l, *e ? e : "none",
             plain_max_days);
    struct audit_entry a = {.tenant_id = tenant_id,
                            .actor = AUDIT_STAFF,
                            .actor_label = actor_label ? actor_label : "",
                            .action = "meal_rules.save",
                            .entity = "tenant",
                            .entity_id = tenant_id,
                            .from_state = from,
                            .to_state = to};
    if (audit_record(db, &a) != 0 || db_commit(db) != DB_OK)
        goto fail;
    return BOOKING_OK;
fail:
    db_rollback(db);
    return BOOKING_DB;
}

/* ---- the family's e-mail choice -------------------------------------------------------------- */

int booking_mail_choice(struct db *db, int64_t tenant_id, int64_t guardian_id)
{
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_GUARDIAN);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    enum db_err e = db_step(st);
    int rc = e == DB_ROW ? (db_col_int(st, 4) != 0) : e == DB_DONE ? 0 : -1;
    db_reset(st);
    return rc;
}

static int booking_mail_choice_set(struct db *db, int64_t tenant_id, int64_t guardian_id, bool on)
{
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_MAIL_CHOICE_SET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_int(st, 3, on ? 1 : 0);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

/* ---- one change ------------------------------------------------------------------------------ */

/* What is known of a pupil's school year while a change is judged. States are indexed by day
   number minus first: 0 booked (no row), 'c' cancelled, 'p' plain. */
struct booking_year {
    struct calendar cal;
    struct calendar_pupil p;
    long first, last;
    char *state;
    bool *open;   /* cancelled by an open-ended absence */
    bool *frozen; /* the cut-off job has run */
};

static bool booking_service(const struct booking_year *y, long day,
                            enum school_calendar_reason *why)
{
    return calendar_pupil_has_service(&y->cal, &y->p, day, why);
}

/* Loads the changed days of the pupil over the whole school year and the frozen days. */
static int booking_year_load(struct db *db, struct arena *a, int64_t tenant_id, int64_t pupil_id,
                             struct booking_year *y)
{
    size_t n = (size_t)(y->last - y->first + 1);
    y->state = arena_calloc(a, n, 1);
    y->open = arena_calloc(a, n, sizeof(bool));
    y->frozen = arena_calloc(a, n, sizeof(bool));
    const char *from = booking_day_text(a, y->first), *to = booking_day_text(a, y->last);
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_DAYS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        long d;
        if (!school_calendar_parse_day(db_col_text(st, 0), &d) || d < y->first || d > y->last)
            continue;
        y->state[d - y->first] = strcmp(db_col_text(st, 1), "plain") ? 'c' : 'p';
        y->open[d - y->first] = db_col_int(st, 3) != 0;
    }
    db_reset(st);
    if (e != DB_DONE)
        return -1;
    return cutoff_job_frozen_days(db, tenant_id, y->first, y->last, y->frozen);
}

/* The next receipt number of the tenant for the Rome year of now. */
static int booking_next_receipt(struct db *db, int64_t tenant_id, time_t now,
                                char out[BOOKING_RECEIPT_SIZE])
{
    int y, m, d;
    school_calendar_ymd(cutoff_rome_day(now), &y, &m, &d);
    char lo[BOOKING_RECEIPT_SIZE], hi[BOOKING_RECEIPT_SIZE];
    snprintf(lo, sizeof(lo), "%04d-0000000", y);
    snprintf(hi, sizeof(hi), "%04d-9999999", y);
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_RECEIPT_LAST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, lo);
    db_bind_text(st, 3, hi);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return -1;
    }
    const char *last = db_col_text(st, 0);
    long seq = strlen(last) == 12 ? strtol(last + 5, NULL, 10) : 0;
    db_reset(st);
    if (seq >= BOOKING_RECEIPT_MAX_SEQ) {
        log_error("booking: receipt numbers of the year are used up");
        return -1;
    }
    char text[48];
    int len = snprintf(text, sizeof(text), "%04d-%07ld", y, seq + 1);
    if (len != 12) /* "YYYY-NNNNNNN" */
        return -1;
    memcpy(out, text, (size_t)len + 1);
    return 0;
}

/* The e-mail with the receipts of one request (one item per pupil). */
struct booking_mail_item {
    const struct booking_result *res;
    const char *pupil;
    enum booking_action action;
    bool open_ended;
};

static int booking_mail(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                        const struct booking_mail_item *items, size_t n)
{
    struct tenant t;
    if (tenant_find_id(db, a, tenant_id, &t) != 1)
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_GUARDIAN);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return -1;
    }
    const char *to = arena_strdup(a, db_col_text(st, 0));
    const char *l = i18n_lang(db_col_text(st, 1));
    const char *lang = l ? l : I18N_DEFAULT_LANG;
    const char *name = arena_printf(a, "%s %s", db_col_text(st, 2), db_col_text(st, 3));
    db_reset(st);
    if (!*to)
        return 0; /* no address: the receipt is on screen and in the list */
    struct tv *data = tv_dict(a);
    tv_set_str(data, "name", name);
    tv_set_bool(data, "several", n > 1);
    tv_set_strf(data, "receipts_href", "%s/%s/famiglie/pasti/ricevute", page_public_base(), t.slug);
    struct tv *list = tv_set_list(data, "changes");
    for (size_t i = 0; i < n; i++) {
        const struct booking_result *r = items[i].res;
        struct tv *c = tv_push_dict(list);
        tv_set_str(c, "receipt", r->receipt);
        tv_set_str(c, "at", time_rome_display(a, r->at));
        tv_set_str(c, "pupil", items[i].pupil);
        tv_set_str(c, "action",
                   tr(lang, booking_action_label(booking_action_name(items[i].action))));
        const char *from = time_date_display(a, booking_day_text(a, r->first_day));
        tv_set_str(c, "from", from);
        if (items[i].action == BOOKING_ABSENCE && !items[i].open_ended)
            tv_set_str(c, "resume", time_date_display(a, booking_day_text(a, r->last_day + 1)));
        else if (items[i].open_ended)
            tv_set_bool(c, "open_ended", true);
        else if (items[i].action == BOOKING_RESUME)
            tv_set_bool(c, "from_on", true);
        else if (r->last_day != r->first_day)
            tv_set_str(c, "to", time_date_display(a, booking_day_text(a, r->last_day)));
        tv_set_int(c, "days", r->days_changed);
    }
    return mail_queue(db, a, &t, to, lang, "meal_receipt", data, NULL);
}

/*
 * The body of booking_apply inside the caller's transaction: every check first, then the
 * writes. *open_ended tells an open-ended absence (for the receipt's wording). mail queues the
 * receipt when the family asked for it.
 */
static enum booking_err booking_apply_in(struct db *db, struct arena *a,
                                         const struct booking_input *in, struct booking_result *out,
                                         bool mail, const char **pupil_name, bool *open_ended)
{
    memset(out, 0, sizeof(*out));
    *open_ended = false;
    *pupil_name = "";
#define BOOKING_FAIL(e)                                                                            \
    do {                                                                                           \
        out->err = (e);                                                                            \
        return (e);                                                                                \
    } while (0)
    if (!booking_key_valid(in->request_key))
        BOOKING_FAIL(BOOKING_BAD_KEY);
    if (in->staff && !booking_reason_valid(in->reason))
        BOOKING_FAIL(BOOKING_REASON_REQUIRED);
    if ((int)in->action < BOOKING_CANCEL || in->action > BOOKING_RESUME)
        BOOKING_FAIL(BOOKING_BAD_RANGE);
    /* The pupil is the family's (staff may leave guardian_id 0: the pupil's own family). */
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_PUPIL);
    if (!st)
        BOOKING_FAIL(BOOKING_DB);
    db_bind_int(st, 1, in->tenant_id);
    db_bind_int(st, 2, in->pupil_id);
    enum db_err e = db_step(st);
    int64_t guardian_id = e == DB_ROW ? db_col_int(st, 0) : 0;
    if (e == DB_ROW)
        *pupil_name = arena_printf(a, "%s %s", db_col_text(st, 1), db_col_text(st, 2));
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        BOOKING_FAIL(BOOKING_DB);
    if (!guardian_id || (in->guardian_id != guardian_id && (!in->staff || in->guardian_id)))
        BOOKING_FAIL(BOOKING_NOT_FOUND);
    /* Pressing twice: the first receipt again, nothing changed. */
    st = db_stmt(db, STMT_BOOKING_REQUEST_BY_KEY);
    if (!st)
        BOOKING_FAIL(BOOKING_DB);
    db_bind_int(st, 1, in->tenant_id);
    db_bind_int(st, 2, in->pupil_id);
    db_bind_text(st, 3, in->request_key);
    e = db_step(st);
    if (e == DB_ROW) {
        out->repeated = true;
        out->request_id = db_col_int(st, 0);
        snprintf(out->receipt, sizeof(out->receipt), "%s", db_col_text(st, 1));
        snprintf(out->at, sizeof(out->at), "%s", db_col_text(st, 2));
        out->days_changed = (long)db_col_int(st, 3);
        school_calendar_parse_day(db_col_text(st, 4), &out->first_day);
        if (!school_calendar_parse_day(db_col_text(st, 5), &out->last_day))
            out->last_day = out->first_day;
        *open_ended = !strcmp(db_col_text(st, 6), "absence") && !*db_col_text(st, 5);
        db_reset(st);
        return BOOKING_OK;
    }
    db_reset(st);
    if (e != DB_DONE)
        BOOKING_FAIL(BOOKING_DB);

    /* The days asked for. */
    long from, to = 0;
    bool has_to = in->to && *in->to;
    if (!in->from || !school_calendar_parse_day(in->from, &from))
        BOOKING_FAIL(BOOKING_BAD_DATE);
    if (has_to && !school_calendar_parse_day(in->to, &to))
        BOOKING_FAIL(BOOKING_BAD_DATE);
    bool one_day = false, to_end = false;
    switch (in->action) {
    case BOOKING_CANCEL:
    case BOOKING_PLAIN:
    case BOOKING_RESTORE:
        if (!has_to)
            to = from;
        one_day = to == from;
        break;
    case BOOKING_ABSENCE:
        if (has_to) {
            if (to <= from)
                BOOKING_FAIL(BOOKING_BAD_RANGE);
            to--; /* the resume day is the first day the pupil eats again */
        } else {
            to_end = *open_ended = true;
        }
        break;
    case BOOKING_RESUME:
        to_end = true;
        break;
    }
    if (!to_end && (to < from || to - from + 1 > SCHOOL_CALENDAR_RANGE_MAX))
        BOOKING_FAIL(BOOKING_BAD_RANGE);

    /* The school year: the confirmed enrollment and its calendar. */
    struct booking_year y;
    memset(&y, 0, sizeof(y));
    const char *from_text = booking_day_text(a, from);
    int found = calendar_pupil_on(db, a, in->tenant_id, in->pupil_id, from_text, &y.p, &y.cal);
    if (found < 0)
        BOOKING_FAIL(BOOKING_DB);
    if (found == 0) {
        st = db_stmt(db, STMT_BOOKING_YEAR_CONTAINS);
        if (!st)
            BOOKING_FAIL(BOOKING_DB);
        db_bind_int(st, 1, in->tenant_id);
        db_bind_text(st, 2, from_text);
        e = db_step(st);
        db_reset(st);
        if (e != DB_ROW && e != DB_DONE)
            BOOKING_FAIL(BOOKING_DB);
        BOOKING_FAIL(e == DB_ROW ? BOOKING_NOT_ENROLLED : BOOKING_OUTSIDE_YEAR);
    }
    y.first = y.cal.cal.first_day;
    y.last = y.cal.cal.last_day;
    if (to_end)
        to = y.last;
    out->first_day = from;
    out->last_day = to;
    if (from < y.first || from > y.last || to > y.last) {
        out->first_day = y.first; /* the bounds, for the message */
        out->last_day = y.last;
        BOOKING_FAIL(BOOKING_OUTSIDE_YEAR);
    }
    if (to_end && to - from + 1 > SCHOOL_CALENDAR_RANGE_MAX)
        BOOKING_FAIL(BOOKING_BAD_RANGE);

    /* Service: the one day must have it; a range at least one day. */
    long first_service = -1, last_service = -1;
    for (long d = from; d <= to; d++)
        if (booking_service(&y, d, NULL)) {
            if (first_service < 0)
                first_service = d;
            last_service = d;
        }
    if (in->action != BOOKING_RESUME && first_service < 0) {
        booking_service(&y, from, &out->why);
        BOOKING_FAIL(BOOKING_NO_SERVICE);
    }
    if (booking_year_load(db, a, in->tenant_id, in->pupil_id, &y) != 0)
        BOOKING_FAIL(BOOKING_DB);

    /* What would change, and the first day it touches (judged by the cut-off). */
    /* Per day: 0 as it is, 'c' cancel, 'p' plain, 'd' delete, 'o' take over (see below). */
    char *next = arena_calloc(a, (size_t)(to - from + 1), 1);
    long changed = 0, judged = first_service;
    bool touches_frozen = false;
    for (long d = from; d <= to; d++) {
        size_t i = (size_t)(d - y.first);
        char want = 0;
        bool service = booking_service(&y, d, NULL);
        switch (in->action) {
        case BOOKING_CANCEL:
        case BOOKING_ABSENCE:
            if (service && y.state[i] != 'c')
                want = 'c';
            /* A day an absence until further notice already cancels becomes this request's, so
               ending that absence later leaves it cancelled (not a change of the day). */
            else if (service && y.open[i] && !*open_ended && !y.frozen[i])
                want = 'o';
            break;
        case BOOKING_PLAIN:
            if (service && y.state[i] != 'p')
                want = 'p';
            break;
        case BOOKING_RESTORE:
            if (y.state[i])
                want = 'd';
            break;
        case BOOKING_RESUME:
            if (y.state[i] == 'c' && y.open[i])
                want = 'd';
            break;
        }
        next[d - from] = want;
        if (want && want != 'o') {
            changed++;
            touches_frozen |= y.frozen[i];
        }
    }
    if (in->action == BOOKING_RESUME) {
        /* Judged on the first day the absence ends. */
        judged = -1;
        for (long d = from; d <= to && judged < 0; d++)
            if (next[d - from] == 'd')
                judged = d;
        if (judged < 0)
            BOOKING_FAIL(BOOKING_NO_ABSENCE);
    }
    if (judged >= y.first && judged <= y.last && y.frozen[judged - y.first])
        touches_frozen = true;

    /* The cut-off (families only). */
    time_t now = time_now();
    if (!in->staff) {
        struct booking_rules rules;
        if (booking_rules_load(db, in->tenant_id, &rules) != 0)
            BOOKING_FAIL(BOOKING_DB);
        struct cutoff_decision dec;
        enum cutoff_verdict v = cutoff_check(&rules.cutoff, judged, now, &dec);
        /* The earliest time holds for single days, and for a range only when it starts today
           or tomorrow: planning an absence ahead is what the absence is for. */
        if (v == CUTOFF_TOO_EARLY && !one_day && judged > dec.today + 1)
            v = CUTOFF_ALLOWED;
        if (v != CUTOFF_ALLOWED) {
            out->decision = dec;
            out->first_day = judged;
            BOOKING_FAIL(v == CUTOFF_PAST       ? BOOKING_PAST
                         : v == CUTOFF_TOO_LATE ? BOOKING_TOO_LATE
                                                : BOOKING_TOO_EARLY);
        }
    }
    if (touches_frozen)
        BOOKING_FAIL(BOOKING_FROZEN);

    /* Plain meals: the consecutive service days of plain, with those already next to them. */
    if (in->action == BOOKING_PLAIN) {
        struct booking_rules rules;
        if (booking_rules_load(db, in->tenant_id, &rules) != 0)
            BOOKING_FAIL(BOOKING_DB);
        long run = 0;
        for (long d = first_service; d <= last_service; d++)
            if (booking_service(&y, d, NULL))
                run++;
        for (long d = first_service - 1; d >= y.first && run <= rules.plain_max_days; d--) {
            if (!booking_service(&y, d, NULL))
                continue;
            if (y.state[d - y.first] != 'p')
                break;
            run++;
        }
        for (long d = last_service + 1; d <= y.last && run <= rules.plain_max_days; d++) {
            if (!booking_service(&y, d, NULL))
                continue;
            if (y.state[d - y.first] != 'p')
                break;
            run++;
        }
        if (run > rules.plain_max_days) {
            out->plain_max_days = rules.plain_max_days;
            BOOKING_FAIL(BOOKING_PLAIN_LIMIT);
        }
    }

    /* The request and its receipt. */
    char now_iso[TIME_ISO_MAX];
    time_iso(now, now_iso);
    if (booking_next_receipt(db, in->tenant_id, now, out->receipt) != 0)
        BOOKING_FAIL(BOOKING_DB);
    /* to_day: NULL for one day, an open-ended absence and a resume. */
    const char *to_text =
        *open_ended || in->action == BOOKING_RESUME || one_day ? "" : booking_day_text(a, to);
    st = db_stmt(db, STMT_BOOKING_REQUEST_INSERT);
    if (!st)
        BOOKING_FAIL(BOOKING_DB);
    db_bind_int(st, 1, in->tenant_id);
    db_bind_text(st, 2, out->receipt);
    db_bind_int(st, 3, guardian_id);
    db_bind_int(st, 4, in->pupil_id);
    db_bind_text(st, 5, booking_action_name(in->action));
    db_bind_text(st, 6, from_text);
    db_bind_text(st, 7, to_text);
    db_bind_int(st, 8, changed);
    db_bind_text(st, 9, in->staff ? "staff" : "family");
    db_bind_text(st, 10, in->actor_label ? in->actor_label : "");
    db_bind_text(st, 11, in->staff ? in->reason : "");
    db_bind_text(st, 12, in->request_key);
    db_bind_int(st, 13, in->mail_receipt ? 1 : 0);
    db_bind_text(st, 14, now_iso);
    if (db_exec_stmt(st) != DB_OK)
        BOOKING_FAIL(BOOKING_DB);
    out->request_id = db_last_id(db);
    snprintf(out->at, sizeof(out->at), "%s", now_iso);
    out->days_changed = changed;
    out->first_day = from;
    out->last_day = to;

    for (long d = from; d <= to; d++) {
        char want = next[d - from];
        if (!want)
            continue;
        const char *day = booking_day_text(a, d);
        if (want == 'd') {
            st = db_stmt(db, STMT_BOOKING_DAY_DELETE);
            if (!st)
                BOOKING_FAIL(BOOKING_DB);
            db_bind_int(st, 1, in->pupil_id);
            db_bind_text(st, 2, day);
            db_bind_int(st, 3, in->tenant_id);
        } else {
            st = db_stmt(db, STMT_BOOKING_DAY_SET);
            if (!st)
                BOOKING_FAIL(BOOKING_DB);
            db_bind_int(st, 1, in->pupil_id);
            db_bind_text(st, 2, day);
            db_bind_int(st, 3, in->tenant_id);
            db_bind_text(st, 4, want == 'p' ? "plain" : "cancelled"); /* 'c' or 'o' */
            db_bind_int(st, 5, out->request_id);
        }
        if (db_exec_stmt(st) != DB_OK)
            BOOKING_FAIL(BOOKING_DB);
    }
    if (!in->staff && booking_mail_choice_set(db, in->tenant_id, guardian_id, in->mail_receipt))
        BOOKING_FAIL(BOOKING_DB);

    char detail[256];
    snprintf(detail, sizeof(detail), "pupil %lld, %s..%s, %ld days changed, receipt %s%s",
             (long long)in->pupil_id, from_text, *open_ended ? "open" : booking_day_text(a, to),
             changed, out->receipt, in->mail_receipt ? ", by e-mail" : "");
    struct audit_entry ae = {
        .tenant_id = in->tenant_id,
        .actor = in->staff ? AUDIT_STAFF : AUDIT_FAMILY,
        .actor_id = in->staff ? 0 : guardian_id,
        .actor_label = in->actor_label ? in->actor_label : "",
        .action = arena_printf(a, "meal.%s", booking_action_name(in->action)),
        .entity = "meal_request",
        .entity_id = out->request_id,
        .to_state = "accepted",
        .detail = in->staff ? arena_printf(a, "%s; reason: %s", detail, in->reason) : detail};
    if (audit_record(db, &ae) != 0)
        BOOKING_FAIL(BOOKING_DB);
    if (mail && in->mail_receipt) {
        struct booking_mail_item item = {out, *pupil_name, in->action, *open_ended};
        if (booking_mail(db, a, in->tenant_id, guardian_id, &item, 1) != 0)
            BOOKING_FAIL(BOOKING_DB);
    }
    return BOOKING_OK;
#undef BOOKING_FAIL
}

enum booking_err booking_apply_tx(struct db *db, const struct booking_input *in,
                                  struct booking_result *out)
{
    struct arena a;
    arena_init(&a, 16384);
    const char *name;
    bool open_ended;
    enum booking_err e = booking_apply_in(db, &a, in, out, true, &name, &open_ended);
    arena_free(&a);
    return e;
}

enum booking_err booking_apply(struct db *db, const struct booking_input *in,
                               struct booking_result *out)
{
    if (db_begin(db) != DB_OK) {
        memset(out, 0, sizeof(*out));
        out->err = BOOKING_DB;
        return BOOKING_DB;
    }
    enum booking_err e = booking_apply_tx(db, in, out);
    if (e == BOOKING_OK && db_commit(db) == DB_OK)
        return e;
    db_rollback(db);
    if (e == BOOKING_OK)
        out->err = e = BOOKING_DB;
    return e;
}

enum booking_err booking_cancel_today_all(struct db *db, int64_t tenant_id, int64_t guardian_id,
                                          const char *request_key, const char *actor_label,
                                          bool mail_receipt, struct booking_result *results,
                                          size_t *n, size_t *skipped)
{
    *n = 0;
    *skipped = 0;
    memset(&results[0], 0, sizeof(results[0]));
    if (!booking_key_valid(request_key)) {
        results[0].err = BOOKING_BAD_KEY;
        return BOOKING_BAD_KEY;
    }
    struct arena a;
    arena_init(&a, 16384);
    enum booking_err rc = BOOKING_DB;
    struct booking_mail_item items[BOOKING_PUPILS_MAX];
    size_t fresh = 0;
    if (db_begin(db) != DB_OK) {
        arena_free(&a);
        results[0].err = BOOKING_DB;
        return BOOKING_DB;
    }
    struct pupil_summary *pupils;
    size_t np;
    if (guardian_pupils(db, &a, tenant_id, guardian_id, &pupils, &np) != 0)
        goto fail;
    long today = cutoff_rome_day(time_now());
    const char *today_text = booking_day_text(&a, today);
    enum school_calendar_reason why = SCHOOL_CALENDAR_SERVICE;
    for (size_t i = 0; i < np && *n < BOOKING_PUPILS_MAX; i++) {
        struct calendar_pupil p;
        struct calendar cal;
        int found = calendar_pupil_on(db, &a, tenant_id, pupils[i].id, today_text, &p, &cal);
        if (found < 0)
            goto fail;
        enum school_calendar_reason r = SCHOOL_CALENDAR_BEFORE_FIRST;
        if (!found || !calendar_pupil_has_service(&cal, &p, today, &r)) {
            if (why == SCHOOL_CALENDAR_SERVICE)
                why = r;
            (*skipped)++;
            continue;
        }
        struct booking_input in = {.tenant_id = tenant_id,
                                   .guardian_id = guardian_id,
                                   .pupil_id = pupils[i].id,
                                   .action = BOOKING_CANCEL,
                                   .from = today_text,
                                   .request_key = request_key,
                                   .actor_label = actor_label,
                                   .mail_receipt = mail_receipt};
        const char *name;
        bool open_ended;
        struct booking_result *res = &results[*n];
        rc = booking_apply_in(db, &a, &in, res, false, &name, &open_ended);
        if (rc != BOOKING_OK) {
            if (*n > 0)
                results[0] = *res;
            *n = 0;
            goto refuse;
        }
        if (!res->repeated)
            items[fresh++] = (struct booking_mail_item){res, name, BOOKING_CANCEL, false};
        (*n)++;
    }
    if (*n == 0) {
        memset(&results[0], 0, sizeof(results[0]));
        results[0].why = why;
        results[0].first_day = results[0].last_day = today;
        rc = results[0].err = BOOKING_NO_SERVICE;
        goto refuse;
    }
    if (mail_receipt && fresh && booking_mail(db, &a, tenant_id, guardian_id, items, fresh) != 0)
        goto fail;
    if (db_commit(db) != DB_OK)
        goto fail;
    arena_free(&a);
    return BOOKING_OK;
fail:
    *n = 0;
    memset(&results[0], 0, sizeof(results[0]));
    results[0].err = rc = BOOKING_DB;
refuse:
    db_rollback(db);
    arena_free(&a);
    return rc;
}

/* ---- reading --------------------------------------------------------------------------------- */

int booking_open_absence(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *from_day,
                         char first_day[SCHOOL_CALENDAR_DAY_SIZE])
{
    first_day[0] = '\0';
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_OPEN_ABSENCE);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, from_day);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        snprintf(first_day, SCHOOL_CALENDAR_DAY_SIZE, "%s", db_col_text(st, 0));
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int booking_month(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                  int64_t pupil_id, int year, int month, struct booking_month *out)
{
    memset(out, 0, sizeof(*out));
    if (month < 1 || month > 12 || year < SCHOOL_CALENDAR_YEAR_MIN ||
        year > SCHOOL_CALENDAR_YEAR_MAX)
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_PUPIL);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    enum db_err e = db_step(st);
    int64_t owner = e == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        return -1;
    if (!owner || owner != guardian_id)
        return 0;
    out->year = year;
    out->month = month;
    out->ndays = school_calendar_month_length(year, month);
    long first = school_calendar_day(year, month, 1), last = first + out->ndays - 1;
    out->first_weekday = school_calendar_weekday(first);
    for (int i = 0; i < out->ndays; i++) {
        out->days[i].day = first + i;
        out->days[i].state = BOOKING_DAY_NO_SERVICE;
        out->days[i].reason = SCHOOL_CALENDAR_BEFORE_FIRST;
    }
    /* The enrollment of the month: the first day of it that has one. */
    struct calendar cal;
    struct calendar_pupil p;
    for (long d = first; d <= last && !out->enrolled; d++) {
        int found = calendar_pupil_on(db, a, tenant_id, pupil_id, booking_day_text(a, d), &p, &cal);
        if (found < 0)
            return -1;
        out->enrolled = found == 1;
    }
    struct school_calendar_month scm;
    if (out->enrolled) {
        if (!school_calendar_month(&cal.cal, year, month, p.class_id,
                                   p.weekdays[0] ? p.weekdays : NULL, &scm))
            return -1;
        for (int i = 0; i < out->ndays; i++)
            out->days[i].reason = scm.reason[i];
    }
    struct booking_rules rules;
    if (booking_rules_load(db, tenant_id, &rules) != 0)
        return -1;
    const char *from = booking_day_text(a, first), *to = booking_day_text(a, last);
    char state[SCHOOL_CALENDAR_MONTH_MAX] = {0};
    bool frozen[SCHOOL_CALENDAR_MONTH_MAX] = {0}, meal[SCHOOL_CALENDAR_MONTH_MAX] = {0};
    st = db_stmt(db, STMT_BOOKING_DAYS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    while ((e = db_step(st)) == DB_ROW) {
        long d;
        if (!school_calendar_parse_day(db_col_text(st, 0), &d) || d < first || d > last)
            continue;
        struct booking_day *bd = &out->days[d - first];
        state[d - first] = strcmp(db_col_text(st, 1), "plain") ? 'c' : 'p';
        bd->receipt = arena_strdup(a, db_col_text(st, 2));
        bd->open_ended = db_col_int(st, 3) != 0 && state[d - first] == 'c';
    }
    db_reset(st);
    if (e != DB_DONE)
        return -1;
    if (cutoff_job_frozen_days(db, tenant_id, first, last, frozen) != 0)
        return -1;
    st = db_stmt(db, STMT_BOOKING_MEALS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    while ((e = db_step(st)) == DB_ROW) {
        long d;
        if (!school_calendar_parse_day(db_col_text(st, 0), &d) || d < first || d > last)
            continue;
        struct booking_day *bd = &out->days[d - first];
        meal[d - first] = true;
        if (!strcmp(db_col_text(st, 1), "served")) {
            bd->state = BOOKING_DAY_EATEN;
            bd->plain = db_col_int(st, 2) != 0;
            bd->charged_cents = db_col_int(st, 3);
        } else {
            bd->state = BOOKING_DAY_NOT_EATEN;
        }
    }
    db_reset(st);
    if (e != DB_DONE)
        return -1;
    time_t now = time_now();
    for (int i = 0; i < out->ndays; i++) {
        struct booking_day *bd = &out->days[i];
        bool service = out->enrolled && bd->reason == SCHOOL_CALENDAR_SERVICE;
        if (!meal[i]) {
            if (service && frozen[i])
                bd->state = BOOKING_DAY_NOT_EATEN;
            else if (!service)
                bd->state = BOOKING_DAY_NO_SERVICE;
            else
                bd->state = state[i] == 'c'   ? BOOKING_DAY_CANCELLED
                            : state[i] == 'p' ? BOOKING_DAY_PLAIN
                                              : BOOKING_DAY_BOOKED;
        }
        if (bd->state != BOOKING_DAY_CANCELLED && bd->state != BOOKING_DAY_PLAIN &&
            !(bd->state == BOOKING_DAY_NOT_EATEN && state[i] == 'c'))
            bd->receipt = NULL, bd->open_ended = false;
        bd->changeable = service && !frozen[i] && !meal[i] &&
                         cutoff_check(&rules.cutoff, bd->day, now, NULL) == CUTOFF_ALLOWED;
        switch (bd->state) {
        case BOOKING_DAY_BOOKED:
            out->booked++;
            break;
        case BOOKING_DAY_CANCELLED:
            out->cancelled++;
            break;
        case BOOKING_DAY_PLAIN:
            out->plain++;
            break;
        case BOOKING_DAY_EATEN:
            out->eaten++;
            out->plain += bd->plain;
            out->charged_cents += bd->charged_cents;
            break;
        case BOOKING_DAY_NOT_EATEN:
            out->cancelled += state[i] == 'c';
            break;
        case BOOKING_DAY_NO_SERVICE:
            break;
        }
    }
    return 1;
}

int booking_receipts_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                          int64_t pupil_id, const char *request_key, const char *receipt, int limit,
                          struct booking_receipt **rows, size_t *n, bool *mail_requested)
{
    *rows = NULL;
    *n = 0;
    if (limit <= 0 || limit > BOOKING_RECEIPTS_MAX)
        limit = BOOKING_RECEIPTS_MAX;
    struct db_stmt *st = db_stmt(db, STMT_BOOKING_RECEIPTS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_int(st, 3, pupil_id);
    db_bind_text(st, 4, request_key ? request_key : "");
    db_bind_text(st, 5, receipt ? receipt : "");
    db_bind_int(st, 6, limit);
    struct booking_receipt *list = arena_calloc(a, (size_t)limit, sizeof(*list));
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < (size_t)limit) {
        struct booking_receipt *r = &list[(*n)++];
        r->id = db_col_int(st, 0);
        r->pupil_id = db_col_int(st, 1);
        r->receipt = arena_strdup(a, db_col_text(st, 2));
        r->action = arena_strdup(a, db_col_text(st, 3));
        r->from_day = arena_strdup(a, db_col_text(st, 4));
        r->to_day = arena_strdup(a, db_col_text(st, 5));
        r->actor_kind = arena_strdup(a, db_col_text(st, 6));
        r->actor_label = arena_strdup(a, db_col_text(st, 7));
        r->reason = arena_strdup(a, db_col_text(st, 8));
        r->created_at = arena_strdup(a, db_col_text(st, 9));
        r->pupil_name = arena_strdup(a, db_col_text(st, 10));
        r->days_changed = (long)db_col_int(st, 11);
        if (mail_requested && *n == 1)
            *mail_requested = db_col_int(st, 12) != 0;
    }
    db_reset(st);
    *rows = list;
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

int booking_receipts(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                     int64_t pupil_id, int limit, struct booking_receipt **rows, size_t *n)
{
    return booking_receipts_find(db, a, tenant_id, guardian_id, pupil_id, NULL, NULL, limit, rows,
                                 n, NULL);
}
