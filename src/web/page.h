/*
 * Page rendering: the data every page's layout needs (language, municipality, breadcrumb,
 * navigation, signed-in user, CSRF token), form state (values typed, errors per field), and
 * rendering a compiled template into the response. Error pages for every status live here too.
 */
#ifndef REFETTORIO_WEB_PAGE_H
#define REFETTORIO_WEB_PAGE_H

#include "web/http.h"
#include "web/tmpl.h"

/* Common layout data; title_msgid is translated. */
struct tv *page_new(struct req *r, const char *title_msgid);
/* Append a breadcrumb item (label is an English msgid; href NULL for the current page). */
void page_crumb(struct req *r, struct tv *data, const char *label_msgid, const char *href);
/* Append a navigation item. */
void page_nav(struct req *r, struct tv *data, const char *label_msgid, const char *href,
              bool current);
/* Put a CSRF token into the page (creating an anonymous session if needed). 0 or -1. */
int page_csrf(struct req *r, struct resp *w, struct tv *data);
/* values.<field> (what was typed, except secrets) and errors.<field> (translated). */
void page_form_state(struct req *r, struct tv *data);
/* Render t with data as an HTML page with the given status. */
void page_render(struct req *r, struct resp *w, int status, tmpl_render_fn t, struct tv *data);
/* The error page for status (404, 500, 413, ...), in the request's language. */
void page_error(struct req *r, struct resp *w, int status);

#endif
