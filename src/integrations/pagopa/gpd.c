/* The pagoPA GPD and Checkout client over libcurl and jansson; see gpd.h. */
#include "integrations/pagopa/gpd.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/time.h"

#define GPD_FISCAL_CODE_LEN 11 /* an ente's codice fiscale: 11 digits */
#define GPD_DEBTOR_ID_MAX   16 /* a person's codice fiscale; 11 digits for a company */
#define GPD_IBAN_MAX        35 /* the spec's ^[A-Za-z0-9]{1,35}$ */
#define GPD_EMAIL_MAX       256
#define GPD_CATEGORY_MAX    64  /* taxonomy codes are about 15 characters */
#define GPD_KEY_MAX         256 /* the subscription key */
#define GPD_DETAIL_MAX      200 /* bytes of a ProblemJson detail kept in err */
#define GPD_REQUEST_MAX     (64 * 1024)
#define GPD_NOTICE_LEN      18
#define GPD_CART_TEXT_MAX   140 /* companyName and description of a cart notice */

static pthread_once_t gpd_curl_once = PTHREAD_ONCE_INIT;
static CURLcode gpd_curl_init_rc = CURLE_FAILED_INIT;

static void gpd_curl_init(void)
{
    gpd_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *gpd_result_name(enum gpd_result r)
{
    switch (r) {
    case GPD_OK:
        return "ok";
    case GPD_NOT_FOUND:
        return "not_found";
    case GPD_CONFLICT:
        return "conflict";
    case GPD_REFUSED:
        return "refused";
    case GPD_UNAVAILABLE:
        return "unavailable";
    case GPD_MALFORMED:
        return "malformed";
    case GPD_INVALID:
        return "invalid";
    }
    return "unknown";
}

static void gpd_err(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void gpd_err(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || errsz == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

/* ---- input checks ---- */

static bool gpd_alnum(const char *s, size_t min, size_t max)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
            return false;
    }
    return true;
}

/* Identifiers that go into URL paths: letters, digits, '-', '_' and '.'; never "." or "..". */
static bool gpd_id_ok(const char *s)
{
    if (!s || !s[0] || strlen(s) >= GPD_ID_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '-' || ch == '_' || ch == '.'))
            return false;
    }
    return true;
}

/* Non-empty text of at most max bytes without control characters. */
static bool gpd_text_ok(const char *s, size_t max)
{
    if (!s || !s[0] || strlen(s) > max)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool gpd_num(const char *s, int n, int lo, int hi)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi;
}

/* "YYYY-MM-DDTHH:MM:SS", an optional fraction, then "Z" or "+HH:MM" / "-HH:MM". */
static bool gpd_datetime_ok(const char *s)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n < 20 || n >= GPD_TIME_MAX)
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int y, m, d;
    if (!time_parse_date(date, &y, &m, &d) || s[10] != 'T' || !gpd_num(s + 11, 2, 0, 23) ||
        s[13] != ':' || !gpd_num(s + 14, 2, 0, 59) || s[16] != ':' || !gpd_num(s + 17, 2, 0, 60))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (p[0] == 'Z' && p[1] == '\0')
        return true;
    return (p[0] == '+' || p[0] == '-') && gpd_num(p + 1, 2, 0, 23) && p[3] == ':' &&
           gpd_num(p + 4, 2, 0, 59) && p[6] == '\0';
}

static bool gpd_url_ok(const char *s)
{
    return s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)) &&
           strlen(s) < GPD_URL_MAX - 200 && gpd_text_ok(s, GPD_URL_MAX) && !strchr(s, ' ');
}

static bool gpd_key_ok(const char *k)
{
    return !k || !k[0] || gpd_text_ok(k, GPD_KEY_MAX - 1);
}

static bool gpd_config_ok(const struct gpd_config *c, char *err, size_t errsz)
{
    if (!c || !gpd_url_ok(c->base_url)) {
        gpd_err(err, errsz, "the GPD base URL is missing or not an http(s) URL");
        return false;
    }
    if (!gpd_key_ok(c->api_key)) {
        gpd_err(err, errsz, "the API key is too long or has control characters");
        return false;
    }
    if (c->max_attempts < 1 || c->timeout_ms < 1 || c->connect_timeout_ms < 1 ||
        c->backoff_ms < 0) {
        gpd_err(err, errsz, "timeouts and attempts must be positive");
        return false;
    }
    return true;
}

