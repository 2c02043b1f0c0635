-- Family accounts (issue: accounts). A guardian is the family account and the payer; pupils
-- (siblings) hang off one guardian. Sign-in with credentials uses the guardian's user code or a
-- pupil's codice fiscale plus the guardian's password; SPID/CIE reach the same account through
-- external_identity by a verified codice fiscale, without a password.

CREATE TABLE guardian (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    user_code           TEXT NOT NULL CHECK (length(user_code) = 8),
    fiscal_code         TEXT NOT NULL CHECK (length(fiscal_code) = 16),
    name                TEXT NOT NULL,
    surname             TEXT NOT NULL,
    email               TEXT NOT NULL DEFAULT '',
    email_verified_at   TEXT,
    mobile              TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    lang                TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en')),
    password_hash       TEXT,
    password_temporary  INTEGER NOT NULL DEFAULT 0 CHECK (password_temporary IN (0, 1)),
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at          TEXT NOT NULL,
    UNIQUE (tenant_id, user_code),
    UNIQUE (tenant_id, fiscal_code)
);

CREATE TABLE pupil (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenant(id),
    guardian_id  INTEGER NOT NULL REFERENCES guardian(id),
    fiscal_code  TEXT NOT NULL CHECK (length(fiscal_code) = 16),
    name         TEXT NOT NULL,
    surname      TEXT NOT NULL,
    birth_date   TEXT NOT NULL,
    sex          TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    badge_code   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (tenant_id, fiscal_code),
    UNIQUE (tenant_id, badge_code)
);
CREATE INDEX pupil_guardian ON pupil (guardian_id);

-- An identity asserted by an external provider (SPID, CIE) for a verified codice fiscale.
CREATE TABLE external_identity (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenant(id),
    guardian_id   INTEGER NOT NULL REFERENCES guardian(id),
    provider      TEXT NOT NULL CHECK (provider IN ('spid', 'cie')),
    fiscal_code   TEXT NOT NULL CHECK (length(fiscal_code) = 16),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    UNIQUE (tenant_id, provider, fiscal_code)
);

-- E-mail verification codes: 6 digits, stored hashed, bound to the address and to the browser
-- session that asked for them.
CREATE TABLE email_verification (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenant(id),
    session_hash  TEXT NOT NULL,
    email         TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_at       TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    verified_at   TEXT,
    superseded    INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1))
);
CREATE INDEX email_verification_session ON email_verification (session_hash, email);

-- Password reset links: single use, short-lived, stored hashed.
CREATE TABLE password_reset (
    token_hash    TEXT PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenant(id),
    account_kind  TEXT NOT NULL CHECK (account_kind IN ('guardian', 'staff')),
    account_id    INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);

-- Failed sign-ins per login name (known or not, so nothing reveals which accounts exist) and
-- per client address: growing delays, and a lock only the office lifts.
CREATE TABLE sign_in_throttle (
    tenant_id        INTEGER NOT NULL REFERENCES tenant(id),
    scope            TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key              TEXT NOT NULL,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_failure_at  TEXT NOT NULL,
    delay_until      TEXT NOT NULL,
    locked           INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    PRIMARY KEY (tenant_id, scope, key)
);

ALTER TABLE session ADD COLUMN guardian_id INTEGER REFERENCES guardian(id);
ALTER TABLE session ADD COLUMN mfa_pending INTEGER NOT NULL DEFAULT 0;
