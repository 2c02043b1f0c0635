/*
 * Time: stored in UTC as ISO-8601 text ("2026-11-22T10:32:58Z"), judged in the tenant's zone
 * (Europe/Rome). A test clock can be installed for deterministic tests.
 */
#ifndef REFETTORIO_UTIL_TIME_H
#define REFETTORIO_UTIL_TIME_H

#include <stdbool.h>
#include <time.h>

#define TIME_ISO_MAX 32

/* Seconds since the epoch (the test clock when set). */
time_t time_now(void);
/* Override the clock (0 restores the real one). For tests and the demo only. */
void time_set_fake(time_t t);
/* UTC ISO-8601 of t / of now, into out[TIME_ISO_MAX]. */
void time_iso(time_t t, char *out);
void time_now_iso(char *out);
/* Today's date (YYYY-MM-DD) in the given zone, into out[11]. */
void time_today(const char *tz, char *out);
/* Parse "YYYY-MM-DD" strictly (real calendar date). */
bool time_parse_date(const char *s, int *y, int *m, int *d);
/* Offset of Europe/Rome from UTC at t, in seconds (3600 or 7200). */
long time_rome_offset(time_t t);
/* Current year in Europe/Rome. */
int time_year_rome(void);

#endif
