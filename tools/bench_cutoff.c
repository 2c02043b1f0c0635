/*
 * bench_cutoff: how long the cut-off job (services/cutoff_job.h) takes for a large municipality,
 * next to the bare SQL aggregation it needs, and how many single-row commits per second SQLite
 * makes with synchronous=FULL on the same filesystem (the ceiling of any write endpoint, which
 * bench/run.sh compares the cancellations over HTTP with).
 *
 *   bench_cutoff [--dir DIR] [--pupils N] [--schools N]
 *       generates one municipality (N pupils, default 100,000, in N schools, default 200, with
 *       classes, families of one to three children, diets ~5%, plain meals ~1%, cancellations
 *       ~8%, some weekdays not chosen, a price list with ISEE bands, non-resident prices and
 *       sibling discounts, and wallets with an opening balance) in a temporary database under
 *       DIR (a fresh one under $TMPDIR, removed after, when not given), then times on the
 *       same database, caches warm for both:
 *         (a) the eaters' aggregation per school, class, diet and plain flag (best of three);
 *         (b) cutoff_job_run for the day: meal rows, prices, charges, alerts, e-mails, audit;
 *         (c) single-row INSERT commits per second, synchronous=FULL, WAL, for two seconds.
 *       Checks that the job froze as many meals as (a) counts and that every 50th meal has
 *       tariff_for_pupil's price; prints the figures, the ratio (b)/(a) and the targets
 *       (within 3x, under 2 s); exit 1 when one is missed, 2 on an error.
 *   bench_cutoff --commit-rate [--dir DIR]
 *       only (c), printing the rate alone (for bench/run.sh).
 *   bench_cutoff --families N --db PATH --out FILE
 *       on a `refettorio demo` database (the server may be running): N more families, each with
 *       a pupil confirmed in the class that has the most school days ahead, and a signed-in
 *       session (a random cookie value, its hash stored as the server stores it, and a CSRF
 *       token); FILE gets those school days on its first line, then one line per family:
 *       "<cookie value> <csrf token> <pupil id>", for bench/cancel.lua.
 *
 * Everything is generated with prepared statements in one transaction; nothing but DIR and the
 * files named is touched.
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "services/calendar.h"
#include "services/cutoff_job.h"
#include "services/password.h"
#include "services/tariff.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "web/i18n.h"

#define BENCH_DAY          "2026-11-24" /* a Tuesday of school */
#define BENCH_WEEKDAY      "2"
#define BENCH_TARGET_RATIO 3.0
#define BENCH_TARGET_SECS  2.0
#define BENCH_COMMIT_SECS  2.0
#define BENCH_CLASS_SIZE   25

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small deterministic generator (xorshift64*), so every run builds the same municipality. */
static uint64_t bench_rng = 0x9E3779B97F4A7C15ULL;
static uint32_t bench_rand(uint32_t n)
{
    bench_rng ^= bench_rng >> 12;
    bench_rng ^= bench_rng << 25;
    bench_rng ^= bench_rng >> 27;
    return (uint32_t)((bench_rng * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static void bench_die(sqlite3 *h, const char *what)
{
    fprintf(stderr, "bench_cutoff: %s: %s\n", what, h ? sqlite3_errmsg(h) : "failed");
    exit(2);
}

static sqlite3_stmt *bench_prepare(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        bench_die(h, sql);
    return st;
}

/* Step a write statement and reset it; its last row id. */
static int64_t bench_write(sqlite3 *h, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        bench_die(h, sqlite3_sql(st));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return sqlite3_last_insert_rowid(h);
}

static void bench_exec(sqlite3 *h, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_cutoff: %s: %s\n", sql, err ? err : "?");
        exit(2);
    }
}

static void bench_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

#define BENCH_NOW "2026-06-15T10:00:00Z"

struct bench_counts {
    long schools, classes, families, pupils, cancelled, plain, diets, not_chosen;
};

/* The municipality, its school year, schools and classes, ISEE bands and a price list. */
static void bench_generate(const char *path, int64_t tenant_id, int64_t year_id, long npupils,
                           long nschools, int64_t bands[3], struct bench_counts *c)
{
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK)
        bench_die(h, path);
    sqlite3_busy_timeout(h, 10000);
    bench_exec(h, "PRAGMA foreign_keys=ON; BEGIN IMMEDIATE");
    sqlite3_stmt *school =
        bench_prepare(h, "INSERT INTO school (tenant_id, name, kind, kitchen_email, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, '" BENCH_NOW "')");
    sqlite3_stmt *klass = bench_prepare(
        h, "INSERT INTO class (tenant_id, school_id, school_year_id, name, created_at) "
           "VALUES (?1, ?2, ?3, ?4, '" BENCH_NOW "')");
    sqlite3_stmt *guardian = bench_prepare(
        h, "INSERT INTO guardian (tenant_id, user_code, fiscal_code, name, surname, email, "
           "created_at) VALUES (?1, ?2, ?3, 'Genitore', ?4, ?5, '" BENCH_NOW "')");
    sqlite3_stmt *pupil = bench_prepare(
        h, "INSERT INTO pupil (tenant_id, guardian_id, fiscal_code, name, surname, birth_date, "
           "sex, badge_code, created_at) VALUES (?1, ?2, ?3, 'Alunno', ?4, ?5, ?6, ?7, "
           "'" BENCH_NOW "')");
    sqlite3_stmt *enrollment = bench_prepare(
        h, "INSERT INTO enrollment (tenant_id, campaign_id, kind, status, step, guardian_id, "
           "pupil_id, pupil_fiscal_code, school_id, class_id, weekdays, diet_kind, diet_status, "
           "diet_code, isee_band_id, guardian_resident, created_at, updated_at, decided_at) "
           "VALUES (?1, ?2, 'new', 'confirmed', 6, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
           "'" BENCH_NOW "', '" BENCH_NOW "', '" BENCH_NOW "')");
    sqlite3_stmt *opening = bench_prepare(
        h, "INSERT INTO ledger_entry (tenant_id, guardian_id, kind, amount_cents, description, "
           "ref, at, created_by) VALUES (?1, ?2, 'opening', ?3, 'Saldo iniziale', ?4, "
           "'" BENCH_NOW "', 'bench')");
    sqlite3_stmt *wallet = bench_prepare(
        h, "INSERT INTO wallet (tenant_id, guardian_id, balance_cents, entries, alert_level, "
           "debt_since, updated_at) VALUES (?1, ?2, ?3, 1, ?4, CASE WHEN ?3 < 0 THEN "
           "'" BENCH_NOW "' END, '" BENCH_NOW "')");
    sqlite3_stmt *request = bench_prepare(
        h, "INSERT INTO meal_request (tenant_id, receipt, guardian_id, pupil_id, action, from_day, "
           "actor_kind, request_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, '" BENCH_DAY "', "
           "'family', ?6, '" BENCH_NOW "')");
    sqlite3_stmt *meal_day =
        bench_prepare(h, "INSERT INTO meal_day (pupil_id, day, tenant_id, state, request_id) "
                         "VALUES (?1, '" BENCH_DAY "', ?2, ?3, ?4)");
    sqlite3_stmt *band = bench_prepare(
        h,
        "INSERT INTO isee_band (tenant_id, code, label, max_isee_cents) VALUES (?1, ?2, ?3, ?4)");
    static const char *const band_codes[3] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        sqlite3_bind_int64(band, 1, tenant_id);
        bench_text(band, 2, band_codes[i]);
        bench_text(band, 3, band_codes[i]);
        sqlite3_bind_int64(band, 4, 800000LL * (i + 1));
        bands[i] = bench_write(h, band);
    }
    int64_t campaign;
    {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO campaign (tenant_id, school_year_id, title, kind, opens_at, "
                 "closes_at, weekdays, privacy_notice, created_at, updated_at) VALUES (%lld, "
                 "%lld, 'Iscrizioni 2026/2027', 'both', '2026-03-01T08:00:00Z', "
                 "'2026-06-30T21:00:00Z', '12345', 'Informativa', '" BENCH_NOW "', '" BENCH_NOW
                 "')",
                 (long long)tenant_id, (long long)year_id);
        bench_exec(h, sql);
        campaign = sqlite3_last_insert_rowid(h);
    }
    static const char *const kinds[] = {"infanzia", "primaria", "secondaria"};
    static const char *const diets[] = {"APLV", "CELIACHIA", "NO-SUINO", "VEGETARIANA", "VEGANA"};
    long per_school = (npupils + nschools - 1) / nschools;
    long nclasses = (per_school + BENCH_CLASS_SIZE - 1) / BENCH_CLASS_SIZE;
    int64_t *schools = calloc((size_t)nschools, sizeof(*schools));
    int *school_kind = calloc((size_t)nschools, sizeof(*school_kind));
    int64_t *classes = calloc((size_t)(nschools * nclasses), sizeof(*classes));
    if (!schools || !school_kind || !classes)
        bench_die(NULL, "out of memory");
    char buf[64], buf2[64];
    for (long s = 0; s < nschools; s++) {
        int k = s % 10 < 3 ? 0 : s % 10 < 8 ? 1 : 2;
        school_kind[s] = k;
        snprintf(buf, sizeof(buf), "Scuola %s n. %ld", kinds[k], s + 1);
        snprintf(buf2, sizeof(buf2), "cucina%ld@scuole.example", s + 1);
        sqlite3_bind_int64(school, 1, tenant_id);
        bench_text(school, 2, buf);
        bench_text(school, 3, kinds[k]);
        bench_text(school, 4, buf2);
        schools[s] = bench_write(h, school);
        for (long k2 = 0; k2 < nclasses; k2++) {
            snprintf(buf, sizeof(buf), "%ld%c", k2 / 4 + 1, (char)('A' + k2 % 4));
            sqlite3_bind_int64(klass, 1, tenant_id);
            sqlite3_bind_int64(klass, 2, schools[s]);
            sqlite3_bind_int64(klass, 3, year_id);
            bench_text(klass, 4, buf);
            classes[s * nclasses + k2] = bench_write(h, klass);
            c->classes++;
        }
    }
    c->schools = nschools;
    int64_t gid = 0;
    int left_in_family = 0;
    long receipt = 0;
    for (long i = 0; i < npupils; i++) {
        if (left_in_family == 0) {
            /* 70% of the families have one child here, 25% two, 5% three. */
            uint32_t r = bench_rand(100);
            left_in_family = r < 70 ? 1 : r < 95 ? 2 : 3;
            long fam = ++c->families;
            int64_t balance = (int64_t)bench_rand(20000) - 1000; /* -10,00 .. 189,99 euro */
            snprintf(buf, sizeof(buf), "G%07ld", fam);
            /* A unique 16-character code: the family number in base 26 after a prefix. */
            char cf[17];
            long x = fam;
            memcpy(cf, "GNT", 3);
            for (int p = 15; p >= 3; p--) {
                cf[p] = (char)('A' + x % 26);
                x /= 26;
            }
            cf[16] = '\0';
            sqlite3_bind_int64(guardian, 1, tenant_id);
            bench_text(guardian, 2, buf);
            bench_text(guardian, 3, cf);
            snprintf(buf2, sizeof(buf2), "Famiglia %ld", fam);
            bench_text(guardian, 4, buf2);
            snprintf(buf2, sizeof(buf2), "famiglia%ld@example.it", fam);
            bench_text(guardian, 5, buf2);
            gid = bench_write(h, guardian);
            snprintf(buf, sizeof(buf), "bench-opening-%ld", fam);
            sqlite3_bind_int64(opening, 1, tenant_id);
            sqlite3_bind_int64(opening, 2, gid);
            sqlite3_bind_int64(opening, 3, balance == 0 ? 1 : balance);
            bench_text(opening, 4, buf);
            bench_write(h, opening);
            int64_t b = balance == 0 ? 1 : balance;
            sqlite3_bind_int64(wallet, 1, tenant_id);
            sqlite3_bind_int64(wallet, 2, gid);
            sqlite3_bind_int64(wallet, 3, b);
            sqlite3_bind_int(wallet, 4, (b <= 1500) + (b <= 0) + (b <= -1500));
            bench_write(h, wallet);
        }
        left_in_family--;
        long s = i / per_school;
        long k = (i % per_school) / BENCH_CLASS_SIZE;
        char cf[17];
        long x = i + 1;
        memcpy(cf, "PPL", 3);
        for (int p = 15; p >= 3; p--) {
            cf[p] = (char)('A' + x % 26);
            x /= 26;
        }
        cf[16] = '\0';
        int year = school_kind[s] == 0   ? 2021 + (int)bench_rand(3)
                   : school_kind[s] == 1 ? 2016 + (int)bench_rand(5)
                                         : 2013 + (int)bench_rand(3);
        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, 1 + (int)bench_rand(12),
                 1 + (int)bench_rand(28));
        snprintf(buf2, sizeof(buf2), "B%09ld", i + 1);
        sqlite3_bind_int64(pupil, 1, tenant_id);
        sqlite3_bind_int64(pupil, 2, gid);
        bench_text(pupil, 3, cf);
        bench_text(pupil, 4, "Bianchi");
        bench_text(pupil, 5, buf);
        bench_text(pupil, 6, bench_rand(2) ? "F" : "M");
        bench_text(pupil, 7, buf2);
        int64_t pid = bench_write(h, pupil);
        c->pupils++;
        /* 90% eat every day the school serves; 5% chose Monday to Friday explicitly; 5%
           Monday, Wednesday and Friday (so not today). */
        uint32_t wr = bench_rand(100);
        const char *weekdays = wr < 90 ? "" : wr < 95 ? "12345" : "135";
        c->not_chosen += wr >= 95;
        bool diet = bench_rand(100) < 5;
        c->diets += diet;
        uint32_t br = bench_rand(100);
        int64_t isee = br < 10 ? bands[0] : br < 25 ? bands[1] : br < 35 ? bands[2] : 0;
        sqlite3_bind_int64(enrollment, 1, tenant_id);
        sqlite3_bind_int64(enrollment, 2, campaign);
        sqlite3_bind_int64(enrollment, 3, gid);
        sqlite3_bind_int64(enrollment, 4, pid);
        bench_text(enrollment, 5, cf);
        sqlite3_bind_int64(enrollment, 6, schools[s]);
        sqlite3_bind_int64(enrollment, 7, classes[s * nclasses + k]);
        bench_text(enrollment, 8, weekdays);
        bench_text(enrollment, 9, diet ? "medical" : "none");
        bench_text(enrollment, 10, diet ? "approved" : "none");
        bench_text(enrollment, 11, diet ? diets[bench_rand(5)] : "");
        if (isee)
            sqlite3_bind_int64(enrollment, 12, isee);
        else
            sqlite3_bind_null(enrollment, 12);
        sqlite3_bind_int(enrollment, 13, bench_rand(100) < 95);
        bench_write(h, enrollment);
        /* Today: ~8% cancelled, ~1% plain. */
        uint32_t dr = bench_rand(1000);
        const char *state = dr < 80 ? "cancelled" : dr < 90 ? "plain" : NULL;
        if (state) {
            receipt++;
            snprintf(buf, sizeof(buf), "2026-%07ld", receipt);
            snprintf(buf2, sizeof(buf2), "bench-request-%ld", receipt);
            sqlite3_bind_int64(request, 1, tenant_id);
            bench_text(request, 2, buf);
            sqlite3_bind_int64(request, 3, gid);
            sqlite3_bind_int64(request, 4, pid);
            bench_text(request, 5, dr < 80 ? "cancel" : "plain");
            bench_text(request, 6, buf2);
            int64_t rid = bench_write(h, request);
            sqlite3_bind_int64(meal_day, 1, pid);
            sqlite3_bind_int64(meal_day, 2, tenant_id);
            bench_text(meal_day, 3, state);
            sqlite3_bind_int64(meal_day, 4, rid);
            bench_write(h, meal_day);
            if (dr < 80)
                c->cancelled++;
            else
                c->plain++;
        }
    }
    sqlite3_stmt *all[] = {school,  klass,  guardian, pupil,    enrollment,
                           opening, wallet, request,  meal_day, band};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        sqlite3_finalize(all[i]);
    bench_exec(h, "COMMIT");
    /* A server's WAL stays small (it checkpoints as it goes): start the timings from there, not
       from the hundred megabytes the generation just wrote. */
    bench_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(h);
    free(schools);
    free(school_kind);
    free(classes);
}

