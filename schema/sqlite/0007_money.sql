-- Money (issue 6): the cached wallet balance beside the append-only ledger, tariffs (price lists
-- valid from a date), the municipality's payment settings, pagoPA debt positions, receipts that
-- could not be matched (parked for the office), balance alerts, debt reminders and suspensions.
-- Amounts are integer euro cents; times UTC ISO-8601; dates 'YYYY-MM-DD' (Europe/Rome days).

-- One wallet per guardian. balance_cents caches the sum of the guardian's ledger entries and is
-- written in the same transaction as every entry; `refettorio check ledger` recomputes it.
-- alert_level: how many of the alert thresholds the balance is at or below (for "once per
-- crossing" e-mails).
CREATE TABLE wallet (
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    guardian_id         INTEGER NOT NULL REFERENCES guardian(id),
    balance_cents       INTEGER NOT NULL DEFAULT 0,
    entries             INTEGER NOT NULL DEFAULT 0,
    alert_level         INTEGER NOT NULL DEFAULT 0,
    debt_since          TEXT,                       -- when the balance last went below zero
    suspended_at        TEXT,
    suspended_notice_on TEXT NOT NULL DEFAULT '',   -- date of the written notice
    suspended_reason    TEXT NOT NULL DEFAULT '',
    suspended_by        TEXT NOT NULL DEFAULT '',
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (tenant_id, guardian_id)
);
CREATE INDEX wallet_balance ON wallet (tenant_id, balance_cents);

-- Payment settings of a municipality.
CREATE TABLE payment_settings (
    tenant_id           INTEGER PRIMARY KEY REFERENCES tenant(id),
    segregation_code    INTEGER NOT NULL DEFAULT 2 CHECK (segregation_code BETWEEN 0 AND 99),
    creditor_iban       TEXT NOT NULL DEFAULT '',
    postal_account      TEXT NOT NULL DEFAULT '',   -- conto corrente postale: DataMatrix on notices
    postal_iban         TEXT NOT NULL DEFAULT '',
    cbill_code          TEXT NOT NULL DEFAULT '',
    topup_amounts       TEXT NOT NULL DEFAULT '2000,5000,10000',  -- cents, comma-separated
    topup_min_cents     INTEGER NOT NULL DEFAULT 1000 CHECK (topup_min_cents >= 1),
    topup_max_cents     INTEGER NOT NULL DEFAULT 50000 CHECK (topup_max_cents >= topup_min_cents),
    due_days            INTEGER NOT NULL DEFAULT 30 CHECK (due_days BETWEEN 1 AND 365),
    alert_thresholds    TEXT NOT NULL DEFAULT '1500,0,-1500',     -- cents, descending
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL DEFAULT ''
);

-- A price list, valid from a date until the next one starts; past meals keep their price.
-- Prices are gross (VAT included) with their rate. Sibling discounts are in basis points off the
-- price of the second child and of the third and later ones.
CREATE TABLE price_list (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    valid_from          TEXT NOT NULL,
    label               TEXT NOT NULL DEFAULT '',
    vat_rate_bp         INTEGER NOT NULL DEFAULT 400 CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    sibling2_bp         INTEGER NOT NULL DEFAULT 0 CHECK (sibling2_bp BETWEEN 0 AND 10000),
    sibling3_bp         INTEGER NOT NULL DEFAULT 0 CHECK (sibling3_bp BETWEEN 0 AND 10000),
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, valid_from)
);

-- One price of a list: per school kind, the full price (isee_band_id NULL, resident 1), the
-- price for an ISEE band, or the non-resident price (resident 0).
CREATE TABLE price_item (
    id                  INTEGER PRIMARY KEY,
    price_list_id       INTEGER NOT NULL REFERENCES price_list(id),
    school_kind         TEXT NOT NULL CHECK (school_kind IN ('infanzia', 'primaria', 'secondaria')),
    category            TEXT NOT NULL CHECK (category IN ('full', 'isee', 'non_resident')),
    isee_band_id        INTEGER REFERENCES isee_band(id),
    price_cents         INTEGER NOT NULL CHECK (price_cents >= 0),
    CHECK ((category = 'isee') = (isee_band_id IS NOT NULL))
);
CREATE UNIQUE INDEX price_item_key ON price_item (price_list_id, school_kind, category,
                                                  ifnull(isee_band_id, 0));

