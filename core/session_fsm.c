/*
 * The session state machine as one table: state x event -> action, next state,
 * after OpenBSD ospfd's neighbor.c. The digest's section 5.7 is the source; the
 * rows below follow it line by line, with the OPENING state split by its A/P flags
 * (A: our OPEN has been ACKed; P: we have ACKed the peer's OPEN).
 *
 * A cell left empty means: the input is not acceptable in that state; it is
 * dropped, counted (rx_unexpected) and logged at debug level. Nothing else
 * changes a session's state: every transition goes through fsm_run() and is
 * logged there, one debug line each.
 *
 * NONE is the absence of a session: its rows create one (or refuse to). A
 * transition to NONE destroys the session once the action has run. An action
 * that cannot complete (the platform refused memory) sets n->fsm_abort: the
 * state stays and, since nothing was ACKed, the peer's retransmission retries.
 */
#include "node_internal.h"
#include "text.h"

#define SAME FS_COUNT   /* next state: unchanged */

struct transition {
	struct session *(*action)(struct lsoe_node *, struct session *, const struct fsm_input *);
	const char *action_name;
	uint8_t next;
};

#define T(act, nxt) { act, #act, nxt }

static const struct transition table[FS_COUNT][EV_COUNT] = {
	[FS_NONE] = {
		[EV_HELLO]         = T(act_start, FS_OPENING_00),
		/* A KEEPALIVE from a stranger: it thinks a session exists. Our OPEN's fresh nonce makes it resync. */
		[EV_KEEPALIVE]     = T(act_start, FS_OPENING_00),
		[EV_OPEN]          = T(act_start_on_open, FS_OPENING_01),
		[EV_OPEN_BAD_AUTH] = T(act_reject_open, FS_NONE),
	},
	[FS_OPENING_00] = {
		/* Our OPEN is being retried; a HELLO from the peer hurries it (rate-limited, same PDU). */
		[EV_HELLO]         = T(act_nudge_open, SAME),
		[EV_OPEN]          = T(act_accept_open, FS_OPENING_01),
		[EV_OPEN_BAD_AUTH] = T(act_reject_open_close, FS_NONE),
		[EV_ACK_OPEN]      = T(act_open_acked, FS_OPENING_10),
		[EV_ACK_RESTART]   = T(act_restart, FS_OPENING_00),
		[EV_ACK_HOPELESS]  = T(act_hold, FS_HOLD),
		[EV_RTX_FAILED]    = T(act_close, FS_NONE),  /* the next HELLO retries */
		[EV_RECV_TIMEOUT]  = T(act_forget, FS_NONE),
		[EV_PORT_DOWN]     = T(act_close, FS_NONE),
		[EV_SHUTDOWN]      = T(act_close, FS_NONE),
	},
	[FS_OPENING_10] = {
		[EV_HELLO]         = T(act_none, SAME),
		[EV_OPEN]          = T(act_accept_open, FS_ESTABLISHED),
		/*
		 * The peer keeps alive, so it holds our OPEN as ACKed and thinks it sent us its
		 * own; we have none: that ACK came from before a restart of ours. Neither side
		 * would ever send the missing OPEN, and each in turn fails on the other's
		 * unACKed Encapsulation PDUs (found by the campaign, seed 26). Start afresh: the
		 * new nonce makes the peer send its OPEN again. Rate-limited like every restart.
		 */
		[EV_KEEPALIVE]     = T(act_restart, FS_OPENING_00),
		[EV_OPEN_BAD_AUTH] = T(act_reject_open_close, FS_NONE),
		[EV_ACK_RESTART]   = T(act_restart, FS_OPENING_00),
		[EV_ACK_HOPELESS]  = T(act_hold, FS_HOLD),
		[EV_RTX_FAILED]    = T(act_close, FS_NONE),
		/* -01 has no timer for a peer that ACKs our OPEN but never sends its own (digest 12.29). */
		[EV_RECV_TIMEOUT]  = T(act_forget, FS_NONE),
		[EV_PORT_DOWN]     = T(act_close, FS_NONE),
		[EV_SHUTDOWN]      = T(act_close, FS_NONE),
	},
	[FS_OPENING_01] = {
		[EV_HELLO]         = T(act_nudge_open, SAME),
		[EV_OPEN_SAME]     = T(act_reack_open, SAME),  /* our ACK was lost: ACK again */
		[EV_OPEN_NEW]      = T(act_replace_open, SAME),
		[EV_OPEN_BAD_AUTH] = T(act_reject_open_close, FS_NONE),
		/*
		 * The peer keeps alive, so it is ESTABLISHED: it ACKed our OPEN and that ACK was
		 * lost. Resend our OPEN now rather than wait out the backoff (found by the lossy
		 * scenario: with retransmit-max-drop 8 the wait reaches a minute).
		 */
		[EV_KEEPALIVE]     = T(act_nudge_open, SAME),
		[EV_ACK_OPEN]      = T(act_open_acked, FS_ESTABLISHED),
		[EV_ACK_RESTART]   = T(act_restart, FS_OPENING_00),
		[EV_ACK_HOPELESS]  = T(act_hold, FS_HOLD),
		[EV_RTX_FAILED]    = T(act_close, FS_NONE),
		[EV_RECV_TIMEOUT]  = T(act_forget, FS_NONE),
		[EV_PORT_DOWN]     = T(act_close, FS_NONE),
		[EV_SHUTDOWN]      = T(act_close, FS_NONE),
	},
	[FS_ESTABLISHED] = {
		[EV_HELLO]         = T(act_none, SAME),
		[EV_OPEN_SAME]     = T(act_reack_open, SAME),
		[EV_OPEN_NEW]      = T(act_peer_restart, FS_OPENING_01),
		/* A forged OPEN must not reset a working session (digest 9): refuse it, keep the session. */
		[EV_OPEN_BAD_AUTH] = T(act_reject_open, SAME),
		[EV_KEEPALIVE]     = T(act_none, SAME),        /* the receive timer is fed by every valid PDU */
		[EV_ACK]           = T(act_acked, SAME),
		[EV_ACK_RESTART]   = T(act_restart, FS_OPENING_00),
		[EV_ACK_HOPELESS]  = T(act_hold, FS_HOLD),
		[EV_ENCAP]         = T(act_encap, SAME),
		[EV_VENDOR]        = T(act_vendor, SAME),
		[EV_RTX_FAILED]    = T(act_restart, FS_OPENING_00),
		[EV_RECV_TIMEOUT]  = T(act_close, FS_NONE),
		[EV_PORT_DOWN]     = T(act_close, FS_NONE),
		[EV_SHUTDOWN]      = T(act_close, FS_NONE),
	},
	[FS_HOLD] = {
		/* Everything from the peer is dropped until an operator resets the session. */
		[EV_RECV_TIMEOUT]  = T(act_forget, FS_NONE),  /* silent for the idle timeout: forget it */
		[EV_RESET]         = T(act_forget, FS_NONE),
		[EV_PORT_DOWN]     = T(act_close, FS_NONE),
		[EV_SHUTDOWN]      = T(act_close, FS_NONE),
	},
};

