#include "send_socket.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int tool_send_socket(const char *prog, const char *iface, int *ifindex)
{
	if (strlen(iface) >= IF_NAMESIZE) {
		fprintf(stderr, "%s: %s: interface name too long\n", prog, iface);
		return -1;
	}
	unsigned index = if_nametoindex(iface);
	if (!index) {
		fprintf(stderr, "%s: %s: no such interface (%s)\n", prog, iface, strerror(errno));
		return -1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		fprintf(stderr, "%s: %s: cannot open a packet socket: %s%s\n", prog, iface, strerror(e),
		    e == EPERM ? " (sending raw frames needs CAP_NET_RAW)" : "");
		return -1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = 0, .sll_ifindex = (int)index };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "%s: %s: cannot bind a packet socket: %s\n", prog, iface, strerror(errno));
		close(fd);
		return -1;
	}
	if (ifindex)
		*ifindex = (int)index;
	return fd;
}
