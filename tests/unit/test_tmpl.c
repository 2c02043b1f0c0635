/* Unit tests for the template runtime (src/web/tmpl.c) and compiler (tools/tmplc.c): renders
   the fixtures in tests/unit/templates/ (compiled by mk/templates.mk with the prefix
   test_tmpl_) with hostile data and checks the exact output, then runs tmplc on templates that
   must not compile and checks the exit status and the "file:line: reason" message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_templates.h"
#include "web/tmpl.h"

#ifndef TMPLC_PATH
#define TMPLC_PATH "build/tools/tmplc"
#endif

#define TEST_OUT_MAX (64 * 1024)

/* Formats a path and fails the test if it does not fit. */
#define PATHF(dst, ...) assert_true(snprintf(dst, sizeof(dst), __VA_ARGS__) < (int)sizeof(dst))

/* The test's own tr() (declared in web/i18n.h): translates for "it" and, for "evil", returns a
   hostile translation to prove placeholders are substituted before the URL check. The
   library's i18n.o also defines tr(), but nothing this binary links needs another symbol from
   it, so the archive member is never pulled in and the definitions do not clash. */
const char *tr(const char *lang, const char *msgid)
{
    if (lang && strcmp(lang, "it") == 0) {
        if (strcmp(msgid, "Signed in as {user.name}") == 0)
            return "{user.name}: accesso effettuato";
        if (strcmp(msgid, "Help") == 0)
            return "Aiuto";
    }
    if (lang && strcmp(lang, "evil") == 0 && strcmp(msgid, "/help/{topic}") == 0)
        return "{topic}";
    return msgid;
}

struct fixture {
    struct arena arena;
    struct buf out;
    struct tv *data;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    arena_init(&f->arena, 0);
    buf_init(&f->out, TEST_OUT_MAX);
    f->data = tv_dict(&f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    buf_free(&f->out);
    arena_free(&f->arena);
    free(f);
    return 0;
}

static const char *render_lang(struct fixture *f, tmpl_render_fn fn, const char *lang)
{
    struct tmpl_out o = {&f->out, lang, &f->arena};
    buf_reset(&f->out);
    fn(&o, f->data);
    assert_int_equal(f->out.err, BUF_OK);
    return buf_str(&f->out);
}

static const char *render(struct fixture *f, tmpl_render_fn fn)
{
    return render_lang(f, fn, "en");
}

/* ---- Contexts ---------------------------------------------------------------------------- */

static void test_text_context(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "msg", "<script>alert(\"x\")</script> & 'y'");
    assert_string_equal(render(f, test_tmpl_text),
                        "<p class=\"msg\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
                        "&amp; &#39;y&#39;</p>\n");
}

static void test_attr_context(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "v", "\"><script>'\n");
    assert_string_equal(render(f, test_tmpl_attr),
                        "<input value=\"&quot;&gt;&lt;script&gt;&#39;&#10;\" "
                        "title='&quot;&gt;&lt;script&gt;&#39;&#10;' "
                        "data-x=\"a &quot;&gt;&lt;script&gt;&#39;&#10; b\">\n");
}

static void test_url_context_hostile(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "u", " JaVaScRiPt:alert(1)");
    tv_set_str(f->data, "q", "a b&\"c'/:");
    assert_string_equal(render(f, test_tmpl_url),
                        "<a href=\"#\">a</a> <a href=\"/search?q=a%20b%26%22c%27%2F%3A&amp;p=1\">"
                        "b</a> <form action=\"#\"></form> <img src=\"#/x.png\" "
                        "alt=\"a b&amp;&quot;c&#39;/:\">\n");
}

static void test_url_context_allowed(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "u", "https://x.example/?a=1&b=\"2\"");
    tv_set_str(f->data, "q", "caff\xc3\xa8");
    assert_string_equal(render(f, test_tmpl_url),
                        "<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">a</a> "
                        "<a href=\"/search?q=caff%C3%A8&amp;p=1\">b</a> "
                        "<form action=\"https://x.example/?a=1&amp;b=&quot;2&quot;\"></form> "
                        "<img src=\"https://x.example/?a=1&amp;b=&quot;2&quot;/x.png\" "
                        "alt=\"caff\xc3\xa8\">\n");
}

