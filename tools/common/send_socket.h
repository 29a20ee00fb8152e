/* The raw packet socket the test tools send frames on (lsoe-pcap-send, lsoe-flood). */
#ifndef LSOE_TOOLS_SEND_SOCKET_H
#define LSOE_TOOLS_SEND_SOCKET_H

/*
 * An AF_PACKET socket bound to iface for sending whole frames (protocol 0: it receives
 * nothing). On error, prints "prog: iface: why" to stderr and returns -1. If ifindex is
 * not NULL, the interface's index is stored there.
 */
int tool_send_socket(const char *prog, const char *iface, int *ifindex);

#endif
