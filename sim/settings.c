/* settings.c: the simulator's forwarding rules, activity diversions, caller ID lines and voicemail settings (issue 21 parts 3-5). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "callstate.h"
#include "forward.h"
#include "routes.h"
#include "sim.h"
#include "userline.h"
#include "voicemail.h"
#include "xmalloc.h"

/*
 * Each user starts with the reference's examples: its two lines with
 * every rule type (CFWD_ON_BUSY and CFWD_NO_ANSWER forwarding), its
 * activity diversions (under the hyphenated "diversion-mapping"), and
 * its voicemail settings. Its caller ID lines are the reference's
 * OFFICE_FIXED line, an ACD line whose groupId is a quoted number ("2"),
 * and the SWITCHBOARD line the reference's "active" answer names (with
 * its "swithboard"); that one is active. userline.put answers nothing,
 * as the reference shows no answer.
 */
static const char ref_rules[] =
    "{\"user\": {\"domain\": \"example.com\", \"userid\": \"albo\"},"
    " \"userDiversionLineRules\": ["
    "{\"lineNumber\": \"+123460000\", \"lineOrderType\": \"PRIMARY\","
    " \"lineType\": \"OFFICE_FIXED\", \"userDiversionRules\": ["
    "{\"diversionRoutingRulesType\": \"CFWD_ALL\"},"
    "{\"phoneNumber\": \"+12345679\", \"diversionRoutingRulesType\": \"CFWD_ON_BUSY\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY_IN_CALL\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY_IN_CALL_OR_UNREACHABLE\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY_OR_UNREACHABLE\"},"
    "{\"phoneNumber\": \"+12345678\", \"diversionRoutingRulesType\": \"CFWD_NO_ANSWER\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_NO_ANSWER_OR_UNREACHABLE\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_UNREACHABLE\"}]},"
    "{\"lineNumber\": \"+123467890\", \"lineOrderType\": \"SECONDARY\","
    " \"lineType\": \"OFFICE_MOBILE\", \"userDiversionRules\": ["
    "{\"diversionRoutingRulesType\": \"CFWD_ALL\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY_IN_CALL\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY_IN_CALL_OR_UNREACHABLE\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_ON_BUSY_OR_UNREACHABLE\"},"
    "{\"phoneNumber\": \"+12345678\", \"diversionRoutingRulesType\": \"CFWD_NO_ANSWER\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_NO_ANSWER_OR_UNREACHABLE\"},"
    "{\"diversionRoutingRulesType\": \"CFWD_UNREACHABLE\"}]}]}";

static const char ref_mapping[] =
    "{\"diversion-mapping\": ["
    "{\"activityId\": \"busy\", \"phoneNumber\": \"+12345678\"},"
    "{\"activityId\": \"lunch\", \"phoneNumber\": \"+12345679\"},"
    "{\"activityId\": \"out_of_office\", \"phoneNumber\": \"+12345679\"}]}";

static const char ref_lines[] =
    "[{\"groupId\": 0, \"type\": \"OFFICE_FIXED\", \"number\": \"+123400\","
    " \"name\": \"office fixed\"},"
    "{\"groupId\": \"2\", \"type\": \"ACD\", \"number\": \"+123499\","
    " \"name\": \"Support\"},"
    "{\"groupId\": 0, \"type\": \"SWITCHBOARD\", \"number\": \"+123400\","
    " \"name\": \"swithboard\"}]";

static const char ref_voicemail[] =
    "{\"playActivity\": true, \"playMergedUnavailableEndTime\": false,"
    " \"playHumanAssistance\": true, \"humanAssistanceNumber\": \"+4676767676\","
    " \"smsNotification\": false, \"emailNotification\": true,"
    " \"fileAttached\": false, \"voicemailInboxFullSmsNotification\": false,"
    " \"voicemailInboxFullEmailNotification\": true, \"allowDownload\": true,"
    " \"allowVoicemail\": true, \"bypassVoicemail\": false,"
    " \"voicemailCallbackEnabled\": false}";

struct sim_settings {
	struct sim_user		*user;
	struct json_object	*rules;
	struct json_object	*mapping;
	struct json_object	*lines;		/* without their active flags */
	char			*active_type;
	int64_t			 active_group;
	struct json_object	*voicemail;
	struct sim_settings	*next;
};

static struct sim_settings	*settings;

static struct json_object *
parse(const char *s)
{
	char	err[128];

	return model_json_parse(s, strlen(s), err, sizeof(err));
}

