#!/usr/bin/env python3
"""Write the seed corpora of fuzz_frame and fuzz_pdu from pcap files (python3 standard library only).

usage: make_corpus.py --out DIR [--synthetic] [--pdu-out DIR] [--stamp FILE] CAPTURE.pcap...

For each capture NAME.pcap it writes, in the record format of fuzz_frame.c
([flags: 1 octet][length: 2 octets, big-endian][frame]):
  NAME-NNN.bin   one file per frame (NNN from 000), a single record
  NAME-all.bin   every frame of the capture in order, one record each, with the time
                 step of each record taken from the capture's timestamps
Every record has the fix-checksum flag set (the frames' checksums are valid anyway;
mutated copies then keep reaching reassembly and the PDU decoders) and port 0.

With --synthetic it also writes synthetic-*.bin: hand-built frames for what the
captures lack (py-lsoed sends no MPLS labels, OPEN attributes or authentication, VENDOR
PDUs, ACK errors or VLAN tags, and no PDU of more than two datagrams). Their checksum
fields are zero: the fix-checksum flag makes the target fill them in.

With --pdu-out it also writes the seed corpus of fuzz_pdu there: every distinct PDU of
the captures, reassembled (pdu-NAME-TYPE-NNN.bin, the raw PDU octets), and the
synthetic PDUs above (pdu-synthetic-NAME.bin), so that each of the nine types has
seeds, with and without the optional parts (attributes, authentication, labels,
vendor data, error codes).

Existing *.bin files in each output directory are removed first, so the corpus is
exactly what this run wrote.
"""
import argparse
import math
import os
import struct
import sys

FLAG_FIX_CHECKSUM = 0x04
FLAG_HOUSEKEEPING = 0x08
TIME_SHIFT = 4
STEP_NS = 8_000_000          # the clock advances t*t*STEP_NS per record
MAX_FRAME = 0xFFFF
LINKTYPE_ETHERNET = 1

MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000),      # little-endian, microseconds
    b"\xa1\xb2\xc3\xd4": (">", 1000),      # big-endian, microseconds
    b"\x4d\x3c\xb2\xa1": ("<", 1),         # little-endian, nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1),         # big-endian, nanoseconds
}


