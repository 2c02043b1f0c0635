-- Foundation: municipalities (tenants), schools, classes, school years, staff users, sessions,
-- audit log. Times are UTC ISO-8601 text ('YYYY-MM-DDTHH:MM:SSZ'); dates are 'YYYY-MM-DD'.

CREATE TABLE tenant (
    id                  INTEGER PRIMARY KEY,
    slug                TEXT NOT NULL UNIQUE CHECK (slug GLOB '[a-z0-9]*' AND length(slug) BETWEEN 2 AND 40),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 120),
    fiscal_code         TEXT,                      -- codice fiscale of the ente (11 digits)
    timezone            TEXT NOT NULL DEFAULT 'Europe/Rome',
    cutoff_time         TEXT NOT NULL DEFAULT '09:30',
    address             TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    pec                 TEXT NOT NULL DEFAULT '',
    office_hours        TEXT NOT NULL DEFAULT '',
    website             TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL
);

CREATE TABLE school (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenant(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 120),
    kind        TEXT NOT NULL CHECK (kind IN ('infanzia', 'primaria', 'secondaria')),
    address     TEXT NOT NULL DEFAULT '',
    kitchen_email TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE school_year (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenant(id),
    label       TEXT NOT NULL CHECK (label GLOB '[0-9][0-9][0-9][0-9]/[0-9][0-9][0-9][0-9]'),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL CHECK (ends_on > starts_on),
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, label)
);

CREATE TABLE class (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    school_id       INTEGER NOT NULL REFERENCES school(id),
    school_year_id  INTEGER NOT NULL REFERENCES school_year(id),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    created_at      TEXT NOT NULL,
    UNIQUE (school_id, school_year_id, name)
);

-- Staff of a municipality (admin, ufficio, gestore, cucina) or of the platform (superadmin,
-- tenant_id NULL). Passwords are Argon2id strings from libsodium.
CREATE TABLE staff_user (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER REFERENCES tenant(id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('superadmin', 'admin', 'ufficio', 'gestore', 'cucina')),
    password_hash   TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at      TEXT NOT NULL,
    CHECK ((role = 'superadmin') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX staff_user_email ON staff_user (ifnull(tenant_id, 0), email);

-- Browser sessions. The cookie carries a random id; only its hash is stored.
CREATE TABLE session (
    id_hash         TEXT PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    staff_user_id   INTEGER REFERENCES staff_user(id),
    csrf_token      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);
CREATE INDEX session_expires ON session (expires_at);

-- Every state change: who, when, what, from -> to. Append-only.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER REFERENCES tenant(id),
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'family', 'system', 'cli')),
    actor_id    INTEGER,
    actor_label TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    from_state  TEXT,
    to_state    TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
