/*
 * Roles over the real request path: every route of every route table (ROUTE_FOREACH, the same
 * tables the server was built with) is requested as each kind of visitor (anonymous, the demo's
 * admin, ufficio, gestore and cucina staff, and a platform super-admin), and the answer must
 * match the route's roles mask: a denied GET sends a visitor who is not signed in there to a
 * sign-in page (303), every other denial is 403; an allowed request gets anything else (and
 * never a 5xx). Each visitor has two sessions, the municipality's and the platform's
 * (/piattaforma/), each signed in or anonymous: a municipality's staff member is nobody on the
 * platform and a super-admin is nobody in a municipality. Families have no test account here yet
 * and are walked as anonymous visitors. Unsafe requests carry the session's valid CSRF token, so
 * a 403 can only come from the role check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "services/demo.h"
#include "services/staff.h"
#include "web/route.h"

#define TENANT      HARNESS_DEMO_TENANT
#define PATH_MAX_   512
#define VICTIM      "vittima.ruoli@comune.esempio.it"
#define VICTIM_PASS "Vittima-Ruoli-2026"
#define ROOT        "root.ruoli@piattaforma.example.it"
#define ROOT_PASS   "Piattaforma-Ruoli-2026"

struct visitor {
    const char *label;
    const char *email;          /* a municipality's staff member; NULL: anonymous there */
    unsigned role;              /* in the municipality */
    const char *platform_email; /* a super-admin; NULL: anonymous on the platform */
    struct harness_session s;   /* the municipality's session */
    struct harness_session p;   /* the platform's session */
};

static char victim_id[24];

/* A throwaway account whose id fills {id}: disabling or resetting it harms no visitor. */
static int roles_setup(void **state)
{
    if (harness_group_setup(state) != 0)
        return -1;
    const struct harness_server *s = *state;
    const char *argv[] = {"admin",  "staff-create", "--db", s->db_path, "--tenant",
                          TENANT,   "--email",      VICTIM, "--name",   "Vittima Ruoli",
                          "--role", "cucina",       NULL};
    char out[4096];
    if (harness_run_cli(s, argv, VICTIM_PASS "\n", out, sizeof(out)) != 0) {
        fprintf(stderr, "# staff-create failed: %s\n", out);
        return -1;
    }
    const char *const params[] = {VICTIM, NULL};
    long long id = harness_db_int(s, "SELECT id FROM staff_user WHERE email = ?1", params);
    if (id <= 0)
        return -1;
    snprintf(victim_id, sizeof(victim_id), "%lld", id);
    return harness_superadmin_create(s, ROOT, "Root Ruoli", ROOT_PASS);
}

/* Routes of the platform's administration area have their own sessions; "/" and "/health" are
   platform routes outside it, with no session at all. */
static bool roles_platform_area(const struct route *rt)
{
    return (rt->flags & ROUTE_PLATFORM) &&
           !strncmp(rt->pattern, HARNESS_PLATFORM_LOGIN, strlen("/piattaforma/"));
}

/* The pattern with every {param} replaced by the victim's id, under the tenant unless the route
   is a platform one. */
static void roles_path(const struct route *rt, char *out, size_t n)
{
    size_t k = 0;
    if (!(rt->flags & ROUTE_PLATFORM))
        k = (size_t)snprintf(out, n, "/%s", TENANT);
    for (const char *p = rt->pattern; *p && k + 1 < n;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            assert_non_null(close);
            k += (size_t)snprintf(out + k, n - k, "%s", victim_id);
            p = close + 1;
        } else {
            out[k++] = *p++;
        }
    }
    out[k < n ? k : n - 1] = '\0';
}

static void roles_sign_in(void **state, struct visitor *v)
{
    memset(&v->s, 0, sizeof(v->s));
    if (v->email)
        harness_sign_in(*state, TENANT, v->email, DEMO_PASSWORD, 303, &v->s);
    else
        harness_open_login(*state, TENANT, &v->s);
    memset(&v->p, 0, sizeof(v->p));
    if (v->platform_email)
        harness_sign_in_platform(*state, v->platform_email, ROOT_PASS, 303, &v->p);
    else
        harness_open_platform_login(*state, &v->p);
}

