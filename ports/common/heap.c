#include "heap.h"

#include <stdlib.h>

static void *heap_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void heap_free(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	(void)size;
	free(ptr);
}

const struct lsoe_allocator lsoe_heap_allocator = { heap_alloc, heap_free, NULL };
