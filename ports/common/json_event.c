#include "json_event.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json_pdu.h"

/* Every PDU type the draft defines, in type order: the keys of rx_by_type / tx_by_type. */
static const unsigned pdu_types[] = {
	LSOE_PDU_HELLO, LSOE_PDU_OPEN, LSOE_PDU_KEEPALIVE, LSOE_PDU_ACK, LSOE_PDU_IPV4_ENCAP,
	LSOE_PDU_IPV6_ENCAP, LSOE_PDU_MPLS_IPV4_ENCAP, LSOE_PDU_MPLS_IPV6_ENCAP, LSOE_PDU_VENDOR,
};

static const char *type_name(unsigned type)
{
	const char *n = lsoe_pdu_type_name(type);
	return n ? n : "UNKNOWN";
}

char *lsoe_json_seconds(char out[LSOE_SECONDS_STRLEN], uint64_t ns)
{
	snprintf(out, LSOE_SECONDS_STRLEN, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
	return out;
}

void lsoe_json_kseconds(yajl_gen g, const char *key, uint64_t ns)
{
	char buf[LSOE_SECONDS_STRLEN];
	lsoe_json_kdecimal(g, key, lsoe_json_seconds(buf, ns));
}

static void json_u64(yajl_gen g, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	yajl_gen_number(g, buf, (size_t)n);
}

void lsoe_json_ku64(yajl_gen g, const char *key, uint64_t v)
{
	lsoe_json_key(g, key);
	json_u64(g, v);
}

/* "port": the name, or the id as a decimal string; "port_id": the id. */
static void json_port_ref(yajl_gen g, uint32_t id, const char *name)
{
	char buf[16];
	if (name && *name) {
		lsoe_json_kstr(g, "port", name);
	} else {
		snprintf(buf, sizeof(buf), "%" PRIu32, id);
		lsoe_json_kstr(g, "port", buf);
	}
	lsoe_json_kint(g, "port_id", id);
}

static void json_kmac(yajl_gen g, const char *key, bool known, const uint8_t mac[6])
{
	char buf[LSOE_MAC_STRLEN];
	lsoe_json_kstr(g, key, known ? lsoe_fmt_mac(buf, mac) : "");
}

static void json_kid(yajl_gen g, const char *key, bool known, const uint8_t id[LSOE_LOCAL_ID_LEN])
{
	char buf[LSOE_ID_STRLEN];
	lsoe_json_kstr(g, key, known ? lsoe_fmt_hexcolon(buf, sizeof(buf), id, LSOE_LOCAL_ID_LEN) : "");
}

static void json_encap_list(yajl_gen g, unsigned type, const struct lsoe_encap *e, unsigned count)
{
	yajl_gen_array_open(g);
	for (unsigned i = 0; e && i < count; i++)
		lsoe_json_encap_entry(g, type, &e[i]);
	yajl_gen_array_close(g);
}

static bool error_is_ack(enum lsoe_error_kind k)
{
	return k == LSOE_ERRK_ACK_RECEIVED || k == LSOE_ERRK_ACK_SENT || k == LSOE_ERRK_ADDR_CONFLICT;
}

void lsoe_json_event(yajl_gen g, const char *node, const struct lsoe_event *ev)
{
	yajl_gen_map_open(g);
	lsoe_json_kseconds(g, "time", ev->time_ns);
	lsoe_json_kstr(g, "node", node ? node : "");
	lsoe_json_kstr(g, "event", lsoe_event_type_name(ev->type));
	json_port_ref(g, ev->port, ev->port_name);
	json_kmac(g, "peer_mac", ev->has_peer, ev->peer_mac);
	json_kid(g, "peer_id", ev->has_peer_id, ev->peer_id);
	switch (ev->type) {
	case LSOE_EV_SESSION_UP:
		lsoe_json_kattrs(g, "attributes", ev->attrs, ev->attr_count);
		break;
	case LSOE_EV_SESSION_DOWN:
		lsoe_json_kstr(g, "reason", lsoe_down_reason_name(ev->reason));
		if (ev->text) /* why, when the engine can say more than the reason (a misconfigured timeout) */
			lsoe_json_kstr(g, "text", ev->text);
		break;
	case LSOE_EV_ENCAPS:
		lsoe_json_kstr(g, "type", type_name(ev->encap_type));
		lsoe_json_key(g, "encaps");
		json_encap_list(g, ev->encap_type, ev->encaps, ev->encap_count);
		break;
	case LSOE_EV_LINKS:
		json_kid(g, "local_id", true, ev->local_id);
		lsoe_json_kstr(g, "type", type_name(ev->encap_type));
		lsoe_json_key(g, "links");
		yajl_gen_array_open(g);
		for (unsigned i = 0; ev->links && i < ev->link_count; i++) {
			yajl_gen_map_open(g);
			lsoe_json_key(g, "local");
			lsoe_json_link_end(g, ev->encap_type, &ev->links[i].local);
			lsoe_json_key(g, "peer");
			lsoe_json_link_end(g, ev->encap_type, &ev->links[i].peer);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		break;
	case LSOE_EV_ERROR:
		lsoe_json_kstr(g, "error", lsoe_error_kind_name(ev->error));
		if (error_is_ack(ev->error)) {
			lsoe_json_kstr(g, "ack_type", type_name(ev->ack_pdu_type));
			lsoe_json_kint(g, "error_type", ev->etype);
			lsoe_json_kint(g, "error_code", ev->code);
			lsoe_json_kint(g, "error_hint", ev->hint);
		}
		lsoe_json_kstr(g, "text", ev->text ? ev->text : "");
		break;
	}
	yajl_gen_map_close(g);
}

char *lsoe_json_event_line(const char *node, const struct lsoe_event *ev, size_t *len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		return NULL;
	lsoe_json_event(g, node, ev);
	const unsigned char *buf;
	size_t n;
	char *line = NULL;
	if (yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok && (line = malloc(n + 2)) != NULL) {
		memcpy(line, buf, n);
		line[n] = '\n';
		line[n + 1] = '\0';
		if (len)
			*len = n + 1;
	}
	yajl_gen_free(g);
	return line;
}

void lsoe_json_session(yajl_gen g, const struct lsoe_session_view *s, uint64_t now_ns)
{
	char buf[16];
	bool est = s->state == LSOE_STATE_ESTABLISHED;
	yajl_gen_map_open(g);
	json_port_ref(g, s->port, s->port_name);
	json_kmac(g, "peer_mac", true, s->peer_mac);
	json_kid(g, "peer_id", s->has_peer_id, s->peer_id);
	/* The state is opening or established; a session held after a hopeless error is "opening" and held. */
	bool held = s->state == LSOE_STATE_HOLD;
	lsoe_json_kstr(g, "state", lsoe_session_state_name(held ? LSOE_STATE_OPENING : s->state));
	lsoe_json_kbool(g, "held", held);
	lsoe_json_kseconds(g, "uptime", est && now_ns > s->since_ns ? now_ns - s->since_ns : 0);
	lsoe_json_kseconds(g, "since", s->since_ns);
	lsoe_json_kseconds(g, "last_rx", s->last_rx_ns);
	lsoe_json_kattrs(g, "attributes", s->attrs, s->attr_count);
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, s->our_nonce);
	lsoe_json_kstr(g, "our_nonce", buf);
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, s->peer_nonce);
	lsoe_json_kstr(g, "peer_nonce", buf);
	lsoe_json_kint(g, "retransmits", s->retransmits);
	lsoe_json_key(g, "encaps");
	yajl_gen_map_open(g);
	for (unsigned i = 0; i < 4; i++) {
		unsigned type = LSOE_PDU_IPV4_ENCAP + i;
		lsoe_json_key(g, type_name(type));
		json_encap_list(g, type, s->encaps[i], s->encap_count[i]);
	}
	yajl_gen_map_close(g);
	/* The peer's own addresses (flag Loopback), kept apart from the link addresses (draft 16.2). */
	lsoe_json_key(g, "loopbacks");
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < 4; i++) {
		unsigned type = LSOE_PDU_IPV4_ENCAP + i;
		for (unsigned j = 0; s->encaps[i] && j < s->encap_count[i]; j++) {
			if (!(s->encaps[i][j].flags & LSOE_ENCAP_LOOPBACK))
				continue;
			yajl_gen_map_open(g);
			lsoe_json_kstr(g, "type", type_name(type));
			lsoe_json_link_end_fields(g, type, &s->encaps[i][j]);
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

void lsoe_json_counters(yajl_gen g, const struct lsoe_counters *c)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < lsoe_counter_count(); i++)
		lsoe_json_ku64(g, lsoe_counter_name(i), lsoe_counter_value(c, i));
	lsoe_json_key(g, "rx_errors");
	yajl_gen_map_open(g);
	for (unsigned e = LSOE_OK + 1; e < LSOE_ERR_COUNT; e++)
		lsoe_json_ku64(g, lsoe_err_name((enum lsoe_err)e), c->rx_errors[e]);
	yajl_gen_map_close(g);
	lsoe_json_key(g, "rx_by_type");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < sizeof(pdu_types) / sizeof(pdu_types[0]); i++)
		lsoe_json_ku64(g, type_name(pdu_types[i]), c->rx_by_type[lsoe_pdu_type_slot(pdu_types[i])]);
	yajl_gen_map_close(g);
	lsoe_json_key(g, "tx_by_type");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < sizeof(pdu_types) / sizeof(pdu_types[0]); i++)
		lsoe_json_ku64(g, type_name(pdu_types[i]), c->tx_by_type[lsoe_pdu_type_slot(pdu_types[i])]);
	yajl_gen_map_close(g);
	lsoe_json_key(g, "sessions_down");
	yajl_gen_map_open(g);
	for (unsigned r = 0; r < LSOE_DOWN_COUNT; r++)
		lsoe_json_ku64(g, lsoe_down_reason_name((enum lsoe_down_reason)r), c->sessions_down[r]);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