static struct sim_settings *
settings_get(struct sim_user *u)
{
	struct sim_settings	*p;

	for (p = settings; p != NULL; p = p->next)
		if (p->user == u)
			return p;
	p = xcalloc(1, sizeof(*p));
	p->user = u;
	p->rules = parse(ref_rules);
	p->mapping = parse(ref_mapping);
	p->lines = parse(ref_lines);
	p->active_type = xstrdup("SWITCHBOARD");
	p->voicemail = parse(ref_voicemail);
	p->next = settings;
	settings = p;
	return p;
}

void
sim_settings_free(void)
{
	struct sim_settings	*p;

	while ((p = settings) != NULL) {
		settings = p->next;
		json_object_put(p->rules);
		json_object_put(p->mapping);
		json_object_put(p->lines);
		json_object_put(p->voicemail);
		free(p->active_type);
		free(p);
	}
}

/* The rules of a line (lineOrderType), or NULL. */
static struct json_object *
line_rules(struct sim_settings *p, const char *line)
{
	struct json_object	*a, *l;
	size_t			 i;

	a = json_object_object_get(p->rules, "userDiversionLineRules");
	for (i = 0; i < json_object_array_length(a); i++) {
		l = json_object_array_get_idx(a, i);
		if (strcmp(model_str(l, "lineOrderType"), line) == 0)
			return json_object_object_get(l, "userDiversionRules");
	}
	return NULL;
}

/* Set (number) or clear (NULL) a rule; -1 when the line is unknown. */
int
sim_forward_set(struct sim_user *u, const char *line, const char *type,
    const char *number)
{
	struct json_object	*rules, *e;
	size_t			 i;

	if ((rules = line_rules(settings_get(u), line)) == NULL)
		return -1;
	for (i = 0, e = NULL; i < json_object_array_length(rules); i++) {
		e = json_object_array_get_idx(rules, i);
		if (strcmp(model_str(e, "diversionRoutingRulesType"), type) == 0)
			break;
		e = NULL;
	}
	if (e == NULL) {
		e = json_object_new_object();
		json_object_object_add(e, "diversionRoutingRulesType",
		    json_object_new_string(type));
		json_object_array_add(rules, e);
	}
	if (number != NULL && *number != '\0')
		json_object_object_add(e, "phoneNumber",
		    json_object_new_string(number));
	else
		json_object_object_del(e, "phoneNumber");
	return 0;
}

static void
rule_change(struct evhttp_request *req, struct sim_user *u,
    const char *line, const char *type, struct json_object *body, int put)
{
	const char	*num = put ? model_str(body, "phoneNumber") : NULL;

	if (type == NULL || forward_type_name(type) == NULL ||
	    strcmp(forward_type_name(type), type) != 0) {
		sim_reply_error(req, 400, "diversionRuleType.invalid",
		    "no such diversion rule type");
		return;
	}
	if (put && *num == '\0') {
		sim_reply_error(req, 400, "phoneNumber.required",
		    "phoneNumber is required");
		return;
	}
	if (line == NULL || sim_forward_set(u, line, type, num) == -1) {
		sim_reply_error(req, 404, "lineOrderType.not.found",
		    "the user has no such line");
		return;
	}
	sim_reply(req, 204, NULL, NULL);
}

static struct json_object *
userline_lines(struct sim_settings *p)
{
	struct json_object	*a = json_object_new_array(), *e, *c;
	size_t			 i;

	for (i = 0; i < json_object_array_length(p->lines); i++) {
		e = json_object_array_get_idx(p->lines, i);
		c = NULL;
		json_object_deep_copy(e, &c, NULL);
		json_object_object_add(c, "active", json_object_new_boolean(
		    strcmp(model_str(e, "type"), p->active_type) == 0 &&
		    model_int(e, "groupId") == p->active_group));
		json_object_array_add(a, c);
	}
	e = json_object_new_object();
	json_object_object_add(e, "line", a);
	return e;
}

static struct json_object *
userline_active(struct sim_settings *p)
{
	struct json_object	*e, *o = json_object_new_object();
	size_t			 i;

	json_object_object_add(o, "type",
	    json_object_new_string(p->active_type));
	json_object_object_add(o, "groupId",
	    json_object_new_int64(p->active_group));
	for (i = 0; i < json_object_array_length(p->lines); i++) {
		e = json_object_array_get_idx(p->lines, i);
		if (strcmp(model_str(e, "type"), p->active_type) == 0 &&
		    model_int(e, "groupId") == p->active_group) {
			json_object_object_add(o, "number", json_object_new_string(
			    model_str(e, "number")));
			json_object_object_add(o, "name", json_object_new_string(
			    model_str(e, "name")));
		}
	}
	return o;
}

