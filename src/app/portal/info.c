/* The municipality's information pages linked from every footer: privacy, accessibility, legal
 * notes. */
#include "app/handlers.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"

static void portal_info(struct req *r, struct resp *w, const char *title, tmpl_render_fn t)
{
    struct tv *d = page_new(r, title);
    page_crumb(r, d, title, NULL);
    page_render(r, w, 200, t, d);
}

void portal_privacy(struct req *r, struct resp *w)
{
    portal_info(r, w, N_("Privacy policy"), tmpl_portal_privacy);
}

void portal_accessibility(struct req *r, struct resp *w)
{
    portal_info(r, w, N_("Accessibility statement"), tmpl_portal_accessibility);
}

void portal_legal(struct req *r, struct resp *w)
{
    portal_info(r, w, N_("Legal notes"), tmpl_portal_legal);
}
