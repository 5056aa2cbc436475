/*
 * bench-floor.c: the memory floor of `make bench`.
 *
 * A program that links what dstnyd links and initialises those libraries
 * the way dstnyd does (curl with TLS, libxml2, libevent, an sd-bus
 * connection), then waits. Its USS is what any such process costs before
 * it does anything; running beside dstnyd, it also shares the libraries'
 * pages with it, as the other programs of a desktop session would.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <systemd/sd-bus.h>

int
main(void)
{
	struct event_base	*base;
	struct json_object	*o;
	sd_bus			*bus = NULL;
	CURLM			*multi;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	xmlInitParser();
	base = event_base_new();
	multi = curl_multi_init();
	o = json_tokener_parse("{\"stateToken\": 1}");
	if (sd_bus_open_user(&bus) < 0)
		bus = NULL;
	printf("ready\n");
	fflush(stdout);
	pause();
	sd_bus_unref(bus);
	json_object_put(o);
	curl_multi_cleanup(multi);
	event_base_free(base);
	return 0;
}
