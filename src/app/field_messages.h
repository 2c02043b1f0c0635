/*
 * The messages a person reads next to a field when a codice fiscale, a mobile number or an
 * IBAN is wrong: the domain modules report precise error codes (in English, for logs and the
 * CLI); these map them to translated, plain-language msgids for the pages.
 */
#ifndef REFETTORIO_APP_FIELD_MESSAGES_H
#define REFETTORIO_APP_FIELD_MESSAGES_H

#include "domain/codice_fiscale.h"
#include "domain/iban.h"
#include "domain/mobile.h"

const char *app_codice_fiscale_msgid(enum codice_fiscale_err e);
const char *app_mobile_msgid(enum mobile_err e);
const char *app_iban_msgid(enum iban_err e);

#endif
