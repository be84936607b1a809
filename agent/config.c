/*
 * config.c: the agent's configuration file, `key = value` lines with # comments.  It may hold
 * the password of the office's login, so it must be readable by its owner only; a file others
 * can read is refused, like ssh refuses a key others can read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

void config_release(struct config *c)
{
	free(c->path);
	free(c->central);
	free(c->username);
	if (c->password) /* not left behind in freed memory */
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->ca_file);
	free(c->ssh_key);
	free(c->ssh_pubkey);
	free(c->serve), free(c->serve_cert), free(c->serve_key);
	free(c->log);
	memset(c, 0, sizeof(*c));
}

char *config_default_path(const char *db_path)
{
	const char *env = getenv("SINKRON_CONFIG");
	size_t n = strlen(db_path);
	if (env && *env)
		return sk_strdup(env);
	if (n > 3 && !strcmp(db_path + n - 3, ".db"))
		return sk_printf("%.*s.conf", (int)(n - 3), db_path);
	return sk_printf("%s.conf", db_path);
}

static char *trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_num(const char *path, int line, const char *key, const char *v, double min, double max, double *out)
{
	char *end;
	double d = strtod(v, &end);
	if (end == v || *trim(end) || d < min || d > max) {
		fprintf(stderr, "sinkron: %s line %d: %s = '%s' is not a number from %g to %g\n", path, line, key, v, min, max);
		return -1;
	}
	*out = d;
	return 0;
}

static void defaults(struct config *c)
{
	c->deadline_ms = 60000;
	c->push_limit = 64 * 1024;
	c->interval_ms = 300000;
	c->backoff_first_ms = 2000;
	c->backoff_cap_ms = 900000;
	c->max_bytes = 32 * 1024;
	c->log_level = LOG_LEVEL_INFO;
}

int config_load(struct config *c, const char *path, int must_exist)
{
	FILE *f;
	char buf[2048];
	int line = 0, rc = 0;
	struct stat st;

	memset(c, 0, sizeof(*c));
	defaults(c);
	c->path = sk_strdup(path);
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT && !must_exist)
			return 0;
		fprintf(stderr, "sinkron: cannot read the configuration '%s': %s\n", path, strerror(errno));
		config_release(c);
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fprintf(stderr, "sinkron: the configuration '%s' can be read by others and may hold a password: "
				"run 'chmod 600 %s'\n", path, path);
		fclose(f);
		config_release(c);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *k, *v, *eq, *hash;
		double d;
		line++;
		if ((hash = strchr(buf, '#')))
			*hash = '\0';
		k = trim(buf);
		if (!*k)
			continue;
		if (!(eq = strchr(k, '='))) {
			fprintf(stderr, "sinkron: %s line %d: expected 'key = value'\n", path, line);
			rc = -1;
			continue;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (!strcmp(k, "central")) {
			free(c->central), c->central = sk_strdup(v);
		} else if (!strcmp(k, "username")) {
			free(c->username), c->username = sk_strdup(v);
		} else if (!strcmp(k, "password")) {
			free(c->password), c->password = sk_strdup(v);
		} else if (!strcmp(k, "ca_file")) {
			free(c->ca_file), c->ca_file = sk_strdup(v);
		} else if (!strcmp(k, "ssh_key")) {
			free(c->ssh_key), c->ssh_key = sk_strdup(v);
		} else if (!strcmp(k, "ssh_pubkey")) {
			free(c->ssh_pubkey), c->ssh_pubkey = sk_strdup(v);
		} else if (!strcmp(k, "serve")) {
			free(c->serve), c->serve = sk_strdup(v);
		} else if (!strcmp(k, "serve_cert")) {
			free(c->serve_cert), c->serve_cert = sk_strdup(v);
		} else if (!strcmp(k, "serve_key")) {
			free(c->serve_key), c->serve_key = sk_strdup(v);
		} else if (!strcmp(k, "log")) {
			free(c->log), c->log = sk_strdup(v);
		} else if (!strcmp(k, "log_level")) {
			if (!strcmp(v, "debug"))
				c->log_level = LOG_LEVEL_DEBUG;
			else if (!strcmp(v, "info"))
				c->log_level = LOG_LEVEL_INFO;
			else if (!strcmp(v, "warning"))
				c->log_level = LOG_LEVEL_WARNING;
			else if (!strcmp(v, "error"))
				c->log_level = LOG_LEVEL_ERROR;
			else {
				fprintf(stderr, "sinkron: %s line %d: log_level is debug, info, warning or error\n", path, line);
				rc = -1;
			}
		} else if (!strcmp(k, "deadline")) {
			if (parse_num(path, line, k, v, 0.1, 3600, &d) < 0)
				rc = -1;
			else
				c->deadline_ms = (int)(d * 1000);
		} else if (!strcmp(k, "interval")) {
			if (parse_num(path, line, k, v, 0.05, 86400, &d) < 0)
				rc = -1;
			else
				c->interval_ms = (int64_t)(d * 1000);
		} else if (!strcmp(k, "backoff_first")) {
			if (parse_num(path, line, k, v, 0.01, 3600, &d) < 0)
				rc = -1;
			else
				c->backoff_first_ms = (int64_t)(d * 1000);
		} else if (!strcmp(k, "backoff_cap")) {
			if (parse_num(path, line, k, v, 0.05, 86400, &d) < 0)
				rc = -1;
			else
				c->backoff_cap_ms = (int64_t)(d * 1000);
		} else if (!strcmp(k, "push_limit")) {
			if (parse_num(path, line, k, v, 1024, 1 << 30, &d) < 0)
				rc = -1;
			else
				c->push_limit = (size_t)d;
		} else if (!strcmp(k, "changeset_bytes")) {
			if (parse_num(path, line, k, v, 1024, 4 << 20, &d) < 0)
				rc = -1;
			else
				c->max_bytes = (size_t)d;
		} else {
			fprintf(stderr, "sinkron: %s line %d: unknown setting '%s'\n", path, line, k);
			rc = -1;
		}
	}
	fclose(f);
	/* a key file that cannot be read is a configuration error, not a network failure to retry */
	for (int i = 0; i < 2; i++) {
		const char *key = i ? c->ssh_pubkey : c->ssh_key;
		if (key && access(key, R_OK) != 0) {
			fprintf(stderr, "sinkron: %s: the SSH key file '%s' (%s) cannot be read: %s\n", path, key,
				i ? "ssh_pubkey" : "ssh_key", strerror(errno));
			rc = -1;
		}
	}
	if (rc < 0)
		config_release(c); /* nothing of a configuration with errors is used */
	return rc;
}

void config_remote(const struct config *c, struct sk_remote *r, const char *central)
{
	memset(r, 0, sizeof(*r));
	r->url = c->central ? c->central : central;
	r->username = c->username;
	r->password = c->password;
	r->ssh_key = c->ssh_key;
	r->ssh_pubkey = c->ssh_pubkey;
	r->ca_file = c->ca_file;
	r->deadline_ms = c->deadline_ms;
	r->push_limit = c->push_limit;
}
