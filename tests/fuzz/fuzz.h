/*
 * What the fuzz targets share: the libFuzzer entry point, a check that aborts (so
 * libFuzzer and the replay programs both report it as a crash), and the PDU checks
 * of pdu_check.c, used by fuzz_frame (on every reassembled PDU) and fuzz_pdu.
 */
#ifndef LSOE_FUZZ_H
#define LSOE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lsoe/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                  \
	do {                                                                                         \
		if (!(cond)) {                                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
			abort();                                                                     \
		}                                                                                    \
	} while (0)

/*
 * Decode the len octets at pdu (copied to a buffer of exactly len octets, so ASan
 * sees any read past them) with lsoe_pdu_decode; if they decode, check what the codec
 * promises (pdu.h: encode(decode(x)) == x for every valid x):
 *  - the decoded fields agree with the octets and with each other (per type);
 *  - lsoe_pdu_encoded_len is len, and lsoe_pdu_encode re-encodes exactly the same
 *    octets, and refuses a buffer one octet short without writing a length;
 *  - for the encapsulation types, lsoe_encap_iter yields exactly count entries that
 *    exactly cover the entries' octets, each within its family's prefix length, and
 *    the PDU encoded from those typed entries (as a sender builds it) is again
 *    exactly the same octets; an out-of-range prefix length is refused.
 * Returns what lsoe_pdu_decode returned (abort() on a failed check).
 */
enum lsoe_err fz_check_pdu(const uint8_t *pdu, size_t len);

#endif
