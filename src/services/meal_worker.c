/* The meals scheduler thread; see meal_worker.h. */
#include "services/meal_worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "services/cutoff_job.h"
#include "services/job.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop;
    char node[JOB_NODE_MAX + 1];
} meal_worker = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *meal_worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&meal_worker.mu);
    while (!meal_worker.stop) {
        pthread_mutex_unlock(&meal_worker.mu);
        struct db *db = store_db();
        int runs = db ? cutoff_job_tick(db, time_now(), meal_worker.node) : -1;
        if (runs < 0)
            log_warn("meals scheduler: the cut-offs could not be checked");
        else if (runs > 0) {
            char n[16];
            snprintf(n, sizeof(n), "%d", runs);
            log_info("meals scheduler", "cutoff_runs", n);
        }
        pthread_mutex_lock(&meal_worker.mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += MEAL_WORKER_INTERVAL;
        while (!meal_worker.stop)
            if (pthread_cond_timedwait(&meal_worker.cv, &meal_worker.mu, &until) != 0)
                break;
    }
    pthread_mutex_unlock(&meal_worker.mu);
    store_thread_done();
    return NULL;
}

int meal_worker_start(void)
{
    if (meal_worker.running)
        return 0;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&meal_worker.cv, &attr);
    pthread_condattr_destroy(&attr);
    job_node_name(meal_worker.node);
    meal_worker.stop = false;
    if (pthread_create(&meal_worker.thread, NULL, meal_worker_main, NULL) != 0)
        return -1;
    meal_worker.running = true;
    return 0;
}

void meal_worker_stop(void)
{
    if (!meal_worker.running)
        return;
    pthread_mutex_lock(&meal_worker.mu);
    meal_worker.stop = true;
    pthread_cond_signal(&meal_worker.cv);
    pthread_mutex_unlock(&meal_worker.mu);
    pthread_join(meal_worker.thread, NULL);
    meal_worker.running = false;
}
