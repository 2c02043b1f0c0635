#include "app/field_messages.h"

#include "util/msg.h"

const char *app_codice_fiscale_msgid(enum codice_fiscale_err e)
{
    switch (e) {
    case CODICE_FISCALE_EMPTY:
        return N_("This field is required.");
    case CODICE_FISCALE_WRONG_LENGTH:
        return N_("A codice fiscale has 16 characters.");
    case CODICE_FISCALE_BAD_CHECK:
        return N_("This codice fiscale is not valid: a character is probably mistyped.");
    default:
        return N_("This is not a valid codice fiscale: check it on the health card.");
    }
}

const char *app_mobile_msgid(enum mobile_err e)
{
    switch (e) {
    case MOBILE_EMPTY:
        return N_("This field is required.");
    case MOBILE_FOREIGN:
        return N_("Give an Italian mobile number (+39).");
    case MOBILE_LANDLINE:
    case MOBILE_NOT_MOBILE:
        return N_("This is not a mobile number: an Italian mobile number starts with 3.");
    default:
        return N_("This is not a valid mobile number: it has 9 or 10 digits, e.g. 333 123 4567.");
    }
}

const char *app_iban_msgid(enum iban_err e)
{
    switch (e) {
    case IBAN_EMPTY:
        return N_("This field is required.");
    case IBAN_BAD_CHECKSUM:
    case IBAN_BAD_CIN:
        return N_("This IBAN is not valid: a character is probably mistyped.");
    case IBAN_WRONG_LENGTH:
        return N_("This IBAN has the wrong length: an Italian IBAN has 27 characters.");
    default:
        return N_("This is not a valid IBAN: it starts with the country code, e.g. IT60 X054 ...");
    }
}
