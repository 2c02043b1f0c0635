#include "web/tmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "web/html.h"

/* Dicts keep their entries in insertion order and compare hashes before keys. Up to
   TV_DICT_LINEAR keys a scan is fastest; above it an open-addressing index (power-of-two size,
   at most half full) keeps tv_set and lookups O(1), so building a big dict is not quadratic. */
#define TV_DICT_LINEAR 8

struct tv_entry {
    const char *key;
    size_t klen;
    uint32_t hash;
    struct tv *value;
};

struct tv {
    enum tv_kind kind;
    struct arena *arena;
    union {
        struct {
            const char *s;
            size_t len;
        } str;
        bool b;
        struct {
            struct tv **items;
            size_t len, cap;
        } list;
        struct {
            struct tv_entry *entries;
            size_t len, cap;
            uint32_t *index; /* entry number + 1; 0 is empty */
            size_t index_cap;
        } dict;
    } u;
};

static struct tv *tv_new(struct arena *a, enum tv_kind kind)
{
    struct tv *v = arena_alloc(a, sizeof(*v));
    v->kind = kind;
    v->arena = a;
    return v;
}

struct tv *tv_dict(struct arena *a)
{
    return tv_new(a, TV_DICT);
}

struct tv *tv_list(struct arena *a)
{
    return tv_new(a, TV_LIST);
}

static struct tv *tv_strn(struct arena *a, const char *s, size_t n)
{
    struct tv *v = tv_new(a, TV_STR);
    v->u.str.s = arena_strndup(a, s, n);
    v->u.str.len = n;
    return v;
}

struct tv *tv_str(struct arena *a, const char *s)
{
    return tv_strn(a, s ? s : "", s ? strlen(s) : 0);
}

static void tv_index_rebuild(struct tv *d)
{
    size_t cap = 16;
    while (cap < d->u.dict.len * 2 + 2)
        cap *= 2;
    uint32_t *idx = arena_calloc(d->arena, cap, sizeof(*idx));
    for (size_t i = 0; i < d->u.dict.len; i++) {
        size_t slot = d->u.dict.entries[i].hash & (cap - 1);
        while (idx[slot])
            slot = (slot + 1) & (cap - 1);
        idx[slot] = (uint32_t)(i + 1);
    }
    d->u.dict.index = idx;
    d->u.dict.index_cap = cap;
}

static struct tv_entry *tv_find(const struct tv *d, const char *key, size_t klen, uint32_t hash)
{
    if (!d || d->kind != TV_DICT)
        return NULL;
    struct tv_entry *e = d->u.dict.entries;
    if (!d->u.dict.index) {
        for (size_t i = 0; i < d->u.dict.len; i++)
            if (e[i].hash == hash && e[i].klen == klen && memcmp(e[i].key, key, klen) == 0)
                return &e[i];
        return NULL;
    }
    size_t mask = d->u.dict.index_cap - 1;
    for (size_t slot = hash & mask; d->u.dict.index[slot]; slot = (slot + 1) & mask) {
        struct tv_entry *c = &e[d->u.dict.index[slot] - 1];
        if (c->hash == hash && c->klen == klen && memcmp(c->key, key, klen) == 0)
            return c;
    }
    return NULL;
}

void tv_set(struct tv *d, const char *key, struct tv *value)
{
    if (!d || d->kind != TV_DICT || !key)
        return;
    if (!value)
        value = tv_new(d->arena, TV_NULL);
    size_t klen = strlen(key);
    uint32_t hash = tmpl_hash(key, klen);
    struct tv_entry *e = tv_find(d, key, klen, hash);
    if (e) {
        e->value = value;
        return;
    }
    if (d->u.dict.len == d->u.dict.cap) {
        size_t cap = d->u.dict.cap ? d->u.dict.cap * 2 : 8;
        struct tv_entry *n = arena_calloc(d->arena, cap, sizeof(*n));
        if (d->u.dict.len)
            memcpy(n, d->u.dict.entries, d->u.dict.len * sizeof(*n));
        d->u.dict.entries = n;
        d->u.dict.cap = cap;
    }
    e = &d->u.dict.entries[d->u.dict.len++];
    e->key = arena_strndup(d->arena, key, klen);
    e->klen = klen;
    e->hash = hash;
    e->value = value;
    if (d->u.dict.len > TV_DICT_LINEAR) {
        if (!d->u.dict.index || d->u.dict.len * 2 > d->u.dict.index_cap) {
            tv_index_rebuild(d);
        } else {
            size_t mask = d->u.dict.index_cap - 1;
            size_t slot = hash & mask;
            while (d->u.dict.index[slot])
                slot = (slot + 1) & mask;
            d->u.dict.index[slot] = (uint32_t)d->u.dict.len;
        }
    }
}

