/* The pagoPA stand-in for tests and the demo (never production); see pagopa.h.
 *
 * Positions are kept as the JSON objects GPD would hold (the created PaymentPositionModel plus
 * the read-only fields), in one array under one mutex; a payment is a private "_paid" member
 * laid over the object when it is rendered, once its confirmation time has come. */
#include "standins/pagopa.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "domain/money.h"
#include "domain/pagopa_notice.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/time.h"
#include "web/html.h"
#include "web/i18n.h"

#define PS_PATH_MAX      1024
#define PS_KEY_MAX       256
#define PS_URL_MAX       1024
#define PS_TEXT_MAX      140
#define PS_PAGE_MAX      (64 * 1024)
#define PS_GPD_PREFIX    "/gpd/debt-positions-service/v1"
#define PS_CARTS_PATH    "/checkout/ec/v1/carts"
#define PS_PAY_PREFIX    "/checkout/pay/"
#define PS_LIMIT_DEFAULT 10
#define PS_LIMIT_MAX     50
#define PS_STALL_STEP_MS 10
#define PS_IDLE_SECONDS  30

#define PS_T(msgid) tr("it", msgid)

struct pagopa_standin {
    struct MHD_Daemon *daemon;
    int port;
    char dir[PS_PATH_MAX];
    char api_key[PS_KEY_MAX];
    int confirm_delay;
    pthread_mutex_t mu;
    json_t *positions; /* array of stored positions */
    json_t *carts;     /* array of {id, paymentNotices, returnUrls, emailNotice} */
    int fail_status;
    unsigned fail_count, stall_count, malformed_count;
    long stall_ms;
    atomic_uint creates, requests;
    atomic_bool stopping;
};

/* One request as it arrives. */
struct ps_conn {
    struct buf body;
    bool too_big;
};

/* One answer. */
struct ps_reply {
    int status;
    struct buf body;
    const char *content_type;
    char location[PS_URL_MAX];
};

/* ---- small helpers ---- */

static bool ps_alnum(const char *s, size_t min, size_t max)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return true;
}

/* "YYYY-MM-DDTHH:MM:SS" at the start, as Java's date-time parsers want it. */
static bool ps_datetime(const char *s)
{
    char date[11];
    int y, m, d;
    if (!s || strlen(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    return time_parse_date(date, &y, &m, &d);
}

static bool ps_http_url(const char *s)
{
    return s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)) &&
           strlen(s) < PS_URL_MAX && !strpbrk(s, " \r\n\t");
}

static void ps_random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    if (bytes > sizeof(r))
        bytes = sizeof(r);
    randombytes_buf(r, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, r, bytes);
}

static const char *ps_str(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "";
}

static json_t *ps_option(json_t *pos)
{
    return json_array_get(json_object_get(pos, "paymentOption"), 0);
}

/* ---- replies ---- */

static void ps_json(struct ps_reply *r, int status, json_t *v)
{
    r->status = status;
    r->content_type = "application/json";
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    buf_reset(&r->body);
    if (s)
        buf_puts(&r->body, s);
    free(s);
}

static void ps_problem(struct ps_reply *r, int status, const char *title, const char *detail)
{
    ps_json(r, status,
            json_pack("{s:s, s:i, s:s}", "title", title, "status", status, "detail", detail));
}

static void ps_redirect(struct ps_reply *r, int status, const char *location)
{
    r->status = status;
    r->content_type = "text/plain; charset=utf-8";
    snprintf(r->location, sizeof(r->location), "%s", location);
    buf_reset(&r->body);
}

/* ---- persistence ---- */

