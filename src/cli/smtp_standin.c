/*
 * refettorio smtp-standin --port N --dir DIR [--username U --password P]: runs the SMTP stand-in
 * (src/standins/smtp.h) in the foreground until SIGTERM or SIGINT, for the HTTP tests and for
 * people trying the mail path by hand. Never a production mail server: it only stores.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "standins/smtp.h"

static void smtp_standin_usage(FILE *out)
{
    fprintf(out,
            "usage: refettorio smtp-standin --dir DIR [--port N] [--username U --password P]\n\n"
            "A local SMTP server on 127.0.0.1 that stores every message it accepts as\n"
            "DIR/<n>.eml. For tests and the demo only: it never delivers anything.\n"
            "Port 0 (the default) picks a free port; the port is printed on start.\n");
}

int cli_smtp_standin(int argc, char **argv)
{
    struct smtp_standin_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            smtp_standin_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--dir") && v) {
            o.dir = v;
        } else if (!strcmp(argv[i], "--port") && v) {
            char *end;
            long p = strtol(v, &end, 10);
            if (*end || p < 0 || p > 65535) {
                fprintf(stderr, "refettorio smtp-standin: bad port \"%s\"\n", v);
                return 2;
            }
            o.port = (int)p;
        } else if (!strcmp(argv[i], "--username") && v) {
            o.username = v;
        } else if (!strcmp(argv[i], "--password") && v) {
            o.password = v;
        } else {
            smtp_standin_usage(stderr);
            return 2;
        }
        i++;
    }
    if (!o.dir) {
        smtp_standin_usage(stderr);
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the thread exists */
    char err[256];
    struct smtp_standin *s = smtp_standin_start(&o, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "refettorio smtp-standin: %s\n", err);
        return 1;
    }
    printf("SMTP stand-in listening on 127.0.0.1:%d, storing into %s (not for production)\n",
           smtp_standin_port(s), o.dir);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    smtp_standin_stop(s);
    return 0;
}
