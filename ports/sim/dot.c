/*
 * lsoe-sim run --dot FILE: the topology at the end of the run as a Graphviz graph.
 *
 * One node per simulated node, one edge per link, coloured by the session at the end
 * (the style of `lsoectl show topology --dot`):
 *
 *   green   both ends established (even on a cut the ends have not noticed yet)
 *   orange  one end established, or a session opening on either end
 *   red     otherwise: no session (down, held, EtherTypes apart), the link cut or
 *           partitioned, or an end crashed
 *   grey    the link's carrier is down (and no end crashed)
 *
 * Cut and partitioned links are also dashed. When every node's name is a Clos role
 * (superK, spineN, leafN, podP-spineN, podP-leafN, as the clos and clos3 topologies
 * name them) the tiers get their own rank and shape, the upper tier on top.
 *
 * Deterministic like the rest of the simulator: nodes in scenario order, edges in
 * link order, nothing read from a clock.
 */
#include <ctype.h>
#include <string.h>

#include "format.h"
#include "world.h"

/* s escaped for a DOT double-quoted string. */
static void put_esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
}

/* Does s start with word followed by one or more digits and nothing else? */
static bool word_number(const char *s, const char *word)
{
	size_t n = strlen(word);
	if (strncmp(s, word, n) != 0 || !isdigit((unsigned char)s[n]))
		return false;
	for (s += n; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The Clos tier of a node's name: 3 super-spine, 2 spine, 1 leaf, 0 none. */
static int tier(const char *name)
{
	if (word_number(name, "super"))
		return 3;
	if (strncmp(name, "pod", 3) == 0 && isdigit((unsigned char)name[3])) {
		const char *dash = strchr(name, '-');
		if (!dash)
			return 0;
		for (const char *p = name + 3; p < dash; p++)
			if (!isdigit((unsigned char)*p))
				return 0;
		name = dash + 1;
	}
	if (word_number(name, "spine"))
		return 2;
	if (word_number(name, "leaf"))
		return 1;
	return 0;
}

static const struct {
	const char *name, *shape, *fill;
} tiers[] = {
	[0] = { "node", "box", "white" },
	[1] = { "leaf", "box", "lightyellow" },
	[2] = { "spine", "box", "lightblue" },
	[3] = { "super-spine", "box", "plum" },
};

struct find_state {
	const uint8_t *mac;
	uint32_t port;
	bool found;
	enum lsoe_session_state state;
};

static void find_visit(void *ctx, const struct lsoe_session_view *v)
{
	struct find_state *f = ctx;
	if (!f->found && v->port == f->port && memcmp(v->peer_mac, f->mac, 6) == 0) {
		f->found = true;
		f->state = v->state;
	}
}

/* What one end of a link holds at the end: crashed, established, opening, hold or none. */
static const char *end_state(const struct sim_world *w, size_t link, int side)
{
	const struct sim_link_spec *ls = &w->sc->links[link];
	const struct sim_node *n = &w->nodes[side ? ls->b : ls->a], *peer = &w->nodes[side ? ls->a : ls->b];
	if (!n->node)
		return "crashed";
	if (w->up[link][side])
		return "established";
	uint8_t peer_mac[6];
	sim_port_mac(peer->index, side ? ls->a_port : ls->b_port, peer_mac);
	struct find_state f = { .mac = peer_mac, .port = side ? ls->b_port : ls->a_port };
	lsoe_node_foreach_session(n->node, find_visit, &f);
	if (!f.found)
		return "no session";
	return f.state == LSOE_STATE_HOLD ? "hold" : f.state == LSOE_STATE_ESTABLISHED ? "established" : "opening";
}

/* X11 colour names, readable in the DOT text and darker than plain green and orange. */
#define DOT_GREEN "forestgreen"
#define DOT_ORANGE "darkorange"
#define DOT_RED "red3"
#define DOT_GREY "grey60"

static const char *edge_colour(const struct sim_link *l, const char *a, const char *b)
{
	if (strcmp(a, "crashed") == 0 || strcmp(b, "crashed") == 0)
		return DOT_RED;
	if (!l->carrier)
		return DOT_GREY;
	bool ea = strcmp(a, "established") == 0, eb = strcmp(b, "established") == 0;
	if (ea && eb)
		return DOT_GREEN;
	if (l->cut || l->partitioned)
		return DOT_RED;
	if (ea || eb || strcmp(a, "opening") == 0 || strcmp(b, "opening") == 0)
		return DOT_ORANGE;
	return DOT_RED;
}

static void put_seconds(FILE *out, uint64_t ns)
{
	char buf[LSOE_SECS_STRLEN];
	fputs(lsoe_fmt_seconds(buf, ns), out);
}

static void node_line(FILE *out, const struct sim_world *w, size_t i, int t)
{
	const struct sim_scenario *sc = w->sc;
	const struct sim_node *n = &w->nodes[i];
	fputs(t >= 0 ? "\t\t\"" : "\t\"", out);
	put_esc(out, sc->nodes[i].name);
	fputs("\" [", out);
	if (t >= 0)
		fprintf(out, "shape=%s, fillcolor=%s, ", tiers[t].shape, tiers[t].fill);
	if (!n->node)
		fputs("style=\"filled,dashed\", color=" DOT_RED ", fontcolor=" DOT_RED ", ", out);
	fputs("tooltip=\"", out);
	put_esc(out, sc->nodes[i].name);
	fprintf(out, ": %s%s, %u port%s", t >= 0 ? tiers[t].name : "node", n->node ? "" : " (crashed)", n->nports,
	    n->nports == 1 ? "" : "s");
	if (n->crashes)
		fprintf(out, ", %u crash%s", n->crashes, n->crashes == 1 ? "" : "es");
	fputs("\"];\n", out);
}

void sim_dot_write(const struct sim_world *w, uint32_t sessions_expected, FILE *out)
{
	const struct sim_scenario *sc = w->sc;
	bool roles = sc->nnodes > 0;
	for (size_t i = 0; i < sc->nnodes && roles; i++)
		roles = tier(sc->nodes[i].name) != 0;

	fputs("graph lsoe_sim {\n", out);
	fputs("\tgraph [label=\"lsoe-sim: ", out);
	put_esc(out, sc->name);
	fprintf(out, ", seed %llu, at ", (unsigned long long)w->seed);
	put_seconds(out, w->end);
	fprintf(out, " s: %u of %u sessions open\\ngreen established, orange one end or opening, red down, cut or crashed, grey link down",
	    sim_sessions_open(w), sessions_expected);
	fputs("\", labelloc=t, fontname=\"monospace\", tooltip=\"", out);
	put_esc(out, sc->name);
	fprintf(out, "\"%s];\n", roles ? ", splines=line, nodesep=0.3, ranksep=1.2, mclimit=0.01" : "");
	fputs("\tnode [shape=box, style=filled, fillcolor=white, fontname=\"monospace\"];\n", out);
	fputs("\tedge [fontname=\"monospace\", fontsize=9, penwidth=2];\n", out);

	/* Nodes in scenario order; with Clos roles, one rank per tier, the upper tier first (on top). */
	for (int t = roles ? 3 : 0; t >= (roles ? 1 : 0); t--) {
		bool any = false;
		for (size_t i = 0; i < sc->nnodes; i++) {
			if (roles && tier(sc->nodes[i].name) != t)
				continue;
			if (roles && !any)
				fputs("\t{ rank=same;\n", out);
			any = true;
			node_line(out, w, i, roles ? t : -1);
		}
		if (roles && any)
			fputs("\t}\n", out);
	}

	bool labels = sc->nlinks <= 8; /* more would clutter the picture; the tooltips always name the link */
	for (size_t i = 0; i < sc->nlinks; i++) {
		const struct sim_link_spec *ls = &sc->links[i];
		const struct sim_link *l = &w->links[i];
		const char *sa = end_state(w, i, 0), *sb = end_state(w, i, 1);
		const char *colour = edge_colour(l, sa, sb);
		/* The upper tier as the tail, so dot draws it above. */
		int first = ls->a, second = ls->b;
		if (roles && tier(sc->nodes[ls->b].name) > tier(sc->nodes[ls->a].name)) {
			first = ls->b;
			second = ls->a;
		}
		fputs("\t\"", out);
		put_esc(out, sc->nodes[first].name);
		fputs("\" -- \"", out);
		put_esc(out, sc->nodes[second].name);
		fprintf(out, "\" [color=%s", colour);
		if (l->cut || l->partitioned)
			fputs(", style=dashed", out);
		if (labels) {
			fprintf(out, ", fontcolor=%s, label=\"", colour);
			put_esc(out, SIM_LINK_NAME(sc, ls));
			fputc('"', out);
		}
		fputs(", tooltip=\"", out);
		put_esc(out, SIM_LINK_NAME(sc, ls));
		fputs(": ", out);
		put_esc(out, sc->nodes[ls->a].name);
		fprintf(out, " %s, ", sa);
		put_esc(out, sc->nodes[ls->b].name);
		fprintf(out, " %s%s%s%s\"];\n", sb, l->carrier ? "" : "; carrier down", l->cut ? "; cut" : "",
		    l->partitioned ? "; partitioned" : "");
	}
	fputs("}\n", out);
}