static int ps_save(struct pagopa_standin *s)
{
    if (!s->dir[0])
        return 0;
    json_t *root = json_pack("{s:O, s:O}", "positions", s->positions, "carts", s->carts);
    char *text = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
    json_decref(root);
    if (!text)
        return -1;
    char path[PS_PATH_MAX + 32], tmp[PS_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/positions.json", s->dir);
    snprintf(tmp, sizeof(tmp), "%s/positions.json.tmp", s->dir);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd >= 0) {
        size_t n = strlen(text), off = 0;
        while (off < n) {
            ssize_t w = write(fd, text + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        if (off == n && fsync(fd) == 0 && close(fd) == 0) {
            fd = -1;
            rc = rename(tmp, path);
        }
        if (fd >= 0)
            close(fd);
    }
    if (rc != 0)
        log_error("pagopa stand-in cannot save", "path", path, "error", strerror(errno));
    free(text);
    return rc;
}

static int ps_load(struct pagopa_standin *s, char *err, size_t errsz)
{
    char path[PS_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/positions.json", s->dir);
    if (access(path, F_OK) != 0)
        return 0;
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    json_t *pos = json_object_get(root, "positions"), *carts = json_object_get(root, "carts");
    if (!json_is_array(pos) || !json_is_array(carts)) {
        snprintf(err, errsz, "%s: not a stand-in state file (%s)", path,
                 root ? "wrong shape" : jerr.text);
        json_decref(root);
        return -1;
    }
    json_decref(s->positions);
    json_decref(s->carts);
    s->positions = json_incref(pos);
    s->carts = json_incref(carts);
    json_decref(root);
    return 0;
}

/* ---- positions ---- */

static json_t *ps_find(struct pagopa_standin *s, const char *org, const char *iupd)
{
    size_t i;
    json_t *p;
    json_array_foreach(s->positions, i, p)
    {
        if (!strcmp(ps_str(p, "organizationFiscalCode"), org) && !strcmp(ps_str(p, "iupd"), iupd))
            return p;
    }
    return NULL;
}

/* By notice number (nav), within one organisation or (org NULL) any. */
static json_t *ps_find_nav(struct pagopa_standin *s, const char *org, const char *nav)
{
    size_t i;
    json_t *p;
    json_array_foreach(s->positions, i, p)
    {
        if (org && strcmp(ps_str(p, "organizationFiscalCode"), org) != 0)
            continue;
        if (!strcmp(ps_str(ps_option(p), "nav"), nav))
            return p;
    }
    return NULL;
}

static bool ps_iuv_taken(struct pagopa_standin *s, const char *org, const char *iuv)
{
    size_t i;
    json_t *p;
    json_array_foreach(s->positions, i, p)
    {
        size_t j;
        json_t *o;
        if (strcmp(ps_str(p, "organizationFiscalCode"), org) != 0)
            continue;
        json_array_foreach(json_object_get(p, "paymentOption"), j, o)
        {
            if (!strcmp(ps_str(o, "iuv"), iuv))
                return true;
        }
    }
    return false;
}

static bool ps_payable(json_t *p)
{
    const char *st = ps_str(p, "status");
    return !json_object_get(p, "_paid") && (!strcmp(st, "VALID") || !strcmp(st, "PUBLISHED"));
}

/* Record a payment; it shows visible_after seconds from now. */
static void ps_mark_paid(json_t *p, int64_t reported, long visible_after)
{
    char now[TIME_ISO_MAX], receipt[65];
    time_now_iso(now);
    ps_random_hex(receipt, 16);
    json_t *o = ps_option(p);
    if (reported <= 0)
        reported = (int64_t)json_integer_value(json_object_get(o, "amount"));
    json_object_set_new(p, "_paid",
                        json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "paymentDate", now, "idReceipt",
                                  receipt, "pspCompany", PAGOPA_STANDIN_PSP, "paymentMethod", "CP",
                                  "amount", (json_int_t)reported, "visibleAt",
                                  (json_int_t)(time_now() + visible_after)));
}

/* The position as GPD shows it now: the payment laid over once visible, private members and
   (base) the debtor's data removed. */
static json_t *ps_render(json_t *stored, bool base)
{
    json_t *p = json_deep_copy(stored);
    if (!p)
        return NULL;
    json_t *paid = json_object_get(p, "_paid");
    if (paid && time_now() >= (time_t)json_integer_value(json_object_get(paid, "visibleAt"))) {
        json_t *o = ps_option(p);
        const char *date = ps_str(paid, "paymentDate");
        json_object_set_new(p, "status", json_string("PAID"));
        json_object_set_new(p, "paymentDate", json_string(date));
        json_object_set_new(p, "lastUpdatedDate", json_string(date));
        json_object_set_new(o, "status", json_string("PO_PAID"));
        json_object_set_new(o, "paymentDate", json_string(date));
        json_object_set_new(o, "lastUpdatedDate", json_string(date));
        json_object_set(o, "idReceipt", json_object_get(paid, "idReceipt"));
        json_object_set(o, "pspCompany", json_object_get(paid, "pspCompany"));
        json_object_set(o, "paymentMethod", json_object_get(paid, "paymentMethod"));
        json_object_set(o, "amount", json_object_get(paid, "amount"));
        json_object_set_new(o, "fee", json_integer(0));
    }
    json_object_del(p, "_paid");
    if (base) {
        static const char *const debtor[] = {
            "fiscalCode", "fullName",        "streetName", "civicNumber", "postalCode",
            "city",       "province",        "region",     "country",     "email",
            "phone",      "switchToExpired", "payStandIn",
        };
        for (size_t i = 0; i < sizeof(debtor) / sizeof(debtor[0]); i++)
            json_object_del(p, debtor[i]);
    }
    return p;
}

/* The PaymentPositionModel of a create, checked as GPD would. NULL and why on error. */
static const char *ps_check_position(json_t *in)
{
    static const char *const required[] = {"iupd", "fiscalCode", "fullName", "companyName"};
    if (!json_is_object(in))
        return "the body is not a JSON object";
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        const char *v = json_string_value(json_object_get(in, required[i]));
        if (!v || !v[0])
            return "iupd, fiscalCode, fullName and companyName are required strings";
    }
    if (strlen(ps_str(in, "companyName")) > PS_TEXT_MAX ||
        strlen(ps_str(in, "officeName")) > PS_TEXT_MAX)
        return "companyName and officeName are at most 140 characters";
    const char *type = json_string_value(json_object_get(in, "type"));
    if (!type || (strcmp(type, "F") && strcmp(type, "G")))
        return "type must be F or G";
    if (!json_is_boolean(json_object_get(in, "switchToExpired")))
        return "switchToExpired is a required boolean";
    json_t *email = json_object_get(in, "email");
    if (email && !json_is_string(email))
        return "email must be a string";
    json_t *opts = json_object_get(in, "paymentOption");
    if (!json_is_array(opts) || json_array_size(opts) == 0)
        return "paymentOption must hold at least one payment option";
    size_t i;
    json_t *o;
    json_array_foreach(opts, i, o)
    {
        if (!json_is_object(o))
            return "a payment option is not an object";
        const char *iuv = json_string_value(json_object_get(o, "iuv"));
        if (!ps_alnum(iuv, 1, 35))
            return "paymentOption.iuv is required (letters and digits, at most 35)";
        json_t *amount = json_object_get(o, "amount");
        if (!json_is_integer(amount) || json_integer_value(amount) < 1)
            return "paymentOption.amount must be an integer >= 1";
        const char *desc = json_string_value(json_object_get(o, "description"));
        if (!desc || strlen(desc) > PS_TEXT_MAX)
            return "paymentOption.description is required, at most 140 characters";
        if (!ps_datetime(json_string_value(json_object_get(o, "dueDate"))))
            return "paymentOption.dueDate must be a date-time";
        if (!json_is_boolean(json_object_get(o, "isPartialPayment")))
            return "paymentOption.isPartialPayment is a required boolean";
        json_t *tr_ = json_object_get(o, "transfer");
        if (!json_is_array(tr_) || json_array_size(tr_) < 1 || json_array_size(tr_) > 5)
            return "paymentOption.transfer must hold 1 to 5 transfers";
        json_int_t sum = 0;
        size_t j;
        json_t *t;
        json_array_foreach(tr_, j, t)
        {
            if (!json_is_object(t))
                return "a transfer is not an object";
            const char *id = json_string_value(json_object_get(t, "idTransfer"));
            if (!id || strlen(id) != 1 || id[0] < '1' || id[0] > '5')
                return "transfer.idTransfer must be \"1\" to \"5\"";
            json_t *ta = json_object_get(t, "amount");
            if (!json_is_integer(ta) || json_integer_value(ta) < 1)
                return "transfer.amount must be an integer >= 1";
            sum += json_integer_value(ta);
            const char *ri = json_string_value(json_object_get(t, "remittanceInformation"));
            if (!ri || strlen(ri) > PS_TEXT_MAX)
                return "transfer.remittanceInformation is required, at most 140 characters";
            const char *cat = json_string_value(json_object_get(t, "category"));
            if (!cat || !cat[0])
                return "transfer.category is required";
            json_t *iban = json_object_get(t, "iban"), *stamp = json_object_get(t, "stamp");
            if (iban ? !ps_alnum(json_string_value(iban), 1, 35) || stamp : !json_is_object(stamp))
                return "transfer.iban must match ^[A-Za-z0-9]{1,35}$ (or a stamp, not both)";
            json_t *postal = json_object_get(t, "postalIban");
            if (postal &&
                (!json_is_string(postal) ||
                 (json_string_length(postal) > 0 && !ps_alnum(json_string_value(postal), 1, 35))))
                return "transfer.postalIban must match ^$|^[A-Za-z0-9]{1,35}$";
        }
        if (sum != json_integer_value(amount))
            return "the transfers do not add up to the payment option amount";
    }
    return NULL;
}

/* A stored position from a checked create body. */
static json_t *ps_store_new(json_t *in, const char *org, bool publish)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    json_t *p = json_deep_copy(in);
    json_object_del(p, "status");
    json_object_del(p, "paymentDate");
    json_object_del(p, "_paid");
    json_object_set_new(p, "organizationFiscalCode", json_string(org));
    json_object_set_new(p, "status", json_string(publish ? "VALID" : "DRAFT"));
    json_object_set_new(p, "insertedDate", json_string(now));
    json_object_set_new(p, "lastUpdatedDate", json_string(now));
    if (publish)
        json_object_set_new(p, "publishDate", json_string(now));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(p, "paymentOption"), i, o)
    {
        char nav[64];
        snprintf(nav, sizeof(nav), "3%s", ps_str(o, "iuv"));
        json_object_set_new(o, "nav", json_string(nav));
        json_object_set_new(o, "organizationFiscalCode", json_string(org));
        json_object_set_new(o, "status", json_string("PO_UNPAID"));
        json_object_set_new(o, "insertedDate", json_string(now));
        json_object_set_new(o, "lastUpdatedDate", json_string(now));
        size_t j;
        json_t *t;
        json_array_foreach(json_object_get(o, "transfer"), j, t)
        {
            if (!json_is_string(json_object_get(t, "organizationFiscalCode")))
                json_object_set_new(t, "organizationFiscalCode", json_string(org));
            json_object_set_new(t, "status", json_string("T_UNREPORTED"));
            json_object_set_new(t, "insertedDate", json_string(now));
        }
    }
    return p;
}

