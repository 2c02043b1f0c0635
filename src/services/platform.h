/*
 * Platform administration: what the installation's super-admins (staff_user rows with role
 * superadmin and tenant_id NULL; tenant id 0 in the code) do outside every municipality. Owns the
 * list of municipalities with their staff counts, and the creation of a municipality together
 * with its first administrator, who gets a temporary password by e-mail: the municipality, the
 * account, the message and their audit entries are one transaction, so a municipality never
 * exists without the person who can run it.
 */
#ifndef REFETTORIO_SERVICES_PLATFORM_H
#define REFETTORIO_SERVICES_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/staff.h"
#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"

#define PLATFORM_LIST_MAX 1000 /* municipalities listed; more is reported, not listed */
#define PLATFORM_NAME_MIN 2    /* a municipality's name, as the tenant table checks it */
#define PLATFORM_NAME_MAX 120

struct platform_tenant_row {
    int64_t id;
    const char *slug, *name, *created_at;
    int64_t staff;         /* staff accounts */
    int64_t staff_enabled; /* of which not disabled */
};

/* The municipalities by name, at most PLATFORM_LIST_MAX; *more is set when there are more.
   0 or -1. */
int platform_tenant_list(struct db *db, struct arena *a, struct platform_tenant_row **rows,
                         size_t *n, bool *more);

enum platform_err {
    PLATFORM_OK = 0,
    PLATFORM_ERR_TENANT,      /* a value of the municipality is not valid */
    PLATFORM_ERR_SLUG_TAKEN,  /* another municipality has this address */
    PLATFORM_ERR_ADMIN_EMAIL, /* the administrator's e-mail address is not valid */
    PLATFORM_ERR_ADMIN_NAME,  /* the administrator's name is empty or too long */
    PLATFORM_ERR_MAIL,        /* the temporary password mail could not be queued */
    PLATFORM_ERR_DB,
};

struct platform_new_tenant {
    struct tenant_new tenant;
    const char *admin_name, *admin_email;
    const char *admin_lang;  /* language of the mail */
    const char *signin_href; /* absolute URL of the new municipality's staff sign-in */
};

/* Create the municipality and its first administrator (role admin, temporary password mailed),
   audit-logged under the super-admin by, in one transaction: on any error nothing is kept.
   *tenant_id (may be NULL) receives the new municipality's id. */
enum platform_err platform_tenant_create(struct db *db, struct arena *a,
                                         const struct staff_actor *by,
                                         const struct platform_new_tenant *n, int64_t *tenant_id);

#endif
