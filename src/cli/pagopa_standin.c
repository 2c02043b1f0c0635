/*
 * refettorio pagopa-standin [--port N] [--dir D] [--api-key K] [--confirm-delay S]: runs the
 * pagoPA stand-in (src/standins/pagopa.h) in the foreground until SIGTERM or SIGINT, for the
 * demo and for people trying the payment path by hand. Never a production payment service: no
 * money moves.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "standins/pagopa.h"
#include "web/i18n.h"

static void pagopa_standin_usage(FILE *out)
{
    fprintf(out,
            "usage: refettorio pagopa-standin [--port N] [--dir DIR] [--api-key K]\n"
            "                                 [--confirm-delay SECONDS]\n\n"
            "A local stand-in for pagoPA GPD and Checkout on 127.0.0.1, with a payment page\n"
            "that imitates the payer's side. For tests and the demo only: no money moves.\n"
            "Port 0 (the default) picks a free port; the port is printed on start. With --dir\n"
            "the positions are kept in DIR/positions.json across restarts. --api-key makes the\n"
            "APIs require that Ocp-Apim-Subscription-Key; --confirm-delay makes payments show\n"
            "in GPD only that many seconds after they are made.\n");
}

static int pagopa_standin_number(const char *v, long max, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

int cli_pagopa_standin(int argc, char **argv)
{
    struct pagopa_standin_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            pagopa_standin_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--dir") && v) {
            o.dir = v;
        } else if (!strcmp(argv[i], "--api-key") && v) {
            o.api_key = v;
        } else if (!strcmp(argv[i], "--port") && v) {
            if (pagopa_standin_number(v, 65535, &n) != 0) {
                fprintf(stderr, "refettorio pagopa-standin: bad port \"%s\"\n", v);
                return 2;
            }
            o.port = (int)n;
        } else if (!strcmp(argv[i], "--confirm-delay") && v) {
            if (pagopa_standin_number(v, 86400, &n) != 0) {
                fprintf(stderr, "refettorio pagopa-standin: bad delay \"%s\"\n", v);
                return 2;
            }
            o.confirm_delay_seconds = (int)n;
        } else {
            pagopa_standin_usage(stderr);
            return 2;
        }
        i++;
    }
    if (i18n_init() != 0) /* the payment pages speak Italian through the catalogue */
        return 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the threads exist */
    char err[256];
    struct pagopa_standin *s = pagopa_standin_start(&o, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "refettorio pagopa-standin: %s\n", err);
        return 1;
    }
    int port = pagopa_standin_port(s);
    printf("pagoPA stand-in listening on 127.0.0.1:%d (not for production)\n"
           "  pagopa.gpd_url      = http://127.0.0.1:%d/gpd/debt-positions-service/v1\n"
           "  pagopa.checkout_url = http://127.0.0.1:%d/checkout/ec/v1\n"
           "  pay a notice by number: http://127.0.0.1:%d/paga\n"
           "  positions kept in %s\n",
           port, port, port, port, o.dir ? o.dir : "memory only");
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    pagopa_standin_stop(s);
    return 0;
}