/* ---- one HTTP exchange, and the retries ---- */

struct gpd_answer {
    CURLcode rc;
    long status;
    struct buf body;
    char location[GPD_URL_MAX];
    char curl_err[CURL_ERROR_SIZE];
};

static size_t gpd_on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct buf *b = userdata;
    size_t n = size * nmemb;
    return buf_append(b, data, n) == BUF_OK ? n : 0; /* 0: CURLE_WRITE_ERROR */
}

/* One request; a fresh easy handle each time (calls are rare, the code stays simple). */
static void gpd_exchange(const struct gpd_config *c, const char *api_key, const char *method,
                         const char *url, const char *body, struct gpd_answer *a)
{
    buf_reset(&a->body);
    a->status = 0;
    a->location[0] = '\0';
    a->curl_err[0] = '\0';
    CURL *h = curl_easy_init();
    if (!h) {
        a->rc = CURLE_OUT_OF_MEMORY;
        return;
    }
    struct curl_slist *hdr = NULL, *next;
    char key[GPD_KEY_MAX + 40];
    snprintf(key, sizeof(key), "Ocp-Apim-Subscription-Key: %s", api_key ? api_key : "");
    bool ok = (next = curl_slist_append(hdr, "Accept: application/json")) != NULL;
    hdr = ok ? next : hdr;
    if (ok && body) {
        ok = (next = curl_slist_append(hdr, "Content-Type: application/json")) != NULL;
        hdr = ok ? next : hdr;
    }
    if (ok) { /* no "Expect: 100-continue" round trip for bodies over 1 KiB */
        ok = (next = curl_slist_append(hdr, "Expect:")) != NULL;
        hdr = ok ? next : hdr;
    }
    if (ok && api_key && api_key[0]) {
        ok = (next = curl_slist_append(hdr, key)) != NULL;
        hdr = ok ? next : hdr;
    }
    explicit_bzero(key, sizeof(key));
    if (!ok) {
        a->rc = CURLE_OUT_OF_MEMORY;
        curl_slist_free_all(hdr);
        curl_easy_cleanup(h);
        return;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, gpd_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->curl_err);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "refettorio");
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    a->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    char *loc = NULL;
    if (a->rc == CURLE_OK && curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc &&
        strlen(loc) < sizeof(a->location))
        strcpy(a->location, loc);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
}

/* Errors that may go away by themselves: the connection, not the request, went wrong. */
static bool gpd_transient_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static bool gpd_transient(const struct gpd_answer *a)
{
    if (a->rc != CURLE_OK)
        return gpd_transient_curl(a->rc);
    return a->status == 429 || a->status >= 500;
}

