/*
 * Data embedded at build time (embed_capture.cmake): the two frames of the first
 * PDU in tests/data/ref-bigencap.pcap that spans two datagrams — B's 123-entry IPv6
 * encapsulation PDU (frames of 1514 and 749 octets). Embedded, so lsoe-bench runs
 * from the build tree, after install, or anywhere else.
 */
#ifndef LSOE_BENCH_DATA_H
#define LSOE_BENCH_DATA_H

#include <stddef.h>
#include <stdint.h>

extern const char lsoe_bench_big_source[];      /* the capture's file name */
extern const uint8_t lsoe_bench_big_frame0[];   /* datagram 0 (L clear), Ethernet header included */
extern const size_t lsoe_bench_big_frame0_len;
extern const uint8_t lsoe_bench_big_frame1[];   /* datagram 1 (L set) */
extern const size_t lsoe_bench_big_frame1_len;

#endif
