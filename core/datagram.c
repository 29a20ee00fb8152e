#include <string.h>

#include "bytes.h"
#include "lsoe/checksum.h"
#include "lsoe/pdu.h"
#include "lsoe/wire.h"

enum lsoe_err lsoe_dgram_decode(const uint8_t *buf, size_t len, struct lsoe_dgram *d)
{
	memset(d, 0, sizeof(*d));
	if (len < LSOE_DGRAM_HDR_LEN)
		return LSOE_E_DGRAM_SHORT;
	d->version = buf[0];
	d->last = (buf[1] & LSOE_DGRAM_LAST) != 0;
	d->number = buf[1] & LSOE_DGRAM_NUM_MAX;
	d->length = lsoe_get16(buf + 2);
	d->checksum = lsoe_get32(buf + 4);
	d->bytes = buf;
	if (d->length < LSOE_DGRAM_HDR_LEN)
		return LSOE_E_DGRAM_LENGTH_SHORT;
	if (d->length > len)
		return LSOE_E_DGRAM_TRUNCATED;
	/* Octets past the length field are Ethernet padding (digest 2.1): ignored. */
	d->payload = buf + LSOE_DGRAM_HDR_LEN;
	d->payload_len = d->length - LSOE_DGRAM_HDR_LEN;
	d->checksum_ok = lsoe_checksum_datagram(buf, d->length) == d->checksum;
	if (d->version != LSOE_VERSION)
		return LSOE_E_DGRAM_VERSION;
	if (!d->checksum_ok)
		return LSOE_E_DGRAM_CHECKSUM;
	return LSOE_OK;
}

size_t lsoe_dgram_seal(uint8_t *out, uint8_t number, bool last, size_t payload_len)
{
	size_t len = LSOE_DGRAM_HDR_LEN + payload_len;
	if (len > LSOE_DGRAM_MAX_LEN || number > LSOE_DGRAM_NUM_MAX)
		return 0;
	out[0] = LSOE_VERSION;
	out[1] = (uint8_t)(number | (last ? LSOE_DGRAM_LAST : 0u));
	lsoe_put16(out + 2, (uint16_t)len);
	lsoe_put32(out + 4, 0);
	lsoe_put32(out + 4, lsoe_checksum(out, len));
	return len;
}

enum lsoe_err lsoe_frag_init(struct lsoe_frag *f, const uint8_t *pdu, size_t pdu_len, size_t mtu)
{
	memset(f, 0, sizeof(*f));
	if (mtu < LSOE_MTU_MIN || mtu > LSOE_DGRAM_MAX_LEN)
		return LSOE_E_MTU;
	if (pdu_len == 0)
		return LSOE_E_INVALID;
	if (pdu_len > LSOE_PDU_MAX_LEN)
		return LSOE_E_PDU_TOO_BIG;
	f->pdu = pdu;
	f->pdu_len = pdu_len;
	f->slice = mtu - LSOE_DGRAM_HDR_LEN;
	f->total = (unsigned)((pdu_len + f->slice - 1) / f->slice);
	if (f->total > LSOE_DGRAM_NUM_MAX + 1u)
		return LSOE_E_TOO_MANY_FRAGMENTS;
	return LSOE_OK;
}

size_t lsoe_frag_next(struct lsoe_frag *f, uint8_t *out, size_t cap, enum lsoe_err *err)
{
	if (err)
		*err = LSOE_OK;
	if (f->next >= f->total)
		return 0;
	size_t n = f->pdu_len - f->off;
	if (n > f->slice)
		n = f->slice;
	if (cap < LSOE_DGRAM_HDR_LEN + n) {
		if (err)
			*err = LSOE_E_BUFFER;
		return 0;
	}
	memcpy(out + LSOE_DGRAM_HDR_LEN, f->pdu + f->off, n);
	bool last = f->next + 1 == f->total;
	size_t len = lsoe_dgram_seal(out, (uint8_t)f->next, last, n);
	f->off += n;
	f->next++;
	return len;
}
