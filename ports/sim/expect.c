/*
 * Expectations: what must hold for a scenario to pass. Sessions are tracked from
 * the engines' own northbound events (what BGP-SPF would see), and every failure
 * is a sentence saying what was seen instead.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

/* ---- tracking ---- */

void sim_session_event(struct sim_world *w, struct sim_node *n, const struct lsoe_event *ev)
{
	if (ev->type != LSOE_EV_SESSION_UP && ev->type != LSOE_EV_SESSION_DOWN)
		return;
	if (ev->port == 0 || ev->port > n->nports)
		return;
	const struct sim_port *sp = &n->ports[ev->port];
	const struct sim_link_spec *ls = &w->sc->links[sp->link];
	uint8_t peer_mac[6];
	sim_port_mac(sp->side ? ls->a : ls->b, sp->side ? ls->a_port : ls->b_port, peer_mac);
	if (memcmp(ev->peer_mac, peer_mac, 6) != 0)
		return; /* not the link's other end (a spoofed source, say) */
	bool up = ev->type == LSOE_EV_SESSION_UP;
	w->up[sp->link][sp->side] = up;
	if (w->nlog == w->logcap) {
		w->logcap = w->logcap ? w->logcap * 2 : 256;
		w->log = realloc(w->log, w->logcap * sizeof(*w->log));
		if (!w->log) {
			fputs("lsoe-sim: out of memory\n", stderr);
			exit(1);
		}
	}
	w->log[w->nlog++] = (struct sess_log){ w->now, sp->link & 0x1FFFFFu, sp->side & 1u, up, up ? -1 : (int)ev->reason };
}

/* ---- results ---- */

static void fail(struct sim_world *w, const struct sim_expect_spec *x, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct sim_world *w, const struct sim_expect_spec *x, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *line = malloc(strlen(x->where) + strlen(msg) + 3);
	char **v = realloc(w->failures, (w->nfailures + 1) * sizeof(*v));
	if (!line || !v) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	sprintf(line, "%s: %s", x->where, msg);
	w->failures = v;
	w->failures[w->nfailures++] = line;
}

static double secs(uint64_t ns) { return (double)ns / 1e9; }

static const char *end_state(const struct sim_world *w, int link, int side)
{
	const struct sim_link_spec *ls = &w->sc->links[link];
	if (!w->nodes[side ? ls->b : ls->a].node)
		return "crashed";
	return w->up[link][side] ? "established" : "not established";
}

static bool selected(const struct sim_expect_spec *x, int link)
{
	if (!x->links)
		return true;
	for (size_t i = 0; i < x->nlinks; i++)
		if (x->links[i] == link)
			return true;
	return false;
}

/* ---- the checks ---- */

static bool check_sessions_open(struct sim_world *w, const struct sim_expect_spec *x)
{
	size_t want = 0, bad = 0;
	char list[512] = "";
	for (size_t i = 0; i < w->sc->nlinks; i++) {
		if (!selected(x, (int)i))
			continue;
		want++;
		if (w->up[i][0] && w->up[i][1])
			continue;
		if (bad++ < 4) {
			size_t o = strlen(list);
			snprintf(list + o, sizeof(list) - o, "%s%s (%s / %s)", o ? ", " : "", SIM_LINK_NAME(w->sc, &w->sc->links[i]),
			    end_state(w, (int)i, 0), end_state(w, (int)i, 1));
		}
	}
	if (bad)
		fail(w, x, "sessions_open by %.9g s: %zu of %zu sessions not established: %s%s", secs(x->t1), bad, want,
		    list, bad > 4 ? ", ..." : "");
	return !bad;
}

