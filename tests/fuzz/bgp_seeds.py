#!/usr/bin/env python3
"""Write the seed corpus of fuzz_bgp (python3 standard library only).

usage: bgp_seeds.py OUTDIR   (tests/fuzz/corpus/bgp)

Each seed is [flags][expect_as:4][afi:2][safi:1] followed by a TCP byte stream of BGP messages.
"""
import os, struct, sys

out = sys.argv[1]
M = b"\xff" * 16

def msg(t, body):
    return M + struct.pack(">HB", 19 + len(body), t) + body

def prefix(family=0, expect_as=None, our192=False, afi=0, safi=0):
    f = family | (4 if expect_as is not None else 0) | (8 if our192 else 0)
    return bytes([f]) + struct.pack(">IHB", expect_as or 0, afi, safi)

def cap(code, val): return bytes([code, len(val)]) + val
def param(caps): return bytes([2, len(caps)]) + caps
def open_(my_as, hold, bid, params, version=4):
    opt = b"".join(params)
    return msg(1, struct.pack(">BHH", version, my_as, hold) + bytes(bid) + bytes([len(opt)]) + opt)

MP_LS = cap(1, struct.pack(">HBB", 16388, 0, 71))
MP_SPF = cap(1, struct.pack(">HBB", 16388, 0, 80))
MP_V4 = cap(1, struct.pack(">HBB", 1, 0, 1))
def AS4(a): return cap(65, struct.pack(">I", a))
RR = cap(2, b"")
GR = cap(64, b"\x00\x78")
FQDN = cap(73, b"\x05gobgp\x00")

OPEN_GOBGP = open_(65002, 90, [192, 0, 2, 2], [param(RR + MP_V4 + MP_LS + AS4(65002) + GR + FQDN)])
OPEN_SPLIT = open_(65002, 3, [192, 0, 2, 2], [param(MP_LS), param(AS4(65002)), param(RR)])
OPEN_TRANS = open_(23456, 180, [10, 0, 0, 2], [param(MP_V4 + AS4(4200000002))])
OPEN_PLAIN = open_(65002, 0, [192, 0, 2, 2], [])
OPEN_SPF = open_(23456, 9, [192, 0, 2, 2], [param(MP_SPF + AS4(4200000002) + RR)])
KEEPALIVE = msg(4, b"")

def attr(flags, t, v):
    if len(v) > 255 or flags & 0x10:
        return bytes([flags | 0x10, t]) + struct.pack(">H", len(v)) + v
    return bytes([flags, t, len(v)]) + v

def desc(b):
    d = struct.pack(">HH", 512, 4) + b[2:6]
    if b[0] or b[1]:
        d += struct.pack(">HH", 513, 4) + bytes([0, 0, b[0], b[1]])
    d += (struct.pack(">HH", 515, 4) + b[6:10]) if not any(b[:6]) else (struct.pack(">HH", 515, 8) + b[2:10])
    return d + struct.pack(">HH", 516, 4) + b[6:10]

def tlv(t, v): return struct.pack(">HH", t, len(v)) + v
def link_nlri(lid, pid, la, pa, proto=7, ident=0):
    v6 = len(la) == 16
    body = bytes([proto]) + struct.pack(">Q", ident) + tlv(256, desc(lid)) + tlv(257, desc(pid))
    body += tlv(261 if v6 else 259, la) + tlv(262 if v6 else 260, pa)
    return struct.pack(">HH", 2, len(body)) + body

ID_L = bytes(9) + b"\x0a"
ID_P = bytes(9) + b"\x0b"
NLRI = link_nlri(ID_L, ID_P, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 0]))
NLRI6 = link_nlri(b"\x00\x00\xfa\x56\xea\x01\xc0\x00\x02\x02", b"\x49\x00\x01\x02\x03\x04\x05\x06\x07\x08",
                  bytes.fromhex("20010db8000000000000000000000001"), bytes.fromhex("20010db8000000000000000000000002"))
LSATTR = (tlv(1028, bytes([10, 0, 0, 1])) + tlv(1029, bytes.fromhex("20010db800ff00000000000000000001")) +
          tlv(1030, bytes([10, 0, 0, 2])) + tlv(1102, b"\xc0\x00\x00\x00\x00\x5d\xc1"))

def mp_reach(nlris, nh=bytes([192, 0, 2, 1]), afi=16388, safi=71):
    return attr(0x80, 14, struct.pack(">HBB", afi, safi, len(nh)) + nh + b"\x00" + nlris)
def mp_unreach(nlris, afi=16388, safi=71):
    return attr(0x90, 15, struct.pack(">HB", afi, safi) + nlris)
