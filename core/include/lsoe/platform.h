/*
 * What the engine needs from the world, injected as one struct of callbacks and a
 * context pointer. The engine has no globals: any number of nodes can live in one
 * process, each with its own platform (the simulator runs thousands).
 *
 * Every callback is called synchronously from inside an engine call
 * (lsoe_node_input, lsoe_node_run, the port and encapsulation setters, ...);
 * none may call back into the same node.
 */
#ifndef LSOE_PLATFORM_H
#define LSOE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

struct lsoe_event;

enum lsoe_log_level {
	LSOE_LOG_ERROR = 0,
	LSOE_LOG_WARNING = 1,
	LSOE_LOG_INFO = 2,
	LSOE_LOG_DEBUG = 3,
};

struct lsoe_platform {
	void *ctx;

	/* Monotonic time in nanoseconds. Never goes backwards. */
	uint64_t (*now_ns)(void *ctx);

	/*
	 * Transmit one LSOE datagram (len octets, header included) on port to dst.
	 * The port adds the Ethernet header: source = the port's MAC, EtherType =
	 * the configured one, and pads to the Ethernet minimum. Must not block;
	 * a frame that cannot be sent is simply lost (the protocol retransmits).
	 */
	void (*send)(void *ctx, uint32_t port, const uint8_t dst[6], const uint8_t *dgram, size_t len);

	/* Fill buf with n random octets (OPEN nonces, hash seeds). */
	void (*random)(void *ctx, void *buf, size_t n);

	/* Memory. alloc returns NULL on failure, which the engine survives and counts. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr, size_t size);

	/* A log line; subsystem is e.g. "session", "port", "rx". msg has no newline. */
	void (*log)(void *ctx, enum lsoe_log_level level, const char *subsystem, const char *msg);

	/* A northbound event (see event.h). Pointers in ev are valid only during the call. */
	void (*event)(void *ctx, const struct lsoe_event *ev);

	/*
	 * Optional (NULL: none). A hint that the engine will soon send on port, a few sends
	 * ahead: a platform whose sending reads memory of its own (the simulator's links) may
	 * fetch it now. It must change nothing the engine or anyone else can observe.
	 */
	void (*prefetch_send)(void *ctx, uint32_t port);

	/*
	 * Optional (NULL: none). Where the platform keeps the time now_ns would return, read
	 * instead of calling it: a simulator's virtual clock, one word for all its nodes, so
	 * that a frame delivered to one of thousands of nodes does not also read that node's
	 * context (a cache miss at scale) to learn the time. now_ns is still required.
	 */
	const uint64_t *clock;
};

#endif
