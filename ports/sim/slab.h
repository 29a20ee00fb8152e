/*
 * The simulator's allocator for its engines' memory (pf_alloc, pf_free); frames
 * reuse its idle objects (sim_slab_reuse). Thousands of engines make millions of small objects whose size the free
 * call is told, so there is no header per object: objects are grouped in size
 * classes (8-octet steps to 128 octets, then 64-octet steps, each object on a
 * 64-octet line, to 1.5 KiB; larger ones, arrays that grow, go to malloc), each class with its free list, carved from large mmap'd regions.
 *
 * Huge pages: as the slab fills a 2 MiB block of a region, the block is collapsed into a
 * huge page (sim_collapse_full): one TLB entry where there were 512, and at 10k nodes
 * nearly every line an event reads was also a TLB miss. Only full blocks, so no memory
 * is added; advising regions ahead (MADV_HUGEPAGE, the build option this replaced)
 * faulted in the last block whole (+6 octets per session end at 10k). Measured at 10k
 * (tools/bench-ab, 7 runs each, with the links array done the same way): ns_per_event
 * x0.91, converge_wall_s x1.35 (the copies, and on this VM huge pages come from the host).
 * (Per-node chunks for small objects were tried: at 10k nodes their unused tails
 * cost 15 octets per session end, for no measurable gain.)
 *
 * Built with AddressSanitizer (or with SIM_SLAB_MALLOC defined), it is malloc and
 * free, so that leaks and overflows stay visible.
 */
#ifndef LSOE_SIM_SLAB_H
#define LSOE_SIM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Under AddressSanitizer the slab and the frame pool are malloc and free (see above). */
#if defined(__SANITIZE_ADDRESS__)
#define SIM_SLAB_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_SLAB_MALLOC 1
#endif
#endif

struct sim_slab;

/* size octets of fresh anonymous memory at an address aligned to align (a power of two), the
   slack around it given back; NULL when mmap fails. For the slab's and the frame pool's regions. */
void *sim_map_aligned(size_t size, size_t align);

/*
 * The whole huge-page blocks of [start, start + len), start aligned to one, made huge
 * pages in place (MADV_COLLAPSE) once they are faulted in: a TLB entry for 2 MiB where
 * there were 512. Returns the end of the last whole block. Only full blocks: a block
 * advised ahead (MADV_HUGEPAGE) faults in whole at its first touch, and the unused
 * rest of the last one costs memory. Under SIM_SLAB_MALLOC, nothing is done.
 */
uint8_t *sim_collapse_full(uint8_t *start, size_t len);

/*
 * size octets of zeroed memory on a huge-page boundary, for an array the simulator reads at
 * random; NULL when out of memory. populate: faulted in at once and its whole huge-page
 * blocks collapsed (the links, filled when made); else its pages fault in as they are
 * touched, and the caller collapses the blocks it has filled (the queue's segments). Freed
 * by sim_unmap_hot with the same size. Under SIM_SLAB_MALLOC, aligned_alloc and free.
 */
void *sim_map_hot(size_t size, bool populate);
void sim_unmap_hot(void *p, size_t size);

/* NULL when out of memory. */
struct sim_slab *sim_slab_new(void);
/* Unmaps everything; objects still allocated from it are gone too (malloc'd large ones leak: free them first). */
void sim_slab_destroy(struct sim_slab *s);
/* size octets, 8-aligned; NULL when out of memory. */
void *sim_slab_alloc(struct sim_slab *s, size_t size);
/* An idle object of size's class (one freed earlier), or NULL: never takes new memory. */
void *sim_slab_reuse(struct sim_slab *s, size_t size);
/* p (NULL: nothing) from sim_slab_alloc or sim_slab_reuse with the same size. */
void sim_slab_free(struct sim_slab *s, void *p, size_t size);

#endif