def update(attrs, withdrawn=b"", nlri=b""):
    a = b"".join(attrs)
    return msg(2, struct.pack(">H", len(withdrawn)) + withdrawn + struct.pack(">H", len(a)) + a + nlri)

ORIGIN = attr(0x40, 1, b"\x00")
UPD_IBGP = update([mp_reach(NLRI + NLRI6), ORIGIN, attr(0x40, 2, b""), attr(0x40, 5, b"\x00\x00\x00\x64"),
                   attr(0x80, 29, LSATTR)])
UPD_EBGP_AS4PATH = update([mp_reach(NLRI), ORIGIN, attr(0x40, 2, b"\x02\x01\x5b\xa0"),
                           attr(0xc0, 17, b"\x02\x01\xfa\x56\xea\x01"), attr(0x80, 29, LSATTR)])
UPD_UNREACH = update([mp_unreach(NLRI + NLRI6)])
UPD_EOR_LS = update([mp_unreach(b"")])
UPD_EOR_V4 = update([])
UPD_CLASSIC = update([ORIGIN, attr(0x40, 2, b"\x02\x01\x00\x00\xfd\xea"), attr(0x40, 3, bytes([192, 0, 2, 2])),
                      attr(0x80, 4, b"\x00\x00\x00\x0a"), attr(0x40, 6, b""),
                      attr(0xc0, 7, b"\x00\x00\xfd\xea\xc0\x00\x02\x02")],
                     withdrawn=b"\x18\xc6\x33\x65", nlri=b"\x18\xc6\x33\x64\x20\xcb\x00\x71\x01")
NOTIF_SHUTDOWN = msg(3, b"\x06\x02\x05maint")
NOTIF_OPEN = msg(3, b"\x02\x07\x41\x04\x00\x00\xfd\xe9")
RR_LS = msg(5, struct.pack(">HBB", 16388, 0, 71))
RR_BORR = msg(5, struct.pack(">HBB", 1, 1, 1))

seeds = {
    "open-gobgp.bin": prefix(0, 65002) + OPEN_GOBGP,
    "open-split-params.bin": prefix(0, 65002, True) + OPEN_SPLIT,
    "open-as-trans-ipv4.bin": prefix(2, 4200000002) + OPEN_TRANS,
    "open-plain.bin": prefix(0) + OPEN_PLAIN,
    "open-spf.bin": prefix(1) + OPEN_SPF,
    "open-version-3.bin": prefix(0) + open_(65002, 90, [192, 0, 2, 2], [param(MP_LS)], version=3),
    "open-other-family.bin": prefix(3, None, False, 25, 70) + OPEN_GOBGP,
    "keepalive.bin": prefix(0) + KEEPALIVE,
    "update-ibgp-reach.bin": prefix(0) + UPD_IBGP,
    "update-ebgp-as4-path.bin": prefix(0) + UPD_EBGP_AS4PATH,
    "update-unreach.bin": prefix(0) + UPD_UNREACH,
    "update-eor-ls.bin": prefix(0) + UPD_EOR_LS,
    "update-eor-ipv4.bin": prefix(0) + UPD_EOR_V4,
    "update-classic-ipv4.bin": prefix(2) + UPD_CLASSIC,
    "update-attr-overrun.bin": prefix(0) + M + b"\x00\x1e\x02\x00\x00\x00\x07\x40\x01\x01\x00\x40\x02\x05",
    "notification-shutdown.bin": prefix(0) + NOTIF_SHUTDOWN,
    "notification-open-error.bin": prefix(0) + NOTIF_OPEN,
    "route-refresh.bin": prefix(0) + RR_LS,
    "route-refresh-borr.bin": prefix(2) + RR_BORR,
    "bad-marker.bin": prefix(0) + b"\xff" * 7 + b"\x00" + b"\xff" * 8 + b"\x00\x13\x04",
    "bad-length.bin": prefix(0) + M + b"\x00\x12\x04",
    "bad-type.bin": prefix(0) + M + b"\x00\x13\x06",
    "partial-open.bin": prefix(0, 65002) + OPEN_GOBGP[:40],
    "stream-session.bin": prefix(0, 65002, True) + OPEN_GOBGP + KEEPALIVE + UPD_CLASSIC + UPD_EOR_V4 +
        UPD_IBGP + UPD_EOR_LS + KEEPALIVE + RR_LS + UPD_UNREACH + KEEPALIVE + NOTIF_SHUTDOWN,
    "stream-open-then-garbage.bin": prefix(1) + OPEN_SPF + KEEPALIVE + M + b"\x00\x13\x09",
}
os.makedirs(out, exist_ok=True)
for name, data in sorted(seeds.items()):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(len(seeds), "seeds")
