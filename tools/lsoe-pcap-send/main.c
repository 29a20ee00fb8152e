/*
 * lsoe-pcap-send: send the frames of a capture onto an interface, at the
 * capture's timing.
 *
 *   lsoe-pcap-send -i IFACE [--skip-src MAC]... [--only-src MAC]... [--speed X] [--quiet] FILE
 *
 * Every frame goes out raw, as captured (Ethernet header included), on an
 * AF_PACKET SOCK_RAW socket bound to IFACE. Frame k is sent at
 * start + (t_k - t_0) / X, where t_0 is the time of the capture's first frame
 * (sent or not) and start is when that frame was read: absolute sleeps on
 * CLOCK_MONOTONIC, so lateness does not accumulate. Frames shorter than the
 * Ethernet minimum of 60 octets are zero-padded to 60: the kernel pads nothing
 * for AF_PACKET on a veth, and a real NIC would pad anyway.
 *
 * Exit status: 0 every frame selected was sent; 1 some sends failed; 2 bad usage,
 * or the file or the interface could not be used (the message names it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <math.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "format.h"
#include "send_socket.h"

#define PROG "lsoe-pcap-send"
#define ETH_HDR 14
#define ETH_MIN 60              /* minimum frame without FCS */
#define NS 1000000000LL
#define ERRORS_SHOWN 10         /* send errors reported one by one; the rest only counted */

struct maclist {
	uint8_t (*v)[6];
	size_t n;
};

struct opts {
	const char *iface;
	const char *file;
	struct maclist skip, only;
	double speed;
	bool quiet;
	bool verbose;
};

struct stats {
	uint64_t frames;        /* read from the file */
	uint64_t sent;
	uint64_t skipped;       /* by --skip-src / --only-src */
	uint64_t truncated;     /* captured shorter than on the wire, or shorter than a header: not sent */
	uint64_t errors;        /* sends that failed */
	uint64_t padded;        /* of those sent */
	int64_t late_max_ns;    /* worst lateness of a send against its schedule */
	int64_t late_sum_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " -i IFACE [--skip-src MAC]... [--only-src MAC]... [--speed X] [-q] [-v] FILE\n"
	    "\n"
	    "Send the frames of a pcap or pcapng capture (Ethernet) onto IFACE, raw, at the\n"
	    "capture's timing.\n"
	    "\n"
	    "  -i, --interface IFACE  send on this interface (needs CAP_NET_RAW)\n"
	    "  --skip-src MAC         do not send frames from this source MAC (repeatable)\n"
	    "  --only-src MAC         send only frames from these source MACs (repeatable)\n"
	    "  --speed X              play X times as fast (default 1; 0.5 is half speed)\n"
	    "  -q, --quiet            no summary\n"
	    "  -v, --verbose          one line per frame: when it was due, how late it went out\n"
	    "  -h, --help             this text\n"
	    "\n"
	    "Frames shorter than 60 octets are zero-padded to 60. Exit status: 0 all sent,\n"
	    "1 some sends failed, 2 bad usage or an unusable file or interface.\n");
}

static bool maclist_add(struct maclist *l, const char *text)
{
	uint8_t mac[6];
	if (!lsoe_parse_mac(text, mac))
		return false;
	uint8_t (*v)[6] = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(2);
	}
	memcpy(v[l->n], mac, 6);
	l->v = v;
	l->n++;
	return true;
}

static bool maclist_has(const struct maclist *l, const uint8_t mac[6])
{
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(l->v[i], mac, 6) == 0)
			return true;
	return false;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_SKIP = 256, OPT_ONLY, OPT_SPEED };
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "skip-src", required_argument, NULL, OPT_SKIP },
		{ "only-src", required_argument, NULL, OPT_ONLY },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->speed = 1.0;
	int c;
	while ((c = getopt_long(argc, argv, "i:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case OPT_SKIP:
		case OPT_ONLY:
			if (!maclist_add(c == OPT_SKIP ? &o->skip : &o->only, optarg)) {
				fprintf(stderr, PROG ": %s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)\n",
				    c == OPT_SKIP ? "--skip-src" : "--only-src", optarg);
				return 2;
			}
			break;
		case OPT_SPEED: {
			char *end;
			errno = 0;
			double x = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(x) || x < 1e-6 || x > 1e6) {
				fprintf(stderr, PROG ": --speed: '%s' must be a number between 0.000001 and 1000000\n",
				    optarg);
				return 2;
			}
			o->speed = x;
			break;
		}
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, PROG ": try --help\n");
			return 2;
		}
	}
	if (!o->iface) {
		fprintf(stderr, PROG ": no interface: give -i IFACE (try --help)\n");
		return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, PROG ": %s (try --help)\n", optind == argc ? "no capture file given" : "one capture file only");
		return 2;
	}
	o->file = argv[optind];
	return 0;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * NS + t->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	struct timespec t = { .tv_sec = (time_t)(ns / NS), .tv_nsec = (long)(ns % NS) };
	return t;
}