/* ---- GPD routes ---- */

static void ps_create(struct pagopa_standin *s, struct MHD_Connection *c, const char *org,
                      struct ps_conn *in, struct ps_reply *r)
{
    const char *pub = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "toPublish");
    if (pub && strcmp(pub, "true") && strcmp(pub, "false")) {
        ps_problem(r, 400, "Bad Request", "toPublish must be true or false");
        return;
    }
    json_error_t jerr;
    json_t *body =
        json_loadb(in->body.data ? in->body.data : "", in->body.len, JSON_REJECT_DUPLICATES, &jerr);
    const char *why = body ? ps_check_position(body) : "the body is not JSON";
    if (why) {
        json_decref(body);
        ps_problem(r, 400, "Bad Request", why);
        return;
    }
    pthread_mutex_lock(&s->mu);
    const char *iupd = ps_str(body, "iupd");
    if (ps_find(s, org, iupd)) {
        pthread_mutex_unlock(&s->mu);
        json_decref(body);
        ps_problem(r, 409, "Conflict", "Debt Position already exists");
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(body, "paymentOption"), i, o)
    {
        if (ps_iuv_taken(s, org, ps_str(o, "iuv"))) {
            pthread_mutex_unlock(&s->mu);
            json_decref(body);
            ps_problem(r, 409, "Conflict", "IUV already used by another debt position");
            return;
        }
    }
    if (json_array_size(s->positions) >= PAGOPA_STANDIN_POSITIONS_MAX) {
        pthread_mutex_unlock(&s->mu);
        json_decref(body);
        ps_problem(r, 500, "Internal Server Error", "the stand-in is full");
        return;
    }
    json_t *p = ps_store_new(body, org, pub && strcmp(pub, "true") == 0);
    json_decref(body);
    json_array_append_new(s->positions, p);
    ps_save(s);
    json_t *shown = ps_render(p, false);
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&s->creates, 1);
    ps_json(r, 201, shown);
}

static void ps_get_one(struct pagopa_standin *s, const char *org, const char *iupd,
                       struct ps_reply *r)
{
    pthread_mutex_lock(&s->mu);
    json_t *p = ps_find(s, org, iupd);
    json_t *shown = p ? ps_render(p, true) : NULL;
    pthread_mutex_unlock(&s->mu);
    if (!shown)
        ps_problem(r, 404, "Not Found", "No debt position found");
    else
        ps_json(r, 200, shown);
}

/* A non-negative int query argument, def when absent; false when malformed. */
static bool ps_query_int(struct MHD_Connection *c, const char *name, int def, int *out)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    if (!v) {
        *out = def;
        return true;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < 0 || n > 1000000)
        return false;
    *out = (int)n;
    return true;
}

static int ps_by_payment_date(const void *a, const void *b)
{
    json_t *const *x = a, *const *y = b;
    int c = strcmp(ps_str(*x, "paymentDate"), ps_str(*y, "paymentDate"));
    return c ? c : strcmp(ps_str(*x, "iupd"), ps_str(*y, "iupd"));
}

