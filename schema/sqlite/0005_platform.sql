-- Platform administration (issue 4): the super-admins of the installation work under
-- /piattaforma/, outside every municipality. Their rows use tenant_id NULL, as staff_user already
-- does for them; statements match a tenant with ifnull(tenant_id, 0) = $1, so tenant id 0 means
-- "the platform" in the code (tenant ids start at 1) and NULL in the tables, and the unique
-- indexes are on that same expression.
--
-- session: tenant_id becomes nullable (a platform session). Sessions are ephemeral, so the table
-- is recreated empty: everyone signs in again after this migration. A platform session never
-- belongs to a family.
DROP TABLE session;
CREATE TABLE session (
    id_hash         TEXT PRIMARY KEY,
    tenant_id       INTEGER REFERENCES tenant(id),
    staff_user_id   INTEGER REFERENCES staff_user(id),
    csrf_token      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    guardian_id     INTEGER REFERENCES guardian(id),
    mfa_pending     INTEGER NOT NULL DEFAULT 0,
    CHECK (tenant_id IS NOT NULL OR guardian_id IS NULL)
);
CREATE INDEX session_expires ON session (expires_at);

-- sign_in_throttle: platform sign-ins are throttled like a municipality's, under tenant_id NULL
-- (keys "superadmin:<e-mail>" and the client address). The rows are kept: a lock must survive.
CREATE TABLE sign_in_throttle_new (
    tenant_id        INTEGER REFERENCES tenant(id),
    scope            TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key              TEXT NOT NULL,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_failure_at  TEXT NOT NULL,
    delay_until      TEXT NOT NULL,
    locked           INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1))
);
INSERT INTO sign_in_throttle_new (tenant_id, scope, key, failures, last_failure_at, delay_until,
                                  locked)
    SELECT tenant_id, scope, key, failures, last_failure_at, delay_until, locked
    FROM sign_in_throttle;
DROP TABLE sign_in_throttle;
ALTER TABLE sign_in_throttle_new RENAME TO sign_in_throttle;
CREATE UNIQUE INDEX sign_in_throttle_key ON sign_in_throttle (ifnull(tenant_id, 0), scope, key);