static int64_t mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
}

static void sleep_until(int64_t deadline_ns)
{
	struct timespec t = ns_ts(deadline_ns);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static void print_summary(const struct opts *o, const struct stats *s, double wall_s)
{
	printf("%s: %llu frames: %llu sent, %llu skipped", o->file, (unsigned long long)s->frames,
	    (unsigned long long)s->sent, (unsigned long long)s->skipped);
	if (s->truncated)
		printf(", %llu truncated (not sent)", (unsigned long long)s->truncated);
	printf(", %llu errors; %llu padded to %d octets; %.3f s", (unsigned long long)s->errors,
	    (unsigned long long)s->padded, ETH_MIN, wall_s);
	if (s->sent + s->errors)
		printf("; late by %.3f ms at most, %.3f ms on average", (double)s->late_max_ns / 1e6,
		    (double)s->late_sum_ns / 1e6 / (double)(s->sent + s->errors));
	printf("\n");
}

int main(int argc, char **argv)
{
	struct opts o;
	int r = parse_args(argc, argv, &o);
	if (r)
		return r;

	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(o.file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		/* libpcap's message usually names the file already; make sure it does */
		if (strstr(errbuf, o.file))
			fprintf(stderr, PROG ": %s\n", errbuf);
		else
			fprintf(stderr, PROG ": %s: %s\n", o.file, errbuf);
		return 2;
	}
	int dlt = pcap_datalink(pc);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);
		fprintf(stderr, PROG ": %s: link type %s (%d) is not Ethernet: only Ethernet captures can be sent\n",
		    o.file, name ? name : "unknown", dlt);
		pcap_close(pc);
		return 2;
	}

	int ifindex = 0;
	int fd = tool_send_socket(PROG, o.iface, &ifindex);
	if (fd < 0) {
		pcap_close(pc);
		return 2;
	}

	/* Wake-ups as exact as the kernel allows (the default slack is 50 us). */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

	struct stats s;
	memset(&s, 0, sizeof(s));
	bool first = true;
	int64_t t0_cap = 0, t0_mono = 0, start = mono_now();
	uint8_t buf[ETH_MIN];
	struct pcap_pkthdr *h;
	const u_char *data;
	int status = 0;
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		s.frames++;
		/* With nanosecond precision requested, tv_usec holds nanoseconds. */
		int64_t t_cap = (int64_t)h->ts.tv_sec * NS + (int64_t)h->ts.tv_usec;
		if (first) {
			first = false;
			t0_cap = t_cap;
			t0_mono = mono_now();
		}
		if (h->caplen < ETH_HDR || h->caplen < h->len) {
			s.truncated++;
			continue;
		}
		const uint8_t *src = data + 6;
		if (maclist_has(&o.skip, src) || (o.only.n && !maclist_has(&o.only, src))) {
			s.skipped++;
			continue;
		}
		const uint8_t *frame = data;
		size_t len = h->caplen;
		bool padded = len < ETH_MIN;
		if (padded) {
			memset(buf, 0, sizeof(buf));
			memcpy(buf, data, len);
			frame = buf;
			len = ETH_MIN;
		}
		/* Out-of-order timestamps (earlier than the first frame) go out at once. */
		int64_t offset = t_cap > t0_cap ? (int64_t)((double)(t_cap - t0_cap) / o.speed + 0.5) : 0;
		int64_t due = t0_mono + offset;
		sleep_until(due);
		ssize_t n = send(fd, frame, len, 0);
		int64_t late = mono_now() - due;
		if (late > s.late_max_ns)
			s.late_max_ns = late;
		s.late_sum_ns += late > 0 ? late : 0;
		if (o.verbose)
			printf("frame %llu: %zu octets due at +%.6f s, sent %.3f ms late%s\n", (unsigned long long)s.frames,
			    len, (double)offset / 1e9, (double)late / 1e6, n == (ssize_t)len ? "" : " (failed)");
		if (n == (ssize_t)len) {
			s.sent++;
			s.padded += padded;
		} else {
			int e = n < 0 ? errno : EMSGSIZE;
			if (++s.errors <= ERRORS_SHOWN)
				fprintf(stderr, PROG ": %s: frame %llu (%zu octets): %s%s\n", o.iface,
				    (unsigned long long)s.frames, len, n < 0 ? strerror(e) : "sent in part",
				    s.errors == ERRORS_SHOWN ? " (further errors only counted)" : "");
		}
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, PROG ": %s: %s (after %llu frames)\n", o.file, pcap_geterr(pc),
		    (unsigned long long)s.frames);
		status = 2;
	}
	double wall = (double)(mono_now() - start) / 1e9;
	pcap_close(pc);
	close(fd);
	if (!o.quiet)
		print_summary(&o, &s, wall);
	free(o.skip.v);
	free(o.only.v);
	if (status)
		return status;
	return s.errors ? 1 : 0;
}