static void gpd_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The "detail" (or "title", or the gateway's "message") of a ProblemJson answer, made safe for
   one log line; "" when there is none. */
static void gpd_problem_detail(const struct gpd_answer *a, char *out, size_t outsz)
{
    out[0] = '\0';
    json_t *root = json_loadb(a->body.data ? a->body.data : "", a->body.len, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    const char *keys[] = {"detail", "title", "message"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = json_string_value(json_object_get(root, keys[i]));
        if (v && v[0]) {
            size_t n = 0;
            for (; v[n] && n + 1 < outsz && n < GPD_DETAIL_MAX; n++)
                out[n] = (unsigned char)v[n] < 0x20 || v[n] == 0x7f ? ' ' : v[n];
            out[n] = '\0';
            break;
        }
    }
    json_decref(root);
}

/*
 * The request with its retries. Returns true when an HTTP answer that is not transient came
 * back (a->status says which); false with *res and err set when every attempt failed (or a
 * final transport error).
 */
static bool gpd_perform(const struct gpd_config *c, const char *api_key, const char *op,
                        const char *method, const char *url, const char *body, struct gpd_answer *a,
                        enum gpd_result *res, char *err, size_t errsz)
{
    pthread_once(&gpd_curl_once, gpd_curl_init);
    if (gpd_curl_init_rc != CURLE_OK) {
        gpd_err(err, errsz, "libcurl could not be initialised");
        *res = GPD_UNAVAILABLE;
        return false;
    }
    long delay = c->backoff_ms;
    for (int attempt = 1;; attempt++) {
        gpd_exchange(c, api_key, method, url, body, a);
        if (!gpd_transient(a) || attempt >= c->max_attempts)
            break;
        char at[16], st[16];
        snprintf(at, sizeof(at), "%d", attempt);
        snprintf(st, sizeof(st), "%ld", a->status);
        log_warn("pagopa request failed, retrying", "op", op, "attempt", at, "status",
                 a->rc == CURLE_OK ? st : NULL, "error",
                 a->rc == CURLE_OK ? NULL : curl_easy_strerror(a->rc));
        gpd_sleep_ms(delay);
        delay = delay > GPD_BACKOFF_MAX_MS / 2 ? GPD_BACKOFF_MAX_MS : delay * 2;
    }
    if (a->rc == CURLE_WRITE_ERROR && a->body.err == BUF_TOOBIG) {
        gpd_err(err, errsz, "%s: the answer is larger than %d bytes", op, GPD_ANSWER_MAX);
        *res = GPD_MALFORMED;
        return false;
    }
    if (a->rc != CURLE_OK) {
        gpd_err(err, errsz, "%s: %s%s%s", op, curl_easy_strerror(a->rc), a->curl_err[0] ? ": " : "",
                a->curl_err);
        *res = GPD_UNAVAILABLE;
        return false;
    }
    if (gpd_transient(a)) {
        char detail[GPD_DETAIL_MAX + 1];
        gpd_problem_detail(a, detail, sizeof(detail));
        gpd_err(err, errsz, "%s: HTTP %ld after %d attempts%s%s", op, a->status, c->max_attempts,
                detail[0] ? ": " : "", detail);
        *res = GPD_UNAVAILABLE;
        return false;
    }
    return true;
}

/* The result of a final non-2xx answer (404, 409 and 3xx are the callers' business). */
static enum gpd_result gpd_refusal(const struct gpd_answer *a, const char *op, char *err,
                                   size_t errsz)
{
    char detail[GPD_DETAIL_MAX + 1];
    gpd_problem_detail(a, detail, sizeof(detail));
    gpd_err(err, errsz, "%s: HTTP %ld%s%s", op, a->status, detail[0] ? ": " : "", detail);
    if (a->status == 404)
        return GPD_NOT_FOUND;
    if (a->status >= 400 && a->status < 500)
        return GPD_REFUSED;
    return GPD_MALFORMED; /* a redirect or an informational status the spec does not have */
}

/* ---- answers ---- */

static const char *const gpd_position_statuses[] = {
    "DRAFT", "PUBLISHED", "VALID", "INVALID", "EXPIRED", "PARTIALLY_PAID", "PAID", "REPORTED",
};
static const char *const gpd_option_statuses[] = {
    "PO_UNPAID",
    "PO_PAID",
    "PO_PARTIALLY_REPORTED",
    "PO_REPORTED",
};

static bool gpd_one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, set[i]))
            return true;
    return false;
}

enum gpd_copy { GPD_OPTIONAL, GPD_REQUIRED, GPD_CUT /* optional, cut when longer */ };

