/* Placeholder table until the area lands. */
#include "app/handlers.h"

const struct route campaign_routes[] = {
    {0},
};