void lsoe_json_port(yajl_gen g, const struct lsoe_port_view *p)
{
	yajl_gen_map_open(g);
	lsoe_json_port_fields(g, p);
	yajl_gen_map_close(g);
}

void lsoe_json_port_fields(yajl_gen g, const struct lsoe_port_view *p)
{
	static const struct lsoe_counters zero;
	char mac[LSOE_MAC_STRLEN];
	json_port_ref(g, p->port, p->name);
	lsoe_json_kstr(g, "mac", lsoe_fmt_mac(mac, p->mac));
	lsoe_json_kbool(g, "up", p->up);
	lsoe_json_kbool(g, "loopback", p->loopback);
	lsoe_json_kint(g, "mtu", p->mtu);
	lsoe_json_kint(g, "sessions", p->sessions);
	lsoe_json_key(g, "encap_types");
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < 4; i++)
		if (p->encap_types & (1u << i))
			lsoe_json_str(g, type_name(LSOE_PDU_IPV4_ENCAP + i));
	yajl_gen_array_close(g);
	lsoe_json_key(g, "counters");
	lsoe_json_counters(g, p->counters ? p->counters : &zero);
}

void lsoe_json_node_memory(yajl_gen g, const struct lsoe_node_memory *m)
{
	yajl_gen_map_open(g);
	lsoe_json_ku64(g, "bytes", m->bytes);
	lsoe_json_ku64(g, "peak_bytes", m->peak_bytes);
	lsoe_json_kint(g, "sessions", m->sessions);
	lsoe_json_kint(g, "ports", m->ports);
	lsoe_json_kint(g, "timers_armed", m->timers_armed);
	yajl_gen_map_close(g);
}