/* obj[key] into out: a string (or absent/null unless required) that fits, without NULs. */
static bool gpd_copy(json_t *obj, const char *key, enum gpd_copy how, char *out, size_t outsz,
                     char *err, size_t errsz)
{
    out[0] = '\0';
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (how == GPD_REQUIRED) {
            gpd_err(err, errsz, "\"%s\" is missing", key);
            return false;
        }
        return true;
    }
    if (!json_is_string(v)) {
        gpd_err(err, errsz, "\"%s\" is not a string", key);
        return false;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n) {
        gpd_err(err, errsz, "\"%s\" contains NUL", key);
        return false;
    }
    if (n >= outsz) {
        if (how != GPD_CUT) {
            gpd_err(err, errsz, "\"%s\" is longer than %zu bytes", key, outsz - 1);
            return false;
        }
        n = outsz - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* never cut a UTF-8 sequence in two */
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static bool gpd_position_from(json_t *root, struct gpd_position *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(root)) {
        gpd_err(err, errsz, "a position is not a JSON object");
        return false;
    }
    char pos_paid[GPD_TIME_MAX];
    if (!gpd_copy(root, "iupd", GPD_REQUIRED, out->iupd, sizeof(out->iupd), err, errsz) ||
        !gpd_copy(root, "status", GPD_REQUIRED, out->status, sizeof(out->status), err, errsz) ||
        !gpd_copy(root, "paymentDate", GPD_OPTIONAL, pos_paid, sizeof(pos_paid), err, errsz))
        return false;
    if (!out->iupd[0]) {
        gpd_err(err, errsz, "\"iupd\" is empty");
        return false;
    }
    if (!gpd_one_of(out->status, gpd_position_statuses,
                    sizeof(gpd_position_statuses) / sizeof(gpd_position_statuses[0]))) {
        gpd_err(err, errsz, "unknown position status \"%s\"", out->status);
        return false;
    }
    json_t *opts = json_object_get(root, "paymentOption");
    if (!json_is_array(opts) || json_array_size(opts) == 0) {
        gpd_err(err, errsz, "\"paymentOption\" is not a non-empty array");
        return false;
    }
    json_t *o = json_array_get(opts, 0);
    if (!json_is_object(o)) {
        gpd_err(err, errsz, "a payment option is not a JSON object");
        return false;
    }
    if (!gpd_copy(o, "iuv", GPD_REQUIRED, out->iuv, sizeof(out->iuv), err, errsz) ||
        !gpd_copy(o, "nav", GPD_OPTIONAL, out->nav, sizeof(out->nav), err, errsz) ||
        !gpd_copy(o, "status", GPD_OPTIONAL, out->option_status, sizeof(out->option_status), err,
                  errsz) ||
        !gpd_copy(o, "dueDate", GPD_OPTIONAL, out->due_date, sizeof(out->due_date), err, errsz) ||
        !gpd_copy(o, "paymentDate", GPD_OPTIONAL, out->payment_date, sizeof(out->payment_date), err,
                  errsz) ||
        !gpd_copy(o, "idReceipt", GPD_OPTIONAL, out->receipt_id, sizeof(out->receipt_id), err,
                  errsz) ||
        !gpd_copy(o, "pspCompany", GPD_CUT, out->psp_company, sizeof(out->psp_company), err,
                  errsz) ||
        !gpd_copy(o, "paymentMethod", GPD_CUT, out->payment_method, sizeof(out->payment_method),
                  err, errsz))
        return false;
    if (!out->iuv[0]) {
        gpd_err(err, errsz, "\"iuv\" is empty");
        return false;
    }
    if (out->option_status[0] &&
        !gpd_one_of(out->option_status, gpd_option_statuses,
                    sizeof(gpd_option_statuses) / sizeof(gpd_option_statuses[0]))) {
        gpd_err(err, errsz, "unknown payment option status \"%s\"", out->option_status);
        return false;
    }
    json_t *amount = json_object_get(o, "amount");
    if (!json_is_integer(amount) || json_integer_value(amount) <= 0) {
        gpd_err(err, errsz, "\"amount\" is not a positive integer");
        return false;
    }
    out->amount_cents = (int64_t)json_integer_value(amount);
    if (!out->payment_date[0])
        strcpy(out->payment_date, pos_paid);
    out->paid = !strcmp(out->status, "PAID") || !strcmp(out->status, "REPORTED") ||
                !strcmp(out->option_status, "PO_PAID") ||
                !strcmp(out->option_status, "PO_PARTIALLY_REPORTED") ||
                !strcmp(out->option_status, "PO_REPORTED");
    return true;
}

static json_t *gpd_load(const char *json, size_t len, char *err, size_t errsz)
{
    json_error_t jerr;
    json_t *root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        gpd_err(err, errsz, "the answer is not JSON: %s", jerr.text);
    return root;
}

enum gpd_result gpd_parse_position(const char *json, size_t len, struct gpd_position *out,
                                   char *err, size_t errsz)
{
    json_t *root = gpd_load(json, len, err, errsz);
    struct gpd_position scratch;
    bool ok = root && gpd_position_from(root, out ? out : &scratch, err, errsz);
    json_decref(root);
    return ok ? GPD_OK : GPD_MALFORMED;
}

