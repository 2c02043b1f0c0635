/* refettorio demo: create the demo municipality if needed, start the SMTP stand-in (unless
   mail.url names another server), print the logins, serve. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "app/office/mail.h"
#include "cli/run.h"
#include "standins/pagopa.h"
#include "standins/smtp.h"
#include "services/demo.h"
#include "store/store.h"

#define DEMO_MEAL_HISTORY_DAYS 14 /* calendar days of meals already frozen in a new demo */

struct demo_flags {
    bool no_banner;
    int meal_history_days;
};

static int demo_extra(int argc, char **argv, int i, void *ctx)
{
    struct demo_flags *f = ctx;
    if (!strcmp(argv[i], "--no-banner")) {
        f->no_banner = true;
        return 1;
    }
    if (!strcmp(argv[i], "--meal-history") && i + 1 < argc) {
        char *end;
        long days = strtol(argv[i + 1], &end, 10);
        if (*argv[i + 1] == '\0' || *end || days < 0 || days > 366)
            return -1;
        f->meal_history_days = (int)days;
        return 2;
    }
    return 0;
}

static int demo_make_parent(const char *path)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", path);
    const char *dir = dirname(copy);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "refettorio demo: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* The stand-in stores the demo's mail in demo-mail/ beside the database, and mail.url points at
   it; a mail.url given by the person wins. *standin stays NULL then. */
static int demo_start_mail(struct config *cfg, struct smtp_standin **standin)
{
    *standin = NULL;
    if (cfg->mail_url[0])
        return 0;
    char copy[CONFIG_STR_MAX], dir[CONFIG_STR_MAX + 16], err[256];
    snprintf(copy, sizeof(copy), "%s", cfg->db_path);
    snprintf(dir, sizeof(dir), "%s/demo-mail", dirname(copy));
    struct smtp_standin_opts o = {.dir = dir, .port = 0};
    *standin = smtp_standin_start(&o, err, sizeof(err));
    if (!*standin) {
        fprintf(stderr, "refettorio demo: SMTP stand-in: %s\n", err);
        return -1;
    }
    snprintf(cfg->mail_url, sizeof(cfg->mail_url), "smtp://127.0.0.1:%d",
             smtp_standin_port(*standin));
    snprintf(cfg->mail_tls, sizeof(cfg->mail_tls), "none"); /* loopback, never leaves the host */
    mail_demo_set_dir(dir);
    return 0;
}

/* The pagoPA stand-in keeps the demo's positions in demo-pagopa/ beside the database, and
   pagopa.gpd_url and pagopa.checkout_url point at it; a pagopa.gpd_url given by the person wins.
   A payment made on its checkout page shows in GPD 20 seconds later, so the family first sees
   "awaiting confirmation". *standin stays NULL when not started. */
static int demo_start_pagopa(struct config *cfg, struct pagopa_standin **standin)
{
    *standin = NULL;
    if (cfg->pagopa_gpd_url[0])
        return 0;
    char copy[CONFIG_STR_MAX], dir[CONFIG_STR_MAX + 16], err[256];
    snprintf(copy, sizeof(copy), "%s", cfg->db_path);
    snprintf(dir, sizeof(dir), "%s/demo-pagopa", dirname(copy));
    if (access(cfg->db_path, F_OK) != 0) {
        /* A new demo database numbers its notices from the start again: forget the positions
           of the previous one. */
        char old[CONFIG_STR_MAX + 64];
        snprintf(old, sizeof(old), "%s/positions.json", dir);
        unlink(old);
    }
    struct pagopa_standin_opts o = {.dir = dir, .port = 0, .confirm_delay_seconds = 20};
    *standin = pagopa_standin_start(&o, err, sizeof(err));
    if (!*standin) {
        fprintf(stderr, "refettorio demo: pagoPA stand-in: %s\n", err);
        return -1;
    }
    int port = pagopa_standin_port(*standin);
    snprintf(cfg->pagopa_gpd_url, sizeof(cfg->pagopa_gpd_url), "http://127.0.0.1:%d", port);
    snprintf(cfg->pagopa_checkout_url, sizeof(cfg->pagopa_checkout_url),
             "http://127.0.0.1:%d/checkout/ec/v1", port);
    if (cfg->pagopa_reconcile_seconds > 30)
        cfg->pagopa_reconcile_seconds = 30; /* the demo shows confirmations quickly */
    return 0;
}

static int demo_pay(void *ctx, const char *org_cf, const char *iupd)
{
    return pagopa_standin_pay(ctx, org_cf, iupd, 0) < 0 ? -1 : 0;
}

static int demo_add_unknown(void *ctx, const char *org_cf, const char *iupd, const char *iuv,
                            int64_t cents)
{
    return pagopa_standin_add_paid(ctx, org_cf, iupd, iuv, cents);
}

