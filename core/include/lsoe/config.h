/*
 * Configuration: every parameter of the draft (digest section 7) and ours, with
 * its default, in one table (core/config.c). Keys are lower-case and hyphenated;
 * the reference implementation's [lsoed] keys are accepted unchanged.
 *
 * The engine interprets the protocol parameters. Port-level keys (which ports,
 * which addresses are primary or exposed, MPLS labels, the control socket, ...)
 * are stored as text here, validated for size, and interpreted by the ports, so
 * that one file and one loader serve the simulator and the daemon alike.
 */
#ifndef LSOE_CONFIG_H
#define LSOE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsoe/pdu.h"

#define LSOE_CFG_NAME_MAX   64
#define LSOE_CFG_TEXT_MAX   512
#define LSOE_CFG_PATH_MAX   108   /* sun_path */
#define LSOE_CFG_AUTH_MAX   255

struct lsoe_config {
	/* Identity */
	char name[LSOE_CFG_NAME_MAX];            /* name: shown in events ("node") */
	uint8_t local_id[LSOE_LOCAL_ID_LEN];     /* local-id */
	bool local_id_set;
	uint8_t attrs[255];                      /* attributes */
	uint8_t attr_count;
	uint8_t auth[LSOE_CFG_AUTH_MAX];         /* auth-data: sent in our OPEN */
	uint8_t auth_len;
	bool auth_required;                      /* auth-required: refuse OPENs not carrying auth-data */

	/* Transport */
	uint16_t ethertype;                      /* ethertype */
	uint8_t hello_mac[6];                    /* hello-multicast-macaddr */
	uint32_t mtu;                            /* mtu */

	/* Timers (nanoseconds; configured in seconds with decimals) */
	uint64_t hello_interval;                 /* hello-interval */
	uint64_t retransmit_initial;             /* retransmit-initial-interval */
	bool retransmit_backoff;                 /* retransmit-exponential-backoff */
	uint32_t retransmit_max_drop;            /* retransmit-max-drop (counts the first send) */
	uint64_t keepalive_send;                 /* keepalive-send-interval */
	uint64_t keepalive_receive_timeout;      /* keepalive-receive-timeout (0 = never) */
	uint64_t reassembly_timeout;             /* reassembly-timeout */
	uint64_t idle_timeout;                   /* mac-address-cache-timeout: forget silent non-established peers */

	/* Resource bounds */
	uint32_t max_sessions_per_port;          /* max-sessions-per-port */
	uint32_t reassembly_max_sources;         /* reassembly-max-sources */
	uint32_t reassembly_max_bytes;           /* reassembly-max-bytes */

	/* Port-level, interpreted by the ports */
	char include_ports[LSOE_CFG_TEXT_MAX];   /* include-ports: glob patterns */
	char exclude_ports[LSOE_CFG_TEXT_MAX];   /* exclude-ports */
	char primary_addresses[LSOE_CFG_TEXT_MAX]; /* primary-addresses */
	char expose_loopback[LSOE_CFG_TEXT_MAX]; /* expose-loopback: addresses, "all" or "none" */
	char mpls_labels[LSOE_CFG_TEXT_MAX];     /* mpls-labels: ADDRESS=LABEL[/LABEL...] ... */
	char control_socket[LSOE_CFG_PATH_MAX];  /* control-socket */
	uint32_t control_socket_mode;            /* control-socket-mode (octal) */
	char pidfile[LSOE_CFG_TEXT_MAX];         /* pidfile */
	char report_url[LSOE_CFG_TEXT_MAX];      /* report-url (alias: report-rfc7752-url) */
	/* BGP-LS export, interpreted by lsoed */
	char bgp_ls_peer[LSOE_CFG_TEXT_MAX];     /* bgp-ls-peer: ADDR, ADDR:PORT, [V6]:PORT ... */
	uint32_t bgp_ls_local_as;                /* bgp-ls-local-as */
	uint32_t bgp_ls_peer_as;                 /* bgp-ls-peer-as (0: iBGP) */
	char bgp_ls_router_id[16];               /* bgp-ls-router-id: dotted IPv4 */
	char bgp_ls_safi[4];                     /* bgp-ls-safi: "71" or "80" */
	uint16_t bgp_ls_hold_time;               /* bgp-ls-hold-time */
	uint64_t bgp_ls_coalesce;                /* bgp-ls-coalesce-time (ns; 0: at once) */
	uint8_t bgp_ls_protocol_id;              /* bgp-ls-protocol-id */
	uint64_t bgp_ls_identifier;              /* bgp-ls-identifier */
	char log_level[16];                      /* log-level: error, warning, info, debug */
};

