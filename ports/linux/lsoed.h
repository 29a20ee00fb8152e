/*
 * lsoed: the LSOE daemon for Linux. One process, one epoll loop, the unchanged core
 * engine. This header is shared by its files:
 *
 *   lsoed.c    main: options, config, daemonising, the loop, signals, reload, shutdown,
 *              the engine's platform, the control socket's answers
 *   links_json.c  the answer to "show links" (links_json.h: ctl_test_server uses it too)
 *   log.c      syslog or stderr, with levels
 *   packet.c   AF_PACKET: one socket for every port, BPF, multicast membership
 *   netlink.c  rtnetlink (libmnl): links and addresses, dumps and notifications
 *   netlink_msg.c  the messages parsed into the interface table (no socket)
 *   ifaces.c   the interface table: which are ports, what each announces
 *   bgp*.c     the BGP-LS export to BGP speakers (bgp.h)
 */
#ifndef LSOED_H
#define LSOED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "loop.h"
#include "lsoe/node.h"

/* ---- log.c ---- */

enum { LOG_TO_STDERR, LOG_TO_SYSLOG };
void log_open(int where, int level); /* level: enum lsoe_log_level */
void log_set_level(int level);
int log_level(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LSOE_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LSOE_LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LSOE_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LSOE_LOG_DEBUG, __VA_ARGS__)

/* ---- ifaces.c ---- */

struct if_addr {
	int family;                  /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix_len;
	uint32_t flags;              /* IFA_F_* */
	bool seen;                   /* resynchronisation mark */
};

#define LSOED_IFNAMSIZ 16 /* IFNAMSIZ, without mixing <net/if.h> and <linux/if.h> */

struct iface {
	int ifindex;
	char name[LSOED_IFNAMSIZ];
	uint8_t mac[6];
	unsigned flags;              /* IFF_* */
	uint32_t mtu;
	unsigned short arptype;      /* ARPHRD_* */
	bool is_port;                /* selected and known to the engine */
	bool member;                 /* in the HELLO multicast group */
	bool seen;                   /* resynchronisation mark */
	struct if_addr *addrs;
	size_t naddrs, addrs_cap;
	/* What we last gave the engine, per encapsulation type, to announce only changes. */
	struct lsoe_encap *announced[4];
	uint8_t *announced_labels[4];
	size_t nannounced[4];
	bool announced_set[4];
};

struct ifaces {
	struct iface **v;
	size_t n, cap;
};

struct lsoed;
struct iface *ifaces_find(struct ifaces *t, int ifindex);
/* Create or update from a link message; returns the entry. */
struct iface *ifaces_upsert(struct ifaces *t, int ifindex);
void ifaces_remove(struct lsoed *d, int ifindex);
void ifaces_free(struct ifaces *t);
/* Add or remove an address; returns true if the list changed. */
bool iface_addr_set(struct iface *i, int family, const uint8_t *addr, uint8_t plen, uint32_t flags, bool add);
/* Bring the engine in line with the table: ports added/removed/up/down, MTUs, announcements. */
void ifaces_sync(struct lsoed *d);

/* ---- netlink_msg.c: rtnetlink messages into d->ifaces, without a socket ---- */

/*
 * Apply the rtnetlink messages in buf (len octets as received: a stream of
 * nlmsghdr) to d->ifaces: RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR; other
 * types are ignored. seq and portid as for mnl_cb_run (0: not checked). Returns
 * mnl_cb_run's result: MNL_CB_STOP at the end of a dump, -1 on an error message, a
 * sequence or port mismatch or an interrupted dump (the messages before it are
 * applied). A malformed message ends the buffer: what follows it is ignored. The
 * caller runs ifaces_sync.
 */
int netlink_handle_buffer(struct lsoed *d, const void *buf, size_t len, uint32_t seq, uint32_t portid);
/* A resynchronisation: mark everything unseen before the dump... */
void netlink_dump_mark(struct lsoed *d);
/* ...and after it drop what the dump did not show (then ifaces_sync). */
void netlink_dump_sweep(struct lsoed *d);

/* ---- netlink.c ---- */

struct netlink;
struct netlink *netlink_open(struct lsoed *d, int epfd, char *err, size_t cap);
/* Dump links and addresses into d->ifaces (marks and sweeps: a resynchronisation). */
bool netlink_dump(struct netlink *nl, char *err, size_t cap);
void netlink_close(struct netlink *nl);

/* ---- packet.c ---- */

struct packet;
struct packet *packet_open(struct lsoed *d, int epfd, uint16_t ethertype, char *err, size_t cap);
void packet_close(struct packet *p);
/* Join or leave the HELLO group on one interface. */
bool packet_membership(struct packet *p, int ifindex, const uint8_t group[6], bool join);
/*
 * Send one datagram to dst on ifindex, from mac; never blocks. Small frames are held
 * until packet_flush, which the loop calls before it waits again.
 */
void packet_send(struct packet *p, int ifindex, const uint8_t src[6], const uint8_t dst[6], const uint8_t *dgram,
    size_t len);

void packet_flush(struct packet *p);
/* Frames the kernel dropped before lsoed could read them (receive buffer full), in total. */
uint64_t packet_rx_drops(struct packet *p);
/* Receive buffers large enough for frames of this MTU. */
bool packet_fit_mtu(struct packet *p, uint32_t mtu);

struct daemon_stats {
	uint64_t tx_dropped;         /* the socket refused a frame (full): the protocol retransmits */
	uint64_t rx_truncated;       /* a frame larger than any port's MTU */
	uint64_t rx_vlan_skipped;    /* tagged frames seen on a parent: they arrive again on the VLAN port */
	uint64_t netlink_resyncs;
};

/* ---- lsoed.c ---- */

struct lsoed {
	const char *config_path;
	bool foreground;
	int debug;
	struct lsoe_config cfg;
	struct lsoe_node *node;
	struct ifaces ifaces;
	struct netlink *nl;
	struct packet *pkt;
	struct ctl *ctl;
	struct report *report;       /* report-url, when set */
	struct bgp *bgp;             /* the BGP-LS export (bgp.h); no peers unless bgp-ls-peer is set */
	int epfd;
	int timerfd;
	uint64_t armed;              /* deadline the timerfd holds, LSOE_NEVER if none */
	struct daemon_stats st;
	bool stopping;
	uint64_t stop_deadline;
};

/* Whether this interface should be a port under the current config. */
bool lsoed_selects(const struct lsoed *d, const struct iface *i);
/* The engine may have new deadlines: re-arm the timer. */
void lsoed_rearm(struct lsoed *d);
uint64_t lsoed_now(void);

#endif
