#include "util/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_FILE_MAX (256 * 1024)
#define CONFIG_LINE_MAX 1024

enum config_type { CT_STR, CT_INT, CT_BOOL };

struct config_option {
    const char *name; /* section.key */
    enum config_type type;
    size_t offset;
    size_t size; /* for strings */
    long min, max;
    const char *def;
    const char *help;
    const char *choices; /* strings: "a|b|c" lists the accepted values; NULL accepts any */
};

#define OPT_STR(n, f, d, h)                                                                        \
    {                                                                                              \
        n, CT_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0, d, h, NULL   \
    }
#define OPT_CHOICE(n, f, choices, d, h)                                                            \
    {                                                                                              \
        n, CT_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0, d, h,        \
            choices                                                                                \
    }
#define OPT_INT(n, f, lo, hi, d, h)                                                                \
    {                                                                                              \
        n, CT_INT, offsetof(struct config, f), 0, lo, hi, d, h, NULL                               \
    }
#define OPT_BOOL(n, f, d, h)                                                                       \
    {                                                                                              \
        n, CT_BOOL, offsetof(struct config, f), 0, 0, 1, d, h, NULL                                \
    }

static const struct config_option config_options[] = {
    OPT_STR("server.listen", listen, "127.0.0.1",
            "IP address to listen on. Keep 127.0.0.1 behind nginx."),
    OPT_INT("server.port", port, 1, 65535, "8080", "TCP port."),
    OPT_INT("server.threads", threads, 1, 256, "4",
            "Worker threads of the HTTP thread pool (each has its own database connection)."),
    OPT_INT("server.max_connections", max_connections, 16, 100000, "4096",
            "Open connections accepted at once; more wait in the kernel backlog."),
    OPT_INT("server.idle_timeout", idle_timeout, 1, 3600, "60",
            "Seconds a keep-alive connection may stay idle before it is closed."),
    OPT_INT("server.request_timeout", request_timeout, 1, 3600, "30",
            "Seconds a client has to send a whole request body; slower requests get 408."),
    OPT_BOOL("server.tls", tls, "false",
             "true when the public site is served over HTTPS: session cookies get Secure."),
    OPT_STR("server.public_url", public_url, "",
            "Public address of the site (https://mensa.comune.example.it), used in links sent by "
            "e-mail; never taken from the request. Empty: http://<listen>:<port>."),
    OPT_STR("server.static_dir", static_dir, "build/static",
            "Folder served at /static/ (Bootstrap Italia and our own assets)."),
    OPT_STR("database.path", db_path, "var/refettorio.sqlite",
            "SQLite database file (created and migrated at start-up)."),
    OPT_INT("session.idle_minutes", session_idle_minutes, 5, 1440, "30",
            "Minutes of inactivity after which a session ends."),
    OPT_STR("log.level", log_level, "info", "Log level: debug, info, warn or error."),
    OPT_BOOL("log.access", access_log, "true", "One structured access-log line per request."),
    OPT_STR("mail.url", mail_url, "",
            "SMTP server for outgoing e-mail: smtp://host:587 or smtps://host:465. Empty: no "
            "sender runs and messages stay queued (the office sees them as queued)."),
    OPT_STR("mail.from", mail_from, "noreply@localhost.invalid",
            "Sender address (envelope and From). The display name is the municipality's name."),
    OPT_STR("mail.username", mail_username, "", "SMTP AUTH user name; empty: no authentication."),
    OPT_STR("mail.password", mail_password, "", "SMTP AUTH password."),
    OPT_CHOICE("mail.tls", mail_tls, "none|try|starttls|tls", "starttls",
               "Encryption: starttls (required on smtp://), try (STARTTLS when offered), tls "
               "(implicit TLS, smtps://), none (plain text: loopback stand-ins only)."),
    OPT_INT("mail.max_attempts", mail_max_attempts, 1, 50, "8",
            "Delivery attempts before a message is marked failed (waits 1, 2, 4 ... minutes "
            "between them, at most one hour)."),
    OPT_INT("mail.poll_seconds", mail_poll_seconds, 1, 3600, "30",
            "Seconds between two looks at the outbox for due messages."),
    OPT_STR("pagopa.gpd_url", pagopa_gpd_url, "",
            "pagoPA GPD (debt positions) base URL, e.g. "
            "https://api.platform.pagopa.it/gpd/debt-positions-service/v1. Empty: pagoPA payments "
            "are off."),
    OPT_STR("pagopa.api_key", pagopa_api_key, "",
            "Subscription key sent as Ocp-Apim-Subscription-Key to GPD and Checkout; never "
            "logged."),
    OPT_STR("pagopa.checkout_url", pagopa_checkout_url, "",
            "pagoPA Checkout base URL, e.g. https://api.platform.pagopa.it/checkout/ec/v1 (carts "
            "are POSTed to <url>/carts). Empty: no Checkout carts are made."),
    OPT_INT("pagopa.timeout_seconds", pagopa_timeout_seconds, 1, 120, "10",
            "Seconds one GPD or Checkout request may take (connecting included)."),
    OPT_INT("pagopa.max_attempts", pagopa_max_attempts, 1, 10, "3",
            "Attempts per GPD call on transient errors (timeouts, connection errors, 429, 5xx), "
            "with a doubling wait between them."),
    OPT_INT("pagopa.reconcile_seconds", pagopa_reconcile_seconds, 5, 86400, "300",
            "Seconds between two reconciliation runs that ask GPD which positions were paid."),
};

