/*
 * redirector: an HTTP server on loopback that answers every request with a redirect to --to (the
 * request's path appended), or without --to with 401 and a Basic challenge; it appends each
 * request's head (request line and headers) to --log.  Tests point a client at it to see what
 * the client sends where it is sent: a login must never reach the server a redirect names.
 *   redirector [--listen HOST] [--to URLBASE] [--status 302] --log FILE    prints the port
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *listen_host = "127.0.0.1", *to = NULL, *logpath = NULL;
	int status = 302, s, one = 1;
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--listen"))
			listen_host = argv[i + 1];
		else if (!strcmp(argv[i], "--to"))
			to = argv[i + 1];
		else if (!strcmp(argv[i], "--status"))
			status = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--log"))
			logpath = argv[i + 1];
	}
	if (!logpath) {
		fprintf(stderr, "usage: redirector [--listen HOST] [--to URLBASE] [--status 302] --log FILE\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	if (inet_pton(AF_INET, listen_host, &a.sin_addr) != 1 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s, 16) < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		perror("redirector");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		char req[16384], path[4096] = "/", out[8192];
		size_t have = 0;
		ssize_t n;
		int c = accept(s, NULL, NULL);
		FILE *log;
		if (c < 0)
			continue;
		/* the head only: up to the empty line */
		while (have + 1 < sizeof(req) && (n = read(c, req + have, sizeof(req) - 1 - have)) > 0) {
			have += (size_t)n;
			req[have] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[have] = '\0';
		if ((log = fopen(logpath, "a"))) {
			fprintf(log, "%s\n----\n", req);
			fclose(log);
		}
		sscanf(req, "%*s %4095s", path);
		if (to)
			n = snprintf(out, sizeof(out), "HTTP/1.1 %d Moved\r\nLocation: %s%s\r\nContent-Length: 0\r\n"
				     "Connection: close\r\n\r\n", status, to, path);
		else
			n = snprintf(out, sizeof(out), "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n"
				     "Content-Length: 0\r\nConnection: close\r\n\r\n");
		if (write(c, out, (size_t)n) < 0)
			perror("redirector");
		close(c);
	}
}
