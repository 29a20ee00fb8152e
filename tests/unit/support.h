/* Helpers shared by the unit tests. */
#ifndef LSOE_TEST_SUPPORT_H
#define LSOE_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "lsoe/alloc.h"

/* One captured frame. */
struct test_frame {
	uint64_t time_ns;
	size_t len;
	uint8_t *data;
};

/* Read every frame of tests/data/NAME (e.g. "ref-basic.pcap"); aborts the test on failure. */
size_t test_read_pcap(const char *name, struct test_frame **frames);
void test_free_frames(struct test_frame *frames, size_t n);

/* An allocator that counts live bytes and allocations and can be told to fail. */
struct test_alloc {
	struct lsoe_allocator a;
	size_t live_bytes, peak_bytes;
	size_t live_allocs;
	long fail_after;             /* < 0: never fail; else fail once this many more succeed */
};
void test_alloc_init(struct test_alloc *t);

/* Parse a hex string ("00 80 0b ..." spaces optional) into out; returns octets written. */
size_t test_hex(const char *hex, uint8_t *out, size_t cap);

#endif
