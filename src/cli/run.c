#include "cli/run.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "integrations/mail/sender.h"
#include "services/meal_worker.h"
#include "services/payment.h"
#include "services/payment_worker.h"
#include "services/password.h"
#include "store/store.h"
#include "util/log.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"
#include "web/server.h"
#include "web/session.h"
#include "web/static.h"

#define CLI_MAINTENANCE_SECONDS 60

int cli_parse_server_flags(int argc, char **argv, struct cli_server_flags *f,
                           int (*extra)(int argc, char **argv, int i, void *ctx), void *ctx)
{
    static const struct {
        const char *flag, *option;
    } map[] = {
        {"--listen", "server.listen"},   {"--port", "server.port"},
        {"--db", "database.path"},       {"--static-dir", "server.static_dir"},
        {"--threads", "server.threads"}, {"--log-level", "log.level"},
    };
    int i = 1;
    while (i < argc) {
        const char *a = argv[i];
        if (extra) {
            int took = extra(argc, argv, i, ctx);
            if (took < 0)
                return -1;
            if (took > 0) {
                i += took;
                continue;
            }
        }
        if (!strcmp(a, "--config") && i + 1 < argc) {
            f->config_file = argv[i + 1];
            i += 2;
            continue;
        }
        if (!strcmp(a, "--set") && i + 1 < argc) {
            char *eq = strchr(argv[i + 1], '=');
            if (!eq || f->nset == 16) {
                fprintf(stderr, "--set takes name=value\n");
                return -1;
            }
            *eq = '\0';
            f->set[f->nset][0] = argv[i + 1];
            f->set[f->nset][1] = eq + 1;
            f->nset++;
            i += 2;
            continue;
        }
        bool found = false;
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
            if (!strcmp(a, map[k].flag) && i + 1 < argc && f->nset < 16) {
                f->set[f->nset][0] = map[k].option;
                f->set[f->nset][1] = argv[i + 1];
                f->nset++;
                i += 2;
                found = true;
                break;
            }
        }
        if (!found)
            return i;
    }
    return i;
}

int cli_build_config(struct config *cfg, const struct cli_server_flags *f)
{
    char msg[512];
    config_defaults(cfg);
    if (f->config_file && config_load_file(cfg, f->config_file, msg, sizeof(msg)) != CONFIG_OK) {
        fprintf(stderr, "refettorio: configuration: %s\n", msg);
        return -1;
    }
    if (config_load_env(cfg, msg, sizeof(msg)) != CONFIG_OK) {
        fprintf(stderr, "refettorio: environment: %s\n", msg);
        return -1;
    }
    for (int i = 0; i < f->nset; i++)
        if (config_set(cfg, f->set[i][0], f->set[i][1], msg, sizeof(msg)) != CONFIG_OK) {
            fprintf(stderr, "refettorio: %s\n", msg);
            return -1;
        }
    if (!strcmp(cfg->log_level, "debug"))
        log_set_level(LOG_DEBUG);
    else if (!strcmp(cfg->log_level, "warn"))
        log_set_level(LOG_WARN);
    else if (!strcmp(cfg->log_level, "error"))
        log_set_level(LOG_ERROR);
    return 0;
}

int cli_start_services(const struct config *cfg)
{
    char err[512];
    if (password_init() != 0) {
        fprintf(stderr, "refettorio: cannot initialise libsodium\n");
        return -1;
    }
    if (i18n_init() != 0) {
        fprintf(stderr, "refettorio: malformed translation catalogue\n");
        return -1;
    }
    if (store_init(cfg->db_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "refettorio: database: %s\n", err);
        return -1;
    }
    static_configure(cfg->static_dir);
    if (cfg->public_url[0]) {
        page_set_public_url(cfg->public_url);
    } else {
        char url[128];
        snprintf(url, sizeof(url), "http://%s:%d",
                 strcmp(cfg->listen, "0.0.0.0") ? cfg->listen : "127.0.0.1", cfg->port);
        page_set_public_url(url);
    }
    router_set_demo(cfg->demo);
    payment_configure(cfg->pagopa_gpd_url, cfg->pagopa_api_key, cfg->pagopa_checkout_url,
                      cfg->pagopa_timeout_seconds, cfg->pagopa_max_attempts);
    session_configure(cfg->tls, cfg->session_idle_minutes);
    return 0;
}

int cli_serve_until_signal(const struct config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked before the server threads exist, so only this thread receives them. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct server *srv = server_start(cfg);
    if (!srv)
        return 1;
    if (sender_start(cfg) != 0) {
        server_stop(srv);
        store_thread_done();
        return 1;
    }
    if (payment_worker_start(cfg->pagopa_reconcile_seconds) != 0) {
        sender_stop();
        server_stop(srv);
        store_thread_done();
        return 1;
    }
    if (meal_worker_start() != 0) {
        payment_worker_stop();
        sender_stop();
        server_stop(srv);
        store_thread_done();
        return 1;
    }
    char port[16], threads[16];
    snprintf(port, sizeof(port), "%d", cfg->port);
    snprintf(threads, sizeof(threads), "%d", cfg->threads);
    log_info("listening", "address", cfg->listen, "port", port, "threads", threads, "db",
             cfg->db_path);
    for (;;) {
        struct timespec wait = {.tv_sec = CLI_MAINTENANCE_SECONDS};
        siginfo_t info;
        int sig = sigtimedwait(&set, &info, &wait);
        if (sig < 0) {
            if (errno == EAGAIN)
                session_purge_expired();
            continue;
        }
        if (sig == SIGHUP)
            continue; /* reserved for reloading; ignored rather than fatal */
        log_info("stopping", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
    meal_worker_stop();    /* a cut-off in flight finishes: it is one transaction */
    payment_worker_stop(); /* a reconciliation in flight finishes; credits are idempotent */
    sender_stop();         /* waits for the message in flight; nothing is lost, it stays claimed */
    server_stop(srv);
    store_thread_done();
    log_info("stopped");
    return 0;
}

int cli_read_password(const char *prompt, char *out, size_t outsz)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(out, (int)outsz, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (!got)
        return -1;
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[--n] = '\0';
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    return 0;
}
