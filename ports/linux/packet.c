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

#define RX_VLEN 32        /* frames one recvmmsg takes */
#define RX_BUFFER (4 << 20) /* socket receive buffer, octets */
#define RX_ROUNDS 8       /* recvmmsg calls per wake-up, so timers and other sockets get their turn */
#define TX_BATCH 64       /* frames held for one sendmmsg */
#define TX_SLOT 256       /* frames held back are small (HELLO, KEEPALIVE, ACK, OPEN) */

struct packet {
	struct loop_handler h;
	struct lsoed *d;
	int fd;
	int epfd;
	uint16_t ethertype;
	uint64_t kernel_drops;       /* frames the kernel dropped for want of buffer room, so far */
	/* Receive: RX_VLEN slots, each as large as the largest port's frame (packet_fit_mtu). */
	uint8_t *rx;
	size_t slot;
	struct sockaddr_ll rx_from[RX_VLEN];
	char rx_cmsg[RX_VLEN][CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec rx_iov[RX_VLEN];
	struct mmsghdr rx_msg[RX_VLEN];
	/*
	 * Send: small frames wait here until packet_flush (the end of the loop iteration),
	 * so the keepalives of every session, which the engine sends on one beat, leave in
	 * one system call. Large frames flush the batch and go at once, keeping order.
	 */
	uint8_t tx[TX_BATCH][TX_SLOT];
	struct sockaddr_ll tx_to[TX_BATCH];
	struct iovec tx_iov[TX_BATCH];
	struct mmsghdr tx_msg[TX_BATCH];
	unsigned ntx;
	uint8_t big[LSOE_ETH_HDR_LEN + LSOE_DGRAM_MAX_LEN + 64];
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

static void deliver(struct packet *p, const uint8_t *frame, size_t n, const struct sockaddr_ll *sll,
    const struct msghdr *msg)
{
	if (sll->sll_pkttype == PACKET_OUTGOING)
		return; /* kernels before 4.20 ignore PACKET_IGNORE_OUTGOING */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c))
		if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (aux.tp_status & TP_STATUS_VLAN_VALID) {
				/* Seen on the parent with its tag stripped: the VLAN port gets its own copy. */
				p->d->st.rx_vlan_skipped++;
				return;
			}
		}
	struct iface *i = ifaces_find(&p->d->ifaces, sll->sll_ifindex);
	struct lsoe_eth eth;
	if (!i || !i->is_port || lsoe_eth_decode(frame, n, &eth) != LSOE_OK || eth.ethertype != p->ethertype)
		return;
	lsoe_node_input(p->d->node, (uint32_t)i->ifindex, eth.src, eth.dst, eth.payload, eth.payload_len);
}

bool packet_fit_mtu(struct packet *p, uint32_t mtu)
{
	size_t slot = LSOE_ETH_HDR_LEN + 8 + (size_t)mtu; /* room for up to two VLAN tags */
	if (slot <= p->slot)
		return true;
	uint8_t *rx = malloc(RX_VLEN * slot);
	if (!rx) {
		log_err("no memory for receive buffers at MTU %u", mtu);
		return false;
	}
	free(p->rx);
	p->rx = rx;
	p->slot = slot;
	return true;
}

