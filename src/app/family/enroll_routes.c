/* Placeholder table until the area lands. */
#include "app/handlers.h"

const struct route enroll_routes[] = {
    {0},
};
