/*
 * rtnetlink messages into the interface table: RTM_NEWLINK and RTM_DELLINK into
 * d->ifaces, RTM_NEWADDR and RTM_DELADDR into each interface's addresses, and the
 * marks and sweep of a resynchronisation. No socket here: netlink.c receives the
 * messages (dumps and notifications) and hands each buffer over, and the fuzz target
 * tests/fuzz/fuzz_netlink.c feeds its inputs the same way.
 */
#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lsoed.h"

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

/*
 * The kernel's messages are well formed; these handlers do not assume it: a message
 * too short for its fixed header is ignored, a name is read within its attribute, and
 * an attribute is read only at its exact size (mnl_attr_get_* do not check).
 */
static void on_link(struct lsoed *d, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		ifaces_remove(d, ifm->ifi_index);
		return;
	}
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb);
	struct iface *i = ifaces_upsert(&d->ifaces, ifm->ifi_index);
	if (!i)
		return;
	i->seen = true;
	i->flags = ifm->ifi_flags;
	i->arptype = ifm->ifi_type;
	if (tb[IFLA_IFNAME]) {
		/* NUL-terminated by the kernel; read no further than the attribute anyway. */
		const char *name = mnl_attr_get_str(tb[IFLA_IFNAME]);
		size_t n = strnlen(name, mnl_attr_get_payload_len(tb[IFLA_IFNAME]));
		snprintf(i->name, sizeof(i->name), "%.*s", (int)(n < sizeof(i->name) ? n : sizeof(i->name)), name);
	}
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(i->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_MTU] && mnl_attr_get_payload_len(tb[IFLA_MTU]) == 4)
		i->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
}

static void on_addr(struct lsoed *d, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, tb);
	/* IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer's on point-to-point). */
	const struct nlattr *a = ifa->ifa_family == AF_INET && tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return;
	struct iface *i = ifaces_find(&d->ifaces, (int)ifa->ifa_index);
	if (!i)
		return; /* the link comes first in a dump; a late address comes again with its link */
	uint32_t flags = tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) == 4 ? mnl_attr_get_u32(tb[IFA_FLAGS])
	                                                                              : ifa->ifa_flags;
	iface_addr_set(i, ifa->ifa_family, mnl_attr_get_payload(a), ifa->ifa_prefixlen, flags,
	    nlh->nlmsg_type == RTM_NEWADDR);
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct lsoed *d = data;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(d, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(d, nlh);
		break;
	}
	return MNL_CB_OK;
}

/*
 * The octets of the well-formed messages at the start of buf, each with its padding
 * (the kernel pads every message to NLMSG_ALIGNTO). mnl_cb_run stops at the first
 * malformed message, but libmnl's mnl_nlmsg_ok compares a message's length with what
 * is left as an int, so a length of 2 GiB or more passes for a valid one and the walk
 * then reads far outside the buffer; and mnl_attr_parse reads attributes up to the end
 * of the padded message, past the buffer if a last message lacks its padding. We stop
 * where mnl_cb_run should, and before such a message.
 */
static size_t well_formed(const void *buf, size_t len)
{
	size_t off = 0;
	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)buf + off);
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		/* Not NLMSG_ALIGN: its mask is an unsigned int, and 0xFFFFFFFD aligns to 0. */
		size_t padded = ((size_t)nlh->nlmsg_len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
		if (padded > len - off)
			break;
		off += padded;
	}
	return off;
}

int netlink_handle_buffer(struct lsoed *d, const void *buf, size_t len, uint32_t seq, uint32_t portid)
{
	return mnl_cb_run(buf, well_formed(buf, len), seq, portid, on_msg, d);
}

void netlink_dump_mark(struct lsoed *d)
{
	struct ifaces *t = &d->ifaces;
	for (size_t k = 0; k < t->n; k++) {
		t->v[k]->seen = false;
		for (size_t a = 0; a < t->v[k]->naddrs; a++)
			t->v[k]->addrs[a].seen = false;
	}
}

void netlink_dump_sweep(struct lsoed *d)
{
	struct ifaces *t = &d->ifaces;
	for (size_t k = 0; k < t->n;) {
		struct iface *i = t->v[k];
		if (!i->seen) {
			ifaces_remove(d, i->ifindex);
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
}