static void ps_list(struct pagopa_standin *s, struct MHD_Connection *c, const char *org,
                    struct ps_reply *r)
{
    static const char *const statuses[] = {
        "DRAFT", "PUBLISHED", "VALID", "INVALID", "EXPIRED", "PARTIALLY_PAID", "PAID", "REPORTED",
    };
    int page, limit;
    int y, m, d;
    const char *status = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
    const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "payment_date_from");
    const char *to = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "payment_date_to");
    if (!ps_query_int(c, "page", 0, &page) || !ps_query_int(c, "limit", PS_LIMIT_DEFAULT, &limit) ||
        limit < 1 || limit > PS_LIMIT_MAX) {
        ps_problem(r, 400, "Bad Request", "page must be >= 0 and limit 1 to 50");
        return;
    }
    if ((from && !time_parse_date(from, &y, &m, &d)) || (to && !time_parse_date(to, &y, &m, &d))) {
        ps_problem(r, 400, "Bad Request", "payment dates use the format yyyy-MM-dd");
        return;
    }
    bool known = !status;
    for (size_t i = 0; status && i < sizeof(statuses) / sizeof(statuses[0]); i++)
        known |= !strcmp(status, statuses[i]);
    if (!known) {
        ps_problem(r, 400, "Bad Request", "unknown status");
        return;
    }
    pthread_mutex_lock(&s->mu);
    size_t n = json_array_size(s->positions), found = 0;
    json_t **hits = calloc(n ? n : 1, sizeof(*hits));
    size_t i;
    json_t *p;
    json_array_foreach(s->positions, i, p)
    {
        if (!hits || strcmp(ps_str(p, "organizationFiscalCode"), org) != 0)
            continue;
        json_t *shown = ps_render(p, true);
        const char *paid = ps_str(shown, "paymentDate");
        bool keep = shown && (!status || !strcmp(ps_str(shown, "status"), status));
        if (keep && (from || to) && !paid[0])
            keep = false;
        if (keep && from && strncmp(paid, from, 10) < 0)
            keep = false;
        if (keep && to && strncmp(paid, to, 10) > 0)
            keep = false;
        if (keep)
            hits[found++] = shown;
        else
            json_decref(shown);
    }
    pthread_mutex_unlock(&s->mu);
    if (!hits) {
        ps_problem(r, 500, "Internal Server Error", "out of memory");
        return;
    }
    if (status || from || to)
        qsort(hits, found, sizeof(*hits), ps_by_payment_date);
    json_t *list = json_array();
    size_t first = (size_t)page * (size_t)limit;
    for (size_t k = 0; k < found; k++) {
        if (k >= first && k < first + (size_t)limit)
            json_array_append(list, hits[k]);
        json_decref(hits[k]);
    }
    free(hits);
    int total_pages = (int)((found + (size_t)limit - 1) / (size_t)limit);
    ps_json(r, 200,
            json_pack("{s:o, s:{s:i, s:i, s:i, s:i}}", "payment_position_list", list, "page_info",
                      "page", page, "limit", limit, "items_found", (int)json_array_size(list),
                      "total_pages", total_pages));
}

/* ---- Checkout ---- */

static const char *ps_check_cart(json_t *in)
{
    if (!json_is_object(in))
        return "the body is not a JSON object";
    json_t *notices = json_object_get(in, "paymentNotices");
    if (!json_is_array(notices) || json_array_size(notices) < 1 ||
        json_array_size(notices) > PAGOPA_STANDIN_CART_NOTICES)
        return "paymentNotices must hold 1 to 5 notices";
    size_t i;
    json_t *n;
    json_array_foreach(notices, i, n)
    {
        if (!str_digits(json_string_value(json_object_get(n, "noticeNumber")), PAGOPA_NOTICE_LEN,
                        PAGOPA_NOTICE_LEN))
            return "noticeNumber must be 18 digits";
        if (!str_digits(json_string_value(json_object_get(n, "fiscalCode")), 11, 11))
            return "fiscalCode must be 11 digits";
        json_t *a = json_object_get(n, "amount");
        if (!json_is_integer(a) || json_integer_value(a) < 1)
            return "amount must be an integer >= 1";
        const char *cn = json_string_value(json_object_get(n, "companyName"));
        const char *ds = json_string_value(json_object_get(n, "description"));
        if (!cn || !ds || strlen(cn) > PS_TEXT_MAX || strlen(ds) > PS_TEXT_MAX)
            return "companyName and description are required, at most 140 characters";
    }
    json_t *urls = json_object_get(in, "returnUrls");
    if (!ps_http_url(json_string_value(json_object_get(urls, "returnOkUrl"))) ||
        !ps_http_url(json_string_value(json_object_get(urls, "returnCancelUrl"))) ||
        !ps_http_url(json_string_value(json_object_get(urls, "returnErrorUrl"))))
        return "returnUrls needs returnOkUrl, returnCancelUrl and returnErrorUrl";
    json_t *email = json_object_get(in, "emailNotice");
    if (email && !json_is_string(email))
        return "emailNotice must be a string";
    return NULL;
}

static void ps_cart(struct pagopa_standin *s, struct ps_conn *in, struct ps_reply *r)
{
    json_error_t jerr;
    json_t *body =
        json_loadb(in->body.data ? in->body.data : "", in->body.len, JSON_REJECT_DUPLICATES, &jerr);
    const char *why = body ? ps_check_cart(body) : "the body is not JSON";
    if (why) {
        json_decref(body);
        ps_problem(r, 400, "Bad Request", why);
        return;
    }
    char id[33];
    ps_random_hex(id, 16);
    json_t *cart = json_pack("{s:s, s:O, s:O}", "id", id, "paymentNotices",
                             json_object_get(body, "paymentNotices"), "returnUrls",
                             json_object_get(body, "returnUrls"));
    json_decref(body);
    pthread_mutex_lock(&s->mu);
    json_array_append_new(s->carts, cart);
    ps_save(s);
    pthread_mutex_unlock(&s->mu);
    char loc[PS_URL_MAX];
    snprintf(loc, sizeof(loc), "http://127.0.0.1:%d" PS_PAY_PREFIX "%s", s->port, id);
    ps_redirect(r, 302, loc);
}

static json_t *ps_find_cart(struct pagopa_standin *s, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(s->carts, i, c)
    {
        if (!strcmp(ps_str(c, "id"), id))
            return c;
    }
    return NULL;
}

/* ---- the payer's pages ---- */

static void ps_t(struct buf *b, const char *s)
{
    html_text(b, s, strlen(s));
}

