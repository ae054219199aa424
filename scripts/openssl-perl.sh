#!/bin/sh
# The perl that builds the OpenSSL SQLCipher links (OpenSSL comes from the openssl-src crate;
# .cargo/config.toml sets OPENSSL_SRC_PERL to this file). When OpenSSL's ./Configure runs it
# adds options that leave out what SQLCipher does not use, which keeps the mobile library
# under its size limit (docs/adr/0001-sqlcipher-encryption-at-rest.md):
#   no-bulk      OpenSSL's own "minimal" set: no TLS extras, no EC/DH/DSA, no legacy ciphers,
#                no CMS/OCSP/CT/…; AES, SHA-1/2, HMAC, PBKDF2 and the RNG stay
#   no-slh-dsa   post-quantum signatures (not covered by no-bulk)
#   no-err       no error-string tables (SQLCipher reports failures by SQLite result codes)
#   -Os -ffunction-sections -fdata-sections
#                C code for size, in sections the linker drops when unused (the AES and SHA
#                assembly, which does the work, is not affected)
# Every other invocation is passed to perl unchanged.
case "$1" in
  ./Configure | */Configure) exec perl "$@" no-bulk no-slh-dsa no-err -Os -ffunction-sections -fdata-sections ;;
esac
exec perl "$@"