enum lsoe_cfg_kind {
	LSOE_CFG_DURATION,   /* seconds, decimals allowed: "1", "0.25" */
	LSOE_CFG_UINT,
	LSOE_CFG_BOOL,       /* yes/no, true/false, on/off, 1/0 */
	LSOE_CFG_MAC,        /* aa:bb:cc:dd:ee:ff or aa-bb-... */
	LSOE_CFG_LOCAL_ID,   /* 10 octets of hex, ':' '-' or space separated, or 20 digits */
	LSOE_CFG_HEX16,      /* 0x88B5 */
	LSOE_CFG_OCTETS,     /* a list of octet values: "1 2 3" or "1,2,3" */
	LSOE_CFG_HEXDATA,    /* octets as hex */
	LSOE_CFG_TEXT,
	LSOE_CFG_OCTAL,      /* file mode, e.g. 0660 */
};

struct lsoe_config_key {
	const char *name;
	enum lsoe_cfg_kind kind;
	size_t offset;       /* into struct lsoe_config */
	size_t size;         /* of the field (text capacity for TEXT) */
	uint64_t min, max;   /* for UINT (and DURATION, in ns) */
	const char *def;     /* default, as text */
	const char *doc;     /* one line */
	const char *alias_of; /* non-NULL: another name for that key */
	size_t aux_offset;   /* OCTETS, HEXDATA: the uint8_t length; LOCAL_ID: the bool "is set" */
	unsigned flags;      /* LSOE_CFG_F_* */
	const char *choices; /* TEXT: the allowed values, space-separated (NULL: any text) */
};

#define LSOE_CFG_F_ZERO_NEVER 1u  /* DURATION: 0 is allowed besides min..max, and means never */
#define LSOE_CFG_F_MULTICAST  2u  /* MAC: must be a group address */

/* Enough for the text form of any key (255 attributes as "255 255 ..."). */
#define LSOE_CFG_VALUE_MAX 1024

/* The table, for documentation, "show config" and tests. */
size_t lsoe_config_key_count(void);
const struct lsoe_config_key *lsoe_config_key_at(size_t i);
const struct lsoe_config_key *lsoe_config_key_find(const char *name);

/* Every key at its default. */
void lsoe_config_default(struct lsoe_config *cfg);

enum lsoe_cfg_result {
	LSOE_CFG_OK = 0,
	LSOE_CFG_UNKNOWN_KEY = 1,
	LSOE_CFG_BAD_VALUE = 2,
};

/*
 * Set key from its text form (white space around it is ignored). On
 * LSOE_CFG_BAD_VALUE, why (cap octets) says what is wrong with the value, e.g.
 * "must be a duration in seconds between 0.001 and 86400", and cfg is unchanged.
 * An empty local-id means "not set" (local_id_set = false).
 */
enum lsoe_cfg_result lsoe_config_set(struct lsoe_config *cfg, const char *key, const char *value,
    char *why, size_t cap);

/*
 * The value of key as text (canonical form, accepted again by lsoe_config_set;
 * LSOE_CFG_VALUE_MAX is always enough). Returns false for an unknown key.
 */
bool lsoe_config_get(const struct lsoe_config *cfg, const char *key, char *out, size_t cap);

/* Checks across keys, after loading. Returns false and says why. */
bool lsoe_config_check(const struct lsoe_config *cfg, char *why, size_t cap);

#endif
