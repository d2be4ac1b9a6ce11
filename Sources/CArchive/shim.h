#ifndef SCRUBJAY_CARCHIVE_SHIM_H
#define SCRUBJAY_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

/* Mode macros are casts Swift cannot import. */
static inline unsigned int scrubjay_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int scrubjay_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int scrubjay_ae_iflnk(void) { return AE_IFLNK; }
static inline int scrubjay_archive_ok(void) { return ARCHIVE_OK; }
static inline int scrubjay_archive_eof(void) { return ARCHIVE_EOF; }
static inline int scrubjay_archive_warn(void) { return ARCHIVE_WARN; }
#endif
