/*
 * Shared by `serve` and `demo`: build the configuration from file, environment and flags, start
 * every subsystem, serve until SIGTERM/SIGINT, and stop cleanly.
 */
#ifndef REFETTORIO_CLI_RUN_H
#define REFETTORIO_CLI_RUN_H

#include <stdbool.h>

#include "util/config.h"

/* Flags common to serve and demo, applied over the file and the environment. */
struct cli_server_flags {
    const char *config_file;
    const char *set[16][2]; /* option name, value */
    int nset;
};

/* Parse --config/--listen/--port/--db/--static-dir/--threads/--set name=value into flags.
   Returns the index of the first argument it did not consume, or -1 after printing an error.
   extra_ok(arg) lets a command accept its own flags (returns how many args it took, 0 if none). */
int cli_parse_server_flags(int argc, char **argv, struct cli_server_flags *f,
                           int (*extra)(int argc, char **argv, int i, void *ctx), void *ctx);
/* Defaults, then file, then environment, then flags. 0, or -1 after printing the error. */
int cli_build_config(struct config *cfg, const struct cli_server_flags *f);
/* Open the database, apply migrations, initialise crypto and translations. 0 or -1. */
int cli_start_services(const struct config *cfg);
/* Serve until a termination signal; 0 on a clean stop. */
int cli_serve_until_signal(const struct config *cfg);
/* Read a password from stdin (no echo on a terminal), without the newline. 0 or -1. */
int cli_read_password(const char *prompt, char *out, size_t outsz);

#endif
