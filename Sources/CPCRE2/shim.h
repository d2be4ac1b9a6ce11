#ifndef SCRUBJAY_CPCRE2_SHIM_H
#define SCRUBJAY_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Macros Swift cannot import, as functions. */
static inline size_t scrubjay_pcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
static inline size_t scrubjay_pcre2_unset(void) { return PCRE2_UNSET; }
static inline int scrubjay_pcre2_error_nomatch(void) { return PCRE2_ERROR_NOMATCH; }
static inline int scrubjay_pcre2_error_matchlimit(void) { return PCRE2_ERROR_MATCHLIMIT; }
static inline int scrubjay_pcre2_error_depthlimit(void) { return PCRE2_ERROR_DEPTHLIMIT; }
static inline int scrubjay_pcre2_error_heaplimit(void) { return PCRE2_ERROR_HEAPLIMIT; }
static inline int scrubjay_pcre2_error_jit_stacklimit(void) { return PCRE2_ERROR_JIT_STACKLIMIT; }
#endif
