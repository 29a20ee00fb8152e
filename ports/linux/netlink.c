/*
 * Interfaces and addresses from rtnetlink, with libmnl: a dump at start, then
 * notifications (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR). When the
 * kernel drops notifications (ENOBUFS) the receive buffer is enlarged and the whole
 * table resynchronised from a fresh dump: nothing is ever silently out of date.
 * The messages themselves are parsed into the table by netlink_msg.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libmnl/libmnl.h>
#include <sys/epoll.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lsoed.h"

struct netlink {
	struct loop_handler h;
	struct lsoed *d;
	int epfd;
	struct mnl_socket *mon;      /* notifications */
	struct mnl_socket *dump;     /* request/response for dumps */
	unsigned dump_portid;
	uint32_t seq;
	int rcvbuf;
	char buf[65536];
};

/* ---- dumps ---- */

static bool dump_one(struct netlink *nl, int type, int family, char *err, size_t cap)
{
	char req[8192]; /* MNL_SOCKET_BUFFER_SIZE is not a constant expression */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = (unsigned char)family;
	if (mnl_socket_sendto(nl->dump, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, cap, "rtnetlink dump request: %s", strerror(errno));
		return false;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->dump, nl->buf, sizeof(nl->buf));
		if (n < 0) {
			snprintf(err, cap, "rtnetlink dump: %s", strerror(errno));
			return false;
		}
		int rc = netlink_handle_buffer(nl->d, nl->buf, (size_t)n, nl->seq, nl->dump_portid);
		if (rc == MNL_CB_STOP)
			return true;
		if (rc < 0) {
			snprintf(err, cap, "rtnetlink dump: %s", strerror(errno));
			return false;
		}
	}
}

bool netlink_dump(struct netlink *nl, char *err, size_t cap)
{
	netlink_dump_mark(nl->d);
	if (!dump_one(nl, RTM_GETLINK, AF_UNSPEC, err, cap) || !dump_one(nl, RTM_GETADDR, AF_UNSPEC, err, cap))
		return false;
	netlink_dump_sweep(nl->d);
	ifaces_sync(nl->d);
	return true;
}

/* ---- notifications ---- */

static void resync(struct netlink *nl)
{
	char err[256];
	nl->d->st.netlink_resyncs++;
	if (nl->rcvbuf < (64 << 20)) {
		nl->rcvbuf *= 2;
		int fd = mnl_socket_get_fd(nl->mon);
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &nl->rcvbuf, sizeof(nl->rcvbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &nl->rcvbuf, sizeof(nl->rcvbuf));
	}
	log_warn("rtnetlink notifications were lost: receive buffer now %d octets, resynchronising", nl->rcvbuf);
	if (!netlink_dump(nl, err, sizeof(err)))
		log_err("%s", err);
}

static void on_readable(struct loop_handler *h, uint32_t events)
{
	struct netlink *nl = (struct netlink *)h;
	(void)events;
	bool changed = false;
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(nl->mon), nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				resync(nl);
				return;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("rtnetlink: %s", strerror(errno));
			break;
		}
		if (netlink_handle_buffer(nl->d, nl->buf, (size_t)n, 0, 0) < 0)
			log_debug("rtnetlink: a malformed notification was ignored");
		changed = true;
	}
	if (changed)
		ifaces_sync(nl->d);
}

struct netlink *netlink_open(struct lsoed *d, int epfd, char *err, size_t cap)
{
	struct netlink *nl = calloc(1, sizeof(*nl));
	if (!nl) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	nl->h.fn = on_readable;
	nl->d = d;
	nl->epfd = epfd;
	nl->seq = (uint32_t)time(NULL);
	nl->rcvbuf = 1 << 20;
	nl->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	nl->dump = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (!nl->mon || !nl->dump || mnl_socket_bind(nl->mon, groups, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(nl->dump, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, cap, "rtnetlink: %s", strerror(errno));
		netlink_close(nl);
		return NULL;
	}
	int fd = mnl_socket_get_fd(nl->mon);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &nl->rcvbuf, sizeof(nl->rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &nl->rcvbuf, sizeof(nl->rcvbuf));
	nl->dump_portid = mnl_socket_get_portid(nl->dump);
	if (loop_add(epfd, fd, EPOLLIN, &nl->h) < 0) {
		snprintf(err, cap, "epoll: %s", strerror(errno));
		netlink_close(nl);
		return NULL;
	}
	return nl;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->mon) {
		loop_del(nl->epfd, mnl_socket_get_fd(nl->mon));
		mnl_socket_close(nl->mon);
	}
	if (nl->dump)
		mnl_socket_close(nl->dump);
	free(nl);
}