static void test_rcdata_and_raw_literals(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "t", "</title><script>");
    assert_string_equal(render(f, test_tmpl_rawtext),
                        "<title>&lt;/title&gt;&lt;script&gt;</title><script>var a = \"<b>\";"
                        "</script><style>p{color:red}</style><textarea name=\"x\">"
                        "&lt;/title&gt;&lt;script&gt;</textarea><!--  -->\n");
}

/* ---- Blocks ------------------------------------------------------------------------------ */

static void test_if_else_unless_true(void **state)
{
    struct fixture *f = *state;
    tv_set_bool(f->data, "on", true);
    assert_string_equal(render(f, test_tmpl_blocks),
                        "ON  U <input type=\"checkbox\" checked> <b class=\"x y\"></b>\n");
}

static void test_if_else_unless_false(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "on", "");
    tv_set_str(f->data, "off", "yes");
    assert_string_equal(render(f, test_tmpl_blocks),
                        "OFF not-on V <input type=\"checkbox\" > <b class=\"x \"></b>\n");
}

static void test_truthiness(void **state)
{
    struct fixture *f = *state;
    struct tv *list = tv_set_list(f->data, "on");
    assert_false(tv_truthy(list));
    assert_string_equal(render(f, test_tmpl_blocks),
                        "OFF not-on U <input type=\"checkbox\" > <b class=\"x \"></b>\n");
    tv_push_str(list, "x");
    assert_true(tv_truthy(list));
    assert_string_equal(render(f, test_tmpl_blocks),
                        "ON  U <input type=\"checkbox\" checked> <b class=\"x y\"></b>\n");
    struct tv *d = tv_set_dict(f->data, "on");
    assert_false(tv_truthy(d));
    tv_set_bool(d, "k", false);
    assert_true(tv_truthy(d));
    tv_set_bool(f->data, "on", false);
    assert_false(tv_truthy(tv_get(f->data, "on")));
    assert_false(tv_truthy(NULL));
    assert_true(tv_truthy(tv_str(&f->arena, "0")));
}

static void test_each_index_first_last_outer(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "owner", "Root");
    struct tv *items = tv_set_list(f->data, "items");
    tv_set_str(tv_push_dict(items), "name", "A<");
    struct tv *b = tv_push_dict(items);
    tv_set_str(b, "name", "B");
    tv_set_str(b, "owner", "own\"2");
    assert_string_equal(render(f, test_tmpl_each),
                        "<ul><li id=\"i0\" class=\"first\">A&lt; of Root,</li>"
                        "<li id=\"i1\" class=\" last\">B of own&quot;2</li></ul>\n");
}

static void test_each_single_and_empty(void **state)
{
    struct fixture *f = *state;
    struct tv *items = tv_set_list(f->data, "items");
    assert_string_equal(render(f, test_tmpl_each), "<ul><li>none</li></ul>\n");
    tv_set_str(tv_push_dict(items), "name", "Solo");
    assert_string_equal(render(f, test_tmpl_each),
                        "<ul><li id=\"i0\" class=\"first last\">Solo of </li></ul>\n");
    /* Not a list: no iterations, the else branch runs. */
    tv_set_str(f->data, "items", "not a list");
    assert_string_equal(render(f, test_tmpl_each), "<ul><li>none</li></ul>\n");
}

static void test_nested_each(void **state)
{
    struct fixture *f = *state;
    struct tv *schools = tv_set_list(f->data, "schools");
    struct tv *s1 = tv_push_dict(schools);
    tv_set_str(s1, "name", "S<1>");
    struct tv *c1 = tv_set_list(s1, "classes");
    tv_push_str(c1, "1A");
    tv_push_str(c1, "1&B");
    struct tv *s2 = tv_push_dict(schools);
    tv_set_str(s2, "name", "S2");
    tv_set_list(s2, "classes");
    /* {{name}} inside the inner loop falls back to the school; {{.}} is the string item. */
    assert_string_equal(render(f, test_tmpl_nested),
                        "[S&lt;1&gt;:1A@0/S&lt;1&gt;1&amp;B@1/S&lt;1&gt;;][S2:]\n");
}