static bool gpd_int_field(json_t *obj, const char *key, int *out, char *err, size_t errsz)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX) {
        gpd_err(err, errsz, "\"%s\" is not a non-negative integer", key);
        return false;
    }
    *out = (int)json_integer_value(v);
    return true;
}

enum gpd_result gpd_parse_page(const char *json, size_t len, struct gpd_position *out, size_t max,
                               size_t *n, int *total_pages, char *err, size_t errsz)
{
    *n = 0;
    *total_pages = 0;
    json_t *root = gpd_load(json, len, err, errsz);
    if (!root)
        return GPD_MALFORMED;
    enum gpd_result res = GPD_MALFORMED;
    json_t *list = json_object_get(root, "payment_position_list");
    json_t *info = json_object_get(root, "page_info");
    int page, limit, found, pages;
    if (!json_is_object(root) || !json_is_array(list) || !json_is_object(info)) {
        gpd_err(err, errsz, "\"payment_position_list\" or \"page_info\" is missing");
        goto done;
    }
    if (!gpd_int_field(info, "page", &page, err, errsz) ||
        !gpd_int_field(info, "limit", &limit, err, errsz) ||
        !gpd_int_field(info, "items_found", &found, err, errsz) ||
        !gpd_int_field(info, "total_pages", &pages, err, errsz))
        goto done;
    if (json_array_size(list) > max) {
        gpd_err(err, errsz, "%zu positions in a page, more than the %zu asked for",
                json_array_size(list), max);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!gpd_position_from(json_array_get(list, i), &out[i], err, errsz))
            goto done;
    *n = json_array_size(list);
    *total_pages = pages;
    res = GPD_OK;
done:
    json_decref(root);
    return res;
}

/* ---- calls ---- */

static enum gpd_result gpd_check_position(const struct gpd_position_new *p, char *err, size_t errsz)
{
    const char *bad = NULL;
    if (!str_digits(p->org_fiscal_code, GPD_FISCAL_CODE_LEN, GPD_FISCAL_CODE_LEN))
        bad = "org_fiscal_code (11 digits)";
    else if (!gpd_text_ok(p->company_name, GPD_TEXT_MAX - 1))
        bad = "company_name (1 to 140 bytes)";
    else if (!gpd_id_ok(p->iupd))
        bad = "iupd (letters, digits, - _ .)";
    else if (!gpd_alnum(p->iuv, 1, 35) || strlen(p->iuv) >= GPD_ID_MAX)
        bad = "iuv (1 to 35 letters or digits)";
    else if (!gpd_alnum(p->debtor_fiscal_code, 1, GPD_DEBTOR_ID_MAX))
        bad = "debtor_fiscal_code (1 to 16 letters or digits)";
    else if (!gpd_text_ok(p->debtor_name, GPD_TEXT_MAX - 1))
        bad = "debtor_name (1 to 140 bytes)";
    else if (p->debtor_email && p->debtor_email[0] &&
             (!gpd_text_ok(p->debtor_email, GPD_EMAIL_MAX) || !strchr(p->debtor_email, '@')))
        bad = "debtor_email";
    else if (p->amount_cents <= 0 || p->amount_cents > INT64_C(999999999999))
        bad = "amount_cents (1 to 999999999999)";
    else if (!gpd_text_ok(p->description, GPD_TEXT_MAX - 1))
        bad = "description (1 to 140 bytes)";
    else if (!gpd_datetime_ok(p->due_date))
        bad = "due_date (ISO date-time)";
    else if (!gpd_alnum(p->iban, 1, GPD_IBAN_MAX))
        bad = "iban (1 to 35 letters or digits)";
    else if (p->postal_iban && p->postal_iban[0] && !gpd_alnum(p->postal_iban, 1, GPD_IBAN_MAX))
        bad = "postal_iban (1 to 35 letters or digits)";
    else if (!gpd_text_ok(p->category, GPD_CATEGORY_MAX))
        bad = "category (the taxonomy code)";
    if (bad) {
        gpd_err(err, errsz, "invalid %s", bad);
        return GPD_INVALID;
    }
    return GPD_OK;
}

