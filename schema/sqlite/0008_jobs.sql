-- Jobs that run exactly once (issue 7): one row per run of a job, keyed by (tenant, kind,
-- run_key), e.g. (Comune di Prova, 'cutoff', '2026-11-24'). A node claims the row inside an
-- immediate transaction (services/job.h), so two nodes can never both hold it; the holder keeps
-- its lease alive with heartbeats, and a run whose holder died (lease_until in the past) or that
-- failed can be claimed again. Rows are kept as the history of runs; none is deleted.
-- Times are UTC ISO-8601 text, compared as text (fixed width).

-- tenant_id 0 is a platform-wide job (not a foreign key for that reason). claim_token is a
-- random value of the current claim: with claimed_by it fences a holder whose lease was taken
-- over, so it can neither finish nor fail the new holder's run. attempts counts claims.
CREATE TABLE job_run (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    run_key         TEXT NOT NULL CHECK (length(run_key) BETWEEN 1 AND 64),
    status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    claimed_by      TEXT NOT NULL,                  -- node / process id of the holder
    claim_token     TEXT NOT NULL,
    claimed_at      TEXT NOT NULL,
    heartbeat_at    TEXT NOT NULL,
    lease_until     TEXT NOT NULL,                  -- heartbeat_at + the holder's lease
    finished_at     TEXT,                           -- done or failed
    attempts        INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    result          TEXT NOT NULL DEFAULT '',       -- summary written by job_finish
    last_error      TEXT NOT NULL DEFAULT '',       -- kept across retries for the office page
    created_at      TEXT NOT NULL,
    UNIQUE (tenant_id, kind, run_key)
);
CREATE INDEX job_run_recent ON job_run (tenant_id, kind, created_at);
