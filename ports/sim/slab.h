/*
 * The simulator's allocator for its engines' memory (pf_alloc, pf_free); frames
 * reuse its idle objects (sim_slab_reuse). Thousands of engines make millions of small objects whose size the free
 * call is told, so there is no header per object: objects are grouped in size
 * classes (8-octet steps to 128 octets, then 64-octet steps, each object on a
 * 64-octet line, to 1.5 KiB; larger ones, arrays that grow, go to malloc), each class with its free list, carved from large mmap'd regions.
 *
 * With SIM_SLAB_HUGEPAGES (cmake -DLSOE_SIM_HUGEPAGES=ON) the regions are advised for
 * transparent huge pages (MADV_HUGEPAGE): fewer TLB misses, but on a VM whose free
 * memory is reported to its host (Firecracker) every huge page faults in from the
 * host. Measured there, 10k nodes to convergence and 6 virtual s: 1 s less user
 * time, 2.3 s more system time; so it is off by default.
 * (Per-node chunks for small objects were tried: at 10k nodes their unused tails
 * cost 15 octets per session end, for no measurable gain.)
 *
 * Built with AddressSanitizer (or with SIM_SLAB_MALLOC defined), it is malloc and
 * free, so that leaks and overflows stay visible.
 */
#ifndef LSOE_SIM_SLAB_H
#define LSOE_SIM_SLAB_H

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
