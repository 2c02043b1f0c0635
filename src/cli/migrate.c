/* refettorio migrate: apply pending migrations and say what was done. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/run.h"
#include "store/migrate.h"
#include "store/store.h"

int cli_migrate(int argc, char **argv)
{
    struct cli_server_flags flags = {0};
    int next = cli_parse_server_flags(argc, argv, &flags, NULL, NULL);
    if (next < 0 || next < argc) {
        fprintf(stderr, "usage: refettorio migrate [--db PATH] [--config FILE]\n");
        return 2;
    }
    struct config cfg;
    if (cli_build_config(&cfg, &flags) != 0)
        return 2;
    char err[512];
    struct db *db = db_open(cfg.db_path, NULL, err, sizeof(err));
    if (!db) {
        fprintf(stderr, "refettorio migrate: %s\n", err);
        return 1;
    }
    int applied = 0;
    int rc = migrate_apply(db, &applied, err, sizeof(err));
    db_close(db);
    if (rc != 0) {
        fprintf(stderr, "refettorio migrate: %s\n", err);
        return 1;
    }
    printf("%d migration(s) applied; schema version %d\n", applied, migrate_latest_version());
    return 0;
}
