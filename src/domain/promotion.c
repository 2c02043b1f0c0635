#include "domain/promotion.h"

#include <stdio.h>
#include <string.h>

enum promotion_result promotion_next(const char *class_name, int kind, int birth_year,
                                     int new_year_start, char *out, size_t out_size, int *next_kind)
{
    if (out_size)
        out[0] = '\0';
    *next_kind = kind;
    if (kind == PROMOTION_INFANZIA) {
        if (new_year_start - birth_year >= 6) {
            *next_kind = PROMOTION_PRIMARIA;
            return PROMOTION_NEXT_KIND;
        }
        if (!class_name || !*class_name || strlen(class_name) >= out_size)
            return PROMOTION_PICK_CLASS;
        snprintf(out, out_size, "%s", class_name);
        return PROMOTION_SAME_SCHOOL;
    }
    int last = kind == PROMOTION_PRIMARIA ? 5 : 3;
    if (!class_name || class_name[0] < '1' || class_name[0] > '0' + last ||
        (class_name[1] >= '0' && class_name[1] <= '9') || strlen(class_name) >= out_size)
        return PROMOTION_PICK_CLASS;
    int year = class_name[0] - '0';
    if (year == last) {
        if (kind == PROMOTION_SECONDARIA)
            return PROMOTION_LEAVES;
        *next_kind = PROMOTION_SECONDARIA;
        return PROMOTION_NEXT_KIND;
    }
    snprintf(out, out_size, "%d%s", year + 1, class_name + 1);
    return PROMOTION_SAME_SCHOOL;
}