-- Counter for the 13-digit IUV bases of a municipality.
CREATE TABLE payment_counter (
    tenant_id           INTEGER PRIMARY KEY REFERENCES tenant(id),
    next_value          INTEGER NOT NULL
);

-- A pagoPA debt position (one payment option). Created locally first (status 'creating'), then
-- in GPD with the same IUPD, so a retried creation never makes two. 'open' once GPD has it,
-- 'paid' when a receipt was credited (ledger_entry_id), 'expired' / 'cancelled', 'failed' when
-- GPD refused it for good.
CREATE TABLE payment_position (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    guardian_id         INTEGER NOT NULL REFERENCES guardian(id),
    pupil_id            INTEGER REFERENCES pupil(id),
    purpose             TEXT NOT NULL DEFAULT 'topup' CHECK (purpose IN ('topup', 'notice')),
    iupd                TEXT NOT NULL,
    iuv                 TEXT NOT NULL,
    notice_number       TEXT NOT NULL CHECK (length(notice_number) = 18),
    amount_cents        INTEGER NOT NULL CHECK (amount_cents > 0),
    description         TEXT NOT NULL,
    due_date            TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'creating'
                        CHECK (status IN ('creating', 'open', 'paid', 'expired', 'cancelled', 'failed')),
    gpd_status          TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL DEFAULT '',
    published_at        TEXT,
    returned_ok_at      TEXT,       -- the family came back from checkout saying it paid
    paid_at             TEXT,
    receipt_id          TEXT NOT NULL DEFAULT '',
    psp                 TEXT NOT NULL DEFAULT '',
    payment_method      TEXT NOT NULL DEFAULT '',
    ledger_entry_id     INTEGER REFERENCES ledger_entry(id),
    last_checked_at     TEXT,
    last_error          TEXT NOT NULL DEFAULT '',
    attempts            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, iupd),
    UNIQUE (tenant_id, iuv),
    UNIQUE (tenant_id, notice_number)
);
CREATE INDEX payment_position_guardian ON payment_position (tenant_id, guardian_id, created_at);
CREATE INDEX payment_position_status ON payment_position (tenant_id, status);

-- A receipt that moved no money: for an unknown position, or with an amount that differs from
-- the position's. The office resolves it by hand.
CREATE TABLE payment_anomaly (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    kind                TEXT NOT NULL CHECK (kind IN ('unknown_position', 'amount_mismatch')),
    iupd                TEXT NOT NULL,
    iuv                 TEXT NOT NULL DEFAULT '',
    position_id         INTEGER REFERENCES payment_position(id),
    expected_cents      INTEGER,
    reported_cents      INTEGER,
    receipt_id          TEXT NOT NULL DEFAULT '',
    detail              TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    resolved_at         TEXT,
    resolved_by         TEXT NOT NULL DEFAULT '',
    resolution          TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, kind, iupd)
);

-- Reconciliation bookmark: the last payment time read from the GPD list of paid positions.
CREATE TABLE payment_sync (
    tenant_id           INTEGER PRIMARY KEY REFERENCES tenant(id),
    paid_since          TEXT NOT NULL,
    last_run_at         TEXT,
    last_error          TEXT NOT NULL DEFAULT ''
);

-- E-mails sent to a family about its balance: threshold crossings and office reminders.
CREATE TABLE balance_notice (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenant(id),
    guardian_id         INTEGER NOT NULL REFERENCES guardian(id),
    kind                TEXT NOT NULL CHECK (kind IN ('alert', 'reminder', 'suspension')),
    threshold_cents     INTEGER,
    balance_cents       INTEGER NOT NULL,
    outbox_id           INTEGER REFERENCES mail_outbox(id),
    at                  TEXT NOT NULL,
    by                  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX balance_notice_guardian ON balance_notice (tenant_id, guardian_id, at);

-- Wallets exist for every guardian from now on (created lazily too, by ledger_append).
INSERT INTO wallet (tenant_id, guardian_id, balance_cents, entries, updated_at)
SELECT g.tenant_id, g.id,
       (SELECT ifnull(sum(amount_cents), 0) FROM ledger_entry l WHERE l.guardian_id = g.id),
       (SELECT count(*) FROM ledger_entry l WHERE l.guardian_id = g.id),
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM guardian g;