static void ps_page_start(struct buf *b, const char *title)
{
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    ps_t(b, title);
    buf_puts(b, " - ");
    ps_t(b, PS_T("pagoPA simulator - for demo and test only"));
    buf_puts(b, "</title>\n<style>body{font-family:sans-serif;max-width:40rem;margin:0 auto;"
                "padding:1rem;line-height:1.5;color:#1a1a1a}header{border-bottom:4px solid "
                "#0066cc;margin-bottom:1rem}dt{font-weight:bold}dd{margin:0 0 .75rem}"
                "button{font-size:1.1rem;padding:.6rem 1.4rem;margin:.25rem .5rem .25rem 0;"
                "min-height:44px;cursor:pointer}.pay{background:#0066cc;color:#fff;border:2px "
                "solid #0066cc}.cancel{background:#fff;color:#0066cc;border:2px solid #0066cc}"
                "form{display:inline}.note{background:#fff3cd;padding:.5rem}"
                "[role=alert]{background:#f8d7da;padding:.5rem}input{font-size:1.1rem;"
                "padding:.4rem;max-width:100%}</style>\n</head>\n<body>\n<header><p><strong>");
    ps_t(b, PS_T("pagoPA simulator - for demo and test only"));
    buf_puts(b, "</strong></p></header>\n<main>\n<h1>");
    ps_t(b, title);
    buf_puts(b, "</h1>\n<p class=\"note\">");
    ps_t(b, PS_T("This page imitates the pagoPA payment page. No money moves."));
    buf_puts(b, "</p>\n");
}

static void ps_page_end(struct buf *b)
{
    buf_puts(b, "</main>\n</body>\n</html>\n");
}

static void ps_html(struct ps_reply *r, int status)
{
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
}

static void ps_alert(struct buf *b, const char *text)
{
    buf_puts(b, "<p role=\"alert\">");
    ps_t(b, text);
    buf_puts(b, "</p>\n");
}

static void ps_link(struct buf *b, const char *url, const char *text)
{
    buf_puts(b, "<p><a href=\"");
    html_url(b, url, strlen(url));
    buf_puts(b, "\">");
    ps_t(b, text);
    buf_puts(b, "</a></p>\n");
}

/* Creditor, reason, amount and notice number of one position. */
static void ps_describe(struct buf *b, json_t *p)
{
    json_t *o = ps_option(p);
    char amount[MONEY_TEXT_SIZE], nav[PAGOPA_NOTICE_FORMATTED_SIZE];
    money_format((int64_t)json_integer_value(json_object_get(o, "amount")), amount);
    const char *raw_nav = ps_str(o, "nav");
    if (strlen(raw_nav) == PAGOPA_NOTICE_LEN)
        pagopa_notice_format(raw_nav, nav);
    else
        snprintf(nav, sizeof(nav), "%.*s", (int)sizeof(nav) - 1, raw_nav);
    buf_puts(b, "<dl>\n<dt>");
    ps_t(b, PS_T("Creditor"));
    buf_puts(b, "</dt><dd>");
    ps_t(b, ps_str(p, "companyName"));
    buf_puts(b, "</dd>\n<dt>");
    ps_t(b, PS_T("Reason for payment"));
    buf_puts(b, "</dt><dd>");
    ps_t(b, ps_str(o, "description"));
    buf_puts(b, "</dd>\n<dt>");
    ps_t(b, PS_T("Amount"));
    buf_puts(b, "</dt><dd>");
    ps_t(b, amount);
    buf_puts(b, "</dd>\n<dt>");
    ps_t(b, PS_T("Notice number"));
    buf_puts(b, "</dt><dd>");
    ps_t(b, nav);
    buf_puts(b, "</dd>\n</dl>\n");
}

static void ps_button_form(struct buf *b, const char *action, const char *cls, const char *label,
                           const char *nav)
{
    buf_puts(b, "<form method=\"post\" action=\"");
    html_url(b, action, strlen(action));
    buf_puts(b, "\">");
    if (nav) {
        buf_puts(b, "<input type=\"hidden\" name=\"nav\" value=\"");
        html_attr(b, nav, strlen(nav));
        buf_puts(b, "\">");
    }
    buf_printf(b, "<button type=\"submit\" class=\"%s\">", cls);
    ps_t(b, label);
    buf_puts(b, "</button></form>\n");
}

/* The positions of a cart's notices into ps[] (NULL for unknown ones); how many are known. */
static size_t ps_cart_positions(struct pagopa_standin *s, json_t *cart, json_t **ps, size_t *n)
{
    size_t known = 0, i;
    json_t *notice;
    *n = 0;
    json_array_foreach(json_object_get(cart, "paymentNotices"), i, notice)
    {
        if (i >= PAGOPA_STANDIN_CART_NOTICES)
            break;
        ps[i] = ps_find_nav(s, ps_str(notice, "fiscalCode"), ps_str(notice, "noticeNumber"));
        known += ps[i] != NULL;
        (*n)++;
    }
    return known;
}

static void ps_cart_page(struct pagopa_standin *s, const char *id, struct ps_reply *r)
{
    struct buf *b = &r->body;
    pthread_mutex_lock(&s->mu);
    json_t *cart = ps_find_cart(s, id);
    if (!cart) {
        pthread_mutex_unlock(&s->mu);
        ps_html(r, 404);
        ps_page_start(b, PS_T("Payment"));
        ps_alert(b, PS_T("Payment cart not found."));
        ps_page_end(b);
        return;
    }
    json_t *ps[PAGOPA_STANDIN_CART_NOTICES];
    size_t n;
    size_t known = ps_cart_positions(s, cart, ps, &n);
    size_t payable = 0, paid = 0;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ps[i])
            continue;
        payable += ps_payable(ps[i]);
        paid += json_object_get(ps[i], "_paid") != NULL;
        total += (int64_t)json_integer_value(json_object_get(ps_option(ps[i]), "amount"));
    }
    json_t *urls = json_object_get(cart, "returnUrls");
    ps_html(r, 200);
    ps_page_start(b, PS_T("Payment"));
    for (size_t i = 0; i < n; i++)
        if (ps[i])
            ps_describe(b, ps[i]);
    if (known < n) {
        ps_alert(b, PS_T("Payment notice not found."));
        ps_link(b, ps_str(urls, "returnErrorUrl"), PS_T("Back to the creditor's site"));
    } else if (paid == n) {
        ps_alert(b, PS_T("This notice has already been paid."));
        ps_link(b, ps_str(urls, "returnOkUrl"), PS_T("Back to the creditor's site"));
    } else if (payable + paid < n) {
        ps_alert(b, PS_T("This notice cannot be paid now."));
        ps_link(b, ps_str(urls, "returnErrorUrl"), PS_T("Back to the creditor's site"));
    } else {
        if (n > 1) {
            char amount[MONEY_TEXT_SIZE];
            money_format(total, amount);
            buf_puts(b, "<p><strong>");
            ps_t(b, PS_T("Total"));
            buf_puts(b, ": ");
            ps_t(b, amount);
            buf_puts(b, "</strong></p>\n");
        }
        char action[PS_URL_MAX];
        snprintf(action, sizeof(action), PS_PAY_PREFIX "%s/paga", id);
        ps_button_form(b, action, "pay", PS_T("Pay"), NULL);
        snprintf(action, sizeof(action), PS_PAY_PREFIX "%s/annulla", id);
        ps_button_form(b, action, "cancel", PS_T("Cancel"), NULL);
    }
    pthread_mutex_unlock(&s->mu);
    ps_page_end(b);
}