/* PaymentPositionModel with one option and one transfer to the municipality. */
static char *gpd_position_json(const struct gpd_position_new *p)
{
    /* A person has a 16-character codice fiscale; a company 11 digits. */
    const char *type = str_digits(p->debtor_fiscal_code, 11, 11) ? "G" : "F";
    json_t *transfer =
        json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "idTransfer", "1", "amount",
                  (json_int_t)p->amount_cents, "organizationFiscalCode", p->org_fiscal_code,
                  "remittanceInformation", p->description, "category", p->category, "iban", p->iban,
                  "companyName", p->company_name);
    if (transfer && p->postal_iban && p->postal_iban[0])
        json_object_set_new(transfer, "postalIban", json_string(p->postal_iban));
    json_t *option = json_pack("{s:s, s:I, s:s, s:b, s:s, s:[o]}", "iuv", p->iuv, "amount",
                               (json_int_t)p->amount_cents, "description", p->description,
                               "isPartialPayment", 0, "dueDate", p->due_date, "transfer", transfer);
    json_t *pos =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[o]}", "iupd", p->iupd, "type", type,
                  "fiscalCode", p->debtor_fiscal_code, "fullName", p->debtor_name, "companyName",
                  p->company_name, "switchToExpired", 0, "paymentOption", option);
    if (pos && p->debtor_email && p->debtor_email[0])
        json_object_set_new(pos, "email", json_string(p->debtor_email));
    char *s = pos ? json_dumps(pos, JSON_COMPACT) : NULL;
    json_decref(pos);
    return s;
}

static enum gpd_result gpd_position_answer(const struct gpd_answer *a, const char *op,
                                           struct gpd_position *out, char *err, size_t errsz)
{
    char why[GPD_DETAIL_MAX];
    if (gpd_parse_position(a->body.data, a->body.len, out, why, sizeof(why)) != GPD_OK) {
        gpd_err(err, errsz, "%s: HTTP %ld with an unexpected answer: %s", op, a->status, why);
        return GPD_MALFORMED;
    }
    return GPD_OK;
}

enum gpd_result gpd_get(const struct gpd_config *c, const char *org_fiscal_code, const char *iupd,
                        struct gpd_position *out, char *err, size_t errsz)
{
    struct gpd_position scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof(*out));
    if (!gpd_config_ok(c, err, errsz))
        return GPD_INVALID;
    if (!str_digits(org_fiscal_code, GPD_FISCAL_CODE_LEN, GPD_FISCAL_CODE_LEN) ||
        !gpd_id_ok(iupd)) {
        gpd_err(err, errsz, "invalid organization fiscal code or IUPD");
        return GPD_INVALID;
    }
    char url[GPD_URL_MAX + 128];
    snprintf(url, sizeof(url), "%s/organizations/%s/debtpositions/%s", c->base_url, org_fiscal_code,
             iupd);
    struct gpd_answer a = {0};
    buf_init(&a.body, GPD_ANSWER_MAX);
    enum gpd_result res;
    if (gpd_perform(c, c->api_key, "get position", "GET", url, NULL, &a, &res, err, errsz)) {
        if (a.status >= 200 && a.status < 300) {
            res = gpd_position_answer(&a, "get position", out, err, errsz);
            if (res == GPD_OK && strcmp(out->iupd, iupd) != 0) {
                gpd_err(err, errsz, "get position: the answer is about IUPD %s", out->iupd);
                res = GPD_MALFORMED;
            }
        } else {
            res = gpd_refusal(&a, "get position", err, errsz);
        }
    }
    if (res == GPD_MALFORMED)
        memset(out, 0, sizeof(*out));
    buf_free(&a.body);
    return res;
}

