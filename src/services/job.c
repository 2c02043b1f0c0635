/* Jobs that run exactly once; see job.h. */
#include "services/job.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "services/audit.h"
#include "util/log.h"

const char *job_err_name(enum job_err e)
{
    switch (e) {
    case JOB_OK:
        return "ok";
    case JOB_CLAIMED:
        return "claimed";
    case JOB_ALREADY_DONE:
        return "already_done";
    case JOB_BUSY:
        return "busy";
    case JOB_LOST:
        return "lost";
    case JOB_INVALID:
        return "invalid";
    case JOB_ERROR:
        break;
    }
    return "error";
}

void job_node_name(char *out)
{
    char host[JOB_NODE_MAX + 1] = "";
    if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
        snprintf(host, sizeof(host), "%s", "node");
    /* 100 bytes of host name leave room for ":" and any pid within JOB_NODE_MAX. */
    snprintf(out, JOB_NODE_MAX + 1, "%.100s:%ld", host, (long)getpid());
}

/* A key part: 1..max bytes, no control characters (they end up in logs and on a page). */
static bool job_name_ok(const char *s, size_t max)
{
    if (!s || !*s)
        return false;
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= max || (unsigned char)s[n] < 0x20 || s[n] == 0x7f)
            return false;
    return true;
}

/* s cut to JOB_TEXT_MAX bytes without splitting a UTF-8 sequence, into out[JOB_TEXT_MAX + 1]. */
static void job_text_cut(const char *s, char *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n > JOB_TEXT_MAX) {
        n = JOB_TEXT_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}

/* The audit row is part of the change it records: 0, or -1 and the caller rolls back. */
static int job_audit(struct db *db, const struct job_claim *c, const char *action, const char *from,
                     const char *to, const char *detail)
{
    struct audit_entry a = {.tenant_id = c->tenant_id,
                            .actor = AUDIT_SYSTEM,
                            .actor_label = c->node,
                            .action = action,
                            .entity = "job_run",
                            .entity_id = c->id,
                            .from_state = from,
                            .to_state = to,
                            .detail = detail};
    return audit_record(db, &a);
}

/* The row as the claim reads it inside its transaction. */
struct job_seen {
    int64_t id;
    int attempts;
    char status[16];
    char holder[JOB_NODE_MAX + 1];
    char lease_until[TIME_ISO_MAX];
};

/* 1 when the row exists (*seen filled), 0 when not, -1 on error. */
static int job_claim_read(struct db *db, const struct job_claim *c, struct job_seen *seen)
{
    struct db_stmt *st = db_stmt(db, STMT_JOB_CLAIM_GET);
    if (!st)
        return -1;
    db_bind_int(st, 1, c->tenant_id);
    db_bind_text(st, 2, c->kind);
    db_bind_text(st, 3, c->run_key);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        seen->id = db_col_int(st, 0);
        snprintf(seen->status, sizeof(seen->status), "%s", db_col_text(st, 1));
        snprintf(seen->holder, sizeof(seen->holder), "%s", db_col_text(st, 2));
        snprintf(seen->lease_until, sizeof(seen->lease_until), "%s", db_col_text(st, 3));
        seen->attempts = (int)db_col_int(st, 4);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* Write the claim over no row (seen NULL) or over a failed or expired one. 0 or -1. */
static int job_claim_write(struct db *db, struct job_claim *c, const struct job_seen *seen,
                           const char *now)
{
    struct db_stmt *st;
    if (!seen) {
        st = db_stmt(db, STMT_JOB_CLAIM_INSERT);
        if (!st)
            return -1;
        db_bind_int(st, 1, c->tenant_id);
        db_bind_text(st, 2, c->kind);
        db_bind_text(st, 3, c->run_key);
        db_bind_text(st, 4, c->node);
        db_bind_text(st, 5, c->token);
        db_bind_text(st, 6, now);
        db_bind_text(st, 7, c->lease_until);
        if (db_exec_stmt(st) != DB_OK)
            return -1;
        c->id = db_last_id(db);
        c->attempts = 1;
        return 0;
    }
    st = db_stmt(db, STMT_JOB_CLAIM_RETAKE);
    if (!st)
        return -1;
    db_bind_int(st, 1, seen->id);
    db_bind_text(st, 2, c->node);
    db_bind_text(st, 3, c->token);
    db_bind_text(st, 4, now);
    db_bind_text(st, 5, c->lease_until);
    db_bind_int(st, 6, seen->attempts);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        c->id = seen->id;
        c->attempts = (int)db_col_int(st, 0);
    }
    db_reset(st);
    return e == DB_ROW ? 0 : -1;
}

