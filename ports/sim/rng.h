/*
 * The simulator's randomness: xoshiro256** seeded through splitmix64. Every node,
 * link and process has its own stream derived from (run seed, what it is), so one
 * component drawing more numbers never shifts another's: runs stay comparable
 * across small scenario changes, and identical for the same seed.
 */
#ifndef LSOE_SIM_RNG_H
#define LSOE_SIM_RNG_H

#include <math.h>
#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

static inline uint64_t sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Stream `stream` of kind `kind` under the run's seed. */
static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t kind, uint64_t stream)
{
	uint64_t x = seed ^ (kind * 0xD1B54A32D192ED03ull) ^ (stream * 0x8CB92BA72F3D8DD7ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix(&x);
}

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return result;
}

/* Uniform in [0, 1). */
static inline double sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* True with probability p (no draw when p is 0 or 1: adding a 0-probability fault changes nothing). */
static inline int sim_rng_chance(struct sim_rng *r, double p)
{
	if (p <= 0.0)
		return 0;
	if (p >= 1.0)
		return 1;
	return sim_rng_unit(r) < p;
}

/* Uniform in [0, n). */
static inline uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return n ? sim_rng_next(r) % n : 0;
}

/* Exponentially distributed with the given mean (ns), at least 1. */
static inline uint64_t sim_rng_exp(struct sim_rng *r, uint64_t mean)
{
	double u = sim_rng_unit(r);
	double v = -(double)mean * log(1.0 - u);
	return v < 1.0 ? 1 : v > 1e18 ? (uint64_t)1e18 : (uint64_t)v;
}

#endif
