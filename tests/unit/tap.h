/* tap.h: a tiny TAP producer for the unit tests (automake's tap-driver). */
#ifndef DSTNY_TAP_H
#define DSTNY_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(a, b, name) do {						\
	long long _a = (a), _b = (b);					\
	if (!ok(_a == _b, "%s", name))					\
		printf("#   got %lld, want %lld\n", _a, _b);		\
} while (0)
#define is_str(a, b, name) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!ok(_a != NULL && _b != NULL ? strcmp(_a, _b) == 0 : _a == _b, \
	    "%s", name))						\
		printf("#   got \"%s\"\n#  want \"%s\"\n",		\
		    _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)

/*
 * Failures are reported as "not ok" lines; the exit status stays 0 so
 * that a non-zero one always means something else went wrong (a crash,
 * a sanitizer report at exit), which the TAP driver reports as ERROR.
 */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return 0;
}

/* Read a whole file from $TEST_DATA; exits the test on failure. */
static inline char *
tap_read_data(const char *name, size_t *lenp)
{
	const char	*dir = getenv("TEST_DATA");
	char		 path[4096];
	FILE		*fp;
	char		*buf;
	long		 len;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
	if ((fp = fopen(path, "rb")) == NULL) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	buf[len] = '\0';
	fclose(fp);
	if (lenp != NULL)
		*lenp = (size_t)len;
	return buf;
}

#endif