static long roles_status(void **state, const char *path, const char *cookie)
{
    struct harness_resp r;
    struct harness_req rq = {.path = path, .cookie = cookie};
    harness_request(*state, &rq, &r);
    long status = r.status;
    harness_resp_free(&r);
    return status;
}

/* After an unsafe request (sign-out, for one), make sure the visitor is still who they were. */
static void roles_keep_signed_in(void **state, struct visitor *v)
{
    if ((v->email && roles_status(state, "/" TENANT "/ufficio/", v->s.cookie) != 200) ||
        (v->platform_email && roles_status(state, "/piattaforma/", v->p.cookie) != 200))
        roles_sign_in(state, v);
}

static bool roles_to_sign_in(const struct harness_resp *r)
{
    const char *loc = harness_header(r, "Location", 0);
    return r->status == 303 && loc &&
           (!strcmp(loc, "/" TENANT "/ufficio/accedi") ||
            !strcmp(loc, "/" TENANT "/famiglie/accedi") || !strcmp(loc, HARNESS_PLATFORM_LOGIN));
}

static void test_every_route_every_role(void **state)
{
    struct visitor visitors[] = {
        {.label = "anonymous"},
        {.label = "admin", .email = "admin@comune.esempio.it", .role = ROLE_ADMIN},
        {.label = "ufficio", .email = "ufficio@comune.esempio.it", .role = ROLE_UFFICIO},
        {.label = "gestore", .email = "gestore@ristorazione-esempio.it", .role = ROLE_GESTORE},
        {.label = "cucina", .email = "cucina@ristorazione-esempio.it", .role = ROLE_CUCINA},
        {.label = "superadmin", .platform_email = ROOT},
    };
    size_t nv = sizeof(visitors) / sizeof(visitors[0]);
    /* The demo logins are the ones above, so the walk covers every staff role. */
    for (size_t i = 1; i < nv; i++) {
        if (!visitors[i].email)
            continue;
        bool found = false;
        for (int k = 0; demo_logins[k].email; k++)
            if (!strcmp(demo_logins[k].email, visitors[i].email))
                found = true;
        assert_true(found);
    }
    size_t routes = 0, allowed = 0, denied = 0;
    for (size_t i = 0; i < nv; i++) {
        struct visitor *v = &visitors[i];
        roles_sign_in(state, v);
        ROUTE_FOREACH(rt)
        {
            char path[PATH_MAX_], body[HARNESS_TOKEN_MAX + 16];
            roles_path(rt, path, sizeof(path));
            bool safe = rt->method == HTTP_GET || rt->method == HTTP_HEAD;
            /* Who the visitor is where this route lives. */
            bool platform = roles_platform_area(rt);
            const struct harness_session *here = platform ? &v->p : &v->s;
            unsigned role = platform ? (v->platform_email ? ROLE_SUPERADMIN : 0) : v->role;
            bool signed_in = role != 0;
            snprintf(body, sizeof(body), "csrf=%s", here->csrf);
            struct harness_req rq = {.method = http_method_name(rt->method),
                                     .path = path,
                                     .cookie = here->cookie[0] ? here->cookie : NULL,
                                     .body = safe ? NULL : body};
            const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
            if (!safe)
                rq.headers = form;
            struct harness_resp r;
            harness_request(*state, &rq, &r);
            bool allow = rt->roles == 0 || (rt->roles & role) != 0;
            bool was_denied = r.status == 403 || roles_to_sign_in(&r);
            bool ok;
            if (rt->roles == 0)
                ok = r.status != 403 && r.status > 0 && r.status < 500;
            else if (allow)
                ok = !was_denied && r.status > 0 && r.status < 500;
            else if (!signed_in && safe)
                ok = roles_to_sign_in(&r);
            else
                ok = r.status == 403;
            if (!ok)
                fprintf(stderr, "# %s %s as %s (roles %#x): %ld, expected %s\n", rq.method, path,
                        v->label, rt->roles, r.status, allow ? "allow" : "deny");
            harness_resp_free(&r);
            assert_true(ok);
            if (rt->roles)
                allow ? allowed++ : denied++;
            if (i == 0)
                routes++;
            if (!safe)
                roles_keep_signed_in(state, v);
        }
    }
    fprintf(stderr, "# %zu routes x %zu visitors: %zu allowed, %zu denied by role\n", routes, nv,
            allowed, denied);
    assert_true(routes >= 20);
    assert_true(allowed > 0 && denied > 0);
    harness_assert_healthy(*state);
}

