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
/* The start of every form page: the CSRF token (page_csrf), the form state (page_form_state)
   and, when form_error is not NULL, errors.form. False when the page could not be built: a 500
   page has then been answered. */
bool page_form_begin(struct req *r, struct resp *w, struct tv *data, const char *form_error);
/* values.<field> (what was typed, except secrets) and errors.<field> (translated). */
void page_form_state(struct req *r, struct tv *data);
/* Append a form field to the list data.<list> for templates/form/input.html: label (msgid),
   type ("text", "password", "email"...), autocomplete; the value typed (never for passwords),
   the error and the maximum length come from the route's declared field. help may be NULL.
   Returns the field, for extra keys such as inputmode. */
struct tv *page_field(struct req *r, struct tv *data, const char *list, const char *name,
                      const char *label_msgid, const char *type, const char *autocomplete,
                      const char *help_msgid);
/* Set data.errors.<name> to the translated msgid (an error found by the handler, not the
   validator), and mark the field for the next page_field. */
void page_field_error(struct req *r, struct tv *data, const char *name, const char *msgid);
/* An absolute URL for e-mails: the configured public URL plus path (never the Host header). */
const char *page_absolute_url(struct req *r, const char *path);
void page_set_public_url(const char *url);
/* The public URL as set, without a trailing slash (for links in mail sent by background jobs). */
const char *page_public_base(void);
/* tr() then each {key} replaced by its value: pairs of strings (key, value), then NULL. The
   same placeholders as in templates, so translators see one convention. */
const char *page_tr(struct req *r, const char *msgid, ...);
/* Render t with data as an HTML page with the given status. */
void page_render(struct req *r, struct resp *w, int status, tmpl_render_fn t, struct tv *data);
/* The error page for status (404, 500, 413, ...), in the request's language. */
void page_error(struct req *r, struct resp *w, int status);

#endif