static bool check_session_down(struct sim_world *w, const struct sim_expect_spec *x)
{
	int link = x->links[0];
	const struct sim_link_spec *ls = &w->sc->links[link];
	char seen[512] = "";
	for (size_t i = 0; i < w->nlog; i++) {
		const struct sess_log *l = &w->log[i];
		if (l->link != link || l->up)
			continue;
		if (x->node >= 0 && (l->side ? ls->b : ls->a) != x->node)
			continue;
		bool reason_ok = !x->has_reason || l->reason == x->reason;
		if (l->time >= x->t1 && l->time <= x->t2 && reason_ok)
			return true;
		size_t o = strlen(seen);
		snprintf(seen + o, sizeof(seen) - o, "%s%.9f s (%s, by %s)", o ? ", " : "", secs(l->time),
		    lsoe_down_reason_name((enum lsoe_down_reason)l->reason), w->sc->nodes[l->side ? ls->b : ls->a].name);
	}
	fail(w, x, "session_down %s in [%.9g, %.9g] s%s%s: not seen; downs of that session: %s", SIM_LINK_NAME(w->sc, ls), secs(x->t1),
	    secs(x->t2), x->has_reason ? " with reason " : "",
	    x->has_reason ? lsoe_down_reason_name((enum lsoe_down_reason)x->reason) : "", *seen ? seen : "none");
	return false;
}

static bool check_no_down(struct sim_world *w, const struct sim_expect_spec *x, uint64_t t1, uint64_t t2,
    const char *what)
{
	for (size_t i = 0; i < w->nlog; i++) {
		const struct sess_log *l = &w->log[i];
		if (l->up || l->time < t1 || l->time > t2 || !selected(x, l->link))
			continue;
		const struct sim_link_spec *ls = &w->sc->links[l->link];
		fail(w, x, "%s: session %s went down at %.9f s (%s, reported by %s)", what, SIM_LINK_NAME(w->sc, ls), secs(l->time),
		    lsoe_down_reason_name((enum lsoe_down_reason)l->reason), w->sc->nodes[l->side ? ls->b : ls->a].name);
		return false;
	}
	return true;
}

struct find {
	const uint8_t *mac;
	uint32_t port;
	struct lsoe_session_view v;
	bool found;
	struct lsoe_encap got[4][SIM_MAX_ENCAPS]; /* the view's entries, which are the engine's during the callback only */
};

static void find_visit(void *ctx, const struct lsoe_session_view *v)
{
	struct find *f = ctx;
	if (!f->found && v->port == f->port && memcmp(v->peer_mac, f->mac, 6) == 0) {
		f->v = *v;
		f->found = true;
		for (unsigned i = 0; i < 4; i++) {
			/* More than a port of the scenario can announce fails the count check: the head will do. */
			size_t k = v->encap_count[i] < SIM_MAX_ENCAPS ? v->encap_count[i] : SIM_MAX_ENCAPS;
			if (k)
				memcpy(f->got[i], v->encaps[i], k * sizeof(*v->encaps[i]));
			f->v.encaps[i] = f->got[i];
		}
	}
}

static bool same_entry(unsigned type, const struct lsoe_encap *a, const struct lsoe_encap *b)
{
	unsigned alen = lsoe_encap_addr_len(type);
	return a->flags == b->flags && a->prefix_len == b->prefix_len && memcmp(a->addr, b->addr, alen) == 0 &&
	    a->nlabels == b->nlabels && (!a->nlabels || memcmp(a->labels, b->labels, 3u * a->nlabels) == 0);
}