/* (a): the eaters per school, class, diet code and plain flag, as bare SQL. */
#define BENCH_AGGREGATION                                                                          \
    "SELECT e.school_id, e.class_id, CASE WHEN e.diet_status = 'approved' THEN e.diet_code "       \
    "ELSE '' END AS diet, ifnull(d.state = 'plain', 0) AS plain, count(*) "                        \
    "FROM school_year y JOIN campaign c ON c.school_year_id = y.id "                               \
    "JOIN enrollment e ON e.campaign_id = c.id AND e.tenant_id = ?1 AND e.status = 'confirmed' "   \
    "LEFT JOIN meal_day d ON d.pupil_id = e.pupil_id AND d.day = ?2 "                              \
    "LEFT JOIN wallet w ON w.tenant_id = ?1 AND w.guardian_id = e.guardian_id "                    \
    "WHERE y.tenant_id = ?1 AND y.starts_on <= ?2 AND y.ends_on >= ?2 "                            \
    "AND w.suspended_at IS NULL AND (e.weekdays = '' OR instr(e.weekdays, ?3) > 0) AND "           \
    "ifnull(d.state, '') <> 'cancelled' "                                                          \
    "GROUP BY 1, 2, 3, 4"

static double bench_aggregation(sqlite3 *h, int64_t tenant_id, long *groups, long *eaters)
{
    sqlite3_stmt *st = bench_prepare(h, BENCH_AGGREGATION);
    double t0 = bench_now();
    sqlite3_bind_int64(st, 1, tenant_id);
    bench_text(st, 2, BENCH_DAY);
    bench_text(st, 3, BENCH_WEEKDAY);
    *groups = *eaters = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        (*groups)++;
        *eaters += sqlite3_column_int64(st, 4);
    }
    double t = bench_now() - t0;
    if (rc != SQLITE_DONE)
        bench_die(h, "the aggregation");
    sqlite3_finalize(st);
    return t;
}

