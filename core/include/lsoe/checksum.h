/*
 * The LSOE datagram checksum (draft section 7; digest 2.5).
 */
#ifndef LSOE_CHECKSUM_H
#define LSOE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Checksum of n octets exactly as given (the caller has zeroed the checksum field). */
uint32_t lsoe_checksum(const uint8_t *data, size_t n);

/*
 * Checksum of a datagram of n octets, computed as if octets 4..7 (the checksum
 * field) were zero, without copying or modifying the buffer.
 */
uint32_t lsoe_checksum_datagram(const uint8_t *dgram, size_t n);

#endif