enum gpd_result gpd_create(const struct gpd_config *c, const struct gpd_position_new *p,
                           struct gpd_position *out, char *err, size_t errsz)
{
    struct gpd_position scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof(*out));
    if (!gpd_config_ok(c, err, errsz) || !p)
        return GPD_INVALID;
    enum gpd_result res = gpd_check_position(p, err, errsz);
    if (res != GPD_OK)
        return res;
    char *body = gpd_position_json(p);
    if (!body || strlen(body) > GPD_REQUEST_MAX) {
        free(body);
        gpd_err(err, errsz, "create position: out of memory");
        return GPD_UNAVAILABLE;
    }
    char url[GPD_URL_MAX + 128];
    snprintf(url, sizeof(url), "%s/organizations/%s/debtpositions?toPublish=true", c->base_url,
             p->org_fiscal_code);
    struct gpd_answer a = {0};
    buf_init(&a.body, GPD_ANSWER_MAX);
    if (!gpd_perform(c, c->api_key, "create position", "POST", url, body, &a, &res, err, errsz))
        goto done;
    if (a.status >= 200 && a.status < 300) {
        res = gpd_position_answer(&a, "create position", out, err, errsz);
        if (res == GPD_OK && (strcmp(out->iupd, p->iupd) || strcmp(out->iuv, p->iuv) ||
                              out->amount_cents != p->amount_cents)) {
            gpd_err(err, errsz, "create position: the answer describes another position");
            res = GPD_MALFORMED;
        }
        goto done;
    }
    if (a.status != 409) {
        res = gpd_refusal(&a, "create position", err, errsz);
        goto done;
    }
    /* 409: this IUPD (or this IUV) is taken. Ours when it holds the same IUV and amount, i.e.
       an earlier attempt of this same create went through. */
    char why[GPD_DETAIL_MAX + 1];
    gpd_problem_detail(&a, why, sizeof(why));
    res = gpd_get(c, p->org_fiscal_code, p->iupd, out, err, errsz);
    if (res == GPD_NOT_FOUND) {
        gpd_err(err, errsz, "create position: HTTP 409 (%s) and no position under IUPD %s",
                why[0] ? why : "duplicate", p->iupd);
        res = GPD_CONFLICT;
    } else if (res == GPD_OK &&
               (strcmp(out->iuv, p->iuv) != 0 || out->amount_cents != p->amount_cents)) {
        gpd_err(err, errsz,
                "create position: IUPD %s already holds IUV %s for %lld cents, not IUV %s for "
                "%lld cents",
                p->iupd, out->iuv, (long long)out->amount_cents, p->iuv,
                (long long)p->amount_cents);
        res = GPD_CONFLICT;
    }
done:
    if (res != GPD_OK)
        memset(out, 0, sizeof(*out));
    free(body);
    buf_free(&a.body);
    return res;
}

enum gpd_result gpd_list_paid(const struct gpd_config *c, const char *org_fiscal_code,
                              const char *paid_from, int page, int limit, struct gpd_position *out,
                              size_t max, size_t *n, int *total_pages, char *err, size_t errsz)
{
    *n = 0;
    *total_pages = 0;
    if (!gpd_config_ok(c, err, errsz))
        return GPD_INVALID;
    /* payment_date_from is a date (yyyy-MM-dd) in the spec: the day of paid_from. */
    char day[11] = "";
    int y, m, d;
    if (paid_from && strlen(paid_from) >= 10) {
        memcpy(day, paid_from, 10);
        day[10] = '\0';
    }
    if (!str_digits(org_fiscal_code, GPD_FISCAL_CODE_LEN, GPD_FISCAL_CODE_LEN) ||
        !time_parse_date(day, &y, &m, &d) ||
        (strlen(paid_from) > 10 && !gpd_datetime_ok(paid_from)) || page < 0 || limit < 1 ||
        limit > GPD_PAGE_LIMIT_MAX || !out || max < (size_t)limit) {
        gpd_err(err, errsz, "invalid organization fiscal code, date, page or limit");
        return GPD_INVALID;
    }
    char url[GPD_URL_MAX + 256];
    snprintf(url, sizeof(url),
             "%s/organizations/%s/debtpositions?status=PAID&payment_date_from=%s&page=%d&limit=%d",
             c->base_url, org_fiscal_code, day, page, limit);
    struct gpd_answer a = {0};
    buf_init(&a.body, GPD_ANSWER_MAX);
    enum gpd_result res;
    if (gpd_perform(c, c->api_key, "list paid", "GET", url, NULL, &a, &res, err, errsz)) {
        if (a.status >= 200 && a.status < 300) {
            char why[GPD_DETAIL_MAX];
            res = gpd_parse_page(a.body.data, a.body.len, out, (size_t)limit, n, total_pages, why,
                                 sizeof(why));
            if (res != GPD_OK)
                gpd_err(err, errsz, "list paid: HTTP %ld with an unexpected answer: %s", a.status,
                        why);
        } else {
            res = gpd_refusal(&a, "list paid", err, errsz);
        }
    }
    buf_free(&a.body);
    return res;
}