static void test_partial_same_scope(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "city", "Milano");
    struct tv *people = tv_set_list(f->data, "people");
    struct tv *a = tv_push_dict(people);
    tv_set_str(a, "name", "Ann");
    tv_set_str(a, "city", "<Roma>");
    tv_set_str(tv_push_dict(people), "name", "Bo");
    assert_string_equal(render(f, test_tmpl_partial),
                        "<ul><li>Ann (&lt;Roma&gt;)</li>\n<li>Bo (Milano)</li>\n</ul>\n");
}

static void test_missing_values_render_empty(void **state)
{
    struct fixture *f = *state;
    tv_set_dict(f->data, "a"); /* a exists, a.b does not */
    assert_string_equal(render(f, test_tmpl_missing), "[][][]<a href=\"\"></a>\n");
    /* Non-strings print nothing either. */
    tv_set_bool(f->data, "nope", true);
    assert_string_equal(render(f, test_tmpl_missing), "[][][x]<a href=\"\"></a>\n");
    struct tmpl_out o = {&f->out, "en", &f->arena};
    buf_reset(&f->out);
    test_tmpl_missing(&o, NULL);
    assert_string_equal(buf_str(&f->out), "[][][]<a href=\"\"></a>\n");
}

/* ---- Translated strings ------------------------------------------------------------------ */

static void test_translation_placeholders_escaped(void **state)
{
    struct fixture *f = *state;
    tv_set_str(tv_set_dict(f->data, "user"), "name", "<b>\"Eve\"</b>");
    tv_set_str(f->data, "topic", "menu");
    assert_string_equal(render(f, test_tmpl_i18n),
                        "<p>Signed in as &lt;b&gt;&quot;Eve&quot;&lt;/b&gt;</p> "
                        "<a href=\"/help/menu\" "
                        "title=\"Say &quot;&lt;b&gt;&quot;Eve&quot;&lt;/b&gt;&quot;\">Help</a>\n");
    assert_string_equal(render_lang(f, test_tmpl_i18n, "it"),
                        "<p>&lt;b&gt;&quot;Eve&quot;&lt;/b&gt;: accesso effettuato</p> "
                        "<a href=\"/help/menu\" "
                        "title=\"Say &quot;&lt;b&gt;&quot;Eve&quot;&lt;/b&gt;&quot;\">Aiuto</a>\n");
}

static void test_translation_url_checked_after_substitution(void **state)
{
    struct fixture *f = *state;
    tv_set_str(f->data, "topic", "javascript:alert(1)");
    assert_string_equal(render_lang(f, test_tmpl_i18n, "evil"),
                        "<p>Signed in as </p> <a href=\"#\" title=\"Say &quot;&quot;\">Help</a>\n");
}

/* ---- Data tree and lookup table ---------------------------------------------------------- */

static void test_tv_api(void **state)
{
    struct fixture *f = *state;
    struct tv *d = f->data;
    tv_set_str(d, "k", "one");
    tv_set_str(d, "k", "two"); /* replaces */
    assert_int_equal(tv_len(d), 1);
    assert_string_equal(tv_get_str(d, "k"), "two");
    tv_set_str(d, "k", NULL); /* sets nothing */
    assert_string_equal(tv_get_str(d, "k"), "two");
    tv_set_int(d, "n", -42);
    assert_string_equal(tv_get_str(d, "n"), "-42");
    tv_set_strf(d, "f", "%s-%03d", "x", 7);
    assert_string_equal(tv_get_str(d, "f"), "x-007");
    struct tv *u = tv_set_dict(d, "user");
    tv_set_str(tv_set_dict(u, "addr"), "city", "Roma");
    assert_string_equal(tv_get_str(d, "user.addr.city"), "Roma");
    assert_null(tv_get(d, "user.addr.zip"));
    assert_null(tv_get(d, "user.nothing.city"));
    assert_null(tv_get_str(d, "user")); /* not a string */
    assert_int_equal(tv_kind_of(tv_get(d, "user")), TV_DICT);
    tv_set(d, "nul", NULL);
    assert_int_equal(tv_kind_of(tv_get(d, "nul")), TV_NULL);
    /* Misuse is ignored, not fatal. */
    struct tv *l = tv_list(&f->arena);
    tv_set_str(l, "x", "y");
    assert_int_equal(tv_len(l), 0);
    tv_push_str(d, "x");
    assert_int_equal(tv_kind_of(d), TV_DICT);
    /* The copy belongs to the arena, not the caller's buffer. */
    char tmp[] = "abc";
    tv_set_str(d, "copy", tmp);
    tmp[0] = 'X';
    assert_string_equal(tv_get_str(d, "copy"), "abc");
}

