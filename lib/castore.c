/*
 * castore.c: one X509_STORE for the process.
 *
 * Every SSL_CTX that loads a CA bundle holds its own copy of it: about a
 * megabyte for Debian's 144 certificates. curl (7.88) makes a context per
 * connection and keeps a few connections open, lib/hstream.c has its own:
 * an idle dstnyd held four copies (massif, doc/performance.md). Here the
 * certificates are loaded once and every context shares the store.
 *
 * With no ca_file the system's CAs are read as OpenSSL's defaults name
 * them (SSL_CERT_DIR, SSL_CERT_FILE, else the compiled-in paths). When the
 * default directory holds hashed certificates (Debian's /etc/ssl/certs,
 * made by update-ca-certificates) only it is used: a certificate is read
 * from it when a chain needs it, so the store holds the Core's CA, not
 * all of them. Otherwise the default file is loaded whole as well.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "castore.h"
#include "xmalloc.h"

static X509_STORE	*castore;
static char		*castore_file;

/* Does dir hold a hashed certificate name (8 hex digits, '.', digits)? */
static int
castore_hashed(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	const char	*p;
	int		 found = 0, i;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		p = e->d_name;
		for (i = 0; i < 8 && isxdigit((unsigned char)p[i]); i++)
			;
		found = i == 8 && p[8] == '.' &&
		    isdigit((unsigned char)p[9]);
	}
	closedir(d);
	return found;
}

static int
castore_load_default(X509_STORE *st)
{
	X509_LOOKUP	*l;
	const char	*dir;

	if ((dir = getenv(X509_get_default_cert_dir_env())) == NULL ||
	    *dir == '\0')
		dir = X509_get_default_cert_dir();
	/* A path list, as OpenSSL takes it: its first entry decides. */
	if (strchr(dir, ':') == NULL && castore_hashed(dir)) {
		if ((l = X509_STORE_add_lookup(st, X509_LOOKUP_hash_dir())) ==
		    NULL)
			return 0;
		return X509_LOOKUP_add_dir(l, dir, X509_FILETYPE_PEM) == 1;
	}
	return X509_STORE_set_default_paths(st) == 1;
}

struct x509_store_st *
castore_get(const char *ca_file, char **why)
{
	X509_STORE	*st;
	int		 ok;

	if (castore != NULL && (ca_file == NULL ? castore_file == NULL :
	    castore_file != NULL && strcmp(ca_file, castore_file) == 0))
		return castore;
	if ((st = X509_STORE_new()) == NULL) {
		*why = xstrdup("TLS: cannot make a certificate store");
		return NULL;
	}
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	ok = ca_file != NULL ? X509_STORE_load_file(st, ca_file) == 1 :
	    castore_load_default(st);
#else
	ok = ca_file != NULL ?
	    X509_STORE_load_locations(st, ca_file, NULL) == 1 :
	    castore_load_default(st);
#endif
	if (!ok) {
		*why = xasprintf("TLS: cannot load the CA certificates%s%s",
		    ca_file != NULL ? " of " : "", ca_file != NULL ? ca_file : "");
		X509_STORE_free(st);
		ERR_clear_error();
		return NULL;
	}
	castore_free();
	castore = st;
	castore_file = ca_file != NULL ? xstrdup(ca_file) : NULL;
	return castore;
}

void
castore_free(void)
{
	X509_STORE_free(castore);
	castore = NULL;
	free(castore_file);
	castore_file = NULL;
}
