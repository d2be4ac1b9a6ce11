#ifndef SCRUBJAY_COPENSSL_SHIM_H
#define SCRUBJAY_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

/* OPENSSL_free is a macro; Swift cannot import it. */
static inline void scrubjay_openssl_free(void *p) { OPENSSL_free(p); }
static inline int scrubjay_evp_pkey_ed25519(void) { return EVP_PKEY_ED25519; }
static inline int scrubjay_evp_pkey_ec(void) { return EVP_PKEY_EC; }
#endif
