/*
 * The injected allocator. The core never calls malloc: whoever embeds it decides
 * where memory comes from and can bound or count it.
 */
#ifndef LSOE_ALLOC_H
#define LSOE_ALLOC_H

#include <stddef.h>

struct lsoe_allocator {
	/* Returns NULL on failure; the core treats that as a counted drop, never a crash. */
	void *(*alloc)(void *ctx, size_t size);
	/* size is the size that was allocated. */
	void (*free)(void *ctx, void *ptr, size_t size);
	void *ctx;
};

#endif
