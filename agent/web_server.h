/*
 * web_server.h: the state of a running server, shared by the server (web_server.c: sessions,
 * login throttling, the requests' life) and the request/response layer under the pages
 * (web_http.c: the database connections and the options it serves with).  No page reads it.
 */
#ifndef SK_WEB_SERVER_H
#define SK_WEB_SERVER_H

#include <pthread.h>
#include <time.h>

#include "web.h"

struct MHD_Daemon;

#define MAX_SESSIONS 256
#define MAX_THROTTLE 256

struct session {
	int used;
	char token[65], csrf[65], user[64], role[16];
	time_t last;
};

struct throttle {
	char key[96];
	int fails;
	time_t until, last;
};

struct web_server {
	struct MHD_Daemon *d;
	char *db_path;
	struct web_options o;
	int tls, city;
	char *cert_pem, *key_pem;
	pthread_mutex_t lock;  /* sessions and throttle */
	struct web_search *search;  /* the name search's index, locked by itself */
	struct session sessions[MAX_SESSIONS];
	struct throttle throttle[MAX_THROTTLE];
};

#endif
