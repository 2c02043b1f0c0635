/*
 * Marks an English message for extraction by xgettext without translating it here; the string is
 * translated where it is shown (tr() in web/i18n.h). Lets any layer name a user-visible message.
 */
#ifndef REFETTORIO_UTIL_MSG_H
#define REFETTORIO_UTIL_MSG_H

#define N_(s) (s)

#endif
