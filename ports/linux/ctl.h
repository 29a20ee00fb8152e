/*
 * The control socket: a Unix stream socket that lsoectl (or anything) connects to.
 *
 * Protocol: the client sends one request line (at most CTL_REQUEST_MAX octets, ending
 * in '\n'); the daemon answers with one JSON object and a '\n', then closes. Requests:
 *
 *   show neighbors | show links | show interfaces | show statistics | show config |
 *   show topology
 *   monitor          the answer is a stream of JSON lines, one per northbound event,
 *                    in the engine's event schema, until the client closes
 *
 * A malformed, unknown or oversized request is answered {"error": "..."} and closed;
 * a client that stops reading has its output bounded (CTL_OUTPUT_MAX) and is dropped
 * past it. Nothing a client does can block the daemon.
 *
 * Details (ctl.c):
 *   - White space (spaces, tabs, a CR before the '\n') around the request and between
 *     "show" and WHAT is ignored; a request of anything but printable ASCII is unknown.
 *     A client that shuts its sending side without a final '\n' has what it sent taken
 *     as the request. Octets after the first '\n' are ignored.
 *   - Errors: "unknown request 'X' (try: show neighbors|links|bgp|interfaces|
 *     statistics|config|topology, monitor)", "request too long (1024 octets without a newline)",
 *     "too many clients" (the CTL_CLIENTS_MAX+1st connection, monitors included:
 *     answered best effort and closed at once), "no request within 10 s", "answer too
 *     large (N octets, the limit is 4194304)" (an answer and its '\n' must fit
 *     CTL_OUTPUT_MAX), "internal error: ..." (ops->show wrote no complete JSON value).
 *   - Every answer and every broadcast line goes out as valid UTF-8 (any other octet is
 *     replaced by '?': interface names are arbitrary octets) and every answer is checked
 *     to be exactly one JSON value on one line.
 *   - A client must send its request within 10 s and read its whole answer within 60 s;
 *     monitor clients have no deadline and send nothing after "monitor" (what they send
 *     is read and discarded; shutting their sending side does not end the stream).
 */
#ifndef LSOED_CTL_H
#define LSOED_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <yajl/yajl_gen.h>

#include "loop.h"

#define CTL_REQUEST_MAX 1024
#define CTL_OUTPUT_MAX (4u * 1024 * 1024)
#define CTL_CLIENTS_MAX 64

struct ctl_ops {
	void *ctx;
	/*
	 * Write the answer to "show WHAT" into g as one JSON value (the server adds the
	 * newline). Return false and set err for an unknown WHAT.
	 */
	bool (*show)(void *ctx, const char *what, yajl_gen g, char *err, size_t cap);
};

struct ctl;

/* What ctl_answer makes of a request. */
enum ctl_answer_kind {
	CTL_ANSWER_LINE,     /* answer *line and close */
	CTL_ANSWER_MONITOR,  /* "monitor": the client becomes a monitor (no line) */
	CTL_ANSWER_NOMEM,    /* out of memory even for an error line: close */
};

/*
 * The request parser and dispatcher, without a socket: the answer to the request s
 * (n octets, without its '\n'), exactly as the server gives it. For "show WHAT" it
 * calls ops->show. On CTL_ANSWER_LINE, *line is a malloc'd answer of *len octets: one
 * JSON value on one line, valid UTF-8, then '\n' ({"error": ...} for a bad request);
 * otherwise *line is NULL. A request of CTL_REQUEST_MAX octets or more is answered
 * "request too long" (the server never passes one: it answers so itself when that many
 * octets come without a '\n'). The server's client_request calls this; so does the
 * fuzz target tests/fuzz/fuzz_ctl.c.
 */
enum ctl_answer_kind ctl_answer(const struct ctl_ops *ops, const char *s, size_t n, char **line, size_t *len);

/*
 * Listen on path (an existing socket file is replaced; any other file is an error),
 * chmod it to mode, register with epfd. NULL on error, with err set.
 * A socket file is replaced only when nobody accepts on it (connect is refused):
 * a running daemon's socket is never taken over. The socket is created with a umask
 * giving exactly mode, so it is never more open than asked, even for an instant.
 * Registration goes through loop_add/loop_mod/loop_del (loop.h), which the program
 * provides. ops is copied; ops->show may call ctl_broadcast.
 */
struct ctl *ctl_open(int epfd, const char *path, mode_t mode, const struct ctl_ops *ops, char *err, size_t cap);
/*
 * Send one JSON line (with its '\n'; added if missing) to every monitor client.
 * A client whose pending output would pass CTL_OUTPUT_MAX is dropped. c may be NULL.
 */
void ctl_broadcast(struct ctl *c, const char *line, size_t len);
/*
 * Stop listening, disconnect every client, remove the socket file (unless it has been
 * replaced by another file since). c may be NULL. Safe to call from an event handler,
 * e.g. on reload: events for c already returned by epoll_wait are then ignored, and
 * c's memory is freed once the next ctl_open's ctl has handled an event.
 */
void ctl_close(struct ctl *c);

#endif
