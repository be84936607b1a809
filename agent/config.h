/*
 * config.h: the agent's configuration (config.c): where the central repository is, the
 * office's login, deadlines, bounds, the round interval and the backoff, the log.
 */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

#include "sync.h"

enum { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARNING, LOG_LEVEL_ERROR };

struct config {
	char *path;
	char *central, *username, *password, *ca_file, *ssh_key, *ssh_pubkey;
	char *log;               /* a file, "syslog" or "stderr" (default) */
	char *serve, *serve_cert, *serve_key; /* the web pages: ADDR:PORT, TLS files (agent) */
	int log_level;
	int deadline_ms;         /* each network operation */
	size_t push_limit;       /* bytes per push */
	size_t max_bytes;        /* bytes per change-set */
	int64_t interval_ms;     /* between rounds when all is well */
	int64_t backoff_first_ms, backoff_cap_ms;
};

/* The configuration beside the database ("office.db" -> "office.conf") unless
 * $SINKRON_CONFIG names one. */
char *config_default_path(const char *db_path);
/* Reads path (a missing file gives the defaults unless must_exist); -1 after printing what is
 * wrong, including a file others can read. */
int config_load(struct config *c, const char *path, int must_exist);
void config_release(struct config *c);
/* The remote to use: the configuration's central, else the database's. */
void config_remote(const struct config *c, struct sk_remote *r, const char *central);

#endif
