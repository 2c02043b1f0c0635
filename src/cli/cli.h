/*
 * Subcommands of the refettorio binary. Each takes the arguments after its own name
 * (argv[0] is the subcommand name) and returns the process exit status.
 */
#ifndef REFETTORIO_CLI_CLI_H
#define REFETTORIO_CLI_CLI_H

int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_admin(int argc, char **argv);
int cli_demo(int argc, char **argv);
/* refettorio check cf|cf11|iban|creditor-id|email|mobile|notice|qr ... (domain core). */
int cli_check(int argc, char **argv);
/* refettorio smtp-standin --port N --dir DIR: the local SMTP server of the tests and the demo. */
int cli_smtp_standin(int argc, char **argv);
/* refettorio pagopa-standin [--port N] [--dir DIR]: the local pagoPA GPD and Checkout of the
   tests and the demo. */
int cli_pagopa_standin(int argc, char **argv);

#endif