static bool check_encaps(struct sim_world *w, const struct sim_expect_spec *x)
{
	size_t checked = 0;
	for (size_t i = 0; i < w->sc->nlinks; i++) {
		if (!selected(x, (int)i) || !w->up[i][0] || !w->up[i][1])
			continue;
		const struct sim_link_spec *ls = &w->sc->links[i];
		for (int side = 0; side < 2; side++) {
			struct sim_node *n = &w->nodes[side ? ls->b : ls->a], *peer = &w->nodes[side ? ls->a : ls->b];
			uint32_t port = side ? ls->b_port : ls->a_port, peer_port = side ? ls->a_port : ls->b_port;
			uint8_t peer_mac[6];
			sim_port_mac(peer->index, peer_port, peer_mac);
			struct find f = { .mac = peer_mac, .port = port };
			lsoe_node_foreach_session(n->node, find_visit, &f);
			if (!f.found) {
				fail(w, x, "encaps_match: %s has no session with %s on %s", sim_node_name(n), sim_node_name(peer), SIM_LINK_NAME(w->sc, ls));
				return false;
			}
			for (unsigned t = LSOE_PDU_IPV4_ENCAP; t <= LSOE_PDU_MPLS_IPV6_ENCAP; t++) {
				struct lsoe_encap want[SIM_MAX_ENCAPS];
				uint8_t labels[SIM_MAX_ENCAPS * 3];
				unsigned k = sim_port_expected(w, peer, peer_port, t, want, labels), j = t - LSOE_PDU_IPV4_ENCAP;
				bool ok = f.v.encap_count[j] == k;
				for (unsigned e = 0; ok && e < k; e++)
					ok = same_entry(t, &f.v.encaps[j][e], &want[e]);
				if (!ok) {
					fail(w, x, "encaps_match: %s's view of %s on %s: %s has %u entries, %s announces %u%s",
					    sim_node_name(n), sim_node_name(peer), SIM_LINK_NAME(w->sc, ls), lsoe_pdu_type_name(t), f.v.encap_count[j],
					    sim_node_name(peer), k, f.v.encap_count[j] == k ? " (different entries)" : "");
					return false;
				}
			}
			checked++;
		}
	}
	(void)checked;
	return true;
}

/* Counter names: engine counters, rx_errors.REASON, rx_by_type.TYPE, tx_by_type.TYPE, sessions_down.REASON, sim.X. */
static bool counter_value(const struct sim_world *w, const char *name, int node, uint64_t *out)
{
	static const struct {
		const char *name;
		size_t offset;
	} simc[] = {
		{ "sim.frames", offsetof(struct sim_stats, frames) },
		{ "sim.frames_delivered", offsetof(struct sim_stats, delivered) },
		{ "sim.frames_lost", offsetof(struct sim_stats, frames_lost) },
		{ "sim.frames_corrupted", offsetof(struct sim_stats, frames_corrupted) },
		{ "sim.frames_duplicated", offsetof(struct sim_stats, frames_duplicated) },
		{ "sim.frames_reordered", offsetof(struct sim_stats, frames_reordered) },
		{ "sim.frames_injected", offsetof(struct sim_stats, frames_injected) },
	};
	if (strncmp(name, "sim.", 4) == 0) {
		for (size_t i = 0; i < sizeof(simc) / sizeof(simc[0]); i++)
			if (strcmp(name, simc[i].name) == 0) {
				if (w)
					memcpy(out, (const char *)&w->st + simc[i].offset, sizeof(*out));
				return true;
			}
		return false;
	}
	/* Resolve the name to a scalar counter index or an offset into one of the arrays. */
	size_t off = SIZE_MAX, scalar = SIZE_MAX;
	const char *dot = strchr(name, '.');
	if (!dot) {
		for (size_t i = 0; i < lsoe_counter_count(); i++)
			if (strcmp(name, lsoe_counter_name(i)) == 0)
				scalar = i;
	} else if (strncmp(name, "rx_errors.", 10) == 0) {
		for (unsigned e = 1; e < LSOE_ERR_COUNT; e++)
			if (strcmp(dot + 1, lsoe_err_name((enum lsoe_err)e)) == 0)
				off = offsetof(struct lsoe_counters, rx_errors) + e * sizeof(uint64_t);
	} else if (strncmp(name, "rx_by_type.", 11) == 0 || strncmp(name, "tx_by_type.", 11) == 0) {
		int t = lsoe_pdu_type_from_name(dot + 1);
		if (t >= 0)
			off = (name[0] == 'r' ? offsetof(struct lsoe_counters, rx_by_type) : offsetof(struct lsoe_counters, tx_by_type)) +
			    lsoe_pdu_type_slot((unsigned)t) * sizeof(uint64_t);
	} else if (strncmp(name, "sessions_down.", 14) == 0) {
		for (unsigned r = 0; r < LSOE_DOWN_COUNT; r++)
			if (strcmp(dot + 1, lsoe_down_reason_name((enum lsoe_down_reason)r)) == 0)
				off = offsetof(struct lsoe_counters, sessions_down) + r * sizeof(uint64_t);
	}
	if (off == SIZE_MAX && scalar == SIZE_MAX)
		return false;
	if (!w)
		return true;
	*out = 0;
	for (size_t i = 0; i < w->sc->nnodes; i++) {
		if (node >= 0 && (int)i != node)
			continue;
		struct lsoe_counters c;
		sim_node_counters(&w->nodes[i], &c);
		uint64_t v;
		if (scalar != SIZE_MAX)
			v = lsoe_counter_value(&c, scalar);
		else
			memcpy(&v, (const char *)&c + off, sizeof(v));
		*out += v;
	}
	return true;
}