void tv_set_str(struct tv *d, const char *key, const char *s)
{
    if (!d || !s)
        return;
    tv_set(d, key, tv_str(d->arena, s));
}

void tv_set_strf(struct tv *d, const char *key, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    struct tv *v = tv_new(d->arena, TV_STR);
    v->u.str.s = s;
    v->u.str.len = strlen(s);
    tv_set(d, key, v);
}

void tv_set_int(struct tv *d, const char *key, long long v)
{
    tv_set_strf(d, key, "%lld", v);
}

void tv_set_bool(struct tv *d, const char *key, bool b)
{
    if (!d)
        return;
    struct tv *v = tv_new(d->arena, TV_BOOL);
    v->u.b = b;
    tv_set(d, key, v);
}

struct tv *tv_set_dict(struct tv *d, const char *key)
{
    if (!d)
        return NULL;
    struct tv *v = tv_dict(d->arena);
    tv_set(d, key, v);
    return v;
}

struct tv *tv_set_list(struct tv *d, const char *key)
{
    if (!d)
        return NULL;
    struct tv *v = tv_list(d->arena);
    tv_set(d, key, v);
    return v;
}

static void tv_push(struct tv *l, struct tv *v)
{
    if (l->u.list.len == l->u.list.cap) {
        /* Doubling in the arena wastes the old arrays, at most as much as the final one. */
        size_t cap = l->u.list.cap ? l->u.list.cap * 2 : 8;
        struct tv **n = arena_calloc(l->arena, cap, sizeof(*n));
        if (l->u.list.len)
            memcpy(n, l->u.list.items, l->u.list.len * sizeof(*n));
        l->u.list.items = n;
        l->u.list.cap = cap;
    }
    l->u.list.items[l->u.list.len++] = v;
}

struct tv *tv_push_dict(struct tv *l)
{
    if (!l)
        return NULL;
    struct tv *v = tv_dict(l->arena);
    if (l->kind == TV_LIST)
        tv_push(l, v);
    return v;
}

void tv_push_str(struct tv *l, const char *s)
{
    if (!l || l->kind != TV_LIST || !s)
        return;
    tv_push(l, tv_str(l->arena, s));
}

const struct tv *tv_get(const struct tv *v, const char *path)
{
    if (!path)
        return NULL;
    while (v) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        struct tv_entry *e = tv_find(v, path, n, tmpl_hash(path, n));
        if (!e)
            return NULL;
        if (!dot)
            return e->value;
        v = e->value;
        path = dot + 1;
    }
    return NULL;
}

const char *tv_get_str(const struct tv *v, const char *path)
{
    const struct tv *r = tv_get(v, path);
    return r && r->kind == TV_STR ? r->u.str.s : NULL;
}

bool tv_truthy(const struct tv *v)
{
    if (!v)
        return false;
    switch (v->kind) {
    case TV_STR:
        return v->u.str.len > 0;
    case TV_BOOL:
        return v->u.b;
    case TV_LIST:
        return v->u.list.len > 0;
    case TV_DICT:
        return v->u.dict.len > 0;
    case TV_NULL:
        break;
    }
    return false;
}

enum tv_kind tv_kind_of(const struct tv *v)
{
    return v ? v->kind : TV_NULL;
}

size_t tv_len(const struct tv *v)
{
    if (!v)
        return 0;
    if (v->kind == TV_LIST)
        return v->u.list.len;
    if (v->kind == TV_DICT)
        return v->u.dict.len;
    return 0;
}

