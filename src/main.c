/* refettorio: one binary, one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "docs/doc.h"

static void main_usage(FILE *out)
{
    fprintf(out, "Refettorio: school meal service for Italian municipalities.\n\n"
                 "usage: refettorio COMMAND [options]\n\n"
                 "commands:\n"
                 "  serve     run the web server (refettorio serve --help)\n"
                 "  demo      create the demo municipality and serve it on 127.0.0.1:8080\n"
                 "  migrate   apply pending database migrations\n"
                 "  admin     create municipalities, schools, classes, staff users\n"
                 "  check     validate codici fiscali, IBANs, notice numbers and more\n"
                 "  smtp-standin  a local SMTP server for tests and the demo (never production)\n"
                 "  pagopa-standin  a local pagoPA GPD and Checkout for tests and the demo (never "
                 "production)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stderr);
        return 2;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"serve", cli_serve},
        {"demo", cli_demo},
        {"migrate", cli_migrate},
        {"admin", cli_admin},
        {"check", cli_check},
        {"smtp-standin", cli_smtp_standin},
        {"pagopa-standin", cli_pagopa_standin},
    };
    /* Hidden: the PDF renderer, started as a child process by doc_render_pdf (docs/doc.h). */
    if (!strcmp(argv[1], "render-pdf"))
        return doc_render_main(stdin, stdout);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        main_usage(stdout);
        return 0;
    }
    fprintf(stderr, "refettorio: unknown command \"%s\"\n\n", argv[1]);
    main_usage(stderr);
    return 2;
}
