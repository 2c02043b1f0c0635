-- Daily meals (issue 7): school calendars, the families' changes to the default booking, the
-- meals frozen at the cut-off, and the office's corrections. Days are 'YYYY-MM-DD' calendar
-- days in Europe/Rome; times are UTC ISO-8601 text.

-- The municipality's cut-off rule (domain/cutoff.h): cutoff_time (0001) is the latest time on
-- the day; earliest_time is the time on the day before from which changes are accepted ('' for
-- none). plain_max_days: consecutive service days of plain meal a family may ask for without a
-- medical certificate.
ALTER TABLE tenant ADD COLUMN earliest_time TEXT NOT NULL DEFAULT '';
ALTER TABLE tenant ADD COLUMN plain_max_days INTEGER NOT NULL DEFAULT 3
    CHECK (plain_max_days BETWEEN 1 AND 30);

-- Whether the family wants an e-mail with the receipt of each change it makes (its last choice).
ALTER TABLE guardian ADD COLUMN meal_receipt_mail INTEGER NOT NULL DEFAULT 0
    CHECK (meal_receipt_mail IN (0, 1));

-- A school's service in one school year: first and last day of service and the ISO weekdays it
-- serves ("12345"). Without a row the school serves Monday to Friday over the school year's dates.
CREATE TABLE school_calendar (
    school_id       INTEGER NOT NULL REFERENCES school(id),
    school_year_id  INTEGER NOT NULL REFERENCES school_year(id),
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    first_day       TEXT NOT NULL,
    last_day        TEXT NOT NULL CHECK (last_day >= first_day),
    weekdays        TEXT NOT NULL CHECK (weekdays GLOB '[1-7]*' AND length(weekdays) BETWEEN 1 AND 7),
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (school_id, school_year_id)
);

-- Days without service for a school (class_id NULL) or one of its classes: a local holiday, a
-- closure, a strike, a trip (domain/school_calendar.h). from_day = to_day for one day.
CREATE TABLE calendar_exception (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    school_id       INTEGER NOT NULL REFERENCES school(id),
    school_year_id  INTEGER NOT NULL REFERENCES school_year(id),
    class_id        INTEGER REFERENCES class(id),
    kind            TEXT NOT NULL CHECK (kind IN ('holiday', 'closure', 'strike', 'trip')),
    from_day        TEXT NOT NULL,
    to_day          TEXT NOT NULL CHECK (to_day >= from_day),
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calendar_exception_school ON calendar_exception (school_id, school_year_id, from_day);

-- Every accepted change to a pupil's booking, with the receipt number the family is shown:
-- cancel days, ask for a plain meal, undo either ('restore'), an extended absence (to_day NULL
-- while open-ended) and its end ('resume'). Made by the family or by the office on its behalf
-- (actor_kind 'staff', with a reason). request_key makes a repeated submission one change: the
-- same key for the same pupil finds the receipt already given. Append-only.
CREATE TABLE meal_request (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    receipt         TEXT NOT NULL,
    guardian_id     INTEGER NOT NULL REFERENCES guardian(id),
    pupil_id        INTEGER NOT NULL REFERENCES pupil(id),
    action          TEXT NOT NULL CHECK (action IN ('cancel', 'plain', 'restore', 'absence', 'resume')),
    from_day        TEXT NOT NULL,
    to_day          TEXT,
    days_changed    INTEGER NOT NULL DEFAULT 0,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('family', 'staff')),
    actor_label     TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    request_key     TEXT NOT NULL CHECK (length(request_key) BETWEEN 8 AND 64),
    mail_requested  INTEGER NOT NULL DEFAULT 0 CHECK (mail_requested IN (0, 1)),
    created_at      TEXT NOT NULL,
    UNIQUE (tenant_id, receipt),
    UNIQUE (tenant_id, pupil_id, request_key)
);
CREATE INDEX meal_request_guardian ON meal_request (tenant_id, guardian_id, id);
CREATE TRIGGER meal_request_no_update BEFORE UPDATE ON meal_request
BEGIN
    SELECT RAISE(ABORT, 'meal_request is append-only');
END;
CREATE TRIGGER meal_request_no_delete BEFORE DELETE ON meal_request
BEGIN
    SELECT RAISE(ABORT, 'meal_request is append-only');
END;

-- A pupil's day that differs from the default booking (booked on every service day): cancelled
-- or plain meal, with the request that set it. No row: booked. Rows of days already frozen are
-- never changed by families; the cut-off job reads them.
CREATE TABLE meal_day (
    pupil_id        INTEGER NOT NULL REFERENCES pupil(id),
    day             TEXT NOT NULL,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    state           TEXT NOT NULL CHECK (state IN ('cancelled', 'plain')),
    request_id      INTEGER NOT NULL REFERENCES meal_request(id),
    PRIMARY KEY (pupil_id, day)
) WITHOUT ROWID;
CREATE INDEX meal_day_tenant_day ON meal_day (tenant_id, day);

-- The meals frozen by the cut-off job: one row per pupil eating on a day, with where and what
-- they eat and the price charged (0 without a tariff). ledger_entry_id is the charge. An office
-- correction removes a meal (status 'removed', refunded) or adds one; meal_correction keeps why.
CREATE TABLE meal (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    day             TEXT NOT NULL,
    pupil_id        INTEGER NOT NULL REFERENCES pupil(id),
    guardian_id     INTEGER NOT NULL REFERENCES guardian(id),
    enrollment_id   INTEGER NOT NULL REFERENCES enrollment(id),
    school_id       INTEGER NOT NULL REFERENCES school(id),
    class_id        INTEGER REFERENCES class(id),
    diet_code       TEXT NOT NULL DEFAULT '',
    plain           INTEGER NOT NULL DEFAULT 0 CHECK (plain IN (0, 1)),
    price_cents     INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    ledger_entry_id INTEGER REFERENCES ledger_entry(id),
    status          TEXT NOT NULL DEFAULT 'served' CHECK (status IN ('served', 'removed')),
    created_at      TEXT NOT NULL,
    UNIQUE (pupil_id, day)
);
CREATE INDEX meal_tenant_day ON meal (tenant_id, day, school_id, class_id);

-- The office's corrections of a frozen day, with the reason and the ledger entry that adjusted
-- the family's balance (NULL when no money moved). Append-only.
CREATE TABLE meal_correction (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenant(id),
    meal_id         INTEGER NOT NULL REFERENCES meal(id),
    action          TEXT NOT NULL CHECK (action IN ('remove', 'add', 'plain', 'unplain')),
    reason          TEXT NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
    actor_label     TEXT NOT NULL DEFAULT '',
    ledger_entry_id INTEGER REFERENCES ledger_entry(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX meal_correction_meal ON meal_correction (meal_id, id);
CREATE TRIGGER meal_correction_no_update BEFORE UPDATE ON meal_correction
BEGIN
    SELECT RAISE(ABORT, 'meal_correction is append-only');
END;
CREATE TRIGGER meal_correction_no_delete BEFORE DELETE ON meal_correction
BEGIN
    SELECT RAISE(ABORT, 'meal_correction is append-only');
END;