static void demo_banner(const struct config *cfg, bool created)
{
    const char *host = strcmp(cfg->listen, "0.0.0.0") ? cfg->listen : "127.0.0.1";
    printf("\nRefettorio demo — %s %s\n\n", created ? "created" : "reusing", cfg->db_path);
    printf("  Portal (families):  http://%s:%d/%s/\n", host, cfg->port, DEMO_TENANT_SLUG);
    printf("  Family sign-in:     http://%s:%d/%s/famiglie/accedi\n", host, cfg->port,
           DEMO_TENANT_SLUG);
    printf("  Back office:        http://%s:%d/%s/ufficio/accedi\n\n", host, cfg->port,
           DEMO_TENANT_SLUG);
    printf("  Sent e-mail:        http://%s:%d/%s/demo/posta\n", host, cfg->port, DEMO_TENANT_SLUG);
    if (cfg->pagopa_gpd_url[0])
        printf("  pagoPA stand-in:    %s/paga (pay a notice by its number)\n", cfg->pagopa_gpd_url);
    printf("\n");
    printf("  Staff logins (password for all: %s)\n", DEMO_PASSWORD);
    for (int i = 0; demo_logins[i].email; i++)
        printf("    %-34s %-8s %s\n", demo_logins[i].email, demo_logins[i].role,
               demo_logins[i].name);
    printf("    %-34s %-8s %s\n", DEMO_SUPERADMIN_EMAIL, "platform",
           "Elena Galli, at /piattaforma/accedi");
    printf("\n  Family logins (a child's codice fiscale, or the user code on the family page)\n");
    for (int i = 0; demo_family_logins[i].login; i++)
        printf("    %-18s %-20s %s%s\n", demo_family_logins[i].login,
               demo_family_logins[i].password, demo_family_logins[i].who,
               demo_family_logins[i].temporary ? " (temporary password: changed at first sign-in)"
                                               : "");
    printf("\n  Stop with Ctrl-C.\n\n");
    fflush(stdout);
}

int cli_demo(int argc, char **argv)
{
    struct demo_flags df = {.meal_history_days = DEMO_MEAL_HISTORY_DAYS};
    struct cli_server_flags flags = {0};
    /* Demo defaults first, so flags and environment still override them. */
    flags.set[flags.nset][0] = "database.path";
    flags.set[flags.nset++][1] = "var/demo.sqlite";
    flags.set[flags.nset][0] = "mail.poll_seconds"; /* sent mail shows up at once */
    flags.set[flags.nset++][1] = "2";
    int next = cli_parse_server_flags(argc, argv, &flags, demo_extra, &df);
    if (next < 0 || next < argc) {
        fprintf(stderr, "usage: refettorio demo [--db PATH] [--port N] [--listen ADDR] "
                        "[--static-dir DIR] [--no-banner] [--meal-history DAYS]\n");
        return 2;
    }
    struct config cfg;
    if (cli_build_config(&cfg, &flags) != 0)
        return 2;
    cfg.demo = true;
    struct pagopa_standin *pagopa = NULL;
    if (demo_make_parent(cfg.db_path) != 0 || demo_start_pagopa(&cfg, &pagopa) != 0)
        return 1;
    if (cli_start_services(&cfg) != 0) {
        pagopa_standin_stop(pagopa);
        return 1;
    }
    bool created = false;
    struct db *db = store_db();
    char base_url[128];
    snprintf(base_url, sizeof(base_url), "http://%s:%d",
             strcmp(cfg.listen, "0.0.0.0") ? cfg.listen : "127.0.0.1", cfg.port);
    if (!db || demo_seed(db, cfg.public_url[0] ? cfg.public_url : base_url, &created) != 0) {
        fprintf(stderr, "refettorio demo: cannot create the demo data\n");
        pagopa_standin_stop(pagopa);
        return 1;
    }
    struct demo_pagopa hands = {.ctx = pagopa, .pay = demo_pay, .add_unknown = demo_add_unknown};
    if (created && demo_seed_payments(db, pagopa ? &hands : NULL) != 0) {
        fprintf(stderr, "refettorio demo: cannot create the demo payments\n");
        pagopa_standin_stop(pagopa);
        return 1;
    }
    if (created && demo_seed_meal_history(db, df.meal_history_days) != 0) {
        fprintf(stderr, "refettorio demo: cannot freeze the demo's past meals\n");
        pagopa_standin_stop(pagopa);
        return 1;
    }
    struct smtp_standin *standin = NULL;
    if (demo_start_mail(&cfg, &standin) != 0)
        return 1;
    if (!df.no_banner)
        demo_banner(&cfg, created);
    int rc = cli_serve_until_signal(&cfg);
    smtp_standin_stop(standin);  /* after the sender has stopped */
    pagopa_standin_stop(pagopa); /* after the reconciliation has stopped */
    return rc;
}
