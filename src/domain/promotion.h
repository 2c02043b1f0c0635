/*
 * Class promotion for renewals: where a pupil goes in the next school year.
 *   - primaria: "2A" becomes "3A"; after the fifth year the pupil moves to the secondaria;
 *   - secondaria (di primo grado): "1B" becomes "2B"; after the third year the pupil leaves;
 *   - infanzia: sections mix ages, so the pupil stays in the same section until the year in
 *     which they turn six by 31 December (the Italian rule for starting primary school), when
 *     they move to the primaria.
 * A class name that does not start with its year (e.g. "Pluriclasse") cannot be promoted: the
 * family picks the class.
 */
#ifndef REFETTORIO_DOMAIN_PROMOTION_H
#define REFETTORIO_DOMAIN_PROMOTION_H

#include <stddef.h>

enum promotion_kind { PROMOTION_INFANZIA = 0, PROMOTION_PRIMARIA = 1, PROMOTION_SECONDARIA = 2 };

enum promotion_result {
    PROMOTION_SAME_SCHOOL, /* out: the class name in the same school */
    PROMOTION_NEXT_KIND,   /* *next_kind: the school kind the family must pick a school of */
    PROMOTION_PICK_CLASS,  /* same school, the class cannot be derived */
    PROMOTION_LEAVES,      /* the last year of the last school kind the service covers */
};

/* class_name of the ending year, the school's kind, the pupil's birth year and the first
   calendar year of the new school year (2027 for 2027/2028). out holds at least 41 bytes. */
enum promotion_result promotion_next(const char *class_name, int kind, int birth_year,
                                     int new_year_start, char *out, size_t out_size,
                                     int *next_kind);

#endif