enum gpd_result checkout_cart_create(const struct gpd_config *c, const struct checkout_cart *cart,
                                     char *location, size_t locsz, char *err, size_t errsz)
{
    if (location && locsz)
        location[0] = '\0';
    const char *bad = NULL;
    if (!c || c->max_attempts < 1 || c->timeout_ms < 1 || c->connect_timeout_ms < 1 ||
        c->backoff_ms < 0)
        bad = "timeouts or attempts";
    else if (!cart || !gpd_url_ok(cart->checkout_url))
        bad = "checkout URL";
    else if (!gpd_key_ok(cart->api_key))
        bad = "API key";
    else if (!str_digits(cart->notice_number, GPD_NOTICE_LEN, GPD_NOTICE_LEN))
        bad = "notice number (18 digits)";
    else if (!str_digits(cart->org_fiscal_code, GPD_FISCAL_CODE_LEN, GPD_FISCAL_CODE_LEN))
        bad = "organization fiscal code (11 digits)";
    else if (cart->amount_cents <= 0 || cart->amount_cents > INT64_C(999999999999))
        bad = "amount";
    else if (!gpd_text_ok(cart->company_name, GPD_CART_TEXT_MAX))
        bad = "company name (1 to 140 bytes)";
    else if (!gpd_text_ok(cart->description, GPD_CART_TEXT_MAX))
        bad = "description (1 to 140 bytes)";
    else if (cart->email && cart->email[0] &&
             (!gpd_text_ok(cart->email, GPD_EMAIL_MAX) || !strchr(cart->email, '@')))
        bad = "e-mail";
    else if (!gpd_url_ok(cart->return_ok_url) || !gpd_url_ok(cart->return_cancel_url) ||
             !gpd_url_ok(cart->return_error_url))
        bad = "return URLs (http or https)";
    else if (!location || locsz == 0)
        bad = "location buffer";
    if (bad) {
        gpd_err(err, errsz, "invalid %s", bad);
        return GPD_INVALID;
    }
    json_t *root = json_pack("{s:[{s:s, s:s, s:I, s:s, s:s}], s:{s:s, s:s, s:s}}", "paymentNotices",
                             "noticeNumber", cart->notice_number, "fiscalCode",
                             cart->org_fiscal_code, "amount", (json_int_t)cart->amount_cents,
                             "companyName", cart->company_name, "description", cart->description,
                             "returnUrls", "returnOkUrl", cart->return_ok_url, "returnCancelUrl",
                             cart->return_cancel_url, "returnErrorUrl", cart->return_error_url);
    if (root && cart->email && cart->email[0])
        json_object_set_new(root, "emailNotice", json_string(cart->email));
    char *body = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!body) {
        gpd_err(err, errsz, "checkout cart: out of memory");
        return GPD_UNAVAILABLE;
    }
    char url[GPD_URL_MAX + 16];
    snprintf(url, sizeof(url), "%s/carts", cart->checkout_url);
    struct gpd_answer a = {0};
    buf_init(&a.body, GPD_ANSWER_MAX);
    enum gpd_result res;
    if (gpd_perform(c, cart->api_key, "checkout cart", "POST", url, body, &a, &res, err, errsz)) {
        if (a.status == 302 || a.status == 303) {
            if (!gpd_url_ok(a.location) || strlen(a.location) >= locsz) {
                gpd_err(err, errsz, "checkout cart: HTTP %ld without a usable Location", a.status);
                res = GPD_MALFORMED;
            } else {
                strcpy(location, a.location);
                res = GPD_OK;
            }
        } else if (a.status >= 200 && a.status < 400) {
            gpd_err(err, errsz, "checkout cart: HTTP %ld instead of a redirect", a.status);
            res = GPD_MALFORMED;
        } else {
            res = gpd_refusal(&a, "checkout cart", err, errsz);
        }
    }
    free(body);
    buf_free(&a.body);
    return res;
}
