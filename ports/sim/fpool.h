/*
 * The pool frames in flight come from. A frame lives for its link's delay, so frames
 * are freed in nearly the order they were made, in bursts: hundreds of thousands at
 * once while a large fabric converges, a few later. They are bumped from 64 KiB
 * blocks that count their live frames; a block that empties is kept for reuse, and
 * beyond a few spare blocks its memory goes back to the system, so a burst's frames
 * do not stay in the process's memory (and its peak) once delivered.
 *
 * Built with AddressSanitizer (or with SIM_SLAB_MALLOC defined), it is malloc and free.
 */
#ifndef LSOE_SIM_FPOOL_H
#define LSOE_SIM_FPOOL_H

#include <stddef.h>

struct sim_fpool;

/* NULL when out of memory. */
struct sim_fpool *sim_fpool_new(void);
/* Unmaps everything (frames still allocated too; malloc'd large ones leak: free them first). */
void sim_fpool_destroy(struct sim_fpool *p);
/* size octets, 4-aligned (a frame holds nothing wider); NULL when out of memory. */
void *sim_fpool_alloc(struct sim_fpool *p, size_t size);
/* x (NULL: nothing) from sim_fpool_alloc with the same size. */
void sim_fpool_free(struct sim_fpool *p, void *x, size_t size);

#endif
