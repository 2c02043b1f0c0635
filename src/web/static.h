/*
 * Static files under /static/ from the configured folder (Bootstrap Italia and our own assets):
 * safe path check, content types, ETag from size and modification time, 304 on If-None-Match,
 * and cache headers.
 */
#ifndef REFETTORIO_WEB_STATIC_H
#define REFETTORIO_WEB_STATIC_H

#include "web/http.h"

#define STATIC_PATH_MAX 256
#define STATIC_MAX_AGE  86400

void static_configure(const char *dir);
/* rel is the path after "/static/". */
void static_serve(struct req *r, struct resp *w, const char *rel);

#endif
