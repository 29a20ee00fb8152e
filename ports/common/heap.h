/* The injected allocator backed by malloc/free, for programs that need no accounting. */
#ifndef LSOE_HEAP_H
#define LSOE_HEAP_H

#include "lsoe/alloc.h"

extern const struct lsoe_allocator lsoe_heap_allocator;

#endif
