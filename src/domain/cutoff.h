/*
 * Cut-off: until when a family may still change a day's booking (cancel it, ask for a plain
 * meal, undo either), and when the kitchen's counts for the day are frozen. Pure rules, no I/O:
 * the service passes the municipality's rule, the day (a day number, domain/school_calendar.h)
 * and the server's clock; whether the day has service at all is the calendar's question, asked
 * first.
 *
 * A municipality's rule has two wall-clock times in Europe/Rome:
 *
 *   latest    on the day itself, e.g. 09:30: changes are accepted strictly before it, so at
 *             09:29:59 yes and at 09:30:00 no. The cut-off job freezes the day at this instant.
 *   earliest  on the day before, e.g. 18:00: changes are accepted from it on, so at 17:59:59 no
 *             and at 18:00:00 yes. Or none (CUTOFF_NO_EARLIEST): any time before the cut-off.
 *
 * A change for a day is judged, in this order: the day is before today in Europe/Rome (PAST);
 * now is at or after the day's cut-off (TOO_LATE, with the cut-off instant); now is before the
 * opening (TOO_EARLY, with the opening instant); otherwise ALLOWED.
 *
 * Wall-clock times become UTC instants by time_rome_to_utc's zone rule (util/time_local.h), and
 * on the two summer-time change days:
 *
 *   - a time in the hour skipped in spring (02:00-02:59 on the last Sunday of March) means the
 *     first instant that exists after it, 03:00 summer time (01:00 UTC), when the clocks jump;
 *   - a time in the hour repeated in autumn (02:00-02:59 on the last Sunday of October) means
 *     its first occurrence, still summer time: the earlier instant, so a cut-off never comes
 *     later than the clock on the wall first says it.
 *
 * The family-facing explanation of a refusal ("changes for 24/11/2026 were accepted until 09:30
 * of that day") is assembled by the handlers from cutoff_explain's values.
 */
#ifndef REFETTORIO_DOMAIN_CUTOFF_H
#define REFETTORIO_DOMAIN_CUTOFF_H

#include <stdbool.h>
#include <time.h>

#define CUTOFF_NO_EARLIEST   (-1)
#define CUTOFF_MINUTES_DAY   1440
#define CUTOFF_HHMM_SIZE     6  /* "09:30" + NUL */
#define CUTOFF_DAY_TEXT_SIZE 11 /* "24/11/2026" + NUL */

/* A municipality's rule, in minutes after midnight (Europe/Rome wall clock). */
struct cutoff_rule {
    int latest_minute;   /* on the day itself, 0..1439: 09:30 is 570 */
    int earliest_minute; /* on the day before, 0..1439, or CUTOFF_NO_EARLIEST */
};

enum cutoff_err {
    CUTOFF_OK = 0,
    CUTOFF_BAD_LATEST,   /* not a time of day (time_parse_hhmm) */
    CUTOFF_BAD_EARLIEST, /* not a time of day, nor empty */
};

enum cutoff_verdict {
    CUTOFF_ALLOWED = 0,
    CUTOFF_TOO_LATE,  /* the day's cut-off has passed: closes_at says when it was */
    CUTOFF_TOO_EARLY, /* the window has not opened yet: opens_at says when it will */
    CUTOFF_PAST,      /* the day is before today */
};

struct cutoff_decision {
    enum cutoff_verdict verdict;
    long today;       /* the day number of now in Europe/Rome */
    time_t closes_at; /* the day's cut-off */
    time_t opens_at;  /* when changes for the day open; 0 with no earliest time */
};

/* Parses the settings: latest "09:30" (any time_parse_hhmm form: "9:30", "9.30"), earliest the
   same or NULL/"" for none. out is filled only on CUTOFF_OK. */
enum cutoff_err cutoff_rule_parse(const char *latest, const char *earliest,
                                  struct cutoff_rule *out);
/* Both minutes in range (earliest may be CUTOFF_NO_EARLIEST). The functions below assume it. */
bool cutoff_rule_valid(const struct cutoff_rule *rule);
/* "09:30" from minutes after midnight into out[CUTOFF_HHMM_SIZE]; "" for CUTOFF_NO_EARLIEST. */
void cutoff_format_minute(int minute, char *out);

/* Judges a change for day at instant now (the server's clock), as above. */
enum cutoff_verdict cutoff_check(const struct cutoff_rule *rule, long day, time_t now,
                                 struct cutoff_decision *out);
/* The UTC instant of the day's cut-off: when the job freezes the day. */
time_t cutoff_closes_at(const struct cutoff_rule *rule, long day);
/* The UTC instant from which changes for the day are accepted; false with no earliest time. */
bool cutoff_opens_at(const struct cutoff_rule *rule, long day, time_t *out);
/* The first cut-off strictly after `after`, and its day (day may be NULL). */
time_t cutoff_next(const struct cutoff_rule *rule, time_t after, long *day);

/* The Europe/Rome day number of an instant. */
long cutoff_rome_day(time_t t);
/* The UTC instant of minute (0..1439) of day on the Europe/Rome wall clock, by the rule above
   for the skipped and the repeated hour. */
time_t cutoff_rome_instant(long day, int minute);

/* What a page needs to explain the rule for a day, all in Europe/Rome. */
struct cutoff_explain {
    char day[CUTOFF_DAY_TEXT_SIZE];       /* the day: "24/11/2026" */
    char closes_time[CUTOFF_HHMM_SIZE];   /* the cut-off's wall-clock time: "09:30" */
    char opens_day[CUTOFF_DAY_TEXT_SIZE]; /* "23/11/2026"; "" with no earliest time */
    char opens_time[CUTOFF_HHMM_SIZE];    /* "18:00"; "" with no earliest time */
};
void cutoff_explain(const struct cutoff_rule *rule, long day, struct cutoff_explain *out);

/* For the settings form, as N_() msgids. */
const char *cutoff_strerror(enum cutoff_err err);

#endif
