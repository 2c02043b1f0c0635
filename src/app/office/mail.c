/* Back-office and demo pages about e-mail delivery. */
#include "app/handlers.h"
#include "web/route.h"

const struct route mail_routes[] = {
    {0},
};
