/*
 * castore.h: the one set of trusted CA certificates every TLS connection
 * of the process verifies against, curl's and lib/hstream.c's alike.
 */
#ifndef DSTNY_CASTORE_H
#define DSTNY_CASTORE_H

struct x509_store_st;

/*
 * The store for ca_file (NULL: the system's CAs), made at the first call
 * and kept: callers take their own reference (SSL_CTX_set1_cert_store).
 * NULL and *why (to free) if the certificates cannot be loaded.
 */
struct x509_store_st	*castore_get(const char *ca_file, char **why);
void			 castore_free(void);

#endif
