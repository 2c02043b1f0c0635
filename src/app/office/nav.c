/* The back office's navigation: the same entries on every office page, by role. */
#include <string.h>

#include "app/handlers.h"
#include "web/i18n.h"
#include "web/page.h"

void office_nav(struct req *r, struct tv *data, const char *current)
{
    static const struct {
        const char *key, *label, *path;
        unsigned roles;
    } items[] = {
        {"home", N_("Back office"), "/", ROLE_ANY_STAFF},
        {"enrollments", N_("Enrollments"), "/iscrizioni", ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE},
        {"campaigns", N_("Campaigns"), "/campagne", ROLE_ADMIN | ROLE_UFFICIO},
        {"tariffs", N_("Tariffs"), "/tariffe", ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE},
        {"payments", N_("Payments"), "/pagamenti", ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE},
        {"debts", N_("Debtors"), "/debitori", ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE},
        {"calendars", N_("Calendars"), "/calendari", ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE},
        {"meals", N_("Meals"), "/pasti", ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE},
        {"kitchen", N_("Kitchen"), "/cucina", ROLE_ANY_STAFF},
        {"staff", N_("Staff"), "/personale", ROLE_ADMIN},
        {"mail", N_("E-mail"), "/posta", ROLE_ADMIN | ROLE_UFFICIO},
        {"locks", N_("Locked sign-ins"), "/blocchi", ROLE_ADMIN | ROLE_UFFICIO},
        {"profile", N_("My profile"), "/profilo", ROLE_ANY_STAFF},
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
        if (r->user.role & items[i].roles)
            page_nav(r, data, items[i].label,
                     arena_printf(&r->arena, "/%s/ufficio%s", r->tenant.slug, items[i].path),
                     !strcmp(current, items[i].key));
}
