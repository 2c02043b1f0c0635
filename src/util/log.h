/*
 * Structured log lines on stderr: `ts=... level=info msg="..." key=value ...`, one line per
 * event, written with a single write(2) so lines from threads never interleave. Values with
 * spaces, quotes or control characters are quoted and escaped.
 */
#ifndef REFETTORIO_UTIL_LOG_H
#define REFETTORIO_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Turn all output off (tests that exercise failures keep their TAP output readable). */
void log_set_quiet(int quiet);
/* fields: alternating key, value strings, terminated by NULL. Values may be NULL (printed as -). */
void log_event(enum log_level level, const char *msg, ...);

#define log_info(msg, ...)  log_event(LOG_INFO, msg, ##__VA_ARGS__, (const char *)0)
#define log_warn(msg, ...)  log_event(LOG_WARN, msg, ##__VA_ARGS__, (const char *)0)
#define log_error(msg, ...) log_event(LOG_ERROR, msg, ##__VA_ARGS__, (const char *)0)
#define log_debug(msg, ...) log_event(LOG_DEBUG, msg, ##__VA_ARGS__, (const char *)0)

#endif
