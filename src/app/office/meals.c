/* Routes of this area; the handlers follow as they are built. */
#include "app/handlers.h"
#include "web/route.h"

const struct route meal_office_routes[] = {
    {0},
};
