/*
 * Small pure checks on text that every layer needs (form validators, service rules, the pagoPA
 * client): no allocation, no locale, ASCII only.
 */
#ifndef REFETTORIO_UTIL_TEXT_H
#define REFETTORIO_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s is min..max ASCII digits and nothing else (no sign, no spaces). NULL is not. */
bool str_digits(const char *s, size_t min, size_t max);

#endif
