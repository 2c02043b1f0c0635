#include "web/i18n.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"
#include "util/log.h"

#define I18N_MO_MAGIC    0x950412deu
#define I18N_MAX_STRINGS 100000

struct i18n_catalog {
    size_t n;
    const char **msgids; /* sorted, as msgfmt writes them */
    const char **msgstrs;
};

static uint32_t i18n_u32(const unsigned char *p, bool swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (swap)
        v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
    return v;
}

/* String i of a table at offset tab: checks that it lies inside the file and ends with NUL. */
static const char *i18n_string(const char *data, size_t len, uint32_t tab, uint32_t i, bool swap)
{
    uint64_t entry = (uint64_t)tab + (uint64_t)i * 8;
    if (entry + 8 > len)
        return NULL;
    const unsigned char *p = (const unsigned char *)data + entry;
    uint32_t slen = i18n_u32(p, swap), off = i18n_u32(p + 4, swap);
    if ((uint64_t)off + slen + 1 > len || data[off + slen] != '\0')
        return NULL;
    return data + off;
}

struct i18n_catalog *i18n_catalog_parse(const char *data, size_t len)
{
    if (len < 28)
        return NULL;
    const unsigned char *h = (const unsigned char *)data;
    bool swap;
    if (i18n_u32(h, false) == I18N_MO_MAGIC)
        swap = false;
    else if (i18n_u32(h, true) == I18N_MO_MAGIC)
        swap = true;
    else
        return NULL;
    if (i18n_u32(h + 4, swap) >> 16 != 0) /* major revision 0 only */
        return NULL;
    uint32_t n = i18n_u32(h + 8, swap), orig = i18n_u32(h + 12, swap),
             trans = i18n_u32(h + 16, swap);
    if (n > I18N_MAX_STRINGS)
        return NULL;
    struct i18n_catalog *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->msgids = calloc(n ? n : 1, sizeof(char *));
    c->msgstrs = calloc(n ? n : 1, sizeof(char *));
    if (!c->msgids || !c->msgstrs)
        goto fail;
    const char *prev = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const char *id = i18n_string(data, len, orig, i, swap);
        const char *str = i18n_string(data, len, trans, i, swap);
        if (!id || !str)
            goto fail;
        if (prev && strcmp(prev, id) >= 0)
            goto fail; /* lookup relies on the order msgfmt guarantees */
        prev = id;
        if (*str == '\0')
            continue; /* untranslated: fall back to the msgid */
        c->msgids[c->n] = id;
        c->msgstrs[c->n] = str;
        c->n++;
    }
    return c;
fail:
    i18n_catalog_free(c);
    return NULL;
}

const char *i18n_catalog_lookup(const struct i18n_catalog *c, const char *msgid)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(msgid, c->msgids[mid]);
        if (cmp == 0)
            return c->msgstrs[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t i18n_catalog_size(const struct i18n_catalog *c)
{
    return c->n;
}

void i18n_catalog_free(struct i18n_catalog *c)
{
    if (!c)
        return;
    free(c->msgids);
    free(c->msgstrs);
    free(c);
}

static struct i18n_catalog *i18n_it;

int i18n_init(void)
{
    if (i18n_it)
        return 0;
    for (size_t i = 0; i < embedded_catalogs_count; i++) {
        const struct embedded_file *f = &embedded_catalogs[i];
        if (strcmp(f->name, "it/refettorio.mo") != 0)
            continue;
        i18n_it = i18n_catalog_parse(f->data, f->len);
        if (!i18n_it) {
            log_error("malformed translation catalogue", "file", f->name);
            return -1;
        }
    }
    return 0;
}

const char *i18n_lang(const char *code)
{
    if (!code)
        return NULL;
    if (!strcmp(code, "it"))
        return "it";
    if (!strcmp(code, "en"))
        return "en";
    return NULL;
}

const char *tr(const char *lang, const char *msgid)
{
    if (lang && lang[0] == 'e' && lang[1] == 'n' && lang[2] == '\0')
        return msgid;
    if (!i18n_it)
        return msgid;
    const char *t = i18n_catalog_lookup(i18n_it, msgid);
    return t ? t : msgid;
}
