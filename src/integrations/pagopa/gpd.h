/*
 * pagoPA GPD (Gestione Posizioni Debitorie) REST client, ../shared/specs/pagopa-gpd-openapi-v1.json
 * (debt-positions-service v1), over libcurl. Every call has a connect and a total timeout; calls
 * that fail for a transient reason (connection refused or reset, timeout, HTTP 429 or 5xx) are
 * retried with exponential backoff up to max_attempts; 4xx answers are final.
 *
 * Creation is idempotent: the caller picks the IUPD (and IUV) before calling and keeps them, so a
 * retried create of the same position gets 409 from GPD; the client then reads the position back
 * and answers GPD_OK when it is the same one (same IUV and amount), GPD_CONFLICT when GPD holds a
 * different position under that IUPD. A create never makes two positions.
 *
 * The checkout part speaks the pagoPA Checkout "carts" API (POST /carts: the notices to pay and
 * the return URLs; the answer is a 302 whose Location is the payment page for the family).
 */
#ifndef REFETTORIO_INTEGRATIONS_PAGOPA_GPD_H
#define REFETTORIO_INTEGRATIONS_PAGOPA_GPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPD_ID_MAX     64  /* iupd, iuv, nav, receipt ids */
#define GPD_TEXT_MAX   141 /* descriptions, company names (140 + NUL) */
#define GPD_TIME_MAX   40  /* date-time strings as GPD sends them */
#define GPD_STATUS_MAX 24
#define GPD_URL_MAX    1024

struct gpd_config {
    const char *base_url; /* ".../gpd/debt-positions-service/v1", no trailing slash */
    const char *api_key;  /* Ocp-Apim-Subscription-Key; "" or NULL for none */
    long connect_timeout_ms;
    long timeout_ms;  /* whole request */
    int max_attempts; /* >= 1 */
    long backoff_ms;  /* first retry delay, doubled each time */
};

enum gpd_result {
    GPD_OK = 0,
    GPD_NOT_FOUND,   /* 404 */
    GPD_CONFLICT,    /* 409 and the position under that IUPD is a different one */
    GPD_REFUSED,     /* 400, 401, 403, 422: the request or the credentials are wrong; final */
    GPD_UNAVAILABLE, /* timeouts, connection errors, 429, 5xx after every attempt */
    GPD_MALFORMED,   /* an answer that is not the JSON the spec describes */
    GPD_INVALID,     /* the caller's input is invalid; nothing was sent */
};

/* A position to create: one payment option with one transfer to the municipality. */
struct gpd_position_new {
    const char *org_fiscal_code; /* the municipality, 11 digits */
    const char *company_name;    /* the municipality's name */
    const char *iupd;
    const char *iuv;
    const char *debtor_fiscal_code; /* the payer (guardian) */
    const char *debtor_name;
    const char *debtor_email; /* may be NULL */
    int64_t amount_cents;     /* > 0 */
    const char *description;  /* causale, <= 140 */
    const char *due_date;     /* ISO date-time UTC, "2026-12-22T22:59:59Z" */
    const char *iban;         /* the municipality's account */
    const char *postal_iban;  /* may be "" */
    const char *category;     /* tassonomia, e.g. "9/0101108TS/" */
};

/* A position as GPD reports it (the first payment option). */
struct gpd_position {
    char iupd[GPD_ID_MAX];
    char status[GPD_STATUS_MAX];        /* DRAFT PUBLISHED VALID INVALID EXPIRED PARTIALLY_PAID PAID
                                           REPORTED */
    char option_status[GPD_STATUS_MAX]; /* PO_UNPAID PO_PAID PO_PARTIALLY_REPORTED PO_REPORTED */
    char iuv[GPD_ID_MAX];
    char nav[GPD_ID_MAX];
    int64_t amount_cents;
    char due_date[GPD_TIME_MAX];
    char payment_date[GPD_TIME_MAX]; /* "" when unpaid */
    char receipt_id[GPD_ID_MAX];     /* idReceipt, "" when unpaid */
    char psp_company[GPD_TEXT_MAX];
    char payment_method[GPD_ID_MAX];
    bool paid; /* status PAID/REPORTED or option PO_PAID/PO_*REPORTED */
};

/* Create and publish (toPublish=true). out (may be NULL) gets the position as GPD holds it.
   err gets a one-line explanation for the log and the office (GPD's ProblemJson detail when
   there is one). */
enum gpd_result gpd_create(const struct gpd_config *c, const struct gpd_position_new *p,
                           struct gpd_position *out, char *err, size_t errsz);

/* Read one position by IUPD. */
enum gpd_result gpd_get(const struct gpd_config *c, const char *org_fiscal_code, const char *iupd,
                        struct gpd_position *out, char *err, size_t errsz);

/* One page of the positions paid on or after the day of paid_from ("YYYY-MM-DD" or an ISO
   date-time; GPD's payment_date_from is a date, so earlier payments of that day come back too),
   status PAID. limit is 1..GPD_PAGE_LIMIT_MAX and max >= limit. Do not rely on the order: GPD
   sorts by insertion date (the stand-in by payment date). *total_pages gets the page count from
   page_info. Pages start at 0. */
enum gpd_result gpd_list_paid(const struct gpd_config *c, const char *org_fiscal_code,
                              const char *paid_from, int page, int limit, struct gpd_position *out,
                              size_t max, size_t *n, int *total_pages, char *err, size_t errsz);

/* Checkout cart for one notice: the URL of the payment page to send the family to. */
struct checkout_cart {
    const char *checkout_url; /* ".../checkout/ec/v1" (POST {checkout_url}/carts) */
    const char *api_key;      /* may be NULL */
    const char *notice_number;
    const char *org_fiscal_code;
    int64_t amount_cents;
    const char *company_name;
    const char *description;
    const char *email; /* may be NULL */
    const char *return_ok_url;
    const char *return_cancel_url;
    const char *return_error_url;
};
enum gpd_result checkout_cart_create(const struct gpd_config *c, const struct checkout_cart *cart,
                                     char *location, size_t locsz, char *err, size_t errsz);

const char *gpd_result_name(enum gpd_result r);

/* Answers longer than this are not read (GPD_MALFORMED); pages hold at most GPD_PAGE_LIMIT_MAX
   positions. */
#define GPD_ANSWER_MAX     (1024 * 1024)
#define GPD_PAGE_LIMIT_MAX 50    /* the spec's maximum for limit */
#define GPD_BACKOFF_MAX_MS 30000 /* the doubling stops here */

/* The answer parsers the calls above use, exposed for the tests and the fuzz target. json[0..len)
   need not be NUL-terminated. GPD_OK or GPD_MALFORMED (err says what is wrong). */
enum gpd_result gpd_parse_position(const char *json, size_t len, struct gpd_position *out,
                                   char *err, size_t errsz);
enum gpd_result gpd_parse_page(const char *json, size_t len, struct gpd_position *out, size_t max,
                               size_t *n, int *total_pages, char *err, size_t errsz);

#endif