/* (c): single-row commits per second with synchronous=FULL in WAL mode, as the server writes. */
static double bench_commit_rate(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%.4000s/commits.sqlite", dir);
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK)
        bench_die(h, path);
    bench_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                  "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    sqlite3_stmt *begin = bench_prepare(h, "BEGIN IMMEDIATE");
    sqlite3_stmt *ins = bench_prepare(h, "INSERT INTO t (v) VALUES (?1)");
    sqlite3_stmt *commit = bench_prepare(h, "COMMIT");
    long n = 0;
    double t0 = bench_now(), t;
    do {
        bench_write(h, begin);
        bench_text(ins, 1, "a cancellation's worth of bytes");
        bench_write(h, ins);
        bench_write(h, commit);
        n++;
        t = bench_now() - t0;
    } while (t < BENCH_COMMIT_SECS);
    sqlite3_finalize(begin);
    sqlite3_finalize(ins);
    sqlite3_finalize(commit);
    sqlite3_close(h);
    unlink(path);
    char wal[4300];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
    return (double)n / t;
}

/* Every 50th meal of the day priced again by tariff_for_pupil: how many, and how many differ. */
static int bench_check_prices(const char *path, struct db *db, int64_t tenant_id, long *checked,
                              long *differ)
{
    sqlite3 *h;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        bench_die(h, path);
    sqlite3_stmt *st = bench_prepare(h, "SELECT pupil_id, price_cents FROM meal WHERE tenant_id = "
                                        "?1 AND day = '" BENCH_DAY "' AND id % 50 = 0");
    sqlite3_bind_int64(st, 1, tenant_id);
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct tariff_quote q;
        if (tariff_for_pupil(db, tenant_id, sqlite3_column_int64(st, 0), BENCH_DAY, &q) != 0) {
            rc = -1;
            break;
        }
        (*checked)++;
        *differ += q.price_cents != sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return rc;
}

