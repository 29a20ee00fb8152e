/*
 * The one JSON schema for northbound events and node state, shared by lsoe-sim
 * (--events), lsoed/lsoectl (monitor, show --json) and the tests.
 *
 * Shapes never depend on how many items there are: lists stay lists at every
 * length, and every key listed for an object (or event type) is always there.
 * Values keep their JSON type: something not known yet is "" (strings) or 0
 * (numbers), never null. Times are seconds as JSON numbers with exactly 9
 * decimals ("12.000000000"), written verbatim so they stay exact. 64-bit counters
 * are written verbatim as unsigned decimal integers.
 *
 * Event (one per line with lsoe_json_event_line):
 *   every event  time, node, event ("session_up" | "session_down" | "encaps" | "error" |
 *                "links"),
 *                port (the port's name, or its decimal id as a string when it has none),
 *                port_id, peer_mac ("aa:bb:cc:dd:ee:ff", "" when the event has no peer),
 *                peer_id (10 octets colon hex, "" when not known)
 *   session_up   attributes [int...]
 *   session_down reason (lsoe_down_reason_name)
 *   encaps       type ("IPV4_ENCAP" | "IPV6_ENCAP" | "MPLS_IPV4_ENCAP" | "MPLS_IPV6_ENCAP"),
 *                encaps [{primary, loopback, address, prefix_len, labels [int...]}...]
 *   error        error (lsoe_error_kind_name), text ("" when none); and for the kinds
 *                about an ACK (error_ack_received, error_ack_sent, address_conflict):
 *                ack_type (PDU type name), error_type, error_code, error_hint
 *   links        local_id (ours, 10 octets colon hex), type (as encaps), links
 *                [{local: END, peer: END}...], END = {address, prefix_len, primary,
 *                labels [int...]}: the link's full current list of address pairs; []
 *                when the link of that type is gone
 *
 * Session: port, port_id, peer_mac, peer_id, state ("opening" | "established"), held (a hopeless
 *   error holds the session until reset: state "opening", held true),
 *   uptime (seconds established, 0 in other states), since, last_rx (node clock,
 *   seconds), attributes [int...], our_nonce, peer_nonce ("0x%08x"), retransmits,
 *   encaps {IPV4_ENCAP: [...], IPV6_ENCAP: [...], MPLS_IPV4_ENCAP: [...], MPLS_IPV6_ENCAP: [...]},
 *   loopbacks [{type, address, prefix_len, primary, labels}...] (the peer's entries flagged
 *   Loopback, in type then list order)
 *
 * Port: port, port_id, mac, up, loopback, mtu, sessions, encap_types [name...], counters {...}
 *
 * Counters: every scalar counter by name (lsoe_counter_name order), then
 *   rx_errors {every lsoe_err name but "ok": n}, rx_by_type {every PDU type name: n},
 *   tx_by_type {same}, sessions_down {every down reason: n}.
 *
 * Node memory: bytes, peak_bytes, sessions, ports, timers_armed.
 */
#ifndef LSOE_JSON_EVENT_H
#define LSOE_JSON_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "lsoe/event.h"
#include "lsoe/node.h"

/* Room for the longest seconds text: "18446744073.709551615" + NUL. */
#define LSOE_SECONDS_STRLEN 32

/* ns as seconds with exactly 9 decimals: 0 -> "0.000000000", 1500000000 -> "1.500000000". */
char *lsoe_json_seconds(char out[LSOE_SECONDS_STRLEN], uint64_t ns);
/* "key": seconds (a JSON number, written verbatim). */
void lsoe_json_kseconds(yajl_gen g, const char *key, uint64_t ns);
/* "key": an unsigned 64-bit integer, exact over its whole range. */
void lsoe_json_ku64(yajl_gen g, const char *key, uint64_t v);

/* One event object. node is the name of the node that reported it (NULL: ""). */
void lsoe_json_event(yajl_gen g, const char *node, const struct lsoe_event *ev);
/*
 * One event as a single line of JSON ending in '\n', malloc'd (free it); *len
 * (if not NULL) gets its length without the NUL. NULL if memory runs out.
 */
char *lsoe_json_event_line(const char *node, const struct lsoe_event *ev, size_t *len);

/* One session object; now_ns is the node's clock, for uptime. */
void lsoe_json_session(yajl_gen g, const struct lsoe_session_view *s, uint64_t now_ns);
/* One port object; its counters are all zero if p->counters is NULL. */
void lsoe_json_port(yajl_gen g, const struct lsoe_port_view *p);
/* The same fields without the enclosing object, for callers that add their own beside them. */
void lsoe_json_port_fields(yajl_gen g, const struct lsoe_port_view *p);
/* The counters object. */
void lsoe_json_counters(yajl_gen g, const struct lsoe_counters *c);
/* The node memory object. */
void lsoe_json_node_memory(yajl_gen g, const struct lsoe_node_memory *m);

#endif
