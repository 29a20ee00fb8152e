/*
 * The northbound push (config key report-url): every encapsulation update, and the
 * empty lists of a withdrawal, POSTed as JSON with the reference implementation's
 * field names, so a collector written for py-lsoed works unchanged:
 *
 *   my_switch_id, session_pyid, ifname, peer_macaddr, peer_switch_id, peer_attributes,
 *   pdu_type, pdu_name, encaps [{primary, loopback, ipaddr, prefixlen, labels}], unique
 *
 * (labels is a list for the MPLS types and null for the others, as py-lsoed sends.)
 *
 * Posting happens on a worker thread fed by a bounded queue: the protocol's loop only
 * formats and enqueues. A failed post is retried with exponential backoff (1 s to
 * 60 s) and reports keep their order; when the queue is full the oldest is dropped
 * and counted. Nothing here can block or slow the protocol.
 *
 * libcurl is loaded with dlopen when a report URL is configured, and only then: it and
 * what it pulls in (TLS, Kerberos, LDAP) are most of a small daemon's memory otherwise.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "json_event.h"
#include "json_pdu.h"
#include "lsoed.h"
#include "report.h"

#define QUEUE_MAX 1024

struct report {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *url;
	char *q[QUEUE_MAX];
	uint64_t seq[QUEUE_MAX];     /* to tell, after a post, whether the head is still the one posted */
	uint64_t next_seq;
	size_t head, n;
	bool stop;
	uint64_t sent, failed_attempts, dropped;
};

/* The libcurl functions we use, resolved at run time. */
static struct {
	void *lib;
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} curl;

static bool load_curl(void)
{
	if (curl.lib)
		return true;
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		log_err("report-url needs libcurl (Debian package libcurl4): %s", dlerror());
		return false;
	}
#define SYM(field, name) (*(void **)&curl.field = dlsym(lib, name))
	if (!SYM(global_init, "curl_global_init") || !SYM(easy_init, "curl_easy_init") ||
	    !SYM(easy_reset, "curl_easy_reset") || !SYM(easy_setopt, "curl_easy_setopt") ||
	    !SYM(easy_perform, "curl_easy_perform") || !SYM(easy_getinfo, "curl_easy_getinfo") ||
	    !SYM(easy_strerror, "curl_easy_strerror") || !SYM(easy_cleanup, "curl_easy_cleanup") ||
	    !SYM(slist_append, "curl_slist_append") || !SYM(slist_free_all, "curl_slist_free_all")) {
		log_err("report-url: libcurl lacks a function we need: %s", dlerror());
		dlclose(lib);
		return false;
	}
#undef SYM
	curl.lib = lib;
	curl.global_init(CURL_GLOBAL_DEFAULT);
	return true;
}

static const char *py_name(unsigned type)
{
	switch (type) {
	case LSOE_PDU_IPV4_ENCAP: return "IPV4ENCAPSULATION";
	case LSOE_PDU_IPV6_ENCAP: return "IPV6ENCAPSULATION";
	case LSOE_PDU_MPLS_IPV4_ENCAP: return "MPLSIPV4ENCAPSULATION";
	default: return "MPLSIPV6ENCAPSULATION";
	}
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static bool post(CURL *c, const char *url, const char *body)
{
	struct curl_slist *h = curl.slist_append(NULL, "Content-Type: application/json");
	curl.easy_reset(c);
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl.easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl.easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl.easy_perform(c);
	long status = 0;
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl.slist_free_all(h);
	if (rc != CURLE_OK || status < 200 || status >= 300) {
		log_debug("report to %s failed: %s (HTTP %ld)", url, rc != CURLE_OK ? curl.easy_strerror(rc) : "status",
		    status);
		return false;
	}
	return true;
}

static void *worker(void *arg)
{
	struct report *r = arg;
	CURL *c = curl.easy_init();
	unsigned backoff = 1;
	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		if (!r->n) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		char *body = strdup(r->q[r->head]);
		char *url = strdup(r->url);
		uint64_t posting = r->seq[r->head];
		pthread_mutex_unlock(&r->mu);
		bool ok = c && body && url && post(c, url, body);
		free(body);
		free(url);
		pthread_mutex_lock(&r->mu);
		if (ok) {
			/* The head may have been dropped meanwhile (queue full): remove it only if still there. */
			if (r->n && r->seq[r->head] == posting) {
				free(r->q[r->head]);
				r->q[r->head] = NULL;
				r->head = (r->head + 1) % QUEUE_MAX;
				r->n--;
			}
			r->sent++;
			backoff = 1;
			continue;
		}
		r->failed_attempts++;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += backoff;
		backoff = backoff >= 60 ? 60 : backoff * 2;
		while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0)
			; /* woken by new reports: keep waiting out the backoff */
	}
	pthread_mutex_unlock(&r->mu);
	if (c)
		curl.easy_cleanup(c);
	return NULL;
}

