/* teluri.c: RFC 3966 tel: URIs, callto: and sip: as browsers hand them to a dialler. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "teluri.h"
#include "xmalloc.h"

#define TELURI_DIGITS_MAX	32	/* longer than any E.164 number and a PIN */
#define TELURI_IN_MAX		2048

static int __attribute__((format(printf, 3, 4)))
teluri_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
teluri_visual(char ch)
{
	return ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == ' ';
}

enum teluri_kind {
	NUM_ANY,	/* global, or local with '*' and '#' */
	NUM_DIGITS,	/* decimal digits only (;ext=) */
	NUM_GLOBAL,	/* '+' and digits (;phone-context=) */
};

/*
 * Digits of a number with its visual separators gone: global (a leading
 * '+', then decimal digits) or local (digits, '*' and '#'; the hex digits
 * RFC 3966 allows are dialled by no PBX). Returns the length written to
 * out, or -1.
 */
static int
teluri_number(const char *s, size_t len, enum teluri_kind kind, char *out,
    size_t outlen)
{
	size_t	i, n = 0, digits = 0;
	int	global = len > 0 && s[0] == '+';
	char	ch;

	if ((kind == NUM_GLOBAL && !global) || (kind == NUM_DIGITS && global))
		return -1;
	if (global)
		out[n++] = '+';
	for (i = global ? 1 : 0; i < len; i++) {
		ch = s[i];
		if (teluri_visual(ch))
			continue;
		if (!isdigit((unsigned char)ch) &&
		    (global || kind != NUM_ANY || (ch != '*' && ch != '#')))
			return -1;
		if (++digits > TELURI_DIGITS_MAX || n + 2 > outlen)
			return -1;
		out[n++] = ch;
	}
	if (digits == 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

/* A domain name of phone-context: letters, digits, '-' and '.'. */
static int
teluri_domain(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
		return -1;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return -1;
	return 0;
}

/* Percent-decode into a new string; control characters and non-ASCII are refused. */
static char *
teluri_decode(const char *in, char *err, size_t errlen)
{
	char	*out = xmalloc(strlen(in) + 1), *o = out;
	int	 hi, lo;

	for (; *in != '\0'; in++) {
		unsigned char ch = (unsigned char)*in;
		if (ch == '%') {
			if (!isxdigit((unsigned char)in[1]) ||
			    !isxdigit((unsigned char)in[2])) {
				teluri_fail(err, errlen, "a broken %%-escape");
				free(out);
				return NULL;
			}
			hi = isdigit((unsigned char)in[1]) ? in[1] - '0' :
			    tolower((unsigned char)in[1]) - 'a' + 10;
			lo = isdigit((unsigned char)in[2]) ? in[2] - '0' :
			    tolower((unsigned char)in[2]) - 'a' + 10;
			ch = (unsigned char)(hi * 16 + lo);
			in += 2;
		}
		if (ch < 0x20 || ch >= 0x7f) {
			teluri_fail(err, errlen, "a control or non-ASCII character");
			free(out);
			return NULL;
		}
		*o++ = (char)ch;
	}
	*o = '\0';
	return out;
}

/* RFC 3966 par: pname [ "=" pvalue ], pname 1*(alphanum / "-"). */
static int
teluri_param(const char *p, size_t len)
{
	size_t	i = 0;

	while (i < len && (isalnum((unsigned char)p[i]) || p[i] == '-'))
		i++;
	if (i == 0)
		return -1;
	if (i == len)
		return 0;
	if (p[i++] != '=')
		return -1;
	for (; i < len; i++)
		if (!isalnum((unsigned char)p[i]) &&
		    strchr("-_.!~*'()[]/:&+$ ", p[i]) == NULL)
			return -1;
	return 0;
}

/* number;param;param... of a tel: URI (or a typed number). */
static int
teluri_tel(const char *s, char *out, size_t outlen, char *err, size_t errlen)
{
	char		 num[TELURI_DIGITS_MAX + 2], ext[TELURI_DIGITS_MAX + 2];
	char		 ctx[256];
	const char	*semi, *p, *eq, *end;
	size_t		 nlen, plen;
	int		 global;

	ext[0] = ctx[0] = '\0';
	while (*s == ' ')
		s++;
	nlen = strcspn(s, ";");
	while (nlen > 0 && s[nlen - 1] == ' ')
		nlen--;
	global = s[0] == '+';
	if (nlen == 0)
		return teluri_fail(err, errlen, "nothing to dial");
	if (teluri_number(s, nlen, NUM_ANY, num, sizeof(num)) == -1)
		return teluri_fail(err, errlen, "not a telephone number (digits, "
		    "a leading +, and the separators - . ( ) only)");
	for (semi = strchr(s, ';'); semi != NULL; semi = strchr(p, ';')) {
		p = semi + 1;
		end = strchr(p, ';');
		plen = end != NULL ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', plen);
		if (plen == 0)
			return teluri_fail(err, errlen, "an empty parameter");
		if (teluri_param(p, plen) == -1)
			return teluri_fail(err, errlen, "a bad parameter (name=value "
			    "after ';')");
		if (eq == NULL)
			continue;	/* a flag parameter: nothing to dial */
		if ((size_t)(eq - p) == 3 && strncasecmp(p, "ext", 3) == 0) {
			if (teluri_number(eq + 1, plen - 4, NUM_DIGITS, ext,
			    sizeof(ext)) == -1)
				return teluri_fail(err, errlen, ";ext= must be "
				    "digits");
		} else if ((size_t)(eq - p) == 13 &&
		    strncasecmp(p, "phone-context", 13) == 0) {
			const char *v = eq + 1;
			size_t vlen = plen - 14;
			if (vlen > 0 && v[0] == '+') {
				if (teluri_number(v, vlen, NUM_GLOBAL, ctx,
				    sizeof(ctx)) == -1)
					return teluri_fail(err, errlen,
					    ";phone-context= must be +digits "
					    "or a domain name");
			} else if (teluri_domain(v, vlen) == -1 ||
			    vlen >= sizeof(ctx))
				return teluri_fail(err, errlen, ";phone-context= "
				    "must be +digits or a domain name");
			else {
				size_t i;
				for (i = 0; i < vlen; i++)
					ctx[i] = (char)tolower((unsigned char)v[i]);
				ctx[vlen] = '\0';
			}
		}
		/* isub, postd and the like: not for a dialler. */
	}
	if (global && ctx[0] != '\0')
		return teluri_fail(err, errlen, "a global number (+...) takes no "
		    ";phone-context=");
	if (snprintf(out, outlen, "tel:%s%s%s%s%s", num,
	    ctx[0] ? ";phone-context=" : "", ctx, ext[0] ? ";ext=" : "",
	    ext) >= (int)outlen)
		return teluri_fail(err, errlen, "too long");
	return 0;
}

/* user@host[:port][;params][?headers] of a sip: URI (or user@host typed). */
static int
teluri_sip(const char *s, char *out, size_t outlen, char *err, size_t errlen)
{
	const char	*at, *host, *p;
	size_t		 ulen, hlen;
	char		*user;
	int		 phone, r;

	hlen = strcspn(s, ";?");
	if ((at = memchr(s, '@', hlen)) == NULL || at == s)
		return teluri_fail(err, errlen, "a SIP address needs user@host");
	ulen = (size_t)(at - s);
	host = at + 1;
	hlen -= ulen + 1;
	if (hlen == 0)
		return teluri_fail(err, errlen, "a SIP address needs user@host");
	for (p = host; p < host + hlen; p++)
		if (!isalnum((unsigned char)*p) && strchr("-.:[]", *p) == NULL)
			return teluri_fail(err, errlen, "a bad host in the SIP "
			    "address");
	for (p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) &&
		    strchr("-_.!~*'()&=+$,;?/", *p) == NULL && *p != ' ')
			return teluri_fail(err, errlen, "a bad user in the SIP "
			    "address");
	/* A number as the user part (user=phone, or it looks like one). */
	phone = strcasestr(s + ulen, ";user=phone") != NULL;
	user = xstrndup(s, ulen);
	if (phone || user[0] == '+' || strspn(user, "0123456789-.() ") == ulen) {
		r = teluri_tel(user, out, outlen, err, errlen);
		free(user);
		if (r == 0 || phone)
			return r;
		user = xstrndup(s, ulen);
	}
	if (strchr(user, ' ') != NULL) {
		free(user);
		return teluri_fail(err, errlen, "a bad user in the SIP address");
	}
	r = snprintf(out, outlen, "sip:%s@%.*s", user, (int)hlen, host);
	free(user);
	if (r >= (int)outlen)
		return teluri_fail(err, errlen, "too long");
	return 0;
}

int
teluri_parse(const char *in, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char		*s, *t;
	size_t		 len;
	int		 r;

	if (strlen(in) > TELURI_IN_MAX)
		return teluri_fail(err, errlen, "too long");
	if ((s = teluri_decode(in, err, errlen)) == NULL)
		return -1;
	for (t = s; *t == ' '; t++)
		;
	len = strlen(t);
	while (len > 0 && t[len - 1] == ' ')
		t[--len] = '\0';
	if (len == 0)
		r = teluri_fail(err, errlen, "nothing to dial");
	else if (strncasecmp(t, "tel:", 4) == 0)
		r = teluri_tel(t + 4, out, outlen, err, errlen);
	else if (strncasecmp(t, "callto:", 7) == 0) {
		t += 7;
		if (strncmp(t, "//", 2) == 0)
			t += 2;
		if (t[0] != '+' && !isdigit((unsigned char)t[0]) && t[0] != '(')
			r = teluri_fail(err, errlen, "callto: names a Skype or "
			    "Teams user, not a telephone number");
		else
			r = teluri_tel(t, out, outlen, err, errlen);
	} else if (strncasecmp(t, "sip:", 4) == 0)
		r = teluri_sip(t + 4, out, outlen, err, errlen);
	else if (strncasecmp(t, "sips:", 5) == 0)
		r = teluri_sip(t + 5, out, outlen, err, errlen);
	else if (isalpha((unsigned char)t[0]) &&
	    t[strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-.")] == ':')
		r = teluri_fail(err, errlen, "not a tel:, callto: or sip: URI");
	else if (strchr(t, '@') != NULL)
		r = teluri_sip(t, out, outlen, err, errlen);
	else
		r = teluri_tel(t, out, outlen, err, errlen);
	free(s);
	return r;
}
