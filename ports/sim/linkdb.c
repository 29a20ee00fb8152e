/*
 * lsoe-sim run --links FILE: the fabric's link-state database at the end of the run,
 * as BGP-SPF would assemble it from every node's link view (lsoe_node_foreach_session).
 * One entry per (simulated link, type, address pair) that both ends report, mirrored
 * (b's pair is a's with the ends swapped); a is the link's first end, as in its name:
 *
 *   {"links":[
 *   {"link":"a-b","type":"IPV4_ENCAP","a":{"node","port","id","address","prefix_len","primary","labels"},"b":{...}},
 *   ...
 *   ]}
 *
 * One entry a line, sorted by link name (octets), type, a's address and prefix length,
 * then b's: the same run gives the same bytes. Each end is as that end reports its own
 * entry (its primary flag, its labels).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "format.h"
#include "json_pdu.h"
#include "world.h"

struct entry {
	const struct sim_scenario *sc;
	int index;                   /* the link's */
	unsigned type;
	const struct lsoe_encap *a, *b;
};

struct ends {
	const struct sim_world *w;
	const struct sim_node *n;
	struct lsoe_session_view *view; /* per link end (link * 2 + side): the session with the other end */
	bool *found;
};

static void collect(void *ctx, const struct lsoe_session_view *v)
{
	struct ends *c = ctx;
	long e = sim_view_link_end(c->w, c->n, v);
	if (e < 0)
		return; /* not the link's other end */
	c->view[e] = *v;
	c->found[e] = true;
}

static bool same_key(unsigned type, const struct lsoe_encap *x, const struct lsoe_encap *y)
{
	return x->prefix_len == y->prefix_len && memcmp(x->addr, y->addr, lsoe_encap_addr_len(type)) == 0;
}

/* Engines zero the unused octets of a view's addresses: all 16 can be compared. */
static int entry_cmp(const void *p, const void *q)
{
	const struct entry *x = p, *y = q;
	int c = sim_link_name_cmp(x->sc, &x->sc->links[x->index], &y->sc->links[y->index]);
	if (c)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if ((c = memcmp(x->a->addr, y->a->addr, 16)))
		return c;
	if (x->a->prefix_len != y->a->prefix_len)
		return x->a->prefix_len < y->a->prefix_len ? -1 : 1;
	if ((c = memcmp(x->b->addr, y->b->addr, 16)))
		return c;
	return x->b->prefix_len < y->b->prefix_len ? -1 : x->b->prefix_len > y->b->prefix_len;
}

static void write_end(yajl_gen g, const struct sim_world *w, int node, uint32_t port, unsigned type,
    const struct lsoe_encap *e)
{
	char name[16], id[LSOE_ID_STRLEN];
	uint8_t local_id[LSOE_LOCAL_ID_LEN];
	const struct sim_node *n = &w->nodes[node];
	sim_node_local_id(n, local_id);
	snprintf(name, sizeof(name), "eth%u", port);
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "node", sim_node_name(n));
	lsoe_json_kstr(g, "port", name);
	lsoe_json_kstr(g, "id", lsoe_fmt_hexcolon(id, sizeof(id), local_id, LSOE_LOCAL_ID_LEN));
	lsoe_json_link_end_fields(g, type, e);
	yajl_gen_map_close(g);
}

static void write_entry(const struct sim_world *w, const struct entry *e, FILE *out)
{
	const struct sim_link_spec *ls = &w->sc->links[e->index];
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	yajl_gen_map_open(g);
	lsoe_json_kstr(g, "link", SIM_LINK_NAME(w->sc, ls));
	lsoe_json_kstr(g, "type", lsoe_pdu_type_name(e->type));
	lsoe_json_key(g, "a");
	write_end(g, w, ls->a, ls->a_port, e->type, e->a);
	lsoe_json_key(g, "b");
	write_end(g, w, ls->b, ls->b_port, e->type, e->b);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		fwrite(buf, 1, len, out);
	yajl_gen_free(g);
}

void sim_linkdb_write(const struct sim_world *w, FILE *out)
{
	const struct sim_scenario *sc = w->sc;
	struct ends c = { .w = w };
	c.view = calloc(sc->nlinks * 2 + 1, sizeof(*c.view));
	c.found = calloc(sc->nlinks * 2 + 1, sizeof(*c.found));
	if (!c.view || !c.found) {
		fputs("lsoe-sim: out of memory\n", stderr);
		exit(1);
	}
	for (size_t i = 0; i < sc->nnodes; i++) {
		c.n = &w->nodes[i];
		if (c.n->node)
			lsoe_node_foreach_session(c.n->node, collect, &c);
	}
	/* a's pairs that b holds mirrored; a view holds at most LSOE_LINKS_MAX per type. */
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < sc->nlinks; i++) {
		if (!c.found[2 * i] || !c.found[2 * i + 1])
			continue;
		const struct lsoe_session_view *a = &c.view[2 * i], *b = &c.view[2 * i + 1];
		for (unsigned j = 0; j < 4; j++) {
			unsigned type = LSOE_PDU_IPV4_ENCAP + j;
			for (unsigned p = 0; p < a->link_count[j]; p++) {
				const struct lsoe_link *pa = &a->links[j][p];
				const struct lsoe_link *pb = NULL;
				for (unsigned q = 0; !pb && q < b->link_count[j]; q++)
					if (same_key(type, &b->links[j][q].local, &pa->peer) &&
					    same_key(type, &b->links[j][q].peer, &pa->local))
						pb = &b->links[j][q];
				if (!pb)
					continue;
				if (n == cap) {
					cap = cap ? 2 * cap : 256;
					struct entry *nv = realloc(v, cap * sizeof(*v));
					if (!nv) {
						fputs("lsoe-sim: out of memory\n", stderr);
						exit(1);
					}
					v = nv;
				}
				v[n++] = (struct entry){ sc, (int)i, type, &pa->local, &pb->local };
			}
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	fputs("{\"links\":[", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		write_entry(w, &v[i], out);
	}
	fputs("\n]}\n", out);
	free(v);
	free(c.view);
	free(c.found);
}
