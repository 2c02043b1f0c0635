-- Staff security (issue 4): the TOTP second factor and temporary passwords.
--
-- totp_secret holds the base32 TOTP shared secret (RFC 6238). While totp_enabled = 0 a non-NULL
-- secret is an enrolment in progress: the owner's profile shows it (text and QR code) until a
-- code confirms it. Once enabled it is never shown again, never logged and never leaves the
-- server; disabling the second factor (or an office password reset) sets it back to NULL. What
-- protects it at rest is what protects the password hashes: the database file is readable only
-- by the service user (mode 0600/0640), and backups must be kept the same way. It is not
-- encrypted under a key of ours because that key would sit in the configuration file beside the
-- database, readable by the same account, so it would add no protection against that reader.
--
-- totp_last_step is the last time step (unix time / 30) whose code was accepted; a code is
-- accepted only for a greater step, so each code works once (replay protection).
--
-- password_temporary = 1 for a password the office generated (new account, reset): the next
-- sign-in must choose a new password before anything else.
ALTER TABLE staff_user ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_user ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (totp_enabled IN (0, 1));
ALTER TABLE staff_user ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_user ADD COLUMN password_temporary INTEGER NOT NULL DEFAULT 0
    CHECK (password_temporary IN (0, 1));
