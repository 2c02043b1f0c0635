/*
 * HTTP handlers, by audience. Each reads validated fields from struct req, calls services, and
 * renders a template or redirects; none writes markup or SQL.
 */
#ifndef REFETTORIO_APP_HANDLERS_H
#define REFETTORIO_APP_HANDLERS_H

#include "web/http.h"

/* Platform (no tenant). */
void platform_home(struct req *r, struct resp *w);
void platform_health(struct req *r, struct resp *w);

/* Portal: what families and the public see. */
void portal_home(struct req *r, struct resp *w);
void portal_privacy(struct req *r, struct resp *w);
void portal_accessibility(struct req *r, struct resp *w);
void portal_legal(struct req *r, struct resp *w);

/* Back office. */
void office_login_form(struct req *r, struct resp *w);
void office_login_submit(struct req *r, struct resp *w);
void office_logout(struct req *r, struct resp *w);
void office_home(struct req *r, struct resp *w);

#endif