#define CONFIG_NOPTIONS (sizeof(config_options) / sizeof(config_options[0]))

static const struct config_option *config_find(const char *name)
{
    for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
        if (strcmp(config_options[i].name, name) == 0)
            return &config_options[i];
    return NULL;
}

/* Whether value is one of the '|'-separated words of choices. */
static bool config_choice_ok(const char *choices, const char *value)
{
    size_t n = strlen(value);
    for (const char *p = choices; *p;) {
        size_t w = strcspn(p, "|");
        if (w == n && n > 0 && strncmp(p, value, n) == 0)
            return true;
        p += w;
        if (*p == '|')
            p++;
    }
    return false;
}

static enum config_err config_apply(struct config *c, const struct config_option *o,
                                    const char *value, char *msg, size_t msgsz)
{
    char *field = (char *)c + o->offset;
    switch (o->type) {
    case CT_STR:
        if (strlen(value) >= o->size) {
            snprintf(msg, msgsz, "%s: value longer than %zu characters", o->name, o->size - 1);
            return CONFIG_ERR_VALUE;
        }
        if (o->choices && !config_choice_ok(o->choices, value)) {
            snprintf(msg, msgsz, "%s: expected one of %s, got \"%s\"", o->name, o->choices, value);
            return CONFIG_ERR_VALUE;
        }
        memcpy(field, value, strlen(value) + 1);
        return CONFIG_OK;
    case CT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max) {
            snprintf(msg, msgsz, "%s: expected a whole number from %ld to %ld, got \"%s\"", o->name,
                     o->min, o->max, value);
            return CONFIG_ERR_VALUE;
        }
        *(int *)field = (int)v;
        return CONFIG_OK;
    }
    case CT_BOOL:
        if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1") ||
            !strcmp(value, "on")) {
            *(bool *)field = true;
        } else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0") ||
                   !strcmp(value, "off")) {
            *(bool *)field = false;
        } else {
            snprintf(msg, msgsz, "%s: expected true or false, got \"%s\"", o->name, value);
            return CONFIG_ERR_VALUE;
        }
        return CONFIG_OK;
    }
    return CONFIG_ERR_VALUE;
}

void config_defaults(struct config *c)
{
    char msg[8];
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
        config_apply(c, &config_options[i], config_options[i].def, msg, sizeof(msg));
}

enum config_err config_set(struct config *c, const char *name, const char *value, char *msg,
                           size_t msgsz)
{
    const struct config_option *o = config_find(name);
    if (!o) {
        snprintf(msg, msgsz, "unknown option \"%s\"", name);
        return CONFIG_ERR_KEY;
    }
    return config_apply(c, o, value, msg, msgsz);
}