static void ps_cart_action(struct pagopa_standin *s, const char *id, bool pay, struct ps_reply *r)
{
    char to[PS_URL_MAX] = "";
    pthread_mutex_lock(&s->mu);
    json_t *cart = ps_find_cart(s, id);
    if (cart) {
        json_t *urls = json_object_get(cart, "returnUrls");
        json_t *ps[PAGOPA_STANDIN_CART_NOTICES];
        size_t n;
        const char *which = "returnCancelUrl";
        if (pay) {
            size_t known = ps_cart_positions(s, cart, ps, &n), ok = 0;
            for (size_t i = 0; i < n; i++)
                ok += ps[i] && (ps_payable(ps[i]) || json_object_get(ps[i], "_paid"));
            which = known == n && ok == n ? "returnOkUrl" : "returnErrorUrl";
            if (known == n && ok == n) {
                for (size_t i = 0; i < n; i++)
                    if (ps_payable(ps[i]))
                        ps_mark_paid(ps[i], 0, s->confirm_delay);
                ps_save(s);
            }
        }
        snprintf(to, sizeof(to), "%s", ps_str(urls, which));
    }
    pthread_mutex_unlock(&s->mu);
    if (!to[0]) {
        ps_html(r, 404);
        ps_page_start(&r->body, PS_T("Payment"));
        ps_alert(&r->body, PS_T("Payment cart not found."));
        ps_page_end(&r->body);
        return;
    }
    ps_redirect(r, 303, to);
}

/* "nav=3020..." (spaces allowed) from a query value or a form body into nav[19]. */
static bool ps_nav(const char *in, size_t len, char *nav)
{
    size_t k = 0;
    for (size_t i = 0; i < len && in[i] && in[i] != '&'; i++) {
        char c = in[i];
        if (c == ' ' || c == '+')
            continue;
        if (c == '%' && i + 2 < len && in[i + 1] == '2' && in[i + 2] == '0') {
            i += 2;
            continue;
        }
        if (c < '0' || c > '9' || k == PAGOPA_NOTICE_LEN)
            return false;
        nav[k++] = c;
    }
    nav[k] = '\0';
    return k == PAGOPA_NOTICE_LEN;
}

static void ps_nav_form(struct buf *b, const char *typed, bool wrong)
{
    buf_puts(b, "<form method=\"get\" action=\"/paga\">\n<p><label for=\"nav\">");
    ps_t(b, PS_T("Notice number (18 digits)"));
    buf_puts(b, "</label><br>\n<input type=\"text\" id=\"nav\" name=\"nav\" inputmode=\"numeric\" "
                "autocomplete=\"off\" size=\"24\" value=\"");
    html_attr(b, typed, strlen(typed));
    buf_puts(b, "\"");
    if (wrong)
        buf_puts(b, " aria-invalid=\"true\" aria-describedby=\"nav-error\"");
    buf_puts(b, "></p>\n");
    if (wrong) {
        buf_puts(b, "<p id=\"nav-error\" role=\"alert\">");
        ps_t(b, PS_T("The notice number has 18 digits."));
        buf_puts(b, "</p>\n");
    }
    buf_puts(b, "<p><button type=\"submit\" class=\"pay\">");
    ps_t(b, PS_T("Continue"));
    buf_puts(b, "</button></p>\n</form>\n");
}

static void ps_counter(struct pagopa_standin *s, struct MHD_Connection *c, bool post,
                       struct ps_conn *in, struct ps_reply *r)
{
    struct buf *b = &r->body;
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "nav");
    char nav[PAGOPA_NOTICE_LEN + 1] = "";
    bool have = false;
    if (post) {
        const char *body = in->body.data ? in->body.data : "";
        const char *v = strstr(body, "nav=");
        have = v && (v == body || v[-1] == '&') &&
               ps_nav(v + 4, in->body.len - (size_t)(v + 4 - body), nav);
    } else if (q) {
        have = ps_nav(q, strlen(q), nav);
    }
    ps_html(r, 200);
    ps_page_start(b, PS_T("Pay a notice"));
    if (!have) {
        if (post || q)
            r->status = 400;
        ps_nav_form(b, q && strlen(q) < 64 ? q : "", post || q);
        ps_page_end(b);
        return;
    }
    pthread_mutex_lock(&s->mu);
    json_t *p = ps_find_nav(s, NULL, nav);
    if (!p) {
        r->status = 404;
        ps_alert(b, PS_T("Payment notice not found."));
        ps_nav_form(b, nav, false);
    } else if (post && ps_payable(p)) {
        ps_mark_paid(p, 0, s->confirm_delay);
        ps_save(s);
        ps_describe(b, p);
        buf_puts(b, "<p role=\"status\"><strong>");
        ps_t(b, PS_T("Payment completed"));
        buf_puts(b, "</strong> ");
        ps_t(b, PS_T("Receipt"));
        buf_puts(b, ": ");
        ps_t(b, ps_str(json_object_get(p, "_paid"), "idReceipt"));
        buf_puts(b, "</p>\n");
    } else if (json_object_get(p, "_paid")) {
        ps_describe(b, p);
        ps_alert(b, PS_T("This notice has already been paid."));
    } else if (!ps_payable(p)) {
        ps_describe(b, p);
        ps_alert(b, PS_T("This notice cannot be paid now."));
    } else {
        ps_describe(b, p);
        ps_button_form(b, "/paga", "pay", PS_T("Pay"), nav);
    }
    pthread_mutex_unlock(&s->mu);
    ps_page_end(b);
}

