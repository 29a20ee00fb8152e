/*
 * lsoed: the LSOE daemon.
 *
 *   lsoed [-c FILE] [-f] [-d]... [-h] [-V]
 *
 * One epoll loop: the AF_PACKET socket, rtnetlink, a timerfd armed at the engine's
 * next deadline (CLOCK_MONOTONIC), a signalfd, and the control socket. SIGHUP reloads
 * the configuration without dropping sessions; SIGTERM and SIGINT withdraw every
 * announcement (empty lists, ACKed, for up to 2 s), close the sessions and exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "addrs.h"
#include "bgp.h"
#include "config_ini.h"
#include "format.h"
#include "json_event.h"
#include "json_pdu.h"
#include "links_json.h"
#include "lsoed.h"
#include "report.h"

#define DEFAULT_CONFIG "/etc/lsoed.conf"
#define DEFAULT_PIDFILE "/run/lsoed.pid"
#define STOP_GRACE_NS 2000000000ull /* time given to the withdrawals to be ACKed */

static struct lsoed D; /* the one daemon; handlers reach it through their own structs */

uint64_t lsoed_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the engine's platform ---- */

static uint64_t pf_now(void *ctx)
{
	(void)ctx;
	return lsoed_now();
}

static void pf_send(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *dgram, size_t len)
{
	struct lsoed *d = ctx;
	struct iface *i = ifaces_find(&d->ifaces, (int)port);
	if (i && d->pkt)
		packet_send(d->pkt, i->ifindex, i->mac, dst, dgram, len);
}

static void pf_random(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	uint8_t *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			log_err("getrandom: %s", strerror(errno)); /* never expected: the kernel is seeded by now */
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
}

static void *pf_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void pf_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	free(p);
}

static void pf_log(void *ctx, enum lsoe_log_level level, const char *subsystem, const char *msg)
{
	(void)ctx;
	log_msg(level, "%s: %s", subsystem, msg);
}

static void pf_event(void *ctx, const struct lsoe_event *ev)
{
	struct lsoed *d = ctx;
	size_t len;
	char *line = lsoe_json_event_line(d->cfg.name, ev, &len);
	if (line) {
		if (d->ctl)
			ctl_broadcast(d->ctl, line, len);
		free(line);
	}
	report_event(d->report, &d->cfg, ev);
	if (ev->type == LSOE_EV_LINKS || ev->type == LSOE_EV_ENCAPS || ev->type == LSOE_EV_SESSION_UP ||
	    ev->type == LSOE_EV_SESSION_DOWN)
		bgp_links_changed(d->bgp); /* the export looks at the view before the loop sleeps */
	if (ev->type == LSOE_EV_ENCAPS)
		log_debug("%s: %s from %02x:%02x:%02x:%02x:%02x:%02x: %u entries", ev->port_name,
		    lsoe_pdu_type_name(ev->encap_type), ev->peer_mac[0], ev->peer_mac[1], ev->peer_mac[2], ev->peer_mac[3],
		    ev->peer_mac[4], ev->peer_mac[5], ev->encap_count);
}

/* ---- timer ---- */