/* The staff administration routes exist and are for administrators only; the profile is for
   every staff role; the sign-in steps are public (their handlers check the pending session). */
static void test_staff_route_roles(void **state)
{
    static const struct {
        enum http_method m;
        const char *pattern;
        unsigned roles;
    } want[] = {
        {HTTP_GET, "/ufficio/personale", ROLE_ADMIN},
        {HTTP_GET, "/ufficio/personale/nuovo", ROLE_ADMIN},
        {HTTP_POST, "/ufficio/personale/nuovo", ROLE_ADMIN},
        {HTTP_POST, "/ufficio/personale/{id}/disattiva", ROLE_ADMIN},
        {HTTP_POST, "/ufficio/personale/{id}/riattiva", ROLE_ADMIN},
        {HTTP_POST, "/ufficio/personale/{id}/reimposta-password", ROLE_ADMIN},
        {HTTP_GET, "/ufficio/profilo", ROLE_ANY_STAFF},
        {HTTP_GET, "/ufficio/profilo/2fa.svg", ROLE_ANY_STAFF},
        {HTTP_POST, "/ufficio/profilo/2fa", ROLE_ANY_STAFF},
        {HTTP_GET, "/ufficio/accedi/codice", 0},
        {HTTP_POST, "/ufficio/accedi/codice", 0},
        {HTTP_GET, "/ufficio/password", 0},
        {HTTP_POST, "/ufficio/password", 0},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int found = 0;
        ROUTE_FOREACH(rt)
        {
            if (rt->method == want[i].m && !strcmp(rt->pattern, want[i].pattern) &&
                !(rt->flags & ROUTE_PLATFORM)) {
                found++;
                assert_int_equal(rt->roles, want[i].roles);
            }
        }
        if (found != 1)
            fprintf(stderr, "# %s: %d routes\n", want[i].pattern, found);
        assert_int_equal(found, 1);
    }
}

/* The platform's administration routes: for super-admins only, but for the sign-in steps; and
   no municipality's route lets a super-admin in. */
static void test_platform_route_roles(void **state)
{
    static const struct {
        enum http_method m;
        const char *pattern;
        unsigned roles;
    } want[] = {
        {HTTP_GET, "/piattaforma/accedi", 0},
        {HTTP_POST, "/piattaforma/accedi", 0},
        {HTTP_GET, "/piattaforma/accedi/codice", 0},
        {HTTP_POST, "/piattaforma/accedi/codice", 0},
        {HTTP_POST, "/piattaforma/esci", ROLE_SUPERADMIN},
        {HTTP_GET, "/piattaforma/", ROLE_SUPERADMIN},
        {HTTP_GET, "/piattaforma/comuni/nuovo", ROLE_SUPERADMIN},
        {HTTP_POST, "/piattaforma/comuni/nuovo", ROLE_SUPERADMIN},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int found = 0;
        ROUTE_FOREACH(rt)
        {
            if (rt->method == want[i].m && !strcmp(rt->pattern, want[i].pattern)) {
                found++;
                assert_true(rt->flags & ROUTE_PLATFORM);
                assert_int_equal(rt->roles, want[i].roles);
            }
        }
        if (found != 1)
            fprintf(stderr, "# %s: %d routes\n", want[i].pattern, found);
        assert_int_equal(found, 1);
    }
    ROUTE_FOREACH(rt)
    {
        if (!(rt->flags & ROUTE_PLATFORM))
            assert_int_equal(rt->roles & ROLE_SUPERADMIN, 0);
        else if (rt->roles)
            assert_int_equal(rt->roles, ROLE_SUPERADMIN);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_staff_route_roles),
        cmocka_unit_test(test_platform_route_roles),
        cmocka_unit_test(test_every_route_every_role),
    };
    return cmocka_run_group_tests(tests, roles_setup, harness_group_teardown);
}