/* ---- dispatch ---- */

static bool ps_authorised(struct pagopa_standin *s, struct MHD_Connection *c)
{
    if (!s->api_key[0])
        return true;
    const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Ocp-Apim-Subscription-Key");
    return k && strlen(k) == strlen(s->api_key) && sodium_memcmp(k, s->api_key, strlen(k)) == 0;
}

static void ps_sleep_ms(struct pagopa_standin *s, long ms)
{
    struct timespec step = {0, PS_STALL_STEP_MS * 1000000L};
    for (long waited = 0; waited < ms && !atomic_load(&s->stopping); waited += PS_STALL_STEP_MS)
        nanosleep(&step, NULL);
}

/* GPD and Checkout JSON APIs (path without the GPD prefix). */
static void ps_api(struct pagopa_standin *s, struct MHD_Connection *c, const char *method,
                   const char *path, struct ps_conn *in, struct ps_reply *r)
{
    atomic_fetch_add(&s->requests, 1);
    long stall = 0;
    int fail = 0;
    pthread_mutex_lock(&s->mu);
    if (s->stall_count) {
        s->stall_count--;
        stall = s->stall_ms;
    }
    if (s->fail_count) {
        s->fail_count--;
        fail = s->fail_status;
    }
    pthread_mutex_unlock(&s->mu);
    if (stall)
        ps_sleep_ms(s, stall);
    if (fail) {
        ps_problem(r, fail, "Injected failure", "answer injected by the pagoPA stand-in");
        return;
    }
    if (!ps_authorised(s, c)) {
        r->status = 401; /* the spec's 401 has no body */
        return;
    }
    if (in->too_big) {
        ps_problem(r, 413, "Payload Too Large", "the request body is too large");
        return;
    }
    bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    if (!strcmp(path, "/info")) {
        if (get)
            ps_json(r, 200,
                    json_pack("{s:s, s:s, s:s}", "name", "pagopa-gpd-standin", "version", "1.1.37",
                              "environment", "standin"));
        else
            ps_problem(r, 405, "Method Not Allowed", "GET only");
    } else if (!strcmp(path, PS_CARTS_PATH)) {
        if (post)
            ps_cart(s, in, r);
        else
            ps_problem(r, 405, "Method Not Allowed", "POST only");
    } else {
        /* /organizations/{cf}/debtpositions[/{iupd}] */
        char org[32] = "", iupd[128] = "";
        const char *p = path + strlen("/organizations/");
        size_t n = strcspn(p, "/");
        if (n == 0 || n >= sizeof(org)) {
            ps_problem(r, 404, "Not Found", "no such resource");
            return;
        }
        memcpy(org, p, n);
        p += n;
        bool one = false;
        if (!strncmp(p, "/debtpositions/", 15) && p[15]) {
            one = true;
            if (strlen(p + 15) >= sizeof(iupd) || strchr(p + 15, '/')) {
                ps_problem(r, 404, "Not Found", "no such resource");
                return;
            }
            strcpy(iupd, p + 15);
        } else if (strcmp(p, "/debtpositions") != 0 && strcmp(p, "/debtpositions/") != 0) {
            ps_problem(r, 404, "Not Found", "no such resource");
            return;
        }
        if (!str_digits(org, 11, 11)) {
            ps_problem(r, 400, "Bad Request", "the organization fiscal code is 11 digits");
        } else if (one && get) {
            ps_get_one(s, org, iupd, r);
        } else if (!one && post) {
            ps_create(s, c, org, in, r);
        } else if (!one && get) {
            ps_list(s, c, org, r);
        } else {
            ps_problem(r, 405, "Method Not Allowed", "not supported by the stand-in");
        }
    }
    if (r->status >= 200 && r->status < 300) {
        pthread_mutex_lock(&s->mu);
        bool garble = s->malformed_count > 0;
        if (garble)
            s->malformed_count--;
        pthread_mutex_unlock(&s->mu);
        if (garble) {
            buf_reset(&r->body);
            buf_puts(&r->body, "{\"iupd\": \"cut short");
        }
    }
}

static void ps_route(struct pagopa_standin *s, struct MHD_Connection *c, const char *method,
                     const char *url, struct ps_conn *in, struct ps_reply *r)
{
    const char *path = url;
    size_t plen = strlen(PS_GPD_PREFIX);
    if (!strncmp(path, PS_GPD_PREFIX, plen) && (path[plen] == '/' || !path[plen]))
        path += plen;
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (!strcmp(path, "/info") || !strncmp(path, "/organizations/", 15) ||
        !strcmp(path, PS_CARTS_PATH)) {
        ps_api(s, c, method, path, in, r);
        return;
    }
    if (!strcmp(url, "/paga") && (get || post)) {
        ps_counter(s, c, post, in, r);
        return;
    }
    if (!strncmp(url, PS_PAY_PREFIX, strlen(PS_PAY_PREFIX))) {
        char id[64];
        const char *rest = url + strlen(PS_PAY_PREFIX);
        size_t n = strcspn(rest, "/");
        if (n > 0 && n < sizeof(id)) {
            memcpy(id, rest, n);
            id[n] = '\0';
            if (!rest[n] && get) {
                ps_cart_page(s, id, r);
                return;
            }
            if (!strcmp(rest + n, "/paga") && post) {
                ps_cart_action(s, id, true, r);
                return;
            }
            if (!strcmp(rest + n, "/annulla") && post) {
                ps_cart_action(s, id, false, r);
                return;
            }
        }
    }
    ps_html(r, 404);
    ps_page_start(&r->body, PS_T("Page not found"));
    ps_page_end(&r->body);
}

