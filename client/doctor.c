/* doctor.c: dstnyctl doctor: one line per check, what a support desk asks for first. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "callstate.h"
#include "conf.h"
#include "ctl.h"
#include "xmalloc.h"

static int	failures;

static void
check(int good, const char *what, const char *detail, const char *hint)
{
	printf("%-5s %s%s%s", good ? "ok" : "FAIL", what, *detail ? ": " : "",
	    detail);
	if (!good && hint != NULL)
		printf(" (%s)", hint);
	printf("\n");
	failures += !good;
}

/* A risk, not a fault: said, but the exit status stays. */
static void
warn(int good, const char *what, const char *detail, const char *hint)
{
	if (good)
		check(1, what, detail, NULL);
	else
		printf("%-5s %s: %s (%s)\n", "WARN", what, detail, hint);
}

static size_t
discard_cb(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* One request; returns the HTTP status, or 0 with err set. */
static long
probe(const struct conf *c, const char *url, int post, char *err, size_t errlen)
{
	CURL	*e = curl_easy_init();
	char	 ebuf[CURL_ERROR_SIZE] = "";
	long	 status = 0;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (post)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{}");
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errlen, "%s", ebuf);
	curl_easy_cleanup(e);
	return status;
}

static void
check_credentials(const struct conf *c)
{
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");
	struct stat	 st;
	char		 detail[512], *path;
	size_t		 i;
	int		 checked = 0;

	for (i = 0; i < c->nusers; i++) {
		const char *files[2] = { c->users[i].token_file,
		    c->users[i].password_file };
		for (int k = 0; k < 2; k++) {
			if (files[k] == NULL)
				continue;
			checked = 1;
			if (stat(files[k], &st) == -1) {
				snprintf(detail, sizeof(detail), "%s: missing", files[k]);
				check(0, "credential file", detail, "create it, mode 0600");
			} else if (st.st_mode & (S_IRGRP | S_IROTH)) {
				snprintf(detail, sizeof(detail), "%s: mode %04o",
				    files[k], (unsigned)(st.st_mode & 07777));
				check(0, "credential file", detail, "chmod 600 it");
			} else {
				snprintf(detail, sizeof(detail), "%s: mode %04o",
				    files[k], (unsigned)(st.st_mode & 07777));
				check(1, "credential file", detail, NULL);
			}
		}
	}
	if (!checked && dir != NULL) {
		path = xasprintf("%s/password", dir);
		if (access(path, R_OK) != 0) {
			free(path);
			path = xasprintf("%s/token", dir);
		}
		check(access(path, R_OK) == 0, "credential", path,
		    "LoadCredential=password or token");
		free(path);
	} else if (!checked)
		check(0, "credentials", "none configured",
		    "set token_file or password_file in [auth]");
}

int
doctor_run(struct ctl *ctl, const char *conf_path)
{
	struct json_object	*reply = NULL, *res, *users, *u;
	struct conf		*c;
	char			 err[1024], detail[1100], *path, *url;
	long			 status;
	size_t			 i;
	int			 running;

	path = conf_path != NULL ? xstrdup(conf_path) : conf_default_path(geteuid() == 0);
	running = ctl_connect(ctl) == 0;
	check(running, "dstnyd running", ctl->socket_path,
	    "systemctl --user start dstnyd");
	if ((c = conf_load(path, err, sizeof(err))) == NULL) {
		check(0, "configuration valid", err, "dstnyd --check-config shows the same");
	} else {
		check(1, "configuration valid", path, NULL);
		check_credentials(c);
		status = probe(c, c->base_url, 0, err, sizeof(err));
		snprintf(detail, sizeof(detail), "%s: %s", c->base_url,
		    status ? "answers" : err);
		check(status != 0, "Core reachable, TLS certificate valid", detail,
		    strstr(err, "certificate") ? "set [core] ca_file" :
		    "check base_url and the network");
	}
	if (running) {
		reply = ctl_request(ctl, "status", NULL);
		if (json_object_object_get_ex(reply, "result", &res) &&
		    json_object_object_get_ex(res, "users", &users)) {
			for (i = 0; i < json_object_array_length(users); i++) {
				u = json_object_array_get_idx(users, i);
				snprintf(detail, sizeof(detail), "%s@%s",
				    model_str(u, "userId"), model_str(u, "domain"));
				check(strcmp(model_str(u, "state"), "unauthorized") != 0,
				    "ticket accepted", detail,
				    "check the password or token");
				snprintf(detail, sizeof(detail), "%s@%s: %s over %s",
				    model_str(u, "userId"), model_str(u, "domain"),
				    model_str(u, "state"), model_str(u, "transport"));
				check(strcmp(model_str(u, "state"), "online") == 0,
				    "events flowing", detail, strcmp(model_str(u,
				    "transport"), "webhook") == 0 ?
				    "can the Core reach public_url?" :
				    "SSE streams are reconnecting");
			}
		}
		json_object_put(reply);
	}
	if (c != NULL && c->public_url != NULL &&
	    conf_transport(c) == CONF_TRANSPORT_WEBHOOK) {
		warn(!conf_public_url_plain(c), "public_url encrypted",
		    c->public_url, "plain http:// off loopback: anyone on the "
		    "way reads the webhooks' targetIds; use https://");
		url = xasprintf("%s/hooks/dstnyctl-doctor", c->public_url);
		status = probe(c, url, 1, err, sizeof(err));
		snprintf(detail, sizeof(detail), "%s: %s", c->public_url,
		    status == 404 ? "answers" : status ? "answers, but not as dstnyd" : err);
		check(status == 404, "public_url reachable from here", detail,
		    "check [events] listen, public_url and the firewall");
		free(url);
	}
	conf_free(c);
	free(path);
	return failures == 0 ? EXIT_OK : EXIT_FAILURE_;
}
