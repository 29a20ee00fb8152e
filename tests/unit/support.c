#include "support.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t test_read_pcap(const char *name, struct test_frame **frames)
{
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/%s", LSOE_TEST_DATA, name);
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fprintf(stderr, "cannot open %s: %s\n", path, errbuf);
		abort();
	}
	size_t n = 0, cap = 0;
	struct test_frame *f = NULL;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(pc, &h, &d) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			f = realloc(f, cap * sizeof(*f));
			if (!f)
				abort();
		}
		f[n].time_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		f[n].len = h->caplen;
		f[n].data = malloc(h->caplen ? h->caplen : 1);
		if (!f[n].data)
			abort();
		memcpy(f[n].data, d, h->caplen);
		n++;
	}
	pcap_close(pc);
	*frames = f;
	return n;
}

void test_free_frames(struct test_frame *frames, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(frames[i].data);
	free(frames);
}

static void *t_alloc(void *ctx, size_t n)
{
	struct test_alloc *t = ctx;
	if (t->fail_after == 0)
		return NULL;
	if (t->fail_after > 0)
		t->fail_after--;
	void *p = malloc(n);
	if (p) {
		t->live_bytes += n;
		t->live_allocs++;
		if (t->live_bytes > t->peak_bytes)
			t->peak_bytes = t->live_bytes;
	}
	return p;
}

static void t_free(void *ctx, void *p, size_t n)
{
	struct test_alloc *t = ctx;
	if (!p)
		return;
	t->live_bytes -= n;
	t->live_allocs--;
	free(p);
}

void test_alloc_init(struct test_alloc *t)
{
	memset(t, 0, sizeof(*t));
	t->a.alloc = t_alloc;
	t->a.free = t_free;
	t->a.ctx = t;
	t->fail_after = -1;
}

size_t test_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (const char *p = hex; *p; p++) {
		int v;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			continue;
		if (hi < 0)
			hi = v;
		else {
			if (n == cap)
				abort();
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}