void lsoed_rearm(struct lsoed *d)
{
	if (!d->node || d->timerfd < 0)
		return;
	uint64_t next = lsoe_node_next_deadline(d->node);
	if (d->stopping && d->stop_deadline < next)
		next = d->stop_deadline;
	if (next == d->armed)
		return;
	struct itimerspec its = { 0 };
	if (next != LSOE_NEVER) {
		/* 0 would disarm: a deadline already past fires at once as 1 ns. */
		its.it_value.tv_sec = (time_t)(next / 1000000000u);
		its.it_value.tv_nsec = (long)(next % 1000000000u);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_err("timerfd: %s", strerror(errno));
	d->armed = next;
}

struct fd_handler {
	struct loop_handler h;
	struct lsoed *d;
};

static void on_timer(struct loop_handler *h, uint32_t events)
{
	struct lsoed *d = ((struct fd_handler *)h)->d;
	(void)events;
	uint64_t expirations;
	if (read(d->timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_warn("timerfd read: %s", strerror(errno));
	d->armed = LSOE_NEVER;
	lsoe_node_run(d->node);
}

/* ---- configuration ---- */

/*
 * A default local ID unique per host and per network namespace: machine-id and the
 * namespace's inode, hashed. Configure local-id in production; this is so that
 * several daemons on one host (one per namespace) never share an ID by accident.
 */
static void default_local_id(struct lsoe_config *cfg)
{
	uint64_t h = 0xcbf29ce484222325ull;
	char buf[256] = "";
	FILE *f = fopen("/etc/machine-id", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	struct stat st;
	if (stat("/proc/self/ns/net", &st) == 0)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%llu", (unsigned long long)st.st_ino);
	for (const char *p = buf; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	for (unsigned i = 0; i < LSOE_LOCAL_ID_LEN; i++) {
		h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
		cfg->local_id[i] = (uint8_t)(h >> 56);
	}
	cfg->local_id_set = true;
}

/* Load path (or the built-in defaults if path is NULL), check what the engine does not. */
static bool load_config(const char *path, bool must_exist, struct lsoe_config *cfg, char *err, size_t cap)
{
	lsoe_config_default(cfg);
	if (path && (must_exist || access(path, F_OK) == 0) && lsoe_config_load_file(cfg, path, err, cap) != 0)
		return false;
	struct addrs_cfg ac;
	char why[256];
	if (!addrs_cfg_parse(cfg, &ac, why, sizeof(why))) {
		snprintf(err, cap, "%s: %s", path ? path : "defaults", why);
		return false;
	}
	addrs_cfg_free(&ac);
	if (!cfg->local_id_set)
		default_local_id(cfg);
	struct bgp_settings peers[BGP_PEERS_MAX];
	size_t npeers;
	if (!bgp_parse_config(cfg, peers, &npeers, why, sizeof(why))) {
		snprintf(err, cap, "%s: %s", path ? path : "defaults", why);
		return false;
	}
	if (!strcmp(cfg->name, "lsoe")) {
		char host[64];
		if (gethostname(host, sizeof(host)) == 0) {
			host[sizeof(host) - 1] = '\0';
			snprintf(cfg->name, sizeof(cfg->name), "%s", host);
		}
	}
	return true;
}

static int level_from_config(const struct lsoe_config *cfg, int debug)
{
	if (debug)
		return LSOE_LOG_DEBUG;
	switch (cfg->log_level[0]) {
	case 'e': return LSOE_LOG_ERROR;
	case 'w': return LSOE_LOG_WARNING;
	case 'd': return LSOE_LOG_DEBUG;
	default: return LSOE_LOG_INFO;
	}
}

/* The engine logs what the daemon's level lets through. */
static void engine_level(struct lsoe_config *cfg, int level)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	snprintf(cfg->log_level, sizeof(cfg->log_level), "%s", names[level]);
}

static bool open_ctl(struct lsoed *d, char *err, size_t cap);

static void reload(struct lsoed *d)
{
	struct lsoe_config cfg;
	char err[1024];
	if (!load_config(d->config_path, d->config_path != NULL, &cfg, err, sizeof(err))) {
		log_err("reload refused, the running configuration stays: %s", err);
		return;
	}
	int level = level_from_config(&cfg, d->debug);
	engine_level(&cfg, level);
	if (lsoe_node_reconfigure(d->node, &cfg) != LSOE_OK) {
		log_err("reload refused by the engine; the running configuration stays");
		return;
	}
	log_set_level(level);
	struct lsoe_config old = d->cfg;
	/* The HELLO group and the EtherType belong to the socket. */
	if (old.ethertype != cfg.ethertype || memcmp(old.hello_mac, cfg.hello_mac, 6) != 0) {
		for (size_t k = 0; k < d->ifaces.n; k++)
			if (d->ifaces.v[k]->member && old.ethertype == cfg.ethertype)
				packet_membership(d->pkt, d->ifaces.v[k]->ifindex, old.hello_mac, false);
		for (size_t k = 0; k < d->ifaces.n; k++)
			d->ifaces.v[k]->member = false;
		if (old.ethertype != cfg.ethertype) {
			struct packet *p = packet_open(d, d->epfd, cfg.ethertype, err, sizeof(err));
			if (!p) {
				log_err("reload: %s; keeping EtherType 0x%04x", err, old.ethertype);
				cfg.ethertype = old.ethertype;
			} else {
				packet_close(d->pkt);
				d->pkt = p;
				for (size_t k = 0; k < d->ifaces.n; k++)
					if (d->ifaces.v[k]->is_port)
						packet_fit_mtu(p, d->ifaces.v[k]->mtu);
			}
		}
	}
	d->cfg = cfg;
	if (strcmp(old.report_url, cfg.report_url) != 0) {
		report_close(d->report);
		d->report = cfg.report_url[0] ? report_open(cfg.report_url) : NULL;
		if (cfg.report_url[0] && !d->report)
			log_err("reload: cannot start reporting to %s", cfg.report_url);
	}
	bgp_configure(d->bgp, &cfg);
	if (strcmp(old.control_socket, cfg.control_socket) != 0 || old.control_socket_mode != cfg.control_socket_mode) {
		ctl_close(d->ctl);
		d->ctl = NULL;
		if (!open_ctl(d, err, sizeof(err)))
			log_err("reload: %s", err);
	}
	ifaces_sync(d); /* ports chosen anew, announcements recomputed: only changes reach the peers */
	log_info("configuration reloaded%s%s", d->config_path ? " from " : "", d->config_path ? d->config_path : "");
}

/* ---- the control socket's answers ---- */

struct gen_ctx {
	yajl_gen g;
	uint64_t now;
};

static void neighbor_json(void *ctx, const struct lsoe_session_view *v)
{
	struct gen_ctx *c = ctx;
	lsoe_json_session(c->g, v, c->now);
}

/*
 * What the engine announces on the port (a list too long for one PDU is cut there,
 * see lsoe_node_set_encaps), and per type how many of our entries it left out.
 */
static void announced_json(yajl_gen g, const struct lsoe_port_view *p)
{
	lsoe_json_key(g, "announced");
	yajl_gen_map_open(g);
	for (unsigned k = 0; k < 4; k++) {
		unsigned type = LSOE_PDU_IPV4_ENCAP + k;
		lsoe_json_key(g, lsoe_pdu_type_name(type));
		yajl_gen_array_open(g);
		for (unsigned j = 0; j < p->encap_count[k]; j++)
			lsoe_json_encap_entry(g, type, &p->encaps[k][j]);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	lsoe_json_key(g, "left_out");
	yajl_gen_map_open(g);
	for (unsigned k = 0; k < 4; k++)
		lsoe_json_ku64(g, lsoe_pdu_type_name(LSOE_PDU_IPV4_ENCAP + k), p->encap_left_out[k]);
	yajl_gen_map_close(g);
}

struct port_ctx {
	struct lsoed *d;
	yajl_gen g;
	bool counters_only;
};

static void port_json(void *ctx, const struct lsoe_port_view *p)
{
	struct port_ctx *c = ctx;
	if (c->counters_only) {
		yajl_gen_map_open(c->g);
		lsoe_json_kstr(c->g, "port", p->name);
		lsoe_json_key(c->g, "counters");
		lsoe_json_counters(c->g, p->counters);
		yajl_gen_map_close(c->g);
		return;
	}
	/* The engine's port fields and ours, side by side in one object. */
	yajl_gen_map_open(c->g);
	lsoe_json_port_fields(c->g, p);
	lsoe_json_kint(c->g, "ifindex", (long long)p->port);
	announced_json(c->g, p);
	yajl_gen_map_close(c->g);
}

static bool ctl_show(void *ctx, const char *what, yajl_gen g, char *err, size_t cap)
{
	struct lsoed *d = ctx;
	struct gen_ctx gc = { g, lsoed_now() };
	char buf[LSOE_CFG_VALUE_MAX];
	yajl_gen_map_open(g);
	if (!strcmp(what, "neighbors") || !strcmp(what, "topology")) {
		if (!strcmp(what, "topology")) {
			lsoe_json_kstr(g, "node", d->cfg.name);
			lsoe_json_kstr(g, "local_id", lsoe_fmt_hexcolon(buf, sizeof(buf), d->cfg.local_id, LSOE_LOCAL_ID_LEN));
		}
		lsoe_json_key(g, "neighbors");
		yajl_gen_array_open(g);
		lsoe_node_foreach_session(d->node, neighbor_json, &gc);
		yajl_gen_array_close(g);
	} else if (!strcmp(what, "links")) {
		struct links_view lv = { 0 };
		lsoe_node_foreach_session(d->node, links_view_add, &lv);
		if (!links_view_json(&lv, g, d->cfg.local_id, err, cap))
			return false;
	} else if (!strcmp(what, "bgp")) {
		bgp_json_peers(d->bgp, g);
	} else if (!strcmp(what, "interfaces")) {
		struct port_ctx pc = { d, g, false };
		lsoe_json_key(g, "interfaces");
		yajl_gen_array_open(g);
		lsoe_node_foreach_port(d->node, port_json, &pc);
		yajl_gen_array_close(g);
	} else if (!strcmp(what, "statistics")) {
		struct lsoe_node_memory m;
		lsoe_node_memory(d->node, &m);
		lsoe_json_kstr(g, "node", d->cfg.name);
		struct lsoe_counters ctr;
		lsoe_node_counters_get(d->node, &ctr);
		lsoe_json_key(g, "counters");
		lsoe_json_counters(g, &ctr);
		lsoe_json_key(g, "memory");
		lsoe_json_node_memory(g, &m);
		lsoe_json_key(g, "daemon");
		yajl_gen_map_open(g);
		lsoe_json_ku64(g, "tx_dropped", d->st.tx_dropped);
		lsoe_json_ku64(g, "rx_vlan_skipped", d->st.rx_vlan_skipped);
		lsoe_json_ku64(g, "rx_truncated", d->st.rx_truncated);
		lsoe_json_ku64(g, "rx_kernel_dropped", d->pkt ? packet_rx_drops(d->pkt) : 0);
		lsoe_json_ku64(g, "netlink_resyncs", d->st.netlink_resyncs);
		uint64_t sent, failed, dropped, queued;
		report_stats(d->report, &sent, &failed, &dropped, &queued);
		lsoe_json_ku64(g, "reports_sent", sent);
		lsoe_json_ku64(g, "report_failures", failed);
		lsoe_json_ku64(g, "reports_dropped", dropped);
		lsoe_json_ku64(g, "reports_queued", queued);
		yajl_gen_map_close(g);
		bgp_json_stats(d->bgp, g);
		struct port_ctx pc = { d, g, true };
		lsoe_json_key(g, "interfaces");
		yajl_gen_array_open(g);
		lsoe_node_foreach_port(d->node, port_json, &pc);
		yajl_gen_array_close(g);
	} else if (!strcmp(what, "config")) {
		lsoe_json_key(g, "config");
		yajl_gen_map_open(g);
		for (size_t k = 0; k < lsoe_config_key_count(); k++) {
			const struct lsoe_config_key *key = lsoe_config_key_at(k);
			if (key->alias_of)
				continue;
			if (lsoe_config_get(&d->cfg, key->name, buf, sizeof(buf)))
				lsoe_json_kstr(g, key->name, buf);
		}
		yajl_gen_map_close(g);
	} else {
		snprintf(err, cap, "unknown: show %s (try neighbors, links, bgp, interfaces, statistics, config, topology)", what);
		return false;
	}
	yajl_gen_map_close(g);
	return true;
}

static bool open_ctl(struct lsoed *d, char *err, size_t cap)
{
	static struct ctl_ops ops = { .show = ctl_show };
	ops.ctx = d;
	if (!d->cfg.control_socket[0])
		return true; /* none configured */
	d->ctl = ctl_open(d->epfd, d->cfg.control_socket, (mode_t)d->cfg.control_socket_mode, &ops, err, cap);
	return d->ctl != NULL;
}

/* ---- signals ---- */

static void begin_stop(struct lsoed *d, const char *why)
{
	if (d->stopping)
		return;
	d->stopping = true;
	d->stop_deadline = lsoed_now() + STOP_GRACE_NS;
	bgp_stop(d->bgp); /* withdraw every link, then Cease */
	unsigned n = lsoe_node_withdraw(d->node);
	log_info("%s: withdrawing (%u announcement%s to be acknowledged), then stopping", why, n, n == 1 ? "" : "s");
}

struct sig_handler {
	struct loop_handler h;
	struct lsoed *d;
	int fd;
};

static void on_signal(struct loop_handler *h, uint32_t events)
{
	struct sig_handler *sh = (struct sig_handler *)h;
	struct lsoed *d = sh->d;
	(void)events;
	struct signalfd_siginfo si;
	while (read(sh->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			begin_stop(d, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
	}
}

/* ---- process ---- */

static int pidfile_fd = -1;

static bool write_pidfile(const char *path, char *err, size_t cap)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return false;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, cap, "%s: another lsoed holds it (%s)", path, strerror(errno));
		close(fd);
		return false;
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	pidfile_fd = fd;
	return true;
}

static void daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("lsoed: fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid < 0)
		exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		exit(1);
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void usage(FILE *out)
{
	fputs("usage: lsoed [-c FILE] [-f] [-d]... [-h] [-V]\n"
	      "  -c FILE   configuration (default " DEFAULT_CONFIG "; built-in defaults if absent)\n"
	      "  -f        stay in the foreground, log to stderr; no pidfile unless the pidfile key is set\n"
	      "  -d        debug logging\n"
	      "  -h        this text\n"
	      "  -V        version\n"
	      "Signals: HUP reloads the configuration, TERM and INT withdraw and stop.\n",
	    out);
}

int main(int argc, char **argv)
{
	struct lsoed *d = &D;
	const char *config_path = NULL;
	int c;
	while ((c = getopt(argc, argv, "c:fdhV")) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'f': d->foreground = true; break;
		case 'd': d->debug++; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("lsoed " LSOE_VERSION_STRING); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	char err[4096]; /* room for a path and a reason */
	d->config_path = config_path ? config_path : (access(DEFAULT_CONFIG, F_OK) == 0 ? DEFAULT_CONFIG : NULL);
	if (!load_config(d->config_path, config_path != NULL, &d->cfg, err, sizeof(err))) {
		fprintf(stderr, "lsoed: %s\n", err);
		return 2;
	}
	int level = level_from_config(&d->cfg, d->debug);
	engine_level(&d->cfg, level);
	if (!d->foreground)
		daemonize();
	log_open(d->foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG, level);
	const char *pidfile = d->cfg.pidfile[0] ? d->cfg.pidfile : d->foreground ? NULL : DEFAULT_PIDFILE;
	if (pidfile && !write_pidfile(pidfile, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	int sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->armed = LSOE_NEVER;
	struct sig_handler sig = { { on_signal }, d, sigfd };
	struct fd_handler timer = { { on_timer }, d };
	if (d->epfd < 0 || d->timerfd < 0 || sigfd < 0 || loop_add(d->epfd, d->timerfd, EPOLLIN, &timer.h) < 0 ||
	    loop_add(d->epfd, sigfd, EPOLLIN, &sig.h) < 0) {
		log_err("event loop setup: %s", strerror(errno));
		return 1;
	}

	struct lsoe_platform pf = { .ctx = d, .now_ns = pf_now, .send = pf_send, .random = pf_random,
		.alloc = pf_alloc, .free = pf_free, .log = pf_log, .event = pf_event };
	d->node = lsoe_node_create(&d->cfg, &pf);
	if (!d->node) {
		log_err("cannot create the engine (configuration rejected)");
		return 1;
	}
	if (!(d->pkt = packet_open(d, d->epfd, d->cfg.ethertype, err, sizeof(err))) ||
	    !(d->nl = netlink_open(d, d->epfd, err, sizeof(err))) || !open_ctl(d, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (d->cfg.report_url[0] && !(d->report = report_open(d->cfg.report_url))) {
		log_err("cannot start reporting to %s", d->cfg.report_url);
		return 1;
	}
	if (!(d->bgp = bgp_open(d, d->epfd))) {
		log_err("cannot start the BGP-LS export: out of memory");
		return 1;
	}
	bgp_configure(d->bgp, &d->cfg);
	if (!netlink_dump(d->nl, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	char id[LSOE_ID_STRLEN];
	log_info("started: node %s, local id %s, EtherType 0x%04X, %zu interfaces, control socket %s", d->cfg.name,
	    lsoe_fmt_hexcolon(id, sizeof(id), d->cfg.local_id, LSOE_LOCAL_ID_LEN), d->cfg.ethertype, d->ifaces.n,
	    d->cfg.control_socket[0] ? d->cfg.control_socket : "(none)");

	struct epoll_event evs[32];
	for (;;) {
		bgp_flush(d->bgp);
		packet_flush(d->pkt);
		lsoed_rearm(d);
		if (d->stopping && (lsoe_node_unacked(d->node) == 0 || lsoed_now() >= d->stop_deadline) &&
		    bgp_done(d->bgp))
			break;
		int n = epoll_wait(d->epfd, evs, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int k = 0; k < n; k++) {
			struct loop_handler *h = evs[k].data.ptr;
			h->fn(h, evs[k].events);
		}
	}

	unsigned left = lsoe_node_unacked(d->node);
	lsoe_node_shutdown(d->node);
	packet_flush(d->pkt);
	report_close(d->report);
	bgp_close(d->bgp);
	log_info("stopped%s", left ? " (some withdrawals were not acknowledged in time)" : "");
	ctl_close(d->ctl);
	netlink_close(d->nl);
	packet_close(d->pkt);
	lsoe_node_destroy(d->node);
	ifaces_free(&d->ifaces);
	if (pidfile_fd >= 0 && pidfile)
		unlink(pidfile);
	return 0;
}
