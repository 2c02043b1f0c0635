/*
 * The platform's administration area, /piattaforma/ (ROUTE_PLATFORM, no tenant): the
 * installation's super-admins sign in (e-mail + password, throttled, then the TOTP code when they
 * turned it on), see the municipalities with their staff counts, and create a municipality with
 * its first administrator. Handlers in src/app/platform/admin.c, which owns platform_routes;
 * their sessions are the platform's own (web/session.h).
 */
#ifndef REFETTORIO_APP_PLATFORM_ADMIN_H
#define REFETTORIO_APP_PLATFORM_ADMIN_H

#include "web/http.h"

/* Sign-in, its second step, sign-out. */
void platform_login_form(struct req *r, struct resp *w);
void platform_login_submit(struct req *r, struct resp *w);
void platform_code_form(struct req *r, struct resp *w);
void platform_code_submit(struct req *r, struct resp *w);
void platform_logout(struct req *r, struct resp *w);

/* Super-admins only. */
void platform_tenants(struct req *r, struct resp *w);
void platform_tenant_new_form(struct req *r, struct resp *w);
void platform_tenant_new_submit(struct req *r, struct resp *w);

#endif
