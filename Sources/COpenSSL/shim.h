#ifndef SCRUBJAY_COPENSSL_SHIM_H
#define SCRUBJAY_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

/* OPENSSL_free is a macro; Swift cannot import it. */
static inline void scrubjay_openssl_free(void *p) { OPENSSL_free(p); }
static inline int scrubjay_evp_pkey_ed25519(void) { return EVP_PKEY_ED25519; }
static inline int scrubjay_evp_pkey_ec(void) { return EVP_PKEY_EC; }

/* A PEM passphrase handed to OpenSSL through the callback's user data (no global state). */
typedef struct { const char *bytes; int length; } scrubjay_passphrase;
static inline int scrubjay_passphrase_callback(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    const scrubjay_passphrase *p = (const scrubjay_passphrase *)u;
    if (p == NULL || p->length < 0 || p->length > size) return -1;
    if (p->length > 0) memcpy(buf, p->bytes, (size_t)p->length);
    return p->length;
}
#endif