enum job_err job_claim(struct db *db, int64_t tenant_id, const char *kind, const char *run_key,
                       const char *node, int lease_seconds, struct job_claim *claim)
{
    memset(claim, 0, sizeof(*claim));
    if (tenant_id < 0 || !job_name_ok(kind, JOB_KIND_MAX) ||
        !job_name_ok(run_key, JOB_RUN_KEY_MAX) || !job_name_ok(node, JOB_NODE_MAX) ||
        lease_seconds < JOB_LEASE_MIN || lease_seconds > JOB_LEASE_MAX)
        return JOB_INVALID;
    if (sodium_init() < 0)
        return JOB_ERROR;
    claim->tenant_id = tenant_id;
    snprintf(claim->kind, sizeof(claim->kind), "%s", kind);
    snprintf(claim->run_key, sizeof(claim->run_key), "%s", run_key);
    snprintf(claim->node, sizeof(claim->node), "%s", node);
    unsigned char raw[JOB_TOKEN_HEX / 2];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(claim->token, sizeof(claim->token), raw, sizeof(raw));
    claim->lease_seconds = lease_seconds;
    time_t now_t = time_now();
    char now[TIME_ISO_MAX];
    time_iso(now_t, now);
    time_iso(now_t + lease_seconds, claim->lease_until);

    /* Immediate: the write lock is held before the row is read, so the read and the write are
       one step for every other connection and node. */
    if (db_begin(db) != DB_OK) {
        log_error("job claim: cannot begin", "kind", kind, "key", run_key, "error", db_errmsg(db));
        return JOB_ERROR;
    }
    struct job_seen seen = {0};
    int found = job_claim_read(db, claim, &seen);
    if (found < 0)
        goto fail;
    if (found && !strcmp(seen.status, "done")) {
        db_rollback(db);
        return JOB_ALREADY_DONE;
    }
    /* ISO-8601 UTC of one fixed width compares as text. */
    bool live = found && !strcmp(seen.status, "running") && strcmp(seen.lease_until, now) > 0;
    if (live) {
        db_rollback(db);
        return JOB_BUSY;
    }
    if (job_claim_write(db, claim, found ? &seen : NULL, now) != 0)
        goto fail;
    char detail[640];
    if (found && !strcmp(seen.status, "running"))
        snprintf(detail, sizeof(detail), "%s %s, attempt %d; lease of %s ran out at %s", kind,
                 run_key, claim->attempts, seen.holder, seen.lease_until);
    else
        snprintf(detail, sizeof(detail), "%s %s, attempt %d", kind, run_key, claim->attempts);
    if (job_audit(db, claim, "job.claim", found ? seen.status : NULL, "running", detail) != 0 ||
        db_commit(db) != DB_OK)
        goto fail;
    if (found && !strcmp(seen.status, "running"))
        log_warn("job taken over", "kind", kind, "key", run_key, "from", seen.holder, "node", node);
    return JOB_CLAIMED;
fail:
    log_error("job claim failed", "kind", kind, "key", run_key, "error", db_errmsg(db));
    db_rollback(db);
    memset(claim, 0, sizeof(*claim));
    return JOB_ERROR;
}

/* One holder's update (id, node, token, now, then text as $5 when given). JOB_OK, JOB_LOST when
   the claim is no longer held, JOB_ERROR. */
static enum job_err job_update(struct db *db, const struct job_claim *c, enum stmt_id id,
                               const char *now, const char *text)
{
    if (c->id <= 0)
        return JOB_LOST;
    struct db_stmt *st = db_stmt(db, id);
    if (!st)
        return JOB_ERROR;
    db_bind_int(st, 1, c->id);
    db_bind_text(st, 2, c->node);
    db_bind_text(st, 3, c->token);
    db_bind_text(st, 4, now);
    db_bind_text(st, 5, text);
    if (db_exec_stmt(st) != DB_OK) {
        log_error("job update failed", "kind", c->kind, "key", c->run_key, "error", db_errmsg(db));
        return JOB_ERROR;
    }
    return db_changes(db) == 1 ? JOB_OK : JOB_LOST;
}

enum job_err job_heartbeat(struct db *db, struct job_claim *claim)
{
    time_t now_t = time_now();
    char now[TIME_ISO_MAX], until[TIME_ISO_MAX];
    time_iso(now_t, now);
    time_iso(now_t + claim->lease_seconds, until);
    enum job_err r = job_update(db, claim, STMT_JOB_HEARTBEAT, now, until);
    if (r == JOB_OK)
        memcpy(claim->lease_until, until, sizeof(until));
    else if (r == JOB_LOST)
        log_warn("job lease lost", "kind", claim->kind, "key", claim->run_key, "node", claim->node);
    return r;
}