static char *config_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

enum config_err config_load_text(struct config *c, const char *text, size_t len, char *msg,
                                 size_t msgsz)
{
    char section[64] = "";
    size_t lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        char line[CONFIG_LINE_MAX];
        if (end - pos >= sizeof(line)) {
            snprintf(msg, msgsz, "line %zu: longer than %d characters", lineno,
                     CONFIG_LINE_MAX - 1);
            return CONFIG_ERR_SYNTAX;
        }
        if (memchr(text + pos, '\0', end - pos)) {
            snprintf(msg, msgsz, "line %zu: contains a NUL byte", lineno);
            return CONFIG_ERR_SYNTAX;
        }
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        pos = end + 1;
        char *s = config_trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1] != '\0' || close - s - 1 <= 0 ||
                (size_t)(close - s - 1) >= sizeof(section)) {
                snprintf(msg, msgsz, "line %zu: malformed section header", lineno);
                return CONFIG_ERR_SYNTAX;
            }
            *close = '\0';
            snprintf(section, sizeof(section), "%s", s + 1);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !section[0]) {
            snprintf(msg, msgsz, "line %zu: expected key = value inside a [section]", lineno);
            return CONFIG_ERR_SYNTAX;
        }
        *eq = '\0';
        char *key = config_trim(s);
        char *value = config_trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        char name[160];
        snprintf(name, sizeof(name), "%s.%s", section, key);
        char sub[256];
        enum config_err e = config_set(c, name, value, sub, sizeof(sub));
        if (e != CONFIG_OK) {
            snprintf(msg, msgsz, "line %zu: %s", lineno, sub);
            return e;
        }
    }
    return CONFIG_OK;
}

enum config_err config_load_file(struct config *c, const char *path, char *msg, size_t msgsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msgsz, "%s: %s", path, strerror(errno));
        return CONFIG_ERR_IO;
    }
    char *text = malloc(CONFIG_FILE_MAX + 1);
    if (!text) {
        fclose(f);
        snprintf(msg, msgsz, "%s: out of memory", path);
        return CONFIG_ERR_IO;
    }
    size_t n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
    fclose(f);
    enum config_err e;
    if (n > CONFIG_FILE_MAX) {
        snprintf(msg, msgsz, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
        e = CONFIG_ERR_IO;
    } else {
        char sub[300];
        e = config_load_text(c, text, n, sub, sizeof(sub));
        if (e != CONFIG_OK)
            snprintf(msg, msgsz, "%s: %s", path, sub);
    }
    free(text);
    return e;
}

static void config_env_name(const char *name, char *out, size_t outsz)
{
    size_t n = (size_t)snprintf(out, outsz, "REFETTORIO_");
    for (const char *p = name; *p && n + 1 < outsz; p++)
        out[n++] = *p == '.' ? '_' : (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

enum config_err config_load_env(struct config *c, char *msg, size_t msgsz)
{
    for (size_t i = 0; i < CONFIG_NOPTIONS; i++) {
        char env[96];
        config_env_name(config_options[i].name, env, sizeof(env));
        const char *v = getenv(env);
        if (!v)
            continue;
        char sub[256];
        enum config_err e = config_apply(c, &config_options[i], v, sub, sizeof(sub));
        if (e != CONFIG_OK) {
            snprintf(msg, msgsz, "%s: %s", env, sub);
            return e;
        }
    }
    return CONFIG_OK;
}

const char *config_option_name(size_t i)
{
    return i < CONFIG_NOPTIONS ? config_options[i].name : NULL;
}

void config_print_help(FILE *out)
{
    fprintf(out, "Options (INI file section.key; environment variable; default):\n\n");
    for (size_t i = 0; i < CONFIG_NOPTIONS; i++) {
        const struct config_option *o = &config_options[i];
        char env[96];
        config_env_name(o->name, env, sizeof(env));
        fprintf(out, "  %-24s %s\n  %-24s default: %s\n      %s\n\n", o->name, env, "",
                o->def[0] ? o->def : "(empty)", o->help);
    }
}
