#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static enum log_level log_min = LOG_INFO;
static int log_quiet;

void log_set_level(enum log_level level)
{
    log_min = level;
}

void log_set_quiet(int quiet)
{
    log_quiet = quiet;
}

static const char *log_level_name(enum log_level l)
{
    switch (l) {
    case LOG_DEBUG:
        return "debug";
    case LOG_INFO:
        return "info";
    case LOG_WARN:
        return "warn";
    case LOG_ERROR:
        return "error";
    }
    return "info";
}

/* Append to line, never past LOG_LINE_MAX - 2 (room for the newline). */
static void log_put(char *line, size_t *len, const char *s, size_t n)
{
    size_t room = LOG_LINE_MAX - 2 - *len;
    if (n > room)
        n = room;
    memcpy(line + *len, s, n);
    *len += n;
}

static void log_value(char *line, size_t *len, const char *v)
{
    if (!v) {
        log_put(line, len, "-", 1);
        return;
    }
    int needs_quote = (*v == '\0');
    for (const char *p = v; *p; p++)
        if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20 || *p == '\\')
            needs_quote = 1;
    if (!needs_quote) {
        log_put(line, len, v, strlen(v));
        return;
    }
    log_put(line, len, "\"", 1);
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            log_put(line, len, esc, 2);
        } else if (c < 0x20) {
            int n = snprintf(esc, sizeof(esc), "\\x%02x", c);
            log_put(line, len, esc, (size_t)n);
        } else {
            log_put(line, len, (const char *)p, 1);
        }
    }
    log_put(line, len, "\"", 1);
}

void log_event(enum log_level level, const char *msg, ...)
{
    if (level < log_min || log_quiet)
        return;
    char line[LOG_LINE_MAX];
    size_t len = 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[64];
    size_t n = strftime(stamp, sizeof(stamp), "ts=%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(stamp + n, sizeof(stamp) - n,
                          ".%03ldZ level=%s msg=", ts.tv_nsec / 1000000, log_level_name(level));
    log_put(line, &len, stamp, n);
    log_value(line, &len, msg);
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key)
            break;
        const char *val = va_arg(ap, const char *);
        log_put(line, &len, " ", 1);
        log_put(line, &len, key, strlen(key));
        log_put(line, &len, "=", 1);
        log_value(line, &len, val);
    }
    va_end(ap);
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