static void test_tv_large_dict(void **state)
{
    /* Past the linear-scan size the dict uses its hash index; every key must stay reachable
       and replacement must not add entries. */
    struct fixture *f = *state;
    char key[32];
    for (int i = 0; i < 1000; i++) {
        PATHF(key, "key%d", i);
        tv_set_int(f->data, key, i);
    }
    for (int i = 0; i < 1000; i += 7) {
        PATHF(key, "key%d", i);
        tv_set_int(f->data, key, i * 2);
    }
    assert_int_equal(tv_len(f->data), 1000);
    for (int i = 0; i < 1000; i++) {
        PATHF(key, "key%d", i);
        char want[32];
        PATHF(want, "%d", i % 7 == 0 ? i * 2 : i);
        assert_string_equal(tv_get_str(f->data, key), want);
    }
    assert_null(tv_get(f->data, "key1000"));
}

static void test_by_name_and_id(void **state)
{
    assert_ptr_equal(test_tmpl_by_name("each"), test_tmpl_each);
    assert_ptr_equal(test_tmpl_by_name("url"), test_tmpl_url);
    assert_ptr_equal(test_tmpl_by_name("attr"), test_tmpl_attr);
    assert_null(test_tmpl_by_name("nope"));
    assert_null(test_tmpl_by_name(NULL));
    assert_ptr_equal(test_tmpl_by_id(TEST_TMPL_PARTIAL_ITEM), test_tmpl_partial_item);
    assert_null(test_tmpl_by_id(TEST_TMPL__COUNT));
}

static void test_buffer_limit_is_sticky(void **state)
{
    struct fixture *f = *state;
    struct buf small;
    buf_init(&small, 10);
    struct tmpl_out o = {&small, "en", &f->arena};
    tv_set_str(f->data, "msg", "long enough to overflow");
    test_tmpl_text(&o, f->data);
    assert_int_equal(small.err, BUF_TOOBIG);
    assert_true(small.len <= 10);
    buf_free(&small);
}

/* ---- Compile errors ---------------------------------------------------------------------- */

struct bad_case {
    const char *name; /* file name below the root, without .html */
    const char *src;
    const char *want; /* expected stderr, after "<root>/" */
};

