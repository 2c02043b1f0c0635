/*
 * Translations. Messages are written in English in the code and templates (msgids) and
 * translated through GNU gettext catalogues: po/<lang>.po, compiled by msgfmt into .mo files and
 * embedded in the binary. The lookup is ours rather than glibc's gettext(), because glibc picks
 * the language per process (LANGUAGE/LC_MESSAGES) and we choose it per request, and because the
 * server must not depend on the host's generated locales. Italian is the default language.
 */
#ifndef REFETTORIO_WEB_I18N_H
#define REFETTORIO_WEB_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "util/msg.h"

#define I18N_DEFAULT_LANG "it"

/* Load the embedded catalogues. 0, or -1 if one is malformed (logged). */
int i18n_init(void);
/* Translation of msgid in lang, or msgid itself when there is none. Never NULL. */
const char *tr(const char *lang, const char *msgid);
/* The canonical code for a supported language ("it", "en"), or NULL. */
const char *i18n_lang(const char *code);

/* A parsed .mo catalogue (exposed for the unit and fuzz tests). */
struct i18n_catalog;
struct i18n_catalog *i18n_catalog_parse(const char *data, size_t len);
const char *i18n_catalog_lookup(const struct i18n_catalog *c, const char *msgid);
size_t i18n_catalog_size(const struct i18n_catalog *c);
void i18n_catalog_free(struct i18n_catalog *c);

#endif
