/*
 * The pagoPA stand-in: a small HTTP server on 127.0.0.1 that speaks the part of GPD
 * (../shared/specs/pagopa-gpd-openapi-v1.json) and of Checkout that Refettorio uses, with the
 * spec's JSON shapes and status codes, and plays the payer's side with two HTML pages. It exists
 * for the tests and the demo, so that payments go through the same libcurl path
 * (integrations/pagopa/gpd.h) as in production; it is NEVER the production path: no money moves,
 * nothing is forwarded anywhere.
 *
 * GPD (also under the production prefix /gpd/debt-positions-service/v1):
 *   GET  /info                                           AppInfo
 *   POST /organizations/{cf}/debtpositions?toPublish=    201 the position (VALID when
 *                                                        published, else DRAFT), 400, 409
 *   GET  /organizations/{cf}/debtpositions/{iupd}        200 PaymentPositionModelBaseResponse, 404
 *   GET  /organizations/{cf}/debtpositions?status=&payment_date_from=&payment_date_to=&page=&limit=
 *                                                        PaymentPositionsInfo, ordered by payment
 *                                                        date when filtering on payments
 * Checkout:
 *   POST /checkout/ec/v1/carts      302 to /checkout/pay/<cart id>
 * The payer (HTML, Italian through the gettext catalogue, no JavaScript):
 *   GET  /checkout/pay/<id>         the cart's notices with "Pay" and "Cancel" (POST forms)
 *   POST /checkout/pay/<id>/paga    pays them, 303 to returnOkUrl (returnErrorUrl when a notice
 *                                   is unknown or not payable)
 *   POST /checkout/pay/<id>/annulla 303 to returnCancelUrl
 *   GET  /paga[?nav=<18 digits>]    pay a paper notice by its number, as at a bank counter;
 *   POST /paga (nav=...)            pays it
 *
 * With an API key configured, the JSON APIs answer 401 to a request without that
 * Ocp-Apim-Subscription-Key. A paid position reads PAID / PO_PAID with paymentDate, idReceipt,
 * pspCompany "Banca Demo" and paymentMethod "CP", but only confirm_delay_seconds after the
 * payment (the test hooks pay at once). With a dir, positions and carts are kept in
 * <dir>/positions.json, rewritten atomically on every change and read at start.
 */
#ifndef REFETTORIO_STANDINS_PAGOPA_H
#define REFETTORIO_STANDINS_PAGOPA_H

#include <stddef.h>
#include <stdint.h>

#define PAGOPA_STANDIN_BODY_MAX      (256 * 1024) /* a larger request body gets 413 */
#define PAGOPA_STANDIN_POSITIONS_MAX 100000       /* creates past this get 500 */
#define PAGOPA_STANDIN_CART_NOTICES  5            /* Checkout's maximum per cart */
#define PAGOPA_STANDIN_PSP           "Banca Demo"

struct pagopa_standin_opts {
    const char *dir;           /* NULL: memory only */
    int port;                  /* 0: any free port */
    const char *api_key;       /* NULL or "": no key required */
    int confirm_delay_seconds; /* a payment shows in GPD this long after it is made */
};

struct pagopa_standin;

/* Bind 127.0.0.1:port and serve from libmicrohttpd's threads. NULL with err filled on failure
   (also when <dir>/positions.json cannot be read). */
struct pagopa_standin *pagopa_standin_start(const struct pagopa_standin_opts *o, char *err,
                                            size_t errsz);
int pagopa_standin_port(const struct pagopa_standin *s);
/* Stop serving (waits for requests in flight, cutting injected stalls short) and free s. NULL
   is ignored. */
void pagopa_standin_stop(struct pagopa_standin *s);

/*
 * Test hooks, safe from any thread. They act on the JSON API requests (GPD and carts), never
 * on the HTML pages, and count down one per request.
 */
/* The next count requests answer http_status with a ProblemJson, without doing anything. */
void pagopa_standin_fail_next(struct pagopa_standin *s, int http_status, unsigned count);
/* The next count requests wait ms before being handled (then are handled normally). */
void pagopa_standin_stall_next(struct pagopa_standin *s, long ms, unsigned count);
/* The next count successful (2xx) answers carry a body that is not valid JSON; what the
   request did (e.g. a create) is still done. */
void pagopa_standin_malformed_next(struct pagopa_standin *s, unsigned count);
/* Mark the position paid now, visible at once. reported_amount_cents: the amount the option
   reports as paid, 0 for its own amount. 0, 1 when it was already paid (unchanged), -1 when
   there is no such position. */
int pagopa_standin_pay(struct pagopa_standin *s, const char *org_cf, const char *iupd,
                       int64_t reported_amount_cents);
/* A position paid now that nobody created through the API (a payment the client never asked
   for). 0, or -1 when the IUPD exists or an argument is unusable. */
int pagopa_standin_add_paid(struct pagopa_standin *s, const char *org_cf, const char *iupd,
                            const char *iuv, int64_t amount_cents);
/* Positions created with a 201 since start. */
unsigned pagopa_standin_creates(struct pagopa_standin *s);
/* JSON API requests received since start (whatever their answer). */
unsigned pagopa_standin_requests(struct pagopa_standin *s);

#endif
