/*
 * Places: the Belfiore (cadastral) codes that appear in positions 12-15 of a codice fiscale, for
 * Italian municipalities past and present and (Z + 3 digits) foreign states. This module owns the
 * lookup; the table itself is generated at build time by tools/gen_places.mjs from the list that
 * the npm package codice-fiscale-js maintains (build/gen/places_table.c), never typed by hand.
 *
 * One code can carry several names over time (a municipality renamed or merged); the table keeps
 * every row, sorted by code with the current (not ceased) name first. A code that is well formed
 * but absent from the table is an unknown place, not an invalid code: the registry lags behind
 * new municipalities, and callers must not reject a person because of it.
 */
#ifndef REFETTORIO_DOMAIN_PLACES_H
#define REFETTORIO_DOMAIN_PLACES_H

#include <stdbool.h>
#include <stddef.h>

#define PLACES_CODE_LEN 4

struct place {
    char code[PLACES_CODE_LEN + 1]; /* "H501" */
    char province[3];               /* "RM"; "EE" for a foreign state */
    const char *name;               /* "ROMA", upper case as in the registry */
    const char *province_name;      /* "Roma"; "" for foreign states */
    int ceased;                     /* 1 when the registry marks the name as no longer in use */
};

/* Generated table, sorted by code then current-before-ceased. */
extern const struct place places_table[];
extern const size_t places_table_len;

/* True when s is exactly one letter and three digits (upper case), the shape of a Belfiore code. */
bool places_is_well_formed(const char *s);
/* The preferred row for code (the current name if there is one), or NULL when unknown. */
const struct place *places_find(const char *code);
/* All rows for code: returns how many, and *first points at the first of them (NULL when 0). */
size_t places_find_all(const char *code, const struct place **first);
/* Places whose name is typed (any case, accents, apostrophes and spaces ignored; "Name (PR)"
   narrows to a province; a Belfiore code is looked up as such). Current names are preferred:
   ceased ones are searched only when no current one matches. Returns how many matched (out
   gets the first max of them). */
size_t places_search_name(const char *typed, const struct place **out, size_t max);
/* True for foreign states (Z codes). */
bool places_is_foreign(const char *code);

#endif
