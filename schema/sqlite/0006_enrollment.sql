-- Enrollment (issue 5): campaigns, enrollments with their history and diet requests,
-- attachments (medical certificates, regulations, the municipality's logo), and the family
-- ledger that the debt gate reads (the money issue builds on it).

-- Stored files. PDF attachments are checked by content; sha256 is hex of the bytes; pdfa is the
-- PDF/A claim found in the document's XMP metadata ("2B", "1A"...) or NULL.
CREATE TABLE attachment (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    kind            TEXT NOT NULL CHECK (kind IN ('medical_certificate', 'regulations', 'logo')),
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size > 0),
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    pdfa            TEXT,
    data            BLOB NOT NULL,
    uploaded_at     TEXT NOT NULL,
    uploaded_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachment_tenant ON attachment (tenant_id, kind);

-- The municipality's logo (PNG) printed on its documents.
ALTER TABLE tenant ADD COLUMN logo_attachment_id INTEGER REFERENCES attachment(id);

-- A campaign opens enrollments for a school year. Times are UTC; weekdays is the set of service
-- days families may pick, as ISO digits ("12345" = Monday to Friday). debt_threshold_cents: a
-- family whose balance is below it cannot submit (NULL: no gate).
CREATE TABLE campaign (
    id                      INTEGER PRIMARY KEY,
    tenant_id               INTEGER NOT NULL REFERENCES tenant(id),
    school_year_id          INTEGER NOT NULL REFERENCES school_year(id),
    title                   TEXT NOT NULL CHECK (length(title) BETWEEN 3 AND 120),
    kind                    TEXT NOT NULL CHECK (kind IN ('new', 'renewal', 'both')),
    opens_at                TEXT NOT NULL,
    closes_at               TEXT NOT NULL CHECK (closes_at > opens_at),
    weekdays                TEXT NOT NULL CHECK (weekdays GLOB '[1-5]*' AND length(weekdays) BETWEEN 1 AND 5),
    privacy_notice          TEXT NOT NULL,
    fee_cents               INTEGER NOT NULL DEFAULT 0 CHECK (fee_cents >= 0),
    diets_offered           INTEGER NOT NULL DEFAULT 1 CHECK (diets_offered IN (0, 1)),
    direct_debit_offered    INTEGER NOT NULL DEFAULT 0 CHECK (direct_debit_offered IN (0, 1)),
    regulations_attachment_id INTEGER REFERENCES attachment(id),
    debt_threshold_cents    INTEGER,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX campaign_tenant ON campaign (tenant_id, opens_at);

-- The classes a campaign enrolls into (and so its schools).
CREATE TABLE campaign_class (
    campaign_id     INTEGER NOT NULL REFERENCES campaign(id),
    class_id        INTEGER NOT NULL REFERENCES class(id),
    PRIMARY KEY (campaign_id, class_id)
);

-- The declarations a family must tick, in order.
CREATE TABLE campaign_declaration (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES campaign(id),
    position        INTEGER NOT NULL,
    text            TEXT NOT NULL CHECK (length(text) BETWEEN 3 AND 1000),
    UNIQUE (campaign_id, position)
);

-- ISEE bands for reduced tariffs, defined by the municipality.
CREATE TABLE isee_band (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    code            TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 8),
    label           TEXT NOT NULL,
    max_isee_cents  INTEGER,
    UNIQUE (tenant_id, code)
);

-- One pupil's application in one campaign. Rows with guardian_id NULL are an anonymous family's
-- application in progress, bound to its browser session; the first "save draft" (or the
-- submission) creates or links the guardian account and the pupil. step is the last completed
-- step (0..6). Data columns hold what the family typed, validated step by step.
CREATE TABLE enrollment (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    campaign_id         INTEGER NOT NULL REFERENCES campaign(id),
    kind                TEXT NOT NULL CHECK (kind IN ('new', 'renewal')),
    status              TEXT NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'submitted', 'confirmed', 'rejected', 'withdrawn')),
    step                INTEGER NOT NULL DEFAULT 0 CHECK (step BETWEEN 0 AND 6),
    session_hash        TEXT,
    email_verified      TEXT NOT NULL DEFAULT '',
    guardian_id         INTEGER REFERENCES guardian(id),
    pupil_id            INTEGER REFERENCES pupil(id),
    previous_id         INTEGER REFERENCES enrollment(id),
    -- pupil
    pupil_fiscal_code   TEXT NOT NULL CHECK (length(pupil_fiscal_code) = 16),
    pupil_name          TEXT NOT NULL DEFAULT '',
    pupil_surname       TEXT NOT NULL DEFAULT '',
    pupil_birth_date    TEXT NOT NULL DEFAULT '',
    pupil_sex           TEXT NOT NULL DEFAULT '',
    pupil_birth_place   TEXT NOT NULL DEFAULT '',    -- Belfiore code
    -- guardian
    guardian_fiscal_code TEXT NOT NULL DEFAULT '',
    guardian_name       TEXT NOT NULL DEFAULT '',
    guardian_surname    TEXT NOT NULL DEFAULT '',
    guardian_email      TEXT NOT NULL DEFAULT '',
    guardian_mobile     TEXT NOT NULL DEFAULT '',
    guardian_address    TEXT NOT NULL DEFAULT '',
    guardian_resident   INTEGER NOT NULL DEFAULT 1 CHECK (guardian_resident IN (0, 1)),
    privacy_accepted_at TEXT,
    -- school
    school_id           INTEGER REFERENCES school(id),
    class_id            INTEGER REFERENCES class(id),
    weekdays            TEXT NOT NULL DEFAULT '',
    -- diet
    diet_kind           TEXT NOT NULL DEFAULT 'none' CHECK (diet_kind IN ('none', 'medical', 'ethical')),
    diet_notes          TEXT NOT NULL DEFAULT '',
    certificate_id      INTEGER REFERENCES attachment(id),
    diet_status         TEXT NOT NULL DEFAULT 'none'
                        CHECK (diet_status IN ('none', 'pending', 'approved', 'rejected')),
    diet_code           TEXT NOT NULL DEFAULT '',
    diet_decision_note  TEXT NOT NULL DEFAULT '',
    -- payment
    payment_method      TEXT NOT NULL DEFAULT 'prepaid' CHECK (payment_method IN ('prepaid', 'direct_debit')),
    iban                TEXT NOT NULL DEFAULT '',
    iban_holder         TEXT NOT NULL DEFAULT '',
    mandate_accepted_at TEXT,
    isee_band_id        INTEGER REFERENCES isee_band(id),
    declarations_accepted_at TEXT,
    -- decisions
    reject_reason       TEXT NOT NULL DEFAULT '',
    debt_override_reason TEXT NOT NULL DEFAULT '',
    decided_by          TEXT NOT NULL DEFAULT '',
    -- times (UTC)
    created_at          TEXT NOT NULL,
    first_saved_at      TEXT,
    updated_at          TEXT NOT NULL,
    submitted_at        TEXT,
    decided_at          TEXT
);
-- One application per pupil and campaign once it belongs to an account.
CREATE UNIQUE INDEX enrollment_pupil_campaign ON enrollment (campaign_id, pupil_fiscal_code)
    WHERE guardian_id IS NOT NULL;
