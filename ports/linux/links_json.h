/*
 * The answer to "show links": every address pair of every established session's
 * link view (lsoe_session_view links[]), one entry per pair, and the (session, type)
 * pairs whose addresses agree nowhere (link_incompatible[]), sorted for people and
 * diffs rather than in the engine's port-id order:
 *
 *   "links": [{port, peer_mac, local_id, peer_id, type, local: END, peer: END}...]
 *   "incompatible": [{port, peer_mac, peer_id, type}...]
 *
 * END as lsoe_json_link_end writes it. Order: port name (byte order), type, our
 * address, our prefix length, the peer's address, its prefix length, peer MAC (and
 * port id, should two ports share a name); "incompatible" likewise by port, type,
 * peer MAC.
 *
 * Use: a zeroed struct links_view, lsoe_node_foreach_session(node, links_view_add,
 * &view), then links_view_json while the engine has not run since (the view points
 * into the engine's link views and port names). lsoed's ctl_show and the lsoectl
 * tests' ctl_test_server both answer through it.
 */
#ifndef LSOED_LINKS_JSON_H
#define LSOED_LINKS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "ctl.h"
#include "lsoe/node.h"

struct link_item;

struct links_view {
	struct link_item *items;
	size_t n, cap;
	bool too_many;               /* more items than one answer could hold */
	bool no_memory;
};

/*
 * Items one answer holds at most: every one takes well over 200 octets of JSON, so
 * more could never fit CTL_OUTPUT_MAX. This bounds the collection's memory whatever
 * the number of ports, sessions and pairs.
 */
#define LINKS_VIEW_MAX (CTL_OUTPUT_MAX / 200u)

/* A lsoe_session_visit_fn: collect s's pairs and incompatible types (established sessions only). */
void links_view_add(void *ctx, const struct lsoe_session_view *s);

/*
 * Sort v and write "links" and "incompatible" as members of the object open in g;
 * local_id is ours. Frees v's memory in every case. False with err set when the
 * collection overflowed LINKS_VIEW_MAX or ran out of memory (the caller abandons g).
 */
bool links_view_json(struct links_view *v, yajl_gen g, const uint8_t local_id[LSOE_LOCAL_ID_LEN], char *err,
    size_t cap);

#endif
