/*
 * Browser sessions, kept in the database so any node can serve any request. The cookie holds
 * 32 random bytes (libsodium); the table holds only their BLAKE2b hash. Each session has its own
 * CSRF token, checked on every unsafe request. Anonymous sessions are created only when a page
 * needs a CSRF token (a form); signing in always starts a new session (no fixation).
 * Cookies: HttpOnly, SameSite=Lax, Path=/<tenant>/, Secure when server.tls is set.
 * The platform's administration area (/piattaforma/, no tenant) has sessions of its own: their
 * rows have tenant_id NULL and their cookie Path=/piattaforma/; a tenant's session is never
 * found on the platform, nor the reverse, and only a super-admin is signed in there.
 */
#ifndef REFETTORIO_WEB_SESSION_H
#define REFETTORIO_WEB_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "web/http.h"

#define SESSION_COOKIE       "sid"
#define SESSION_ANON_MINUTES 120 /* lifetime of a session nobody signed into */

void session_configure(bool secure_cookies, int idle_minutes);
/* Read the session cookie and load the session for r->tenant (or the platform, with
   r->platform_area); sets r->has_session, r->csrf,
   r->signed_in and r->user. A missing, unknown or expired session is not an error. 0 or -1. */
int session_load(struct req *r);
/* Make sure the request has a session (creating an anonymous one) so r->csrf is usable. */
int session_ensure(struct req *r, struct resp *w);
/* Replace the current session by a new one for a staff member; with mfa_pending the session
   only lets the second-factor step through (r->mfa_staff_id) until session_mfa_complete. */
int session_start_staff(struct req *r, struct resp *w, int64_t staff_user_id, bool mfa_pending);
/* The second factor was given: a new session, fully signed in. 0 or -1. */
int session_mfa_complete(struct req *r, struct resp *w);
/* Replace the current session by a new one signed in as the family. 0 or -1. */
int session_start_family(struct req *r, struct resp *w, int64_t guardian_id);
/* Delete the session and clear the cookie. */
void session_end(struct req *r, struct resp *w);
/* Constant-time comparison with the session's token. */
bool session_csrf_ok(const struct req *r, const char *token);
/* Delete expired sessions; returns how many, or -1. */
int session_purge_expired(void);

#endif