struct report *report_open(const char *url)
{
	if (!load_curl())
		return NULL;
	struct report *r = calloc(1, sizeof(*r));
	if (!r || !(r->url = strdup(url))) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->thread, NULL, worker, r) != 0) {
		free(r->url);
		free(r);
		return NULL;
	}
	return r;
}

void report_close(struct report *r)
{
	if (!r)
		return;
	/* Give the last reports (a shutdown's withdrawals) up to a second to go out. */
	for (int i = 0; i < 20; i++) {
		pthread_mutex_lock(&r->mu);
		size_t left = r->n;
		pthread_mutex_unlock(&r->mu);
		if (!left)
			break;
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	for (size_t i = 0; i < r->n; i++)
		free(r->q[(r->head + i) % QUEUE_MAX]);
	if (r->n)
		log_warn("report-url: %zu reports not delivered at exit", r->n);
	free(r->url);
	free(r);
}

static void enqueue(struct report *r, char *body)
{
	pthread_mutex_lock(&r->mu);
	if (r->n == QUEUE_MAX) { /* the collector is away: keep the newest */
		free(r->q[r->head]);
		r->head = (r->head + 1) % QUEUE_MAX;
		r->n--;
		r->dropped++;
	}
	r->q[(r->head + r->n) % QUEUE_MAX] = body;
	r->seq[(r->head + r->n) % QUEUE_MAX] = r->next_seq++;
	r->n++;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void report_event(struct report *r, const struct lsoe_config *cfg, const struct lsoe_event *ev)
{
	if (!r || ev->type != LSOE_EV_ENCAPS)
		return;
	char me[LSOE_ID_STRLEN], peer[LSOE_ID_STRLEN], mac[LSOE_MAC_STRLEN], addr[LSOE_ADDR_STRLEN];
	lsoe_fmt_hexcolon(me, sizeof(me), cfg->local_id, LSOE_LOCAL_ID_LEN);
	lsoe_fmt_hexcolon(peer, sizeof(peer), ev->peer_id, ev->has_peer_id ? LSOE_LOCAL_ID_LEN : 0);
	lsoe_fmt_mac(mac, ev->peer_mac);
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "my_switch_id", me);
	/* py-lsoed sends its session object's id(): any number stable for the session. */
	uint64_t sid = (uint64_t)ev->port << 48;
	for (int i = 0; i < 6; i++)
		sid ^= (uint64_t)ev->peer_mac[i] << (8 * (5 - i));
	lsoe_json_ku64(g, "session_pyid", sid);
	lsoe_json_kstr(g, "ifname", ev->port_name ? ev->port_name : "");
	lsoe_json_kstr(g, "peer_macaddr", mac);
	lsoe_json_kstr(g, "peer_switch_id", peer);
	lsoe_json_kattrs(g, "peer_attributes", ev->attrs, ev->attr_count);
	lsoe_json_kint(g, "pdu_type", ev->encap_type);
	lsoe_json_kstr(g, "pdu_name", py_name(ev->encap_type));
	lsoe_json_key(g, "encaps");
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < ev->encap_count; i++) {
		const struct lsoe_encap *e = &ev->encaps[i];
		yajl_gen_map_open(g);
		lsoe_json_kbool(g, "primary", (e->flags & LSOE_ENCAP_PRIMARY) != 0);
		lsoe_json_kbool(g, "loopback", (e->flags & LSOE_ENCAP_LOOPBACK) != 0);
		lsoe_json_kstr(g, "ipaddr", lsoe_fmt_encap_addr(addr, ev->encap_type, e));
		lsoe_json_kint(g, "prefixlen", e->prefix_len);
		lsoe_json_key(g, "labels");
		if (lsoe_encap_is_mpls(ev->encap_type)) {
			yajl_gen_array_open(g);
			for (unsigned k = 0; k < e->nlabels; k++)
				yajl_gen_integer(g, lsoe_label_value(e->labels, k));
			yajl_gen_array_close(g);
		} else {
			yajl_gen_null(g);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	lsoe_json_key(g, "unique");
	yajl_gen_array_open(g);
	lsoe_json_str(g, me);
	lsoe_json_str(g, ev->port_name ? ev->port_name : "");
	lsoe_json_str(g, mac);
	lsoe_json_str(g, peer);
	lsoe_json_str(g, py_name(ev->encap_type));
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	char *body = malloc(len + 1);
	if (body) {
		memcpy(body, buf, len);
		body[len] = '\0';
		enqueue(r, body);
	}
	yajl_gen_free(g);
}

void report_stats(struct report *r, uint64_t *sent, uint64_t *failed, uint64_t *dropped, uint64_t *queued)
{
	*sent = *failed = *dropped = *queued = 0;
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	*sent = r->sent;
	*failed = r->failed_attempts;
	*dropped = r->dropped;
	*queued = r->n;
	pthread_mutex_unlock(&r->mu);
}
