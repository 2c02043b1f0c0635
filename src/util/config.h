/*
 * Server configuration: defaults, then an INI file (`[section]` / `key = value`), then
 * environment variables (REFETTORIO_SECTION_KEY), then command-line flags, each layer overriding
 * the one before. The option table in config.c is the single source of names, defaults, limits
 * and the help text printed by `refettorio serve --help`.
 */
#ifndef REFETTORIO_UTIL_CONFIG_H
#define REFETTORIO_UTIL_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#define CONFIG_STR_MAX 512

struct config {
    char listen[64];     /* server.listen: address to bind */
    int port;            /* server.port */
    int threads;         /* server.threads: worker threads (thread pool) */
    int max_connections; /* server.max_connections */
    int idle_timeout;    /* server.idle_timeout: seconds a keep-alive connection may idle */
    int request_timeout; /* server.request_timeout: seconds to receive a whole request */
    bool tls;            /* server.tls: the site is served over HTTPS (Secure cookies) */
    char static_dir[CONFIG_STR_MAX]; /* server.static_dir */
    char public_url[CONFIG_STR_MAX]; /* server.public_url */
    char db_path[CONFIG_STR_MAX];    /* database.path */
    int session_idle_minutes;        /* session.idle_minutes */
    char log_level[16];              /* log.level */
    bool access_log;                 /* log.access */
    char mail_url[CONFIG_STR_MAX];   /* mail.url: smtp://host:port or smtps://...; "" = no sender */
    char mail_from[CONFIG_STR_MAX];  /* mail.from: envelope and From address (no display name) */
    char mail_username[256];         /* mail.username: SMTP AUTH user, "" = no authentication */
    char mail_password[256];         /* mail.password */
    char mail_tls[16];               /* mail.tls: none, try, starttls or tls */
    int mail_max_attempts;           /* mail.max_attempts */
    int mail_poll_seconds;           /* mail.poll_seconds */
    char pagopa_gpd_url[CONFIG_STR_MAX];      /* pagopa.gpd_url: GPD base URL; "" = no payments */
    char pagopa_api_key[256];                 /* pagopa.api_key: Ocp-Apim-Subscription-Key */
    char pagopa_checkout_url[CONFIG_STR_MAX]; /* pagopa.checkout_url: Checkout ".../ec/v1" */
    int pagopa_timeout_seconds;               /* pagopa.timeout_seconds: one whole request */
    int pagopa_max_attempts;                  /* pagopa.max_attempts: per call, transient errors */
    int pagopa_reconcile_seconds;             /* pagopa.reconcile_seconds */
    bool demo;                                /* set by `refettorio demo`, never by the file */
};

enum config_err {
    CONFIG_OK = 0,
    CONFIG_ERR_IO,
    CONFIG_ERR_SYNTAX,
    CONFIG_ERR_KEY,
    CONFIG_ERR_VALUE
};

void config_defaults(struct config *c);
/* Load an INI file; on error, msg (size msgsz) says which line and why. */
enum config_err config_load_file(struct config *c, const char *path, char *msg, size_t msgsz);
/* Parse INI text (used by config_load_file and by the fuzz target). */
enum config_err config_load_text(struct config *c, const char *text, size_t len, char *msg,
                                 size_t msgsz);
enum config_err config_load_env(struct config *c, char *msg, size_t msgsz);
/* Set one option by its dotted name ("server.port"), validating the value. */
enum config_err config_set(struct config *c, const char *name, const char *value, char *msg,
                           size_t msgsz);
/* The dotted name of option i of the table, NULL past the end (for tests and docs). */
const char *config_option_name(size_t i);
/* Print every option with its default, environment variable and explanation. */
void config_print_help(FILE *out);

#endif
