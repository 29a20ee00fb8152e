/*
 * libFuzzer target: every PDU decoder (lsoe_pdu_decode and the per-type decoders it
 * dispatches to), the encoder on what they accept, and lsoe_encap_iter.
 *
 * Input: one candidate PDU (the whole input, at most 65535 octets). It is decoded
 *  1. as it is;
 *  2. with its type octet set to each of the nine defined types in turn (HELLO, OPEN,
 *     KEEPALIVE, ACK, the four encapsulation types, VENDOR), so that every decoder
 *     sees every input whatever its first octet;
 *  3. the same nine again with the length field also set to the input's size, so that
 *     mutations reach each decoder's body instead of dying at the header.
 * Every decode goes through fz_check_pdu (pdu_check.c), which copies the octets to a
 * buffer of exactly their size and, when they decode, checks the fields and that the
 * PDU re-encodes to exactly the same octets (from the decoded structure, and for the
 * encapsulation types also from the typed entries lsoe_encap_iter yields).
 * Further checks: a decode failure is one of the codes of its type's rules, and the
 * outcome depends on the type octet only through the type (forcing a type onto input
 * that already has it changes nothing).
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "lsoe/pdu.h"

static const uint8_t types[] = {
	LSOE_PDU_HELLO, LSOE_PDU_OPEN, LSOE_PDU_KEEPALIVE, LSOE_PDU_ACK, LSOE_PDU_IPV4_ENCAP, LSOE_PDU_IPV6_ENCAP,
	LSOE_PDU_MPLS_IPV4_ENCAP, LSOE_PDU_MPLS_IPV6_ENCAP, LSOE_PDU_VENDOR,
};

/* May decoding a PDU of this type fail with e? */
static bool err_fits_type(unsigned type, enum lsoe_err e)
{
	if (e == LSOE_OK || e == LSOE_E_PDU_SHORT || e == LSOE_E_PDU_LENGTH)
		return true;
	switch (type) {
	case LSOE_PDU_HELLO:
		return e == LSOE_E_HELLO_LENGTH;
	case LSOE_PDU_KEEPALIVE:
		return e == LSOE_E_KEEPALIVE_LENGTH;
	case LSOE_PDU_OPEN:
		return e == LSOE_E_OPEN_SHORT || e == LSOE_E_OPEN_LENGTH;
	case LSOE_PDU_ACK:
		return e == LSOE_E_ACK_LENGTH || e == LSOE_E_ACK_PDU_TYPE || e == LSOE_E_ACK_NOERROR_NONZERO;
	case LSOE_PDU_IPV4_ENCAP:
	case LSOE_PDU_IPV6_ENCAP:
	case LSOE_PDU_MPLS_IPV4_ENCAP:
	case LSOE_PDU_MPLS_IPV6_ENCAP:
		return e == LSOE_E_ENCAP_SHORT || e == LSOE_E_ENCAP_TRUNCATED || e == LSOE_E_ENCAP_TRAILING ||
		    e == LSOE_E_ENCAP_PREFIX_LEN;
	case LSOE_PDU_VENDOR:
		return e == LSOE_E_VENDOR_SHORT;
	default:
		return e == LSOE_E_PDU_UNKNOWN_TYPE;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > LSOE_PDU_MAX_LEN)
		return 0; /* not a PDU: its length field cannot say so */

	enum lsoe_err as_is = fz_check_pdu(data, size);
	CHECK(size == 0 || err_fits_type(data[0], as_is));
	if (size == 0)
		return 0;

	uint8_t *v = malloc(size);
	CHECK(v != NULL);
	for (int fix_len = 0; fix_len < 2; fix_len++) {
		memcpy(v, data, size);
		if (fix_len && size >= LSOE_PDU_HDR_LEN) {
			v[1] = (uint8_t)(size >> 8);
			v[2] = (uint8_t)size;
		}
		for (size_t k = 0; k < sizeof(types); k++) {
			v[0] = types[k];
			enum lsoe_err e = fz_check_pdu(v, size);
			CHECK(err_fits_type(types[k], e));
			if (!fix_len && types[k] == data[0])
				CHECK(e == as_is);
			if (fix_len && size >= LSOE_PDU_HDR_LEN)
				CHECK(e != LSOE_E_PDU_LENGTH);
		}
	}
	free(v);
	return 0;
}
