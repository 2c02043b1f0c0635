#include "services/password.h"

#include <semaphore.h>
#include <sodium.h>
#include <string.h>

#define PASSWORD_OPSLIMIT 2
#define PASSWORD_MEMLIMIT (19u * 1024u * 1024u)

static sem_t password_slots;
static char password_dummy_hash[PASSWORD_HASH_MAX];

int password_init(void)
{
    static int done;
    if (done)
        return 0;
    if (sodium_init() < 0)
        return -1;
    if (sem_init(&password_slots, 0, PASSWORD_CONCURRENCY) != 0)
        return -1;
    done = 1;
    return password_hash("refettorio-dummy-password", password_dummy_hash);
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    size_t len = strlen(password);
    if (len > PASSWORD_MAX_LEN)
        return -1;
    sem_wait(&password_slots);
    int rc = crypto_pwhash_str_alg(out, password, len, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                                   crypto_pwhash_ALG_ARGON2ID13);
    sem_post(&password_slots);
    return rc == 0 ? 0 : -1;
}

bool password_verify(const char *hash, const char *password)
{
    size_t len = strlen(password);
    if (len > PASSWORD_MAX_LEN)
        return false;
    sem_wait(&password_slots);
    int rc = crypto_pwhash_str_verify(hash, password, len);
    sem_post(&password_slots);
    return rc == 0;
}

void password_verify_dummy(const char *password)
{
    (void)password_verify(password_dummy_hash, password);
}
