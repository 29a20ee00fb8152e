/*
 * Packet I/O on AF_PACKET: one raw socket bound to the LSOE EtherType on every
 * interface (frames carry the ingress ifindex), a BPF filter so the kernel wakes us
 * only for LSOE, PACKET_IGNORE_OUTGOING so our own frames are not looped back, and
 * multicast membership of the HELLO group per port. Sends never block: a full
 * socket drops the frame, and the protocol's retransmission covers it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "lsoe/wire.h"
#include "lsoed.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define RX_BATCH 256 /* frames read per wake-up, so timers and other sockets get their turn */

struct packet {
	struct loop_handler h;
	struct lsoed *d;
	int fd;
	int epfd;
	uint16_t ethertype;
	uint8_t buf[LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN + 64];
	uint8_t tx[LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN + 64];
};

/* ldh [12]; jeq #ethertype, accept, drop: the EtherType, as a last line behind the bound protocol. */
static int attach_filter(int fd, uint16_t ethertype)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ethertype, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xFFFF),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static void on_readable(struct loop_handler *h, uint32_t events)
{
	struct packet *p = (struct packet *)h;
	(void)events;
	for (int k = 0; k < RX_BATCH; k++) {
		struct sockaddr_ll sll;
		char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct iovec iov = { p->buf, sizeof(p->buf) };
		struct msghdr msg = { .msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(p->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("packet socket: %s", strerror(errno));
			return;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue; /* kernels before 4.20 ignore PACKET_IGNORE_OUTGOING */
		bool tagged = false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
				struct tpacket_auxdata aux;
				memcpy(&aux, CMSG_DATA(c), sizeof(aux));
				tagged = (aux.tp_status & TP_STATUS_VLAN_VALID) != 0;
			}
		if (tagged) {
			/* Seen on the parent with its tag stripped: the VLAN port gets its own copy. */
			p->d->st.rx_vlan_skipped++;
			continue;
		}
		struct iface *i = ifaces_find(&p->d->ifaces, sll.sll_ifindex);
		if (!i || !i->is_port || (size_t)n < LSOE_ETH_HDR_LEN)
			continue;
		struct lsoe_eth eth;
		if (lsoe_eth_decode(p->buf, (size_t)n, &eth) != LSOE_OK || eth.ethertype != p->ethertype)
			continue;
		lsoe_node_input(p->d->node, (uint32_t)i->ifindex, eth.src, eth.dst, eth.payload, eth.payload_len);
	}
	/* More may be waiting: level-triggered epoll calls again. */
}

struct packet *packet_open(struct lsoed *d, int epfd, uint16_t ethertype, char *err, size_t cap)
{
	struct packet *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	p->h.fn = on_readable;
	p->d = d;
	p->epfd = epfd;
	p->ethertype = ethertype;
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ethertype));
	if (p->fd < 0) {
		snprintf(err, cap, "AF_PACKET socket: %s%s", strerror(errno),
		    errno == EPERM ? " (lsoed needs CAP_NET_RAW)" : "");
		free(p);
		return NULL;
	}
	int one = 1;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ethertype), .sll_ifindex = 0 };
	if (attach_filter(p->fd, ethertype) < 0 || setsockopt(p->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 || loop_add(epfd, p->fd, EPOLLIN, &p->h) < 0) {
		snprintf(err, cap, "AF_PACKET socket setup: %s", strerror(errno));
		close(p->fd);
		free(p);
		return NULL;
	}
	if (setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
		log_debug("PACKET_IGNORE_OUTGOING unsupported (%s): filtering our own frames by packet type",
		    strerror(errno));
	return p;
}

void packet_close(struct packet *p)
{
	if (!p)
		return;
	loop_del(p->epfd, p->fd);
	close(p->fd);
	free(p);
}

bool packet_membership(struct packet *p, int ifindex, const uint8_t group[6], bool join)
{
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_MULTICAST, .mr_alen = 6 };
	memcpy(mr.mr_address, group, 6);
	if (setsockopt(p->fd, SOL_PACKET, join ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		log_warn("interface %d: cannot %s the HELLO group: %s", ifindex, join ? "join" : "leave", strerror(errno));
		return false;
	}
	return true;
}

void packet_send(struct packet *p, int ifindex, const uint8_t src[6], const uint8_t dst[6], const uint8_t *dgram,
    size_t len)
{
	if (len > LSOE_DGRAM_MAX_LEN)
		return;
	size_t n = lsoe_eth_encode_header(p->tx, dst, src, p->ethertype);
	memcpy(p->tx + n, dgram, len);
	n += len;
	if (n < LSOE_ETH_MIN_FRAME) { /* veth and some drivers do not pad */
		memset(p->tx + n, 0, LSOE_ETH_MIN_FRAME - n);
		n = LSOE_ETH_MIN_FRAME;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(p->ethertype), .sll_ifindex = ifindex,
		.sll_halen = 6 };
	memcpy(sll.sll_addr, dst, 6);
	if (sendto(p->fd, p->tx, n, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		p->d->st.tx_dropped++;
		if (errno != EAGAIN && errno != ENOBUFS && errno != ENETDOWN && errno != ENXIO)
			log_debug("send on interface %d: %s", ifindex, strerror(errno));
	}
}
