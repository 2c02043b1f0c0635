/* The reconciliation thread; see payment_worker.h. */
#include "services/payment_worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "services/payment.h"
#include "store/store.h"
#include "util/log.h"

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop, kick;
    int interval;
} worker = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *payment_worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&worker.mu);
    while (!worker.stop) {
        worker.kick = false;
        pthread_mutex_unlock(&worker.mu);
        struct db *db = store_db();
        struct payment_report rep = {0};
        if (db && payment_reconcile_all(db, &rep) != 0) {
            char errors[32];
            snprintf(errors, sizeof(errors), "%zu", rep.errors);
            log_warn("payment reconciliation incomplete", "errors", errors);
        }
        if (rep.credited || rep.parked || rep.created || rep.expired) {
            char line[160];
            snprintf(line, sizeof(line),
                     "checked %zu, created %zu, credited %zu, parked %zu, "
                     "expired %zu",
                     rep.checked, rep.created, rep.credited, rep.parked, rep.expired);
            log_info("payment reconciliation", "result", line);
        }
        pthread_mutex_lock(&worker.mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += worker.interval;
        while (!worker.stop && !worker.kick)
            if (pthread_cond_timedwait(&worker.cv, &worker.mu, &until) != 0)
                break;
    }
    pthread_mutex_unlock(&worker.mu);
    store_thread_done();
    return NULL;
}

int payment_worker_start(int interval_seconds)
{
    if (!payment_enabled() || worker.running)
        return 0;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&worker.cv, &attr);
    pthread_condattr_destroy(&attr);
    worker.interval = interval_seconds > 0 ? interval_seconds : 300;
    worker.stop = false;
    if (pthread_create(&worker.thread, NULL, payment_worker_main, NULL) != 0)
        return -1;
    worker.running = true;
    return 0;
}

void payment_worker_kick(void)
{
    pthread_mutex_lock(&worker.mu);
    worker.kick = true;
    if (worker.running)
        pthread_cond_signal(&worker.cv);
    pthread_mutex_unlock(&worker.mu);
}

void payment_worker_stop(void)
{
    if (!worker.running)
        return;
    pthread_mutex_lock(&worker.mu);
    worker.stop = true;
    pthread_cond_signal(&worker.cv);
    pthread_mutex_unlock(&worker.mu);
    pthread_join(worker.thread, NULL);
    worker.running = false;
}
