/* The answer to "show links" (links_json.h). */
#include "links_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json_pdu.h"

struct link_item {
	const char *port;            /* the engine's port name (NULL or "": shown as its id) */
	uint32_t port_id;
	uint8_t peer_mac[6];
	bool has_peer_id;
	uint8_t peer_id[LSOE_LOCAL_ID_LEN];
	uint8_t type;
	const struct lsoe_link *link; /* NULL: the type is incompatible, no pair */
};

static bool push(struct links_view *v, const struct lsoe_session_view *s, unsigned type, const struct lsoe_link *l)
{
	if (v->n == LINKS_VIEW_MAX) {
		v->too_many = true;
		return false;
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		if (cap > LINKS_VIEW_MAX)
			cap = LINKS_VIEW_MAX;
		struct link_item *items = realloc(v->items, cap * sizeof(*items));
		if (!items) {
			v->no_memory = true;
			return false;
		}
		v->items = items;
		v->cap = cap;
	}
	struct link_item *it = &v->items[v->n++];
	it->port = s->port_name;
	it->port_id = s->port;
	memcpy(it->peer_mac, s->peer_mac, 6);
	it->has_peer_id = s->has_peer_id;
	memcpy(it->peer_id, s->peer_id, LSOE_LOCAL_ID_LEN);
	it->type = (uint8_t)type;
	it->link = l;
	return true;
}

void links_view_add(void *ctx, const struct lsoe_session_view *s)
{
	struct links_view *v = ctx;
	/* The engine keeps no view for other states; checked all the same, it costs nothing. */
	if (s->state != LSOE_STATE_ESTABLISHED || v->too_many || v->no_memory)
		return;
	for (unsigned k = 0; k < 4; k++) {
		unsigned type = LSOE_PDU_IPV4_ENCAP + k;
		for (unsigned i = 0; s->links[k] && i < s->link_count[k]; i++)
			if (!push(v, s, type, &s->links[k][i]))
				return;
		if (s->link_incompatible[k] && !push(v, s, type, NULL))
			return;
	}
}

static int cmp_u(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

/* One end's place in the order: address octets, then prefix length. */
static int cmp_end(unsigned alen, const struct lsoe_encap *a, const struct lsoe_encap *b)
{
	int c = memcmp(a->addr, b->addr, alen);
	return c ? c : cmp_u(a->prefix_len, b->prefix_len);
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct link_item *a = pa, *b = pb;
	int c = strcmp(a->port ? a->port : "", b->port ? b->port : "");
	if (c)
		return c;
	if ((c = cmp_u(a->type, b->type)))
		return c;
	/* Pairs before incompatible markers (they are written to separate lists anyway). */
	if (!a->link != !b->link)
		return a->link ? -1 : 1;
	if (a->link) {
		unsigned alen = lsoe_encap_addr_len(a->type);
		if ((c = cmp_end(alen, &a->link->local, &b->link->local)))
			return c;
		if ((c = cmp_end(alen, &a->link->peer, &b->link->peer)))
			return c;
	}
	if ((c = memcmp(a->peer_mac, b->peer_mac, 6)))
		return c;
	return cmp_u(a->port_id, b->port_id);
}

/* "port" as json_event.c writes it: the name, or the id in decimal when there is none. */
static void kport(yajl_gen g, const struct link_item *it)
{
	char id[16];
	if (it->port && *it->port) {
		lsoe_json_kstr(g, "port", it->port);
	} else {
		snprintf(id, sizeof(id), "%u", (unsigned)it->port_id);
		lsoe_json_kstr(g, "port", id);
	}
}

/* One entry of "links" (a pair) or of "incompatible" (no pair: no local_id, local or peer). */
static void item_json(yajl_gen g, const struct link_item *it, const char *ours)
{
	char theirs[LSOE_ID_STRLEN], mac[LSOE_MAC_STRLEN];
	yajl_gen_map_open(g);
	kport(g, it);
	lsoe_json_kstr(g, "peer_mac", lsoe_fmt_mac(mac, it->peer_mac));
	if (it->link)
		lsoe_json_kstr(g, "local_id", ours);
	lsoe_json_kstr(g, "peer_id",
	    it->has_peer_id ? lsoe_fmt_hexcolon(theirs, sizeof(theirs), it->peer_id, LSOE_LOCAL_ID_LEN) : "");
	lsoe_json_kstr(g, "type", lsoe_pdu_type_name(it->type));
	if (it->link) {
		lsoe_json_key(g, "local");
		lsoe_json_link_end(g, it->type, &it->link->local);
		lsoe_json_key(g, "peer");
		lsoe_json_link_end(g, it->type, &it->link->peer);
	}
	yajl_gen_map_close(g);
}

bool links_view_json(struct links_view *v, yajl_gen g, const uint8_t local_id[LSOE_LOCAL_ID_LEN], char *err,
    size_t cap)
{
	bool ok = !v->too_many && !v->no_memory;
	if (v->too_many)
		snprintf(err, cap, "answer too large: more than %u links and incompatible types", (unsigned)LINKS_VIEW_MAX);
	else if (v->no_memory)
		snprintf(err, cap, "out of memory");
	if (ok) {
		char ours[LSOE_ID_STRLEN];
		lsoe_fmt_hexcolon(ours, sizeof(ours), local_id, LSOE_LOCAL_ID_LEN);
		if (v->n)
			qsort(v->items, v->n, sizeof(v->items[0]), item_cmp);
		/* Two passes over one sorted array: the pairs, then the incompatible types. */
		for (int pairs = 1; pairs >= 0; pairs--) {
			lsoe_json_key(g, pairs ? "links" : "incompatible");
			yajl_gen_array_open(g);
			for (size_t i = 0; i < v->n; i++)
				if ((v->items[i].link != NULL) == pairs)
					item_json(g, &v->items[i], ours);
			yajl_gen_array_close(g);
		}
	}
	free(v->items);
	*v = (struct links_view){ 0 };
	return ok;
}
