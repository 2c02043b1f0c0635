#include "web/static.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/page.h"

static char static_dir[1024] = "build/static";

void static_configure(const char *dir)
{
    snprintf(static_dir, sizeof(static_dir), "%s", dir);
}

static const char *static_content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
        {".pdf", "application/pdf"},
        {".map", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (!strcmp(dot, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}

/* Letters, digits, '-', '_', '.', '/'; no empty, '.' or '..' segment; no leading '/'. */
static bool static_path_ok(const char *rel)
{
    size_t n = strlen(rel);
    if (n == 0 || n > STATIC_PATH_MAX || rel[0] == '/')
        return false;
    for (const char *p = rel; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/'))
            return false;
        if (c == '/' && (p[1] == '/' || p[1] == '\0'))
            return false;
        if ((p == rel || p[-1] == '/') && c == '.')
            return false; /* hidden files, "." and ".." */
    }
    return true;
}

void static_serve(struct req *r, struct resp *w, const char *rel)
{
    if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
        resp_header(w, "Allow", "GET, HEAD");
        page_error(r, w, 405);
        return;
    }
    if (!static_path_ok(rel)) {
        page_error(r, w, 404);
        return;
    }
    char *full = arena_printf(&r->arena, "%s/%s", static_dir, rel);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        page_error(r, w, 404);
        return;
    }
    char *etag = arena_printf(&r->arena, "\"%llx-%llx\"", (unsigned long long)st.st_size,
                              (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                                  (unsigned long long)st.st_mtim.tv_nsec);
    resp_header(w, "ETag", etag);
    resp_header(w, "Cache-Control", arena_printf(&r->arena, "public, max-age=%d", STATIC_MAX_AGE));
    const char *inm = req_header(r, "If-None-Match");
    if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
        close(fd);
        w->status = 304;
        return;
    }
    w->status = 200;
    w->content_type = static_content_type(rel);
    w->fd = fd;
    w->fd_size = (uint64_t)st.st_size;
}
