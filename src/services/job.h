/*
 * Jobs that run exactly once, even when the server restarts or several nodes run the scheduler:
 * each run of a job is a job_run row with the unique key (tenant, kind, run_key), for instance
 * (Comune di Prova, "cutoff", "2026-11-24"). A node runs the body only after job_claim returned
 * JOB_CLAIMED; the claim is taken inside one immediate transaction (the write lock first, then
 * the row is read and written), so two nodes can never both hold it. The holder keeps a lease
 * alive with job_heartbeat; when a node dies mid-run its lease runs out and another node can
 * take the run over. A failed run can be claimed again; a finished one never is.
 *
 * Every claim carries the holder's node name and a random token. job_heartbeat, job_finish and
 * job_fail change the row only while both still match the running claim, so a node that was
 * slow (its lease taken over by another) cannot overwrite the new holder's result: it gets
 * JOB_LOST and must stop. Claims, finishes and failures are audit-logged (entity "job_run",
 * actions "job.claim", "job.finish", "job.fail"); BUSY and ALREADY_DONE change nothing and are
 * not logged, so a scheduler may poll.
 *
 * Writing a job body that is safe to restart. A lease can run out while the body is still
 * running (a long stall, a paused VM), and a node can die after any statement, so the body of a
 * job must be correct when it runs again, in part or in whole, over the work of an earlier run:
 *   - Every write is idempotent by a unique key, so a second run finds what the first one wrote
 *     and changes nothing: INSERT ... ON CONFLICT DO NOTHING, or a constraint error read as
 *     "already there". The cut-off job inserts one meal row per pupil and day with
 *     UNIQUE (pupil, day), and charges each meal with ledger_append and the ref
 *     "meal:<pupil>:<day>" (unique per tenant; ledger_append returns 1 when the ref was already
 *     used), so a rerun after a crash neither adds a meal nor charges twice.
 *   - When the work fits in one transaction, the body ends it with job_finish_tx before its
 *     commit: the last write and the "done" mark are then one atomic step, and a crash leaves
 *     either nothing or everything. A body too large for one transaction commits in batches (each
 *     idempotent), calls job_heartbeat between them, stops as soon as it gets JOB_LOST, and calls
 *     job_finish at the end.
 *   - Read the input inside the transaction that writes from it (no decisions carried over from
 *     before the claim), and never send mail directly from a body: queue it in the outbox in the
 *     same transaction as the rows it reports on, and only when those rows were new, so that a
 *     rerun that finds them already there queues nothing.
 *   - On an error, roll back the body's open transaction, then call job_fail; the next claim
 *     retries (attempts counts the claims; last_error keeps the most recent error).
 */
#ifndef REFETTORIO_SERVICES_JOB_H
#define REFETTORIO_SERVICES_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"
#include "util/time.h"

/* Hard limits: longer names are refused (JOB_INVALID); longer results and errors are cut. */
#define JOB_KIND_MAX    32   /* "cutoff", "kitchen_mail" */
#define JOB_RUN_KEY_MAX 64   /* "2026-11-24" */
#define JOB_NODE_MAX    128  /* "host:pid" */
#define JOB_TEXT_MAX    2000 /* result / last_error */
#define JOB_LEASE_MIN   1
#define JOB_LEASE_MAX   86400
#define JOB_LIST_MAX    500
#define JOB_TOKEN_HEX   32

enum job_err {
    JOB_OK = 0,       /* job_heartbeat, job_finish, job_fail: applied */
    JOB_CLAIMED,      /* job_claim: the run is the caller's; run the body */
    JOB_ALREADY_DONE, /* job_claim: a run with this key has finished; nothing to do */
    JOB_BUSY,         /* job_claim: another claim holds a live lease */
    JOB_LOST,         /* heartbeat/finish/fail: the caller no longer holds the claim; stop */
    JOB_INVALID,      /* an empty or too long name, or a lease out of range */
    JOB_ERROR,        /* database error (logged) */
};

/* What a claim holds. Self-contained (no arena), valid until the run ends. */
struct job_claim {
    int64_t id; /* the job_run row */
    int64_t tenant_id;
    char kind[JOB_KIND_MAX + 1];
    char run_key[JOB_RUN_KEY_MAX + 1];
    char node[JOB_NODE_MAX + 1];
    char token[JOB_TOKEN_HEX + 1];
    int attempts;      /* 1 for the first claim of the key */
    int lease_seconds; /* renewed from now by each heartbeat */
    char lease_until[TIME_ISO_MAX];
};

/* A short name for the result ("claimed", "busy", ...), for logs. */
const char *job_err_name(enum job_err e);

/* This process's node name for claims: "<hostname>:<pid>", into out[JOB_NODE_MAX + 1]. */
void job_node_name(char *out);

/*
 * Claim the run (tenant_id, kind, run_key) for node, with a lease of lease_seconds from now.
 * Claims it when no row exists, when its last run failed, or when it is running under a lease
 * that has run out (its holder died or stalled). Runs its own immediate transaction, so the
 * caller must not be inside one. tenant_id 0 is a platform-wide job.
 * JOB_CLAIMED (claim filled in), JOB_ALREADY_DONE, JOB_BUSY, JOB_INVALID or JOB_ERROR.
 */
enum job_err job_claim(struct db *db, int64_t tenant_id, const char *kind, const char *run_key,
                       const char *node, int lease_seconds, struct job_claim *claim);
/* Renew the lease for claim->lease_seconds from now (own statement, no transaction needed).
   JOB_OK, JOB_LOST or JOB_ERROR. */
enum job_err job_heartbeat(struct db *db, struct job_claim *claim);
/* Mark the run done with result (a one-line summary, may be NULL), in its own transaction.
   JOB_OK, JOB_LOST (nothing changed) or JOB_ERROR. */
enum job_err job_finish(struct db *db, const struct job_claim *claim, const char *result);
/* The same inside the caller's open transaction, so the body's last write and the "done" mark
   commit together. On JOB_LOST or JOB_ERROR the caller must roll back. */
enum job_err job_finish_tx(struct db *db, const struct job_claim *claim, const char *result);
/* Mark the run failed with error (kept as last_error), in its own transaction; the next
   job_claim may retry it. JOB_OK, JOB_LOST or JOB_ERROR. */
enum job_err job_fail(struct db *db, const struct job_claim *claim, const char *error);

/* One run as stored; strings live in the arena. */
struct job_run {
    int64_t id, tenant_id;
    const char *kind, *run_key;
    const char *status; /* "running", "done", "failed" */
    const char *claimed_by, *claimed_at, *heartbeat_at, *lease_until;
    const char *finished_at; /* "" while running */
    int attempts;
    const char *result, *last_error, *created_at;
};

/* The run with this key: 1 found (*out filled), 0 none, -1 on a database error. */
int job_find(struct db *db, struct arena *a, int64_t tenant_id, const char *kind,
             const char *run_key, struct job_run *out);
/* The tenant's runs, newest first; kind NULL or "" for every kind; limit is capped at
   JOB_LIST_MAX (0 or less selects it). 0, or -1 on a database error. */
int job_list(struct db *db, struct arena *a, int64_t tenant_id, const char *kind, int limit,
             struct job_run **rows, size_t *n);

#endif
