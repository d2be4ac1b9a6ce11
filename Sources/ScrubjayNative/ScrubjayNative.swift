// ScrubjayNative: the one module that calls C libraries. One Swift file per library:
//   Regex.swift    PCRE2 (compile with JIT, match, limits)
//   Archive.swift  libarchive (ZIP and tar.gz, in memory and on disk)
//   Crypto.swift   OpenSSL libcrypto (SHA-256, HMAC-SHA256, Ed25519 and ECDSA P-256 keys and signatures)
//   Inflate.swift  zlib (gzip, zlib and raw deflate streams)
// No C type appears in a public signature; every return code becomes a Swift error at the call.