/* The 2026/2027 price list: full, ISEE and non-resident prices per kind, sibling discounts. */
static int bench_prices(struct db *db, int64_t tenant_id, const int64_t bands[3])
{
    static const int64_t full[3] = {460, 510, 530},
                         isee[3][3] = {{220, 250, 260}, {340, 370, 390}, {410, 450, 470}},
                         non_resident[3] = {620, 660, 680};
    struct tariff_item items[15];
    size_t n = 0;
    for (int k = 0; k < 3; k++) {
        items[n++] = (struct tariff_item){k, TARIFF_FULL, 0, full[k]};
        for (int b = 0; b < 3; b++)
            items[n++] = (struct tariff_item){k, TARIFF_ISEE, bands[b], isee[b][k]};
        items[n++] = (struct tariff_item){k, TARIFF_NON_RESIDENT, 0, non_resident[k]};
    }
    struct tariff_list_input in = {.valid_from = "2026-09-01",
                                   .label = "Tariffe 2026/2027",
                                   .vat_rate_bp = 400,
                                   .sibling2_bp = 2000,
                                   .sibling3_bp = 3000,
                                   .items = items,
                                   .nitems = n};
    const char *field = NULL;
    if (db_begin(db) != DB_OK)
        return -1;
    if (tariff_list_create_tx(db, tenant_id, &in, NULL, NULL, &field) != TARIFF_LIST_OK) {
        db_rollback(db);
        return -1;
    }
    return db_commit(db) == DB_OK ? 0 : -1;
}