/* Mark the run done or failed inside the caller's transaction, with its audit row. */
static enum job_err job_end(struct db *db, const struct job_claim *c, bool done, const char *text)
{
    char now[TIME_ISO_MAX], cut[JOB_TEXT_MAX + 1];
    time_now_iso(now);
    job_text_cut(text, cut);
    enum job_err r = job_update(db, c, done ? STMT_JOB_FINISH : STMT_JOB_FAIL, now, cut);
    if (r == JOB_LOST) {
        log_warn("job claim lost, result not recorded", "kind", c->kind, "key", c->run_key, "node",
                 c->node);
        return r;
    }
    if (r != JOB_OK)
        return r;
    char detail[JOB_KIND_MAX + JOB_RUN_KEY_MAX + JOB_TEXT_MAX + 64];
    snprintf(detail, sizeof(detail), "%s %s, attempt %d: %s", c->kind, c->run_key, c->attempts,
             cut);
    if (job_audit(db, c, done ? "job.finish" : "job.fail", "running", done ? "done" : "failed",
                  detail) != 0) {
        log_error("job audit failed", "kind", c->kind, "key", c->run_key, "error", db_errmsg(db));
        return JOB_ERROR;
    }
    return JOB_OK;
}

/* job_end in its own immediate transaction. */
static enum job_err job_end_own_tx(struct db *db, const struct job_claim *c, bool done,
                                   const char *text)
{
    if (db_begin(db) != DB_OK) {
        log_error("job end: cannot begin", "kind", c->kind, "key", c->run_key, "error",
                  db_errmsg(db));
        return JOB_ERROR;
    }
    enum job_err r = job_end(db, c, done, text);
    if (r != JOB_OK) {
        db_rollback(db);
        return r;
    }
    if (db_commit(db) != DB_OK) {
        log_error("job end: cannot commit", "kind", c->kind, "key", c->run_key, "error",
                  db_errmsg(db));
        db_rollback(db);
        return JOB_ERROR;
    }
    return JOB_OK;
}

enum job_err job_finish(struct db *db, const struct job_claim *claim, const char *result)
{
    return job_end_own_tx(db, claim, true, result);
}

enum job_err job_finish_tx(struct db *db, const struct job_claim *claim, const char *result)
{
    return job_end(db, claim, true, result);
}

enum job_err job_fail(struct db *db, const struct job_claim *claim, const char *error)
{
    return job_end_own_tx(db, claim, false, error);
}

/* The columns of STMT_JOB_FIND / STMT_JOB_LIST into *r (strings copied to the arena). */
static void job_row_read(struct db_stmt *st, struct arena *a, int64_t tenant_id, struct job_run *r)
{
    r->id = db_col_int(st, 0);
    r->tenant_id = tenant_id;
    r->kind = arena_strdup(a, db_col_text(st, 1));
    r->run_key = arena_strdup(a, db_col_text(st, 2));
    r->status = arena_strdup(a, db_col_text(st, 3));
    r->claimed_by = arena_strdup(a, db_col_text(st, 4));
    r->claimed_at = arena_strdup(a, db_col_text(st, 5));
    r->heartbeat_at = arena_strdup(a, db_col_text(st, 6));
    r->lease_until = arena_strdup(a, db_col_text(st, 7));
    r->finished_at = arena_strdup(a, db_col_text(st, 8));
    r->attempts = (int)db_col_int(st, 9);
    r->result = arena_strdup(a, db_col_text(st, 10));
    r->last_error = arena_strdup(a, db_col_text(st, 11));
    r->created_at = arena_strdup(a, db_col_text(st, 12));
}

int job_find(struct db *db, struct arena *a, int64_t tenant_id, const char *kind,
             const char *run_key, struct job_run *out)
{
    memset(out, 0, sizeof(*out));
    if (!kind || !run_key)
        return 0;
    struct db_stmt *st = db_stmt(db, STMT_JOB_FIND);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, run_key);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        job_row_read(st, a, tenant_id, out);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int job_list(struct db *db, struct arena *a, int64_t tenant_id, const char *kind, int limit,
             struct job_run **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (limit <= 0 || limit > JOB_LIST_MAX)
        limit = JOB_LIST_MAX;
    struct db_stmt *st = db_stmt(db, STMT_JOB_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, kind ? kind : "");
    db_bind_int(st, 3, limit);
    struct job_run *out = arena_calloc(a, (size_t)limit, sizeof(*out));
    enum db_err e;
    size_t count = 0;
    while ((e = db_step(st)) == DB_ROW && count < (size_t)limit)
        job_row_read(st, a, tenant_id, &out[count++]);
    db_reset(st);
    if (e != DB_DONE && e != DB_ROW)
        return -1;
    *rows = out;
    *n = count;
    return 0;
}