CREATE INDEX enrollment_tenant_status ON enrollment (tenant_id, campaign_id, status);
CREATE INDEX enrollment_guardian ON enrollment (guardian_id);
CREATE INDEX enrollment_session ON enrollment (session_hash);

-- Every saved change of an enrollment: who, when, what, and the fields changed ("field: old →
-- new" lines). Append-only.
CREATE TABLE enrollment_history (
    id              INTEGER PRIMARY KEY,
    enrollment_id   INTEGER NOT NULL REFERENCES enrollment(id),
    at              TEXT NOT NULL,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('staff', 'family', 'system', 'cli')),
    actor_label     TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    status          TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX enrollment_history_enrollment ON enrollment_history (enrollment_id, id);
CREATE TRIGGER enrollment_history_no_update BEFORE UPDATE ON enrollment_history
BEGIN
    SELECT RAISE(ABORT, 'enrollment_history is append-only');
END;
CREATE TRIGGER enrollment_history_no_delete BEFORE DELETE ON enrollment_history
BEGIN
    SELECT RAISE(ABORT, 'enrollment_history is append-only');
END;

-- The family wallet: one account per guardian, an append-only ledger of entries in cents. The
-- balance is the sum of the entries.
CREATE TABLE ledger_entry (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    guardian_id     INTEGER NOT NULL REFERENCES guardian(id),
    pupil_id        INTEGER REFERENCES pupil(id),
    kind            TEXT NOT NULL CHECK (kind IN ('opening', 'topup', 'meal', 'refund', 'adjustment', 'fee')),
    amount_cents    INTEGER NOT NULL CHECK (amount_cents <> 0),
    description     TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    ref             TEXT,
    at              TEXT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, ref)
);
CREATE INDEX ledger_entry_guardian ON ledger_entry (tenant_id, guardian_id, at);
CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger_entry is append-only');
END;
CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger_entry is append-only');
END;

-- Files sent with a queued e-mail (the credentials letter PDF), in order.
CREATE TABLE mail_attachment (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL REFERENCES mail_outbox(id),
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    data            BLOB NOT NULL
);
CREATE INDEX mail_attachment_outbox ON mail_attachment (outbox_id, id);