def read_pcap(path):
    """Returns [(time_ns, frame bytes)] of a classic pcap file of Ethernet frames."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in MAGICS:
        raise ValueError(f"{path}: not a classic pcap file (pcapng is not supported)")
    endian, frac_ns = MAGICS[data[:4]]
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError(f"{path}: link type {linktype}, expected {LINKTYPE_ETHERNET} (Ethernet)")
    frames = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"{path}: truncated record header at octet {off}")
        sec, frac, caplen, _wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError(f"{path}: truncated frame at octet {off}")
        if caplen > MAX_FRAME:
            raise ValueError(f"{path}: frame of {caplen} octets does not fit a record")
        frames.append((sec * 1_000_000_000 + frac * frac_ns, data[off:off + caplen]))
        off += caplen
    return frames


def time_step(delta_ns):
    """The 4-bit t whose t*t*STEP_NS is closest to delta_ns."""
    if delta_ns <= 0:
        return 0
    return min(15, int(round(math.sqrt(delta_ns / STEP_NS))))


def record(flags, frame):
    return struct.pack(">BH", flags, len(frame)) + frame


# ---- synthetic seeds ----

MAC_A = bytes.fromhex("02000000000a")
MAC_B = bytes.fromhex("02000000000b")
MAC_C = bytes.fromhex("02000000000c")
ETHERTYPE = 0x88B5


def eth(dst, src, tags=()):
    """An Ethernet header; tags are (TPID, TCI) pairs, outermost first."""
    h = dst + src
    for tpid, tci in tags:
        h += struct.pack(">HH", tpid, tci)
    return h + struct.pack(">H", ETHERTYPE)


def datagram(number, last, payload):
    """An 8-octet datagram header (checksum zero: the fuzz target fixes it) + payload."""
    return struct.pack(">BBHI", 0, number | (0x80 if last else 0), 8 + len(payload), 0) + payload


def pdu(ptype, body):
    return struct.pack(">BH", ptype, 3 + len(body)) + body


def encap(ptype, entries):
    return pdu(ptype, struct.pack(">H", len(entries)) + b"".join(entries))


def entry(flags, addr, prefix_len, labels=None):
    """labels: None for the plain types, else a list of (label, tc, bos)."""
    e = bytes([flags])
    if labels is not None:
        e += bytes([len(labels)])
        for value, tc, bos in labels:
            e += ((value & 0xFFFFF) << 4 | (tc & 7) << 1 | (1 if bos else 0)).to_bytes(3, "big")
    return e + addr + bytes([prefix_len])


def frames_of(p, mtu, dst=MAC_B, src=MAC_A, tags=()):
    """Fragment PDU p into datagrams of at most mtu octets, each in a frame."""
    step = mtu - 8
    chunks = [p[i:i + step] for i in range(0, len(p), step)] or [b""]
    return [eth(dst, src, tags) + datagram(n, n == len(chunks) - 1, c) for n, c in enumerate(chunks)]


V4 = [bytes([192, 0, 2, 1]), bytes([198, 51, 100, 0]), bytes([10, 0, 0, 0])]
V6 = [bytes.fromhex("20010db8000000000000000000000001"), bytes.fromhex("fe800000000000000000000000000000")]


def synthetic_pdus():
    """[(name, PDU octets)]: one or more valid PDUs of each of the nine types."""
    v4, v6 = V4, V6
    return [
        ("hello", pdu(0, b"")),
        ("keepalive", pdu(2, b"")),
        ("open", pdu(1, struct.pack(">I", 1) + bytes(10) + bytes([0]) + struct.pack(">H", 0))),
        ("open-attrs-auth", pdu(1, struct.pack(">I", 0x12345678) + bytes(range(1, 11)) + bytes([3]) + b"\x01\x02\x03"
                                + struct.pack(">H", 4) + b"auth")),
        ("ack", pdu(3, bytes([1, 0, 0, 0, 0]))),
        ("ack-error", pdu(3, bytes([6, 0x21, 0x02]) + struct.pack(">H", 7))),
        ("ack-vendor-hopeless", pdu(3, bytes([255, 0x3F, 0xFF]) + struct.pack(">H", 0xFFFF))),
        ("vendor", pdu(255, struct.pack(">IB", 32473, 9) + b"vendor data")),
        ("vendor-empty", pdu(255, struct.pack(">IB", 0, 0))),
        ("ipv4-encap", encap(4, [entry(0x80, v4[0], 32), entry(0x40, v4[1], 24), entry(0, v4[2], 8)])),
        ("ipv4-encap-empty", encap(4, [])),
        ("ipv6-encap", encap(5, [entry(0x80, v6[0], 128), entry(0, v6[1], 10)])),
        ("mpls-ipv4-labels", encap(6, [entry(0x80, v4[0], 32, [(16, 0, True)]),
                                       entry(0, v4[1], 24, [(1000, 5, False), (3, 0, True)]),
                                       entry(0x40, v4[2], 8, [])])),
        ("mpls-ipv6-labels", encap(7, [entry(0x80, v6[0], 128, [(0xFFFFF, 7, True)]),
                                       entry(0, v6[1], 10, [(17, 1, False), (18, 2, False), (19, 3, True)])])),
    ]


PDU_TYPE_NAMES = {0: "HELLO", 1: "OPEN", 2: "KEEPALIVE", 3: "ACK", 4: "IPV4_ENCAP", 5: "IPV6_ENCAP",
                  6: "MPLS_IPV4_ENCAP", 7: "MPLS_IPV6_ENCAP", 255: "VENDOR"}


def capture_pdus(frames):
    """The PDUs of a capture's frames, reassembled per source MAC (in order, distinct)."""
    partial = {}
    out = []
    for _t, f in frames:
        off = 12
        while off + 4 <= len(f) and f[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
            off += 4
        off += 2
        if off + 8 > len(f):
            continue
        num, length = f[off + 1], struct.unpack(">H", f[off + 2:off + 4])[0]
        if length < 8 or off + length > len(f):
            continue
        src, payload = f[6:12], f[off + 8:off + length]
        number, last = num & 0x7F, bool(num & 0x80)
        if number == 0:
            partial[src] = bytearray()
        if src not in partial:
            continue
        partial[src] += payload
        if last:
            p = bytes(partial.pop(src))
            if p not in out:
                out.append(p)
    return out


def synthetic_seeds():
    """[(name, [(flags, frame)])]"""
    fix = FLAG_FIX_CHECKSUM
    v4, v6 = V4, V6
    open_pdu = pdu(1, struct.pack(">I", 0x12345678) + bytes(range(1, 11)) + bytes([3]) + b"\x01\x02\x03"
                   + struct.pack(">H", 4) + b"auth")
    ack_err = pdu(3, bytes([6, 0x21, 0x02]) + struct.pack(">H", 7))          # restart, code 0x102, hint 7
    ack_ok = pdu(3, bytes([1, 0, 0, 0, 0]))
    vendor = pdu(255, struct.pack(">IB", 32473, 9) + b"vendor data")
    ipv4 = encap(4, [entry(0x80, v4[0], 32), entry(0x40, v4[1], 24), entry(0, v4[2], 8)])
    mpls4 = encap(6, [entry(0x80, v4[0], 32, [(16, 0, True)]),
                      entry(0, v4[1], 24, [(1000, 5, False), (3, 0, True)]),
                      entry(0x40, v4[2], 8, [])])
    mpls6 = encap(7, [entry(0x80, v6[0], 128, [(0xFFFFF, 7, True)]), entry(0, v6[1], 10, [(17, 1, False),
                      (18, 2, False), (19, 3, True)])])
    big6 = encap(5, [entry(0, bytes(15) + bytes([i]), 128) for i in range(100)])    # 1805 octets
    seeds = []
    for name, p in (("open-attrs-auth", open_pdu), ("ack-error", ack_err), ("ack", ack_ok),
                    ("vendor", vendor), ("ipv4-encap", ipv4), ("mpls-ipv4-labels", mpls4),
                    ("mpls-ipv6-labels", mpls6)):
        seeds.append((name, [(fix, f) for f in frames_of(p, 1500)]))
    seeds.append(("vlan-8021q", [(fix, f) for f in frames_of(mpls4, 1500, tags=((0x8100, 0x0064),))]))
    seeds.append(("vlan-qinq", [(fix, f) for f in frames_of(ack_err, 1500, tags=((0x88A8, 0x0200), (0x8100, 0x0064)))]))
    # A PDU in five datagrams of 400 octets.
    seeds.append(("five-datagrams", [(fix, f) for f in frames_of(big6, 400)]))
    # Two sources and two ports interleaved, one partial PDU left to expire.
    a = frames_of(mpls6, 40, src=MAC_A)
    b = frames_of(big6, 600, src=MAC_C)
    recs = []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            recs.append((fix | 1, a[i]))
        if i < len(b):
            recs.append((fix | 2, b[i]))
    recs.append((fix | 3, frames_of(big6, 600, src=MAC_B)[0]))                   # never completed
    recs.append((fix | FLAG_HOUSEKEEPING | 12 << TIME_SHIFT, frames_of(ack_ok, 1500)[0]))  # 1.15 s: expired
    seeds.append(("interleaved-expire", recs))

    # The reassembler's bounds as fuzz_frame.c sets them: 8 sources, 3 KiB per source,
    # 16 KiB in all. A first datagram sizes its buffer from the PDU length it claims.
    def first(src, port, claimed, n=64):
        body = struct.pack(">BH", 5, claimed) + bytes(n)
        return (fix | port, eth(MAC_B, src) + datagram(0, False, body))

    def mac(i):
        return bytes([2, 0, 0, 0, 1, i])

    # Six sources claiming 64 KiB each: buffers of 3 KiB; the sixth exceeds 16 KiB.
    seeds.append(("bound-total", [first(mac(i), i % 4, 0xFFFF) for i in range(6)]))
    # Nine sources claiming little: eight 2 KiB buffers fill 16 KiB exactly; the ninth finds the table full.
    seeds.append(("bound-table", [first(mac(i), i % 4, 100) for i in range(9)]))
    # One source sending 3 x 1400 octets of a 4205-octet PDU: the third passes 3 KiB.
    big = encap(5, [entry(0, bytes(15) + bytes([i % 256]), 128) for i in range(233)])
    seeds.append(("bound-source", [(fix, f) for f in frames_of(big, 1408)]))
    # A refused allocation (flags: housekeeping, t = 14), then a partial PDU that goes
    # stale (t = 12: 1.15 s) before its last datagram.
    two = frames_of(big6, 1000)
    seeds.append(("nomem-stale", [(fix | FLAG_HOUSEKEEPING | 14 << TIME_SHIFT, two[0]), (fix, two[0]),
                                  (fix | 12 << TIME_SHIFT, two[1])]))
    return seeds


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="corpus directory (created)")
    ap.add_argument("--stamp", help="file to touch when done (for the build system)")
    ap.add_argument("--synthetic", action="store_true", help="also write the synthetic seeds")
    ap.add_argument("--pdu-out", help="also write the fuzz_pdu corpus into this directory (created)")
    ap.add_argument("captures", nargs="+", metavar="CAPTURE.pcap")
    args = ap.parse_args(argv)

    for d in (args.out, args.pdu_out):
        if d:
            os.makedirs(d, exist_ok=True)
            for name in os.listdir(d):
                if name.endswith(".bin"):
                    os.remove(os.path.join(d, name))

    total = 0
    for path in args.captures:
        stem = os.path.splitext(os.path.basename(path))[0]
        frames = read_pcap(path)
        seq = bytearray()
        prev = None
        for i, (t_ns, frame) in enumerate(frames):
            with open(os.path.join(args.out, f"{stem}-{i:03d}.bin"), "wb") as f:
                f.write(record(FLAG_FIX_CHECKSUM, frame))
            step = time_step(t_ns - prev) if prev is not None else 0
            prev = t_ns
            seq += record(FLAG_FIX_CHECKSUM | step << TIME_SHIFT, frame)
        with open(os.path.join(args.out, f"{stem}-all.bin"), "wb") as f:
            f.write(seq)
        total += len(frames) + 1
        if args.pdu_out:
            per_type = {}
            for p in capture_pdus(frames):
                tname = PDU_TYPE_NAMES.get(p[0], f"type{p[0]}")
                k = per_type.get(tname, 0)
                per_type[tname] = k + 1
                with open(os.path.join(args.pdu_out, f"pdu-{stem}-{tname}-{k:03d}.bin"), "wb") as f:
                    f.write(p)
                total += 1
    if args.pdu_out:
        for name, p in synthetic_pdus():
            with open(os.path.join(args.pdu_out, f"pdu-synthetic-{name}.bin"), "wb") as f:
                f.write(p)
            total += 1
    if args.synthetic:
        for name, recs in synthetic_seeds():
            with open(os.path.join(args.out, f"synthetic-{name}.bin"), "wb") as f:
                f.write(b"".join(record(flags, frame) for flags, frame in recs))
            total += 1
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write(f"{total} files\n")
    print(f"make_corpus.py: {total} corpus files in {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError) as e:
        print(f"make_corpus.py: {e}", file=sys.stderr)
        sys.exit(1)
