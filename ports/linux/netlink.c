/*
 * Interfaces and addresses from rtnetlink, with libmnl: a dump at start, then
 * notifications (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR). When the
 * kernel drops notifications (ENOBUFS) the receive buffer is enlarged and the whole
 * table resynchronised from a fresh dump: nothing is ever silently out of date.
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

/* ---- parsing ---- */

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static int addr_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static void on_link(struct netlink *nl, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type == RTM_DELLINK) {
		ifaces_remove(nl->d, ifm->ifi_index);
		return;
	}
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb);
	struct iface *i = ifaces_upsert(&nl->d->ifaces, ifm->ifi_index);
	if (!i)
		return;
	i->seen = true;
	i->flags = ifm->ifi_flags;
	i->arptype = ifm->ifi_type;
	if (tb[IFLA_IFNAME])
		snprintf(i->name, sizeof(i->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(i->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_MTU] && mnl_attr_get_payload_len(tb[IFLA_MTU]) == 4)
		i->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
}

static void on_addr(struct netlink *nl, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, tb);
	/* IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer's on point-to-point). */
	const struct nlattr *a = ifa->ifa_family == AF_INET && tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return;
	struct iface *i = ifaces_find(&nl->d->ifaces, (int)ifa->ifa_index);
	if (!i)
		return; /* the link comes first in a dump; a late address comes again with its link */
	uint32_t flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	iface_addr_set(i, ifa->ifa_family, mnl_attr_get_payload(a), ifa->ifa_prefixlen, flags,
	    nlh->nlmsg_type == RTM_NEWADDR);
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct netlink *nl = data;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(nl, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(nl, nlh);
		break;
	}
	return MNL_CB_OK;
}

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
		int rc = mnl_cb_run(nl->buf, (size_t)n, nl->seq, nl->dump_portid, on_msg, nl);
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
	struct ifaces *t = &nl->d->ifaces;
	for (size_t k = 0; k < t->n; k++) {
		t->v[k]->seen = false;
		for (size_t a = 0; a < t->v[k]->naddrs; a++)
			t->v[k]->addrs[a].seen = false;
	}
	if (!dump_one(nl, RTM_GETLINK, AF_UNSPEC, err, cap) || !dump_one(nl, RTM_GETADDR, AF_UNSPEC, err, cap))
		return false;
	/* Sweep what the dump no longer shows. */
	for (size_t k = 0; k < t->n;) {
		struct iface *i = t->v[k];
		if (!i->seen) {
			ifaces_remove(nl->d, i->ifindex);
			continue;
		}
		for (size_t a = 0; a < i->naddrs;) {
			if (!i->addrs[a].seen)
				i->addrs[a] = i->addrs[--i->naddrs];
			else
				a++;
		}
		k++;
	}
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
		if (mnl_cb_run(nl->buf, (size_t)n, 0, 0, on_msg, nl) < 0)
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
