#ifndef SCRUBJAY_CZLIB_SHIM_H
#define SCRUBJAY_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro over inflateInit2_; Swift cannot import it. */
static inline int scrubjay_inflate_init2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