static bool check_counter(struct sim_world *w, const struct sim_expect_spec *x)
{
	uint64_t v = 0;
	counter_value(w, x->counter, x->node, &v);
	if (x->equals[0]) {
		uint64_t other = 0;
		counter_value(w, x->equals, x->node, &other);
		if (v != other) {
			fail(w, x, "counter %s is %llu but %s is %llu: want them equal", x->counter, (unsigned long long)v,
			    x->equals, (unsigned long long)other);
			return false;
		}
	}
	if ((x->has_min && v < x->min) || (x->has_max && v > x->max)) {
		char range[96];
		if (x->has_min && x->has_max)
			snprintf(range, sizeof(range), "between %llu and %llu", (unsigned long long)x->min,
			    (unsigned long long)x->max);
		else if (x->has_min)
			snprintf(range, sizeof(range), "at least %llu", (unsigned long long)x->min);
		else
			snprintf(range, sizeof(range), "at most %llu", (unsigned long long)x->max);
		fail(w, x, "counter %s%s%s is %llu, want %s", x->counter, x->node >= 0 ? " of " : "",
		    x->node >= 0 ? w->sc->nodes[x->node].name : "", (unsigned long long)v, range);
		return false;
	}
	return true;
}

static bool check_sent_times(struct sim_world *w, const struct sim_expect_spec *x)
{
	const struct sim_node *n = &w->nodes[x->node];
	uint64_t got[64];
	size_t k = 0;
	const struct sim_sent *s = n->sent;
	for (size_t i = 0; i < s->n; i++) {
		if (s->times[i] < x->t1 || s->times[i] > x->t2 || s->types[i] != x->pdu)
			continue;
		if (x->pdu == LSOE_PDU_ACK && x->ack_of >= 0 && s->ack_of[i] != x->ack_of)
			continue;
		if (k < 64)
			got[k] = s->times[i] - x->t1;
		k++;
	}
	bool ok = k == x->ntimes;
	for (size_t i = 0; ok && i < k; i++)
		ok = got[i] == x->times[i];
	if (!ok) {
		char list[512] = "";
		for (size_t i = 0; i < k && i < 12; i++) {
			size_t o = strlen(list);
			snprintf(list + o, sizeof(list) - o, "%s%.9g", i ? ", " : "", secs(got[i]));
		}
		fail(w, x, "sent_times: %s sent %s at [%s%s] s after %.9g s, want %zu sends at the listed times",
		    w->sc->nodes[x->node].name, lsoe_pdu_type_name((unsigned)x->pdu), list, k > 12 ? ", ..." : "",
		    secs(x->t1), x->ntimes);
	}
	return ok;
}

static bool check_memory(struct sim_world *w, const struct sim_expect_spec *x)
{
	for (size_t i = 0; i < w->sc->nnodes; i++) {
		if (x->node >= 0 && (int)i != x->node)
			continue;
		if (w->nodes[i].mem_peak > x->max) {
			fail(w, x, "memory: %s peaked at %zu bytes, want at most %llu", w->sc->nodes[i].name,
			    w->nodes[i].mem_peak, (unsigned long long)x->max);
			return false;
		}
	}
	return true;
}

/* The oracle is links_oracle.c: it shares no code with the engine's link view. */
static bool check_links(struct sim_world *w, const struct sim_expect_spec *x)
{
	char why[900];
	if (sim_links_match(w, why, sizeof(why)))
		return true;
	fail(w, x, "links_match at %.9g s: %s", secs(w->now), why);
	return false;
}

