/* Routes of the family area: sign-in, e-mail verification, passwords, profile. */
#include "app/handlers.h"
#include "web/route.h"

const struct route family_routes[] = {
    {0},
};