static const char *bench_ok(bool ok)
{
    return ok ? "ok" : "MISSED";
}

static int bench_cutoff(const char *dir, long npupils, long nschools)
{
    char path[4200], err[256];
    snprintf(path, sizeof(path), "%.4000s/cutoff.sqlite", dir);
    if (store_init(path, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_cutoff: %s\n", err);
        return 2;
    }
    struct db *db = store_db();
    time_set_fake((time_t)1795000000); /* mid-November 2026 */
    struct tenant_new tn = {.slug = "bench", .name = "Comune di Prova Grande", .email = "u@x.it"};
    int64_t tenant_id = 0, year_id = 0;
    if (tenant_create(db, &tn, &tenant_id) != TENANT_OK ||
        school_year_create(db, tenant_id, "2026/2027", "2026-09-14", "2027-06-30", &year_id) !=
            TENANT_OK) {
        fprintf(stderr, "bench_cutoff: cannot create the municipality\n");
        return 2;
    }
    struct bench_counts c = {0};
    int64_t bands[3];
    double t0 = bench_now();
    bench_generate(path, tenant_id, year_id, npupils, nschools, bands, &c);
    if (bench_prices(db, tenant_id, bands) != 0) {
        fprintf(stderr, "bench_cutoff: cannot create the price list\n");
        return 2;
    }
    double gen = bench_now() - t0;
    printf("Cut-off benchmark: %ld pupils in %ld schools (%ld classes), %ld families; day %s\n",
           c.pupils, c.schools, c.classes, c.families, BENCH_DAY);
    printf("  generated in %.1f s: %ld cancelled, %ld plain, %ld with a diet, %ld not eating "
           "on Tuesdays\n",
           gen, c.cancelled, c.plain, c.diets, c.not_chosen);

    sqlite3 *h;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        bench_die(h, path);
    long groups, eaters;
    bench_aggregation(h, tenant_id, &groups, &eaters); /* warm the cache */
    double agg = 1e9;
    for (int i = 0; i < 3; i++) {
        double t = bench_aggregation(h, tenant_id, &groups, &eaters);
        agg = t < agg ? t : agg;
    }
    sqlite3_close(h);

    struct cutoff_job_result res;
    time_set_fake((time_t)1795600000); /* 2026-11-25: after the day's cut-off */
    t0 = bench_now();
    int rc = cutoff_job_run(db, tenant_id, BENCH_DAY, "bench", &res);
    double job = bench_now() - t0;
    if (rc != 0 || res.claim != JOB_CLAIMED) {
        fprintf(stderr, "bench_cutoff: the cut-off job failed (%d, %s)\n", rc,
                job_err_name(res.claim));
        return 2;
    }
    if (res.meals != eaters) {
        fprintf(stderr, "bench_cutoff: the job froze %ld meals, the aggregation counts %ld\n",
                res.meals, eaters);
        return 2;
    }
    /* The job's prices, set-based, against the service that prices one pupil at a time. */
    long checked = 0, differ = 0;
    if (bench_check_prices(path, db, tenant_id, &checked, &differ) != 0 || differ) {
        fprintf(stderr, "bench_cutoff: %ld of %ld sampled meals priced unlike tariff_for_pupil\n",
                differ, checked);
        return 2;
    }
    double ratio = job / agg;
    printf("  (a) bare aggregation (school, class, diet, plain): %8.3f s   %ld groups, %ld "
           "eaters (best of 3)\n",
           agg, groups, eaters);
    printf("  (b) cut-off job:                                   %8.3f s   %ld meals (%ld plain), "
           "%ld charged for %lld.%02lld euro, %ld kitchen e-mails\n",
           job, res.meals, res.plain, res.charged, (long long)(res.charged_cents / 100),
           (long long)(res.charged_cents % 100), res.mails);
    printf("      prices of %ld sampled meals equal to tariff_for_pupil's\n", checked);
    printf("  ratio job / aggregation: %.2fx   target <= %.0fx: %s\n", ratio, BENCH_TARGET_RATIO,
           bench_ok(ratio <= BENCH_TARGET_RATIO));
    printf("  job time: %.3f s   target < %.0f s: %s\n", job, BENCH_TARGET_SECS,
           bench_ok(job < BENCH_TARGET_SECS));
    double rate = bench_commit_rate(dir);
    printf("  (c) single-row commits, synchronous=FULL: %.0f/s\n", rate);
    store_thread_done();
    return ratio <= BENCH_TARGET_RATIO && job < BENCH_TARGET_SECS ? 0 : 1;
}

/* ---- --families: signed-in families for the cancellations over HTTP ------------------------- */

#define BENCH_DAYS_AHEAD 120 /* days searched for school days to cancel */
#define BENCH_DAYS_MAX   60

/* A random session token as the server makes them (32 bytes, base64url) and its stored hash. */
static void bench_token(char token[48], char hash[65])
{
    unsigned char raw[32], h[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, 48, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hash, 65, h, sizeof(h));
}

static int64_t bench_int(sqlite3 *h, const char *sql, int64_t bind)
{
    sqlite3_stmt *st = bench_prepare(h, sql);
    sqlite3_bind_int64(st, 1, bind);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

/* n families of the demo municipality, each with a child confirmed in the class of the demo
   school year that serves the most of the coming days, and a signed-in session; out gets the
   school days from the day after tomorrow on (first line) and "<cookie> <csrf> <pupil>" per
   family. The server may be running: this is one more writer on its WAL database. */
static int bench_families(const char *db_path, long n, const char *out_path)
{
    char err[256];
    if (sodium_init() < 0 || store_init(db_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_cutoff: %s\n", err);
        return 2;
    }
    struct db *db = store_db();
    sqlite3 *h;
    if (sqlite3_open(db_path, &h) != SQLITE_OK)
        bench_die(h, db_path);
    sqlite3_busy_timeout(h, 10000);
    int64_t tenant_id = bench_int(h, "SELECT id FROM tenant WHERE slug = 'esempio' AND ?1", 1);
    long first = cutoff_rome_day(time(NULL)) + 2;
    char first_day[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(first, first_day);
    sqlite3_stmt *st = bench_prepare(
        h,
        "SELECT y.id, c.id FROM school_year y JOIN campaign c ON c.school_year_id = y.id "
        "WHERE y.tenant_id = ?1 AND y.starts_on <= ?2 AND y.ends_on >= ?2 ORDER BY c.id LIMIT 1");
    sqlite3_bind_int64(st, 1, tenant_id);
    bench_text(st, 2, first_day);
    int64_t year_id = 0, campaign_id = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        year_id = sqlite3_column_int64(st, 0);
        campaign_id = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (!tenant_id || !year_id) {
        fprintf(stderr, "bench_cutoff: no demo municipality with a school year on %s\n", first_day);
        return 2;
    }
    /* The class whose calendar serves the most of the coming days. */
    st = bench_prepare(h, "SELECT k.school_id, k.id FROM class k WHERE k.tenant_id = ?1 AND "
                          "k.school_year_id = ?2 ORDER BY k.id");
    sqlite3_bind_int64(st, 1, tenant_id);
    sqlite3_bind_int64(st, 2, year_id);
    struct arena a;
    arena_init(&a, 65536);
    int64_t school_id = 0, class_id = 0;
    long best[BENCH_DAYS_MAX], nbest = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(st, 0), kid = sqlite3_column_int64(st, 1);
        struct calendar cal;
        if (calendar_load(db, &a, tenant_id, sid, year_id, &cal) != 1)
            continue;
        long days[BENCH_DAYS_MAX], nd = 0;
        for (long d = first; d < first + BENCH_DAYS_AHEAD && nd < BENCH_DAYS_MAX; d++)
            if (school_calendar_has_service(&cal.cal, d, kid, NULL, NULL))
                days[nd++] = d;
        if (nd > nbest) {
            memcpy(best, days, (size_t)nd * sizeof(*days));
            nbest = nd;
            school_id = sid;
            class_id = kid;
        }
    }
    sqlite3_finalize(st);
    arena_free(&a);
    if (!nbest) {
        fprintf(stderr, "bench_cutoff: no school days in the coming %d days\n", BENCH_DAYS_AHEAD);
        return 2;
    }
    FILE *out = fopen(out_path, "w");
    if (!out) {
        perror(out_path);
        return 2;
    }
    for (long i = 0; i < nbest; i++) {
        char day[SCHOOL_CALENDAR_DAY_SIZE];
        school_calendar_format_day(best[i], day);
        fprintf(out, "%s%s", i ? " " : "", day);
    }
    fputc('\n', out);
    char now[TIME_ISO_MAX], expires[TIME_ISO_MAX];
    time_iso(time(NULL), now);
    time_iso(time(NULL) + 86400, expires);
    bench_exec(h, "PRAGMA foreign_keys=ON; BEGIN IMMEDIATE");
    int64_t base = bench_int(h, "SELECT ifnull(max(id), 0) + ?1 FROM guardian", 1);
    sqlite3_stmt *guardian = bench_prepare(
        h, "INSERT INTO guardian (tenant_id, user_code, fiscal_code, name, surname, email, "
           "created_at) VALUES (?1, ?2, ?3, 'Genitore', ?4, '', ?5)");
    sqlite3_stmt *pupil = bench_prepare(
        h, "INSERT INTO pupil (tenant_id, guardian_id, fiscal_code, name, surname, birth_date, "
           "sex, badge_code, created_at) VALUES (?1, ?2, ?3, 'Alunno', ?4, '2019-05-05', 'F', ?5, "
           "?6)");
    sqlite3_stmt *enrollment = bench_prepare(
        h, "INSERT INTO enrollment (tenant_id, campaign_id, kind, status, step, guardian_id, "
           "pupil_id, pupil_fiscal_code, school_id, class_id, weekdays, created_at, updated_at, "
           "decided_at) VALUES (?1, ?2, 'new', 'confirmed', 6, ?3, ?4, ?5, ?6, ?7, '', ?8, ?8, "
           "?8)");
    sqlite3_stmt *session = bench_prepare(
        h, "INSERT INTO session (id_hash, tenant_id, csrf_token, created_at, last_seen_at, "
           "expires_at, guardian_id) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
    for (long i = 0; i < n; i++) {
        char code[16], cf[17], badge[24], surname[32], token[48], hash[65], csrf[48], unused[65];
        long id = base + i;
        snprintf(code, sizeof(code), "Z%07ld", id % 10000000);
        snprintf(cf, sizeof(cf), "ZZBNCG%010ld", id);
        snprintf(surname, sizeof(surname), "Carico %ld", id);
        sqlite3_bind_int64(guardian, 1, tenant_id);
        bench_text(guardian, 2, code);
        bench_text(guardian, 3, cf);
        bench_text(guardian, 4, surname);
        bench_text(guardian, 5, now);
        int64_t gid = bench_write(h, guardian);
        snprintf(cf, sizeof(cf), "ZZBNCP%010ld", id);
        snprintf(badge, sizeof(badge), "ZB%010ld", id);
        sqlite3_bind_int64(pupil, 1, tenant_id);
        sqlite3_bind_int64(pupil, 2, gid);
        bench_text(pupil, 3, cf);
        bench_text(pupil, 4, surname);
        bench_text(pupil, 5, badge);
        bench_text(pupil, 6, now);
        int64_t pid = bench_write(h, pupil);
        sqlite3_bind_int64(enrollment, 1, tenant_id);
        sqlite3_bind_int64(enrollment, 2, campaign_id);
        sqlite3_bind_int64(enrollment, 3, gid);
        sqlite3_bind_int64(enrollment, 4, pid);
        bench_text(enrollment, 5, cf);
        sqlite3_bind_int64(enrollment, 6, school_id);
        sqlite3_bind_int64(enrollment, 7, class_id);
        bench_text(enrollment, 8, now);
        bench_write(h, enrollment);
        bench_token(token, hash);
        bench_token(csrf, unused);
        bench_text(session, 1, hash);
        sqlite3_bind_int64(session, 2, tenant_id);
        bench_text(session, 3, csrf);
        bench_text(session, 4, now);
        bench_text(session, 5, expires);
        sqlite3_bind_int64(session, 6, gid);
        bench_write(h, session);
        fprintf(out, "%s %s %lld\n", token, csrf, (long long)pid);
    }
    sqlite3_finalize(guardian);
    sqlite3_finalize(pupil);
    sqlite3_finalize(enrollment);
    sqlite3_finalize(session);
    bench_exec(h, "COMMIT");
    sqlite3_close(h);
    store_thread_done();
    if (fclose(out) != 0) {
        perror(out_path);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *db_path = NULL, *out_path = NULL;
    long npupils = 100000, nschools = 200, nfamilies = 0;
    bool commit_only = false;
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},     {"pupils", required_argument, NULL, 'p'},
        {"schools", required_argument, NULL, 's'}, {"families", required_argument, NULL, 'f'},
        {"db", required_argument, NULL, 'b'},      {"out", required_argument, NULL, 'o'},
        {"commit-rate", no_argument, NULL, 'c'},   {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (o) {
        case 'd':
            dir = optarg;
            break;
        case 'p':
        case 's':
        case 'f': {
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || *end || v < 1 || v > 10000000) {
                fprintf(stderr, "bench_cutoff: --%s wants a number from 1 to 10000000\n",
                        o == 'p'   ? "pupils"
                        : o == 's' ? "schools"
                                   : "families");
                return 2;
            }
            *(o == 'p' ? &npupils : o == 's' ? &nschools : &nfamilies) = v;
            break;
        }
        case 'b':
            db_path = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'c':
            commit_only = true;
            break;
        default:
            fprintf(stderr, "usage: bench_cutoff [--dir DIR] [--pupils N] [--schools N]\n"
                            "       bench_cutoff --commit-rate [--dir DIR]\n"
                            "       bench_cutoff --families N --db PATH --out FILE\n");
            return 2;
        }
    }
    if (nfamilies || db_path || out_path) {
        if (!nfamilies || !db_path || !out_path) {
            fprintf(stderr, "bench_cutoff: --families, --db and --out go together\n");
            return 2;
        }
        log_set_quiet(getenv("BENCH_VERBOSE") == NULL);
        return bench_families(db_path, nfamilies, out_path);
    }
    if (nschools > npupils)
        nschools = npupils;
    char tmp[4096];
    bool own_dir = !dir;
    if (own_dir) {
        const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(tmp, sizeof(tmp), "%s/refettorio-bench-cutoff-XXXXXX", base);
        if (!mkdtemp(tmp)) {
            perror("bench_cutoff: mkdtemp");
            return 2;
        }
        dir = tmp;
    }
    if (commit_only) {
        printf("%.0f\n", bench_commit_rate(dir));
        if (own_dir)
            rmdir(dir);
        return 0;
    }
    log_set_quiet(getenv("BENCH_VERBOSE") == NULL);
    if (password_init() != 0 || i18n_init() != 0) {
        fprintf(stderr, "bench_cutoff: cannot initialise\n");
        return 2;
    }
    int rc = bench_cutoff(dir, npupils, nschools);
    if (own_dir) {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_cutoff: could not remove %s\n", dir);
    }
    return rc;
}