static void evaluate(struct sim_world *w, uint32_t index)
{
	const struct sim_expect_spec *x = &w->sc->expects[index];
	bool ok = true;
	switch (x->kind) {
	case SX_SESSIONS_OPEN: ok = check_sessions_open(w, x); break;
	case SX_SESSION_DOWN: ok = check_session_down(w, x); break;
	case SX_NO_SESSION_DOWN: ok = check_no_down(w, x, x->t1, x->t2, "no_session_down"); break;
	case SX_NO_FLAPS_AFTER: ok = check_no_down(w, x, x->t1 + 1, UINT64_MAX, "no_flaps_after"); break;
	case SX_ENCAPS_MATCH: ok = check_encaps(w, x); break;
	case SX_COUNTER: ok = check_counter(w, x); break;
	case SX_SENT_TIMES: ok = check_sent_times(w, x); break;
	case SX_MEMORY: ok = check_memory(w, x); break;
	case SX_LINKS_MATCH: ok = check_links(w, x); break;
	}
	w->expect_done[index] = true;
	if (ok)
		w->passed++;
}

void sim_expect_schedule(struct sim_world *w)
{
	for (size_t i = 0; i < w->sc->nexpects; i++) {
		const struct sim_expect_spec *x = &w->sc->expects[i];
		/* Checks of the state at a time run at that time; the rest look back at the end. */
		if ((x->kind == SX_SESSIONS_OPEN || (x->kind == SX_ENCAPS_MATCH && x->t1) ||
		    (x->kind == SX_LINKS_MATCH && x->t1 != UINT64_MAX)) && x->t1 <= w->end)
			sim_push(w, x->t1, QE_CHECK, (uint32_t)i, 0, NULL);
	}
}

void sim_expect_check(struct sim_world *w, uint32_t index)
{
	evaluate(w, index);
}

void sim_expect_finish(struct sim_world *w)
{
	for (size_t i = 0; i < w->sc->nexpects; i++) {
		if (w->expect_done[i])
			continue;
		const struct sim_expect_spec *x = &w->sc->expects[i];
		if (x->kind == SX_SESSIONS_OPEN && x->t1 > w->end) {
			fail(w, x, "sessions_open by %.9g s: the run ended at %.9g s (--until?)", secs(x->t1), secs(w->end));
			w->expect_done[i] = true;
			continue;
		}
		if (x->kind == SX_LINKS_MATCH && x->t1 != UINT64_MAX && x->t1 > w->end) {
			fail(w, x, "links_match at %.9g s: the run ended at %.9g s (--until?)", secs(x->t1), secs(w->end));
			w->expect_done[i] = true;
			continue;
		}
		evaluate(w, (uint32_t)i);
	}
}

bool sim_expect_validate(const struct sim_scenario *sc, char *err, size_t cap)
{
	for (size_t i = 0; i < sc->nexpects; i++) {
		const struct sim_expect_spec *x = &sc->expects[i];
		uint64_t v;
		if (x->kind == SX_COUNTER && x->equals[0] && !counter_value(NULL, x->equals, -1, &v)) {
			snprintf(err, cap, "%s: unknown counter '%s' in equals", x->where, x->equals);
			return false;
		}
		if (x->kind == SX_COUNTER && !counter_value(NULL, x->counter, -1, &v)) {
			snprintf(err, cap, "%s: unknown counter '%s' (engine counters such as retransmits, rx_errors.REASON, "
			    "rx_by_type.TYPE, tx_by_type.TYPE, sessions_down.REASON, or sim.frames_lost and friends)",
			    x->where, x->counter);
			return false;
		}
		if ((x->kind == SX_SESSION_DOWN && (!x->links || x->nlinks != 1)) ||
		    (x->kind == SX_SENT_TIMES && x->node < 0)) {
			snprintf(err, cap, "%s: incomplete expectation", x->where);
			return false;
		}
	}
	return true;
}
