-- Mail outbox (issue: accounts, e-mail). Every message is written in the same transaction as the
-- action that causes it and delivered later by the background sender (src/integrations/mail/).
-- status: queued (waiting for its first attempt), sending (claimed by one sender: claim holds
-- the sender's random token), sent, retrying (an attempt failed; next_attempt_at says when the
-- next one is due), failed (gave up after mail.max_attempts, or the server refused for good).
-- Times are UTC ISO-8601 text, so they compare as strings.

CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenant(id),
    recipient        TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    lang             TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en')),
    kind             TEXT NOT NULL,             -- template name, e.g. 'verification_code'
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT NOT NULL,
    claim            TEXT,                      -- token of the sender holding it while sending
    claimed_at       TEXT,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);

-- The sender's "due" query: by status, oldest due first.
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
-- The office list: newest first within a tenant, optionally one status.
CREATE INDEX mail_outbox_tenant ON mail_outbox (tenant_id, id);
CREATE INDEX mail_outbox_tenant_status ON mail_outbox (tenant_id, status, id);
