/* mbedTLS for the browser build (cmake/WebApp.cmake): exactly what the app and the demo module
 * use, instead of Debian's full default configuration. The native build keeps Debian's library.
 *
 * The app: reading the card's X.509 certificate (subject, issuer, key usage, validity) and the
 * signature self test (an RSA PKCS#1 v1.5 SHA-256 signature verified with the certificate's
 * key). The demo module's virtual card adds its PKCS#8 key, RSA signing and the AES-CMAC its
 * unblock key is derived with. TLS, randomness, files and time are the browser's business. */
#ifndef KAMUSM_MBEDTLS_CONFIG_H
#define KAMUSM_MBEDTLS_CONFIG_H

/* Certificates: DER only (no PEM), RSA keys. */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE

/* Digests. SHA-256 is the one the app computes; SHA-1 and SHA-384/512 only let the parser know
 * the signature algorithms of certificates a card may carry from older or other KamuSM CAs (a
 * certificate whose algorithm the parser does not know is refused whole). */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_C
#define MBEDTLS_SHA512_SMALLER

/* The demo's virtual card: its unblock key is AES-CMAC-derived (src/sim/card.cpp). */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_CMAC_C

#include "mbedtls/check_config.h"

#endif /* KAMUSM_MBEDTLS_CONFIG_H */