static void
userline_put(struct evhttp_request *req, struct sim_settings *p,
    struct json_object *body)
{
	const char	*type = model_str(body, "type");
	int64_t		 group = model_int(body, "groupId");
	size_t		 i;
	int		 found = strcmp(type, "ANONYMOUS") == 0;

	if (userline_type_name(type) == NULL ||
	    model_get(body, "groupId") == NULL) {
		sim_reply_error(req, 400, "type.invalid",
		    "type and groupId are required");
		return;
	}
	for (i = 0; !found && i < json_object_array_length(p->lines); i++)
		found = strcmp(model_str(json_object_array_get_idx(p->lines, i),
		    "type"), type) == 0 && model_int(json_object_array_get_idx(
		    p->lines, i), "groupId") == group;
	if (!found) {
		sim_reply_error(req, 400, "userLine.not.found",
		    "the user has no such line");
		return;
	}
	free(p->active_type);
	p->active_type = xstrdup(type);
	p->active_group = group;
	sim_reply(req, 204, NULL, NULL);
}

static void
voicemail_put(struct evhttp_request *req, struct sim_settings *p,
    struct json_object *body)
{
	int	i;

	if (!json_object_is_type(body, json_type_object)) {
		sim_reply_error(req, 400, "body.invalid", "settings are required");
		return;
	}
	json_object_object_foreach(body, key, val) {
		if ((i = voicemail_key(key)) == -1 ||
		    strcmp(voicemail_key_name(i), key) != 0)
			continue;	/* unknown keys: ignored */
		if (json_object_get_type(val) != (i == VM_HUMAN_NUMBER ?
		    json_type_string : json_type_boolean)) {
			sim_reply_error(req, 400, "value.invalid", key);
			return;
		}
	}
	json_object_object_foreach(body, k2, v2) {
		if ((i = voicemail_key(k2)) != -1 &&
		    strcmp(voicemail_key_name(i), k2) == 0)
			json_object_object_add(p->voicemail, k2,
			    json_object_get(v2));
	}
	sim_reply_json(req, 200, json_object_get(p->voicemail));
}

static const char *
var_of(const struct route_var *vars, const char *name)
{
	for (; vars != NULL && vars->name != NULL; vars++)
		if (strcmp(vars->name, name) == 0)
			return vars->value;
	return NULL;
}

/* A route of issue 21 parts 3-5 (not the diversion number: profile.c); 0 otherwise. */
int
sim_settings_route(struct evhttp_request *req, int route, struct sim_user *u,
    const struct route_var *vars, struct json_object *body)
{
	struct sim_settings	*p;

	switch (route) {
	case ROUTE_DIVERSION_RULES:
	case ROUTE_DIVERSION_RULE_PUT:
	case ROUTE_DIVERSION_RULE_DELETE:
	case ROUTE_DIVERSION_MAPPING:
	case ROUTE_USERLINE_LIST:
	case ROUTE_USERLINE_ACTIVE:
	case ROUTE_USERLINE_PUT:
	case ROUTE_VOICEMAIL_GET:
	case ROUTE_VOICEMAIL_PUT:
		break;
	default:
		return 0;
	}
	p = settings_get(u);
	switch (route) {
	case ROUTE_DIVERSION_RULES:
		sim_reply_json(req, 200, json_object_get(p->rules));
		break;
	case ROUTE_DIVERSION_RULE_PUT:
	case ROUTE_DIVERSION_RULE_DELETE:
		rule_change(req, u, var_of(vars, "line"), var_of(vars, "rule"),
		    body, route == ROUTE_DIVERSION_RULE_PUT);
		break;
	case ROUTE_DIVERSION_MAPPING:
		sim_reply_json(req, 200, json_object_get(p->mapping));
		break;
	case ROUTE_USERLINE_LIST:
		sim_reply_json(req, 200, userline_lines(p));
		break;
	case ROUTE_USERLINE_ACTIVE:
		sim_reply_json(req, 200, userline_active(p));
		break;
	case ROUTE_USERLINE_PUT:
		userline_put(req, p, body);
		break;
	case ROUTE_VOICEMAIL_GET:
		sim_reply_json(req, 200, json_object_get(p->voicemail));
		break;
	default:
		voicemail_put(req, p, body);
		break;
	}
	return 1;
}

/* For POST /_sim/forward: what a user's settings hold now. */
struct json_object *
sim_settings_json(struct sim_user *u)
{
	struct sim_settings	*p = settings_get(u);
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "rules", json_object_get(p->rules));
	json_object_object_add(o, "userline", userline_active(p));
	json_object_object_add(o, "voicemail", json_object_get(p->voicemail));
	return o;
}
