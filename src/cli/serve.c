/* refettorio serve: the web server. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/run.h"

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: refettorio serve [--config FILE] [--listen ADDR] [--port N] [--db PATH]\n"
            "                        [--static-dir DIR] [--threads N] [--log-level L]\n"
            "                        [--set section.key=value]\n\n"
            "Runs the web server until SIGTERM or SIGINT. The database is created and migrated\n"
            "at start-up. Settings come from the defaults, then the INI file given with\n"
            "--config, then REFETTORIO_* environment variables, then the flags.\n\n");
    config_print_help(out);
}

int cli_serve(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            serve_usage(stdout);
            return 0;
        }
    struct cli_server_flags flags = {0};
    int next = cli_parse_server_flags(argc, argv, &flags, NULL, NULL);
    if (next < 0)
        return 2;
    if (next < argc) {
        fprintf(stderr, "refettorio serve: unknown argument \"%s\"\n\n", argv[next]);
        serve_usage(stderr);
        return 2;
    }
    struct config cfg;
    if (cli_build_config(&cfg, &flags) != 0)
        return 2;
    if (cli_start_services(&cfg) != 0)
        return 1;
    return cli_serve_until_signal(&cfg);
}