const struct tv *tmpl_lookup(const struct tmpl_scope *s, const struct tmpl_key *path, size_t n)
{
    if (n == 0)
        return s ? s->v : NULL;
    const struct tv_entry *e = NULL;
    for (; s && !e; s = s->up)
        e = tv_find(s->v, path[0].name, path[0].len, path[0].hash);
    if (!e)
        return NULL;
    const struct tv *v = e->value;
    for (size_t i = 1; i < n && v; i++) {
        e = tv_find(v, path[i].name, path[i].len, path[i].hash);
        v = e ? e->value : NULL;
    }
    return v;
}

size_t tmpl_list_len(const struct tv *l)
{
    return l && l->kind == TV_LIST ? l->u.list.len : 0;
}

const struct tv *tmpl_list_at(const struct tv *l, size_t i)
{
    return i < tmpl_list_len(l) ? l->u.list.items[i] : NULL;
}

static void tmpl_escape(struct buf *out, enum tmpl_ctx ctx, const char *s, size_t n)
{
    switch (ctx) {
    case TMPL_CTX_TEXT:
        html_text(out, s, n);
        break;
    case TMPL_CTX_ATTR:
        html_attr(out, s, n);
        break;
    case TMPL_CTX_URL:
        html_url(out, s, n);
        break;
    case TMPL_CTX_URL_PART:
        html_url_component(out, s, n);
        break;
    case TMPL_CTX_PLAIN:
        buf_append(out, s, n);
        break;
    }
}

void tmpl_emit(struct tmpl_out *o, enum tmpl_ctx ctx, const struct tv *v)
{
    if (v && v->kind == TV_STR)
        tmpl_escape(o->out, ctx, v->u.str.s, v->u.str.len);
    else if (ctx == TMPL_CTX_URL)
        tmpl_escape(o->out, ctx, "", 0);
}

void tmpl_emit_str(struct tmpl_out *o, enum tmpl_ctx ctx, const char *s)
{
    if (s)
        tmpl_escape(o->out, ctx, s, strlen(s));
}

void tmpl_emit_index(struct tmpl_out *o, size_t index)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%zu", index);
    buf_append(o->out, num, (size_t)n);
}

/* A placeholder is {path} with path made of the characters of template names; anything else
   (a lone brace in a translation) is copied as text. Returns the length of the placeholder
   at s, or 0. */
static size_t tmpl_placeholder(const char *s, struct tmpl_key *keys, size_t *nkeys)
{
    size_t i = 1, start = 1;
    *nkeys = 0;
    for (;; i++) {
        char c = s[i];
        bool name = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
        if (name)
            continue;
        if ((c != '.' && c != '}') || i == start || *nkeys == TMPL_PATH_MAX)
            return 0;
        keys[*nkeys].name = s + start;
        keys[*nkeys].len = i - start;
        keys[*nkeys].hash = tmpl_hash(s + start, i - start);
        (*nkeys)++;
        start = i + 1;
        if (c == '}')
            return i + 1;
    }
}

void tmpl_emit_tr(struct tmpl_out *o, enum tmpl_ctx ctx, const struct tmpl_scope *s,
                  const char *translated)
{
    if (!translated)
        return;
    if (!strchr(translated, '{')) {
        tmpl_escape(o->out, ctx, translated, strlen(translated));
        return;
    }
    /* Substitute first, escape after: a whole URL must be checked as the browser will see it. */
    struct buf tmp;
    buf_init(&tmp, TMPL_TR_MAX);
    const char *p = translated;
    while (*p) {
        const char *brace = strchr(p, '{');
        if (!brace) {
            buf_puts(&tmp, p);
            break;
        }
        buf_append(&tmp, p, (size_t)(brace - p));
        struct tmpl_key keys[TMPL_PATH_MAX];
        size_t nkeys;
        size_t len = tmpl_placeholder(brace, keys, &nkeys);
        if (len == 0) {
            buf_putc(&tmp, '{');
            p = brace + 1;
            continue;
        }
        const struct tv *v = tmpl_lookup(s, keys, nkeys);
        if (v && v->kind == TV_STR)
            buf_append(&tmp, v->u.str.s, v->u.str.len);
        p = brace + len;
    }
    tmpl_escape(o->out, ctx, tmp.data ? tmp.data : "", tmp.len);
    buf_free(&tmp);
}