static const char *const event_names[EV_COUNT] = {
	[EV_HELLO] = "HELLO", [EV_OPEN] = "OPEN", [EV_OPEN_SAME] = "OPEN_SAME_NONCE",
	[EV_OPEN_NEW] = "OPEN_NEW_NONCE", [EV_OPEN_BAD_AUTH] = "OPEN_BAD_AUTH", [EV_KEEPALIVE] = "KEEPALIVE",
	[EV_ACK_OPEN] = "ACK_OPEN", [EV_ACK] = "ACK", [EV_ACK_RESTART] = "ACK_RESTART",
	[EV_ACK_HOPELESS] = "ACK_HOPELESS", [EV_ENCAP] = "ENCAP", [EV_VENDOR] = "VENDOR",
	[EV_RTX_FAILED] = "RTX_FAILED", [EV_RECV_TIMEOUT] = "RECV_TIMEOUT", [EV_PORT_DOWN] = "PORT_DOWN",
	[EV_SHUTDOWN] = "SHUTDOWN", [EV_RESET] = "RESET",
};

static const char *const state_names[FS_COUNT] = {
	[FS_NONE] = "NONE", [FS_OPENING_00] = "OPENING(0,0)", [FS_OPENING_10] = "OPENING(1,0)",
	[FS_OPENING_01] = "OPENING(0,1)", [FS_ESTABLISHED] = "ESTABLISHED", [FS_HOLD] = "HOLD",
};

