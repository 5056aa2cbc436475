/* ticket.c: tickets from a token file, or created with a password and renewed at 80%. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "backoff.h"
#include "coremsg.h"
#include "http.h"
#include "log.h"
#include "routes.h"
#include "secret.h"
#include "ticket.h"
#include "xmalloc.h"

struct ticket {
	struct event_base	*base;
	struct http		*http;
	ticket_cb		 cb;
	void			*arg;
	const char		*base_url;	/* the conf's, as routes */
	const struct routes	*routes;
	char			*domain;
	char			*user;
	char			*token_path;	/* token mode */
	const char		*name;
	char *const		*apis;
	size_t			 napis;
	long			 lifetime;
	struct secret		*password;	/* password mode */
	int			 keyring;	/* password mode, from the keyring */
	struct secret		*token;		/* the usable token */
	char			*created_name;	/* the name the Core gave it */
	time_t			 expires;
	time_t			 renews;
	unsigned		 failures;
	uint64_t		 req;		/* in-flight request id */
	struct event		*timer;
	void			(*stop_done)(void *);
	void			*stop_arg;
};

struct secret *
credential_read(const char *path, char *err, size_t errlen)
{
	struct secret	*s;
	struct stat	 st;
	char		 why[128];
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		snprintf(err, errlen, "%s: readable by group or others (mode "
		    "%04o): refused; chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	s = secret_from_fd(fd, why, sizeof(why));
	close(fd);
	if (s == NULL)
		snprintf(err, errlen, "%s: %s", path, why);
	return s;
}

/* The configured file, else the systemd credential of that name. */
static char *
ticket_cred_path(const char *configured, const char *credname)
{
	const char	*dir;
	char		*path;

	if (configured != NULL)
		return xstrdup(configured);
	if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL || *dir == '\0')
		return NULL;
	path = xasprintf("%s/%s", dir, credname);
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

static void	ticket_timer_cb(evutil_socket_t, short, void *);

struct ticket *
ticket_new(struct event_base *base, struct http *http,
    const struct ticket_conf *conf, ticket_cb cb, void *arg, char *err,
    size_t errlen)
{
	struct ticket	*t;
	char		*tpath = NULL, *ppath = NULL;

	if (conf->password_file == NULL && !conf->keyring)
		tpath = ticket_cred_path(conf->token_file, "token");
	if (tpath == NULL && conf->token_file == NULL && !conf->keyring)
		ppath = ticket_cred_path(conf->password_file, "password");
	if (tpath == NULL && ppath == NULL && !conf->keyring) {
		snprintf(err, errlen, "%s@%s: no credentials: set token_file or "
		    "password_file, or pass a \"token\" or \"password\" "
		    "credential (LoadCredential=)", conf->user, conf->domain);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->base = base;
	t->http = http;
	t->cb = cb;
	t->arg = arg;
	t->base_url = conf->base_url;
	t->routes = conf->routes;
	t->domain = xstrdup(conf->domain);
	t->user = xstrdup(conf->user);
	t->name = conf->name != NULL ? conf->name : "dstnyd";
	t->lifetime = conf->expires > 0 ? conf->expires : 86400;
	t->apis = conf->apis;
	t->napis = conf->napis;
	t->timer = evtimer_new(base, ticket_timer_cb, t);
	if (conf->keyring) {
		t->keyring = 1;
		return t;
	}
	if (tpath != NULL) {
		t->token_path = tpath;
		t->token = credential_read(tpath, err, errlen);
	} else {
		t->password = credential_read(ppath, err, errlen);
		free(ppath);
	}
	if (t->token == NULL && t->password == NULL) {
		ticket_free(t);
		return NULL;
	}
	return t;
}

void
ticket_free(struct ticket *t)
{
	if (t == NULL)
		return;
	if (t->req != 0)
		http_cancel(t->http, t->req);
	event_free(t->timer);
	free(t->domain);
	free(t->user);
	free(t->token_path);
	secret_free(t->password);
	secret_free(t->token);
	free(t->created_name);
	free(t);
}

static void ticket_create(struct ticket *);

static void
ticket_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	ticket_create(arg);
}

static void
ticket_schedule(struct ticket *t, long delay_ms)
{
	timer_add_ms(t->timer, delay_ms);
}

static void
ticket_create_done(const struct http_resp *r, void *arg)
{
	struct ticket		*t = arg;
	struct ticket_info	 ti;
	char			 err[256];
	time_t			 now = time(NULL);
	long			 life, delay;

	t->req = 0;
	if (r->err == DSTNY_OK &&
	    ticket_info_parse(r->body, r->body_len, &ti, err, sizeof(err)) == 0) {
		secret_free(t->token);
		t->token = ti.token;
		ti.token = NULL;
		free(t->created_name);
		t->created_name = xstrdup(*ti.name != '\0' ? ti.name : t->name);
		/* An expiry in the past or missing: trust what we asked for. */
		life = ti.expires > now ? (long)(ti.expires - now) : t->lifetime;
		t->expires = now + life;
		t->renews = now + life * 8 / 10;
		t->failures = 0;
		ticket_info_clear(&ti);
		log_info("ticket: %s@%s: ticket \"%s\" created, renewal in %ld s",
		    t->user, t->domain, t->created_name, (long)(t->renews - now));
		ticket_schedule(t, (t->renews - now) * 1000L);
		t->cb(t, DSTNY_OK, "", t->arg);
		return;
	}
	if (r->err == DSTNY_OK) {
		log_warnx("ticket: %s@%s: bad answer to ticket.create: %s",
		    t->user, t->domain, err);
	} else
		log_warnx("ticket: %s@%s: ticket.create failed: %s: %s", t->user,
		    t->domain, dstny_err_name(r->err), r->message);
	/* Retry unless the password itself was refused. */
	if (r->err != DSTNY_ERR_UNAUTHORIZED && r->err != DSTNY_ERR_FORBIDDEN) {
		delay = backoff_delay_ms(t->failures++, 500, 10000);
		ticket_schedule(t, delay);
	}
	t->cb(t, r->err != DSTNY_OK ? r->err : DSTNY_ERR_UPSTREAM,
	    r->err != DSTNY_OK ? r->message : "bad answer to ticket.create",
	    t->arg);
}

static void
ticket_create(struct ticket *t)
{
	struct route_var	 vars[] = {
		{ "domain", t->domain }, { "user", t->user }, { NULL, NULL },
	};
	struct http_req		 req;
	struct query		*q;
	char			 err[256], lifetime[32], *url, *login;
	size_t			 i;

	if (t->req != 0)
		return;			/* one at a time */
	q = query_new();
	for (i = 0; i < t->napis; i++)
		query_add(q, "api", t->apis[i]);
	query_add(q, "platform", "other");
	query_add(q, "name", t->name);
	snprintf(lifetime, sizeof(lifetime), "%ld", t->lifetime);
	query_add(q, "expires", lifetime);
	url = routes_url(t->routes, t->base_url, ROUTE_TICKET_CREATE, vars, q,
	    err, sizeof(err));
	query_free(q);
	if (url == NULL) {
		t->cb(t, DSTNY_ERR_INVALID_ARGUMENT, err, t->arg);
		return;
	}
	login = xasprintf("%s@%s", t->user, t->domain);
	memset(&req, 0, sizeof(req));
	req.method = route_method(ROUTE_TICKET_CREATE);
	req.url = url;
	req.basic_user = login;
	req.basic_pass = t->password;
	t->req = http_send(t->http, &req, ticket_create_done, t);
	free(login);
	free(url);
}

void
ticket_start(struct ticket *t)
{
	if (t->password != NULL)
		ticket_create(t);
	else if (t->keyring)
		t->cb(t, DSTNY_ERR_UNAUTHORIZED, "no password from the keyring "
		    "yet", t->arg);
	else
		t->cb(t, DSTNY_OK, "", t->arg);
}

int
ticket_set_password(struct ticket *t, struct secret *password)
{
	int	changed;

	changed = t->password == NULL || !secret_equal(t->password, password);
	secret_free(t->password);
	t->password = password;
	return changed;
}

int
ticket_keyring(const struct ticket *t)
{
	return t->keyring;
}

const struct secret *
ticket_token(const struct ticket *t)
{
	return t->token;
}

const char *
ticket_name(const struct ticket *t)
{
	return t->created_name != NULL ? t->created_name : t->name;
}

void
ticket_invalid(struct ticket *t)
{
	struct secret	*fresh;
	char		 err[512];

	if (t->password != NULL || t->keyring) {
		if (t->password == NULL) {
			t->cb(t, DSTNY_ERR_UNAUTHORIZED, "no password from the "
			    "keyring yet", t->arg);
			return;
		}
		log_info("ticket: %s@%s: ticket refused, creating a new one",
		    t->user, t->domain);
		secret_free(t->token);
		t->token = NULL;
		evtimer_del(t->timer);
		ticket_create(t);
		return;
	}
	/* A token made elsewhere may have been replaced in its file. */
	if ((fresh = credential_read(t->token_path, err, sizeof(err))) == NULL) {
		t->cb(t, DSTNY_ERR_UNAUTHORIZED, err, t->arg);
		return;
	}
	if (secret_equal(fresh, t->token)) {
		secret_free(fresh);
		t->cb(t, DSTNY_ERR_UNAUTHORIZED, "the Core refused the token in "
		    "token_file", t->arg);
		return;
	}
	secret_free(t->token);
	t->token = fresh;
	log_info("ticket: %s@%s: read a new token from %s", t->user, t->domain,
	    t->token_path);
	t->cb(t, DSTNY_OK, "", t->arg);
}

static void
ticket_delete_done(const struct http_resp *r, void *arg)
{
	struct ticket	*t = arg;

	t->req = 0;
	if (r->err != DSTNY_OK)
		log_warnx("ticket: %s@%s: ticket.delete failed: %s: %s", t->user,
		    t->domain, dstny_err_name(r->err), r->message);
	else
		log_info("ticket: %s@%s: ticket \"%s\" deleted", t->user,
		    t->domain, t->created_name);
	secret_free(t->token);
	t->token = NULL;
	if (t->stop_done != NULL)
		t->stop_done(t->stop_arg);
}

void
ticket_stop(struct ticket *t, void (*done)(void *), void *arg)
{
	struct route_var	 vars[] = {
		{ "domain", t->domain }, { "user", t->user },
		{ "ticketName", t->created_name }, { NULL, NULL },
	};
	struct http_req		 req;
	char			 err[256], *url;

	evtimer_del(t->timer);
	if (t->req != 0) {
		http_cancel(t->http, t->req);
		t->req = 0;
	}
	if (t->password == NULL || t->token == NULL || t->created_name == NULL ||
	    (url = routes_url(t->routes, t->base_url, ROUTE_TICKET_DELETE, vars,
	    NULL, err, sizeof(err))) == NULL) {
		if (done != NULL)
			done(arg);
		return;
	}
	t->stop_done = done;
	t->stop_arg = arg;
	memset(&req, 0, sizeof(req));
	req.method = route_method(ROUTE_TICKET_DELETE);
	req.url = url;
	req.bearer = t->token;
	req.timeout_ms = 1500;	/* shutdown must finish within 2 s */
	t->req = http_send(t->http, &req, ticket_delete_done, t);
	free(url);
}

int
ticket_owned(const struct ticket *t)
{
	return t->password != NULL || t->keyring;
}

time_t
ticket_expires(const struct ticket *t)
{
	return t->expires;
}

time_t
ticket_renews(const struct ticket *t)
{
	return t->renews;
}