static enum MHD_Result ps_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    struct pagopa_standin *s = cls;
    struct ps_conn *in = *con_cls;
    if (!in) {
        in = calloc(1, sizeof(*in));
        if (!in)
            return MHD_NO;
        buf_init(&in->body, PAGOPA_STANDIN_BODY_MAX);
        *con_cls = in;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!in->too_big && buf_append(&in->body, upload_data, *upload_data_size) != BUF_OK)
            in->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct ps_reply r = {.status = 500};
    buf_init(&r.body, PS_PAGE_MAX);
    ps_route(s, c, method, url, in, &r);
    size_t len = 0;
    char *data = r.body.len ? buf_steal(&r.body, &len) : NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, data ? data : (void *)"", data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    buf_free(&r.body);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (r.content_type)
        MHD_add_response_header(resp, "Content-Type", r.content_type);
    if (r.location[0])
        MHD_add_response_header(resp, "Location", r.location);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void ps_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    struct ps_conn *in = *con_cls;
    if (!in)
        return;
    buf_free(&in->body);
    free(in);
    *con_cls = NULL;
}

static void ps_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("pagopa stand-in http library", "detail", msg);
}

/* ---- life cycle and hooks ---- */

struct pagopa_standin *pagopa_standin_start(const struct pagopa_standin_opts *o, char *err,
                                            size_t errsz)
{
    if (sodium_init() < 0) {
        snprintf(err, errsz, "cannot initialise libsodium");
        return NULL;
    }
    if ((o->dir && strlen(o->dir) >= PS_PATH_MAX) ||
        (o->api_key && strlen(o->api_key) >= PS_KEY_MAX) || o->port < 0 || o->port > 65535 ||
        o->confirm_delay_seconds < 0) {
        snprintf(err, errsz, "directory or API key too long, or a bad port or delay");
        return NULL;
    }
    if (o->dir && o->dir[0] && mkdir(o->dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errsz, "%s: %s", o->dir, strerror(errno));
        return NULL;
    }
    struct pagopa_standin *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    snprintf(s->dir, sizeof(s->dir), "%s", o->dir ? o->dir : "");
    snprintf(s->api_key, sizeof(s->api_key), "%s", o->api_key ? o->api_key : "");
    s->confirm_delay = o->confirm_delay_seconds;
    s->positions = json_array();
    s->carts = json_array();
    if (!s->positions || !s->carts || (s->dir[0] && ps_load(s, err, errsz) != 0)) {
        if (!s->positions || !s->carts)
            snprintf(err, errsz, "out of memory");
        pagopa_standin_stop(s);
        return NULL;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        (uint16_t)o->port, NULL, NULL, ps_on_request, s, MHD_OPTION_EXTERNAL_LOGGER, ps_mhd_log,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
        ps_on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)PS_IDLE_SECONDS,
        MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        s->daemon ? MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!info || info->port == 0) {
        snprintf(err, errsz, "cannot listen on 127.0.0.1:%d", o->port);
        pagopa_standin_stop(s);
        return NULL;
    }
    s->port = info->port;
    return s;
}

int pagopa_standin_port(const struct pagopa_standin *s)
{
    return s->port;
}

void pagopa_standin_stop(struct pagopa_standin *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    json_decref(s->positions);
    json_decref(s->carts);
    pthread_mutex_destroy(&s->mu);
    explicit_bzero(s->api_key, sizeof(s->api_key));
    free(s);
}

void pagopa_standin_fail_next(struct pagopa_standin *s, int http_status, unsigned count)
{
    pthread_mutex_lock(&s->mu);
    s->fail_status = http_status;
    s->fail_count = count;
    pthread_mutex_unlock(&s->mu);
}

void pagopa_standin_stall_next(struct pagopa_standin *s, long ms, unsigned count)
{
    pthread_mutex_lock(&s->mu);
    s->stall_ms = ms;
    s->stall_count = count;
    pthread_mutex_unlock(&s->mu);
}

void pagopa_standin_malformed_next(struct pagopa_standin *s, unsigned count)
{
    pthread_mutex_lock(&s->mu);
    s->malformed_count = count;
    pthread_mutex_unlock(&s->mu);
}

int pagopa_standin_pay(struct pagopa_standin *s, const char *org_cf, const char *iupd,
                       int64_t reported_amount_cents)
{
    pthread_mutex_lock(&s->mu);
    json_t *p = ps_find(s, org_cf, iupd);
    int rc = -1;
    if (p && json_object_get(p, "_paid")) {
        rc = 1;
    } else if (p) {
        ps_mark_paid(p, reported_amount_cents, 0);
        ps_save(s);
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int pagopa_standin_add_paid(struct pagopa_standin *s, const char *org_cf, const char *iupd,
                            const char *iuv, int64_t amount_cents)
{
    if (!str_digits(org_cf, 11, 11) || !iupd || !iupd[0] || !ps_alnum(iuv, 1, 35) ||
        amount_cents < 1)
        return -1;
    char due[TIME_ISO_MAX];
    time_iso(time_now() + 30 * 86400, due);
    json_t *in = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:b, s:[{s:s, s:I, s:s, s:s, s:b, s:[{s:s, s:I, s:s, s:s, "
        "s:s}]}]}",
        "iupd", iupd, "type", "F", "fiscalCode", "ANONIMO", "fullName", "Pagatore sconosciuto",
        "companyName", "Ente", "switchToExpired", 0, "paymentOption", "iuv", iuv, "amount",
        (json_int_t)amount_cents, "description", "Pagamento", "dueDate", due, "isPartialPayment", 0,
        "transfer", "idTransfer", "1", "amount", (json_int_t)amount_cents, "remittanceInformation",
        "Pagamento", "category", "9/0101108TS/", "iban", "IT60X0542811101000000123456");
    if (!in)
        return -1;
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    if (!ps_find(s, org_cf, iupd) && !ps_iuv_taken(s, org_cf, iuv)) {
        json_t *p = ps_store_new(in, org_cf, true);
        ps_mark_paid(p, 0, 0);
        json_array_append_new(s->positions, p);
        ps_save(s);
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    json_decref(in);
    return rc;
}

unsigned pagopa_standin_creates(struct pagopa_standin *s)
{
    return atomic_load(&s->creates);
}

unsigned pagopa_standin_requests(struct pagopa_standin *s)
{
    return atomic_load(&s->requests);
}