static const char *tmplc_path(void)
{
    const char *p = getenv("TMPLC");
    return p && *p ? p : TMPLC_PATH;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* Runs tmplc on the given files (already written under dir/root); returns the exit status and
   leaves stderr in err. */
static int run_tmplc(const char *dir, const char *const *files, size_t nfiles, char *err,
                     size_t errsz)
{
    char root[512], out_c[512], out_h[512], log[512];
    PATHF(root, "%s/root", dir);
    PATHF(out_c, "%s/out.c", dir);
    PATHF(out_h, "%s/out.h", dir);
    PATHF(log, "%s/stderr", dir);
    char paths[8][512];
    char *argv[16];
    size_t argc = 0;
    argv[argc++] = (char *)tmplc_path();
    argv[argc++] = "--root";
    argv[argc++] = root;
    argv[argc++] = "--out-c";
    argv[argc++] = out_c;
    argv[argc++] = "--out-h";
    argv[argc++] = out_h;
    for (size_t i = 0; i < nfiles && i < 8; i++) {
        /* A name with its own extension (a .txt template) is taken as it is. */
        if (strchr(files[i], '.'))
            PATHF(paths[i], "%s/%s", root, files[i]);
        else
            PATHF(paths[i], "%s/%s.html", root, files[i]);
        argv[argc++] = paths[i];
    }
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    FILE *fp = fopen(log, "r");
    assert_non_null(fp);
    size_t n = fread(err, 1, errsz - 1, fp);
    err[n] = '\0';
    fclose(fp);
    return WEXITSTATUS(status);
}

static void check_bad(const char *dir, const struct bad_case *bc)
{
    char path[512], err[1024], want[1024];
    PATHF(path, "%s/root/%s.html", dir, bc->name);
    write_text(path, bc->src);
    const char *files[] = {bc->name};
    int status = run_tmplc(dir, files, 1, err, sizeof(err));
    PATHF(want, "%s/root/%s\n", dir, bc->want);
    if (status != 1 || strcmp(err, want) != 0)
        print_error("source: %s\nwant: %sgot (%d): %s\n", bc->src, want, status, err);
    assert_int_equal(status, 1);
    assert_string_equal(err, want);
    PATHF(path, "%s/out.c", dir);
    assert_int_not_equal(access(path, F_OK), 0); /* nothing written on error */
    PATHF(path, "%s/root/%s.html", dir, bc->name);
    unlink(path);
}

static const struct bad_case bad_cases[] = {
    {"script", "<p>ok</p>\n<script>var x = \"{{x}}\";</script>\n",
     "script.html:2: variable inside <script> (raw text cannot be escaped)"},
    {"style", "<style>\np { color: {{c}} }\n</style>\n",
     "style.html:2: variable inside <style> (raw text cannot be escaped)"},
    {"script_tr", "<script>{{_ \"Hi\"}}</script>",
     "script_tr.html:1: translated string inside <script> (raw text cannot be escaped)"},
    {"unquoted", "<a href={{u}}>x</a>",
     "unquoted.html:1: variable in an unquoted attribute value (quote it)"},
    {"unquoted2", "<a class=x{{u}}>x</a>",
     "unquoted2.html:1: variable in an unquoted attribute value (quote it)"},
    {"tagname", "<{{tag}}>", "tagname.html:1: variable in a tag or attribute name"},
    {"attrname", "<a {{attr}}=\"x\">", "attrname.html:1: variable in a tag or attribute name"},
    {"attrname2", "<a data-{{attr}}=\"x\">",
     "attrname2.html:1: variable in a tag or attribute name"},
    {"comment", "<!--\n\n {{x}} -->", "comment.html:3: variable inside an HTML comment"},
    {"onclick", "<a onclick=\"go('{{x}}')\">",
     "onclick.html:1: variable in attribute onclick (script, style or markup: cannot be "
     "escaped)"},
    {"styleattr", "<p style=\"color: {{c}}\">",
     "styleattr.html:1: variable in attribute style (script, style or markup: cannot be "
     "escaped)"},
    {"unclosed", "line1\n{{#if a}}x\n", "unclosed.html:2: {{#if}} is never closed"},
    {"mismatch", "{{#if a}}\n{{#each b}}x{{/if}}{{/each}}",
     "mismatch.html:2: {{/if}} closes {{#each}} from line 2"},
    {"stray", "x\n{{/if}}", "stray.html:2: {{/if}} without an open block"},
    {"strayelse", "{{else}}", "strayelse.html:1: {{else}} outside a block"},
    {"twoelse", "{{#each a}}{{else}}{{else}}{{/each}}",
     "twoelse.html:1: second {{else}} in {{#each}} from line 1"},
    {"partial", "<p>\n{{> layout/nope}}</p>", "partial.html:2: unknown partial 'layout/nope'"},
    {"ctxchange", "{{#if a}}<a href=\"{{/if}}x\">",
     "ctxchange.html:1: {{#if}} from line 1: this branch ends in a different HTML context "
     "than it started (close every tag, quote and comment inside the branch)"},
    {"scriptbranch", "{{#if a}}<script>{{else}}<b>{{/if}}</script>",
     "scriptbranch.html:1: {{#if}} from line 1: this branch ends in a different HTML context "
     "than it started (close every tag, quote and comment inside the branch)"},
    {"attrsplit", "<input {{#if a}}x{{/if}}=\"1\">",
     "attrsplit.html:1: an attribute name runs across a block tag; end it before the tag"},
    {"triple", "{{{x}}}",
     "triple.html:1: triple braces are not supported: values are always escaped"},
    {"placeholder", "{{_ \"Hi {na me}\"}}",
     "placeholder.html:1: bad placeholder in translated string (want {name} or {a.b})"},
    {"index", "{{@index}}", "index.html:1: @index outside {{#each}}"},
    {"firstprint", "{{#each a}}{{@first}}{{/each}}",
     "firstprint.html:1: @first is a boolean: use it in {{#if}}"},
    {"badname", "{{a..b}}", "badname.html:1: bad name 'a..b'"},
    {"longpath", "{{a.b.c.d.e.f.g.h.i}}", "longpath.html:1: bad name 'a.b.c.d.e.f.g.h.i'"},
    {"unterminated", "x {{name", "unterminated.html:1: unterminated {{"},
    {"endintag", "<p>\n<textarea>{{x}}",
     "endintag.html:2: template ends inside a tag, comment or <textarea> element"},
    {"partialattr", "<a title=\"{{> x}}\">",
     "partialattr.html:1: partial outside text (inside a tag, comment or raw text element)"},
};

static void test_compile_errors(void **state)
{
    char dir[] = "/tmp/test_tmpl.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char root[512];
    PATHF(root, "%s/root", dir);
    assert_int_equal(mkdir(root, 0700), 0);
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
        check_bad(dir, &bad_cases[i]);
    char cmd[600];
    PATHF(cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_compile_depth_limit(void **state)
{
    char dir[] = "/tmp/test_tmpl.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512], err[1024], want[1024], src[2048] = "";
    PATHF(path, "%s/root", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    for (int i = 0; i < 65; i++)
        strcat(src, "{{#if a}}");
    PATHF(path, "%s/root/deep.html", dir);
    write_text(path, src);
    const char *files[] = {"deep"};
    assert_int_equal(run_tmplc(dir, files, 1, err, sizeof(err)), 1);
    PATHF(want, "%s/root/deep.html:1: blocks nested deeper than 64\n", dir);
    assert_string_equal(err, want);
    char cmd[600];
    PATHF(cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_translation_limit(void **state)
{
    /* A placeholder value that would take a translated string past TMPL_TR_MAX is left out. */
    struct fixture *f = *state;
    char *big = malloc(TMPL_TR_MAX + 1);
    memset(big, 'x', TMPL_TR_MAX);
    big[TMPL_TR_MAX] = '\0';
    tv_set_str(tv_set_dict(f->data, "user"), "name", big);
    free(big);
    struct buf out;
    buf_init(&out, 4 * TMPL_TR_MAX);
    struct tmpl_out o = {&out, "en", &f->arena};
    test_tmpl_i18n(&o, f->data);
    assert_int_equal(out.err, BUF_OK);
    assert_string_equal(buf_str(&out), "<p>Signed in as </p> <a href=\"/help/\" "
                                       "title=\"Say &quot;&quot;\">Help</a>\n");
    buf_free(&out);
}

static void test_compile_partial_cycle_and_success(void **state)
{
    char dir[] = "/tmp/test_tmpl.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512], err[1024], want[1024];
    PATHF(path, "%s/root", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    PATHF(path, "%s/root/layout", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    PATHF(path, "%s/root/layout/a.html", dir);
    write_text(path, "{{> layout/b}}");
    PATHF(path, "%s/root/layout/b.html", dir);
    write_text(path, "<p>{{x}}</p>");
    const char *files[] = {"layout/a", "layout/b"};
    assert_int_equal(run_tmplc(dir, files, 2, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    PATHF(path, "%s/out.h", dir);
    assert_int_equal(access(path, F_OK), 0);

    PATHF(path, "%s/root/layout/b.html", dir);
    write_text(path, "<p>{{> layout/a}}</p>");
    assert_int_equal(run_tmplc(dir, files, 2, err, sizeof(err)), 1);
    snprintf(want, sizeof(want),
             "%s/root/layout/a.html: partials include each other in a cycle through "
             "'layout/a'\n",
             dir);
    assert_string_equal(err, want);
    char cmd[600];
    PATHF(cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- Plain-text (.txt) templates ----------------------------------------------------- */

static void test_plain_text_not_escaped(void **state)
{
    /* A .txt template inserts values and translations as they are (no markup to break) and
       includes .txt partials. */
    struct fixture *f = *state;
    tv_set_str(f->data, "name", "<b>Anna</b> & \"Ugo\"");
    tv_set_str(f->data, "code", "<script>1</script>");
    tv_set_str(f->data, "tenant", "Comune di Prova & C.");
    struct tv *items = tv_set_list(f->data, "items");
    tv_push_str(items, "a<b");
    tv_push_str(items, "c&d");
    assert_string_equal(render(f, test_tmpl_plain_txt), "Hello <b>Anna</b> & \"Ugo\" & <friends>\n"
                                                        "Code: <script>1</script>\n"
                                                        "- a<b\n"
                                                        "- c&d\n"
                                                        "-- \n"
                                                        "Comune di Prova & C.\n\n");
    assert_true(test_tmpl_by_name("plain.txt") == test_tmpl_plain_txt);
    assert_true(test_tmpl_by_name("plain") == NULL);
}

static void test_compile_plain_text(void **state)
{
    char dir[] = "/tmp/test_tmpl.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512], err[1024], want[1024];
    PATHF(path, "%s/root", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    /* Markup-looking text is just text in a .txt template: no context errors. */
    PATHF(path, "%s/root/m.txt", dir);
    write_text(path, "<script>{{x}}</script> <a href={{u}}> <!-- {{c}}\n{{> f.txt}}");
    PATHF(path, "%s/root/f.txt", dir);
    write_text(path, "{{_ \"Bye {x}\"}}");
    const char *ok[] = {"m.txt", "f.txt"};
    assert_int_equal(run_tmplc(dir, ok, 2, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    PATHF(path, "%s/out.h", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char header[4096];
    size_t n = fread(header, 1, sizeof(header) - 1, fp);
    header[n] = '\0';
    fclose(fp);
    assert_non_null(strstr(header, "void tmpl_m_txt(struct tmpl_out *o"));
    unlink(path);

    /* Plain text never reaches a page: no HTML partial in a .txt template, no .txt partial in
       an HTML one. */
    PATHF(path, "%s/root/h.html", dir);
    write_text(path, "<p>x</p>");
    PATHF(path, "%s/root/m.txt", dir);
    write_text(path, "x\n{{> h}}");
    const char *mixed1[] = {"m.txt", "h"};
    assert_int_equal(run_tmplc(dir, mixed1, 2, err, sizeof(err)), 1);
    PATHF(want, "%s/root/m.txt:2: a plain-text template includes only .txt partials\n", dir);
    assert_string_equal(err, want);
    PATHF(path, "%s/root/h.html", dir);
    write_text(path, "<p>{{> f.txt}}</p>");
    const char *mixed2[] = {"h", "f.txt"};
    assert_int_equal(run_tmplc(dir, mixed2, 2, err, sizeof(err)), 1);
    PATHF(want, "%s/root/h.html:1: an HTML template cannot include a .txt partial\n", dir);
    assert_string_equal(err, want);
    char cmd[600];
    PATHF(cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_text_context),
        T(test_attr_context),
        T(test_url_context_hostile),
        T(test_url_context_allowed),
        T(test_rcdata_and_raw_literals),
        T(test_if_else_unless_true),
        T(test_if_else_unless_false),
        T(test_truthiness),
        T(test_each_index_first_last_outer),
        T(test_each_single_and_empty),
        T(test_nested_each),
        T(test_partial_same_scope),
        T(test_missing_values_render_empty),
        T(test_translation_placeholders_escaped),
        T(test_translation_url_checked_after_substitution),
        T(test_translation_limit),
        T(test_tv_api),
        T(test_tv_large_dict),
        T(test_by_name_and_id),
        T(test_buffer_limit_is_sticky),
        T(test_plain_text_not_escaped),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_compile_depth_limit),
        cmocka_unit_test(test_compile_partial_cycle_and_success),
        cmocka_unit_test(test_compile_plain_text),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
