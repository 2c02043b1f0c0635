/* Back-office staff administration and the TOTP second factor. */
#include "app/handlers.h"
#include "web/route.h"

const struct route staff_routes[] = {
    {0},
};