static void on_readable(struct loop_handler *h, uint32_t events)
{
	struct packet *p = (struct packet *)h;
	(void)events;
	for (int round = 0; round < RX_ROUNDS; round++) {
		for (unsigned k = 0; k < RX_VLEN; k++) {
			p->rx_iov[k] = (struct iovec){ p->rx + k * p->slot, p->slot };
			p->rx_msg[k].msg_hdr = (struct msghdr){ .msg_name = &p->rx_from[k], .msg_namelen = sizeof(p->rx_from[k]),
				.msg_iov = &p->rx_iov[k], .msg_iovlen = 1, .msg_control = p->rx_cmsg[k],
				.msg_controllen = sizeof(p->rx_cmsg[k]) };
		}
		/* One call returns what is queued, up to RX_VLEN: no second call to learn there is no more. */
		int n = recvmmsg(p->fd, p->rx_msg, RX_VLEN, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("packet socket: %s", strerror(errno));
			return;
		}
		for (int k = 0; k < n; k++) {
			if (p->rx_msg[k].msg_hdr.msg_flags & MSG_TRUNC) {
				p->d->st.rx_truncated++; /* larger than every port's MTU allows */
				continue;
			}
			deliver(p, p->rx + k * p->slot, p->rx_msg[k].msg_len, &p->rx_from[k], &p->rx_msg[k].msg_hdr);
		}
		if (n < RX_VLEN)
			return; /* drained: epoll tells us when there is more */
	}
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
	if (!packet_fit_mtu(p, LSOE_MTU_DEFAULT)) {
		snprintf(err, cap, "out of memory");
		free(p);
		return NULL;
	}
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
	/*
	 * Room for a burst (a flood, or every port's HELLO at once after a restart) while the
	 * loop is busy: what does not fit is dropped by the kernel and counted (packet_rx_drops).
	 */
	int rcvbuf = RX_BUFFER;
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return p;
}

uint64_t packet_rx_drops(struct packet *p)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	if (getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		p->kernel_drops += st.tp_drops; /* the kernel resets its counts on every read */
	return p->kernel_drops;
}

void packet_close(struct packet *p)
{
	if (!p)
		return;
	packet_flush(p);
	loop_del(p->epfd, p->fd);
	close(p->fd);
	free(p->rx);
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

void packet_flush(struct packet *p)
{
	unsigned done = 0;
	while (done < p->ntx) {
		int r = sendmmsg(p->fd, p->tx_msg + done, p->ntx - done, MSG_DONTWAIT);
		if (r <= 0) {
			/* The first unsent frame failed (socket full, port gone): drop it, carry on with the rest. */
			p->d->st.tx_dropped++;
			if (r < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ENETDOWN && errno != ENXIO)
				log_debug("send on interface %d: %s", p->tx_to[done].sll_ifindex, strerror(errno));
			done++;
			continue;
		}
		done += (unsigned)r;
	}
	p->ntx = 0;
}

void packet_send(struct packet *p, int ifindex, const uint8_t src[6], const uint8_t dst[6], const uint8_t *dgram,
    size_t len)
{
	if (len > LSOE_DGRAM_MAX_LEN)
		return;
	size_t n = LSOE_ETH_HDR_LEN + len, wire = n < LSOE_ETH_MIN_FRAME ? LSOE_ETH_MIN_FRAME : n;
	bool batch = wire <= TX_SLOT;
	if (!batch || p->ntx == TX_BATCH)
		packet_flush(p); /* keep the order: what waits goes first */
	uint8_t *f = batch ? p->tx[p->ntx] : p->big;
	lsoe_eth_encode_header(f, dst, src, p->ethertype);
	memcpy(f + LSOE_ETH_HDR_LEN, dgram, len);
	if (n < wire) /* veth and some drivers do not pad */
		memset(f + n, 0, wire - n);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(p->ethertype), .sll_ifindex = ifindex,
		.sll_halen = 6 };
	memcpy(sll.sll_addr, dst, 6);
	if (batch) {
		unsigned k = p->ntx++;
		p->tx_to[k] = sll;
		p->tx_iov[k] = (struct iovec){ f, wire };
		p->tx_msg[k].msg_hdr = (struct msghdr){ .msg_name = &p->tx_to[k], .msg_namelen = sizeof(sll),
			.msg_iov = &p->tx_iov[k], .msg_iovlen = 1 };
		return;
	}
	if (sendto(p->fd, f, wire, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		p->d->st.tx_dropped++;
		if (errno != EAGAIN && errno != ENOBUFS && errno != ENETDOWN && errno != ENXIO)
			log_debug("send on interface %d: %s", ifindex, strerror(errno));
	}
}