const char *fsm_event_name(enum fsm_event ev) { return (unsigned)ev < EV_COUNT ? event_names[ev] : "?"; }
const char *fsm_state_name(enum fsm_state st) { return (unsigned)st < FS_COUNT ? state_names[st] : "?"; }

enum fsm_state fsm_state_of(const struct session *s)
{
	switch (s->state) {
	case SS_ESTABLISHED:
		return FS_ESTABLISHED;
	case SS_HOLD:
		return FS_HOLD;
	default:
		if (s->flags & SF_OPEN_ACKED)
			return FS_OPENING_10;
		return (s->flags & SF_PEER_OPEN) ? FS_OPENING_01 : FS_OPENING_00;
	}
}

static void set_state(struct session *s, enum fsm_state st)
{
	s->flags &= (uint8_t)~(SF_OPEN_ACKED | SF_PEER_OPEN);
	switch (st) {
	case FS_ESTABLISHED:
		s->state = SS_ESTABLISHED;
		s->flags |= SF_OPEN_ACKED | SF_PEER_OPEN;
		break;
	case FS_HOLD:
		s->state = SS_HOLD;
		break;
	case FS_OPENING_10:
		s->state = SS_OPENING;
		s->flags |= SF_OPEN_ACKED;
		break;
	case FS_OPENING_01:
		s->state = SS_OPENING;
		s->flags |= SF_PEER_OPEN;
		break;
	default:
		s->state = SS_OPENING;
		break;
	}
}

struct session *fsm_run(struct lsoe_node *n, struct session *s, enum fsm_event ev, const struct fsm_input *in)
{
	enum fsm_state from = s ? fsm_state_of(s) : FS_NONE;
	const struct transition *t = &table[from][ev];
	const char *action = t->action ? t->action_name + 4 /* drop "act_" */ : "drop";
	enum fsm_state to = !t->action || t->next == SAME ? from : (enum fsm_state)t->next;

	if (node_log_enabled(n, LSOE_LOG_DEBUG)) {
		char mac[18];
		node_log(n, LSOE_LOG_DEBUG, "fsm", "%s %s: %s --%s--> %s (%s)", in->port->name,
		    lsoe_text_mac(mac, s ? s->mac : in->src), fsm_state_name(from), fsm_event_name(ev),
		    fsm_state_name(to), action);
	}

	n->fsm_abort = false;
	s = (t->action ? t->action : act_drop)(n, s, in);
	if (!s)
		return NULL;               /* not created (refused), or already gone */
	if (n->fsm_abort) {
		/* The action could not complete (memory): nothing was answered, so nothing changes. */
		node_log(n, LSOE_LOG_WARNING, "fsm", "%s: %s in %s not completed; state kept", in->port->name,
		    fsm_event_name(ev), fsm_state_name(from));
		to = from;
	}
	if (to == FS_NONE) {
		session_destroy(n, s);
		return NULL;
	}
	if (to != from) {
		set_state(s, to);
		s->since = n->now;
		if (to == FS_ESTABLISHED)
			session_enter_established(n, s);
	}
	session_arm_recv(n, s);
	return s;
}
