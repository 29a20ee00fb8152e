/*
 * The node's own copy of its configuration: only the keys the engine reads.
 * struct lsoe_config is almost 5 KB, most of it text for the ports (include-ports,
 * pidfile, bgp-ls-*, ...); a fabric of thousands of nodes would hold it thousands
 * of times. The attributes and auth-data (255 octets each at most) share one block,
 * allocated only when either is set.
 */
#include <string.h>

#include "node_internal.h"

/* What an empty list points to: never NULL, so comparing or copying zero octets is well defined. */
static const uint8_t no_octets[1];

static enum lsoe_log_level level_of(const char *name)
{
	switch (name[0]) {
	case 'e': return LSOE_LOG_ERROR;
	case 'w': return LSOE_LOG_WARNING;
	case 'd': return LSOE_LOG_DEBUG;
	default: return LSOE_LOG_INFO;
	}
}

static size_t octets_size(const struct node_cfg *c) { return (size_t)c->attr_count + c->auth_len; }

static bool octets_same(const struct node_cfg *c, const struct lsoe_config *cfg)
{
	return c->attr_count == cfg->attr_count && c->auth_len == cfg->auth_len &&
	    memcmp(c->attrs, cfg->attrs, cfg->attr_count) == 0 && memcmp(c->auth, cfg->auth, cfg->auth_len) == 0;
}

bool node_cfg_make(struct lsoe_node *n, struct node_cfg *out, const struct lsoe_config *cfg,
    const struct node_cfg *old)
{
	memset(out, 0, sizeof(*out));
	out->attrs = out->auth = no_octets;
	out->attr_count = cfg->attr_count;
	out->auth_len = cfg->auth_len;
	if (old && octets_same(old, cfg)) {
		out->octets = old->octets; /* the block moves over: node_cfg_replace frees only a changed one */
		out->attrs = old->attrs;
		out->auth = old->auth;
	} else if (octets_size(out)) {
		if (!(out->octets = node_alloc(n, octets_size(out))))
			return false;
		memcpy(out->octets, cfg->attrs, cfg->attr_count);
		memcpy(out->octets + cfg->attr_count, cfg->auth, cfg->auth_len);
		if (cfg->attr_count)
			out->attrs = out->octets;
		if (cfg->auth_len)
			out->auth = out->octets + cfg->attr_count;
	}
	memcpy(out->local_id, cfg->local_id, LSOE_LOCAL_ID_LEN);
	memcpy(out->hello_mac, cfg->hello_mac, 6);
	out->auth_required = cfg->auth_required;
	out->retransmit_backoff = cfg->retransmit_backoff;
	out->log_level = (uint8_t)level_of(cfg->log_level);
	out->mtu = cfg->mtu;
	out->retransmit_max_drop = cfg->retransmit_max_drop;
	out->max_sessions_per_port = cfg->max_sessions_per_port;
	out->hello_interval = cfg->hello_interval;
	out->retransmit_initial = cfg->retransmit_initial;
	out->keepalive_send = cfg->keepalive_send;
	out->keepalive_receive_timeout = cfg->keepalive_receive_timeout;
	out->reassembly_timeout = cfg->reassembly_timeout;
	out->idle_timeout = cfg->idle_timeout;
	return true;
}

void node_cfg_replace(struct lsoe_node *n, struct node_cfg *cur, const struct node_cfg *next)
{
	if (cur->octets != next->octets)
		node_free(n, cur->octets, octets_size(cur));
	*cur = *next;
}

void node_cfg_free(struct lsoe_node *n, struct node_cfg *c)
{
	node_free(n, c->octets, octets_size(c));
	c->octets = NULL;
}
