#include <string.h>

#include "bytes.h"
#include "lsoe/wire.h"

#define ETH_P_8021Q  0x8100u
#define ETH_P_8021AD 0x88A8u
#define ETH_P_QINQ   0x9100u

enum lsoe_err lsoe_eth_decode(const uint8_t *frame, size_t len, struct lsoe_eth *eth)
{
	memset(eth, 0, sizeof(*eth));
	if (len < LSOE_ETH_HDR_LEN)
		return LSOE_E_FRAME_SHORT;
	memcpy(eth->dst, frame, 6);
	memcpy(eth->src, frame + 6, 6);
	size_t off = 12;
	uint16_t type = lsoe_get16(frame + off);
	while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ) {
		if (eth->nvlan == LSOE_ETH_VLAN_MAX)
			return LSOE_E_FRAME_VLAN_DEPTH;
		if (len < off + 6)
			return LSOE_E_FRAME_SHORT;
		eth->vlan[eth->nvlan++] = lsoe_get16(frame + off + 2) & 0x0FFFu;
		off += 4;
		type = lsoe_get16(frame + off);
	}
	eth->ethertype = type;
	eth->payload = frame + off + 2;
	eth->payload_len = len - off - 2;
	return LSOE_OK;
}

size_t lsoe_eth_encode_header(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	lsoe_put16(out + 12, ethertype);
	return LSOE_ETH_HDR_LEN;
}
