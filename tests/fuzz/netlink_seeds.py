#!/usr/bin/env python3
"""Write the seed corpus of fuzz_netlink (python3 standard library only).

usage: netlink_seeds.py [--capture] OUTDIR

Each seed is a stream of rtnetlink messages (struct nlmsghdr and payload, host byte
order) in fuzz_netlink.c's input format: a batch ending with NLMSG_DONE is handled as a
dump, the messages after the last NLMSG_DONE as notifications.

Without --capture it writes crafted-*.bin: messages built here field by field, as the
kernel lays them out (ifinfomsg + IFLA_IFNAME, IFLA_ADDRESS, IFLA_MTU, ...; ifaddrmsg +
IFA_ADDRESS, IFA_LOCAL, IFA_FLAGS, ...), for what a capture rarely shows: DELLINK and
DELADDR notifications, a link renamed, a tentative address, a point-to-point peer,
a loopback with addresses, an error message, a dump interrupted.

With --capture (root, iproute2) it writes captured-*.bin: real kernel messages, from a
network namespace made for the purpose (two veth pairs, a loopback, addresses of both
families) and removed afterwards: a dump of links and addresses, and the notifications
seen while addresses are added and removed and links go down, up and away (each under
16 KiB, fuzz_netlink's -max_len). The checked-in corpus (tests/fuzz/corpus/netlink/)
was made with both.
"""
import os
import socket
import struct
import subprocess
import sys
import time

NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP, NLM_F_DUMP_INTR = 0x1, 0x2, 0x300, 0x10
IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE = 1, 2, 3, 4, 16
IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_CACHEINFO, IFA_FLAGS = 1, 2, 3, 6, 8
IFF_UP, IFF_LOOPBACK, IFF_RUNNING, IFF_LOWER_UP = 0x1, 0x8, 0x40, 0x10000
IFA_F_PERMANENT, IFA_F_TENTATIVE, IFA_F_NODAD = 0x80, 0x40, 0x02
ARPHRD_ETHER, ARPHRD_LOOPBACK = 1, 772
AF_INET, AF_INET6 = 2, 10
RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR = 0x1, 0x10, 0x100


def align(n):
    return (n + 3) & ~3


def attr(t, payload):
    a = struct.pack("=HH", 4 + len(payload), t) + payload
    return a + bytes(align(len(a)) - len(a))


def msg(t, payload, flags=0, seq=0, pid=0):
    m = struct.pack("=IHHII", 16 + len(payload), t, flags, seq, pid) + payload
    return m + bytes(align(len(m)) - len(m))


def link(t, index, name, flags, mac=None, mtu=1500, arptype=ARPHRD_ETHER, flags_msg=0):
    body = struct.pack("=BxHiII", 0, arptype, index, flags, 0xFFFFFFFF)
    body += attr(IFLA_IFNAME, name.encode() + b"\0")
    if mac is not None:
        body += attr(IFLA_ADDRESS, mac) + attr(IFLA_BROADCAST, b"\xff" * len(mac))
    body += attr(IFLA_MTU, struct.pack("=I", mtu)) + attr(IFLA_OPERSTATE, bytes([6 if flags & IFF_UP else 2]))
    return msg(t, body, flags_msg)


def addr(t, family, index, address, plen, flags=IFA_F_PERMANENT, local=None, label=None, ext_flags=True):
    a = socket.inet_pton(AF_INET if family == AF_INET else socket.AF_INET6, address)
    body = struct.pack("=BBBBI", family, plen, flags & 0xFF, 0, index)
    body += attr(IFA_ADDRESS, a)
    if local is not None:
        body += attr(IFA_LOCAL, socket.inet_pton(socket.AF_INET, local))
    elif family == AF_INET:
        body += attr(IFA_LOCAL, a)
    if label:
        body += attr(IFA_LABEL, label.encode() + b"\0")
    body += attr(IFA_CACHEINFO, struct.pack("=IIII", 0xFFFFFFFF, 0xFFFFFFFF, 100, 100))
    if ext_flags:
        body += attr(IFA_FLAGS, struct.pack("=I", flags))
    return msg(t, body)


def done(seq=0):
    return msg(NLMSG_DONE, struct.pack("=i", 0), NLM_F_MULTI, seq)


MAC_A = bytes.fromhex("02000000000a")
MAC_B = bytes.fromhex("02000000000b")
UP = IFF_UP | IFF_RUNNING | IFF_LOWER_UP


def crafted():
    lo = link(RTM_NEWLINK, 1, "lo", UP | IFF_LOOPBACK, bytes(6), 65536, ARPHRD_LOOPBACK)
    eth0 = link(RTM_NEWLINK, 2, "eth0", UP, MAC_A)
    eth1 = link(RTM_NEWLINK, 3, "eth1", UP, MAC_B, 9000)
    addrs = [
        addr(RTM_NEWADDR, AF_INET, 1, "127.0.0.1", 8, label="lo"),
        addr(RTM_NEWADDR, AF_INET6, 1, "::1", 128),
        addr(RTM_NEWADDR, AF_INET, 1, "10.0.0.1", 32, label="lo"),
        addr(RTM_NEWADDR, AF_INET, 2, "192.0.2.1", 31, label="eth0"),
        addr(RTM_NEWADDR, AF_INET6, 2, "2001:db8::1", 64),
        addr(RTM_NEWADDR, AF_INET6, 2, "fe80::ff:fe00:a", 64),
        addr(RTM_NEWADDR, AF_INET, 3, "198.51.100.1", 24, label="eth1"),
    ]
    dump = lo + eth0 + eth1 + done(1) + b"".join(addrs) + done(2)
    seeds = {
        "crafted-dump.bin": dump,
        "crafted-dump-then-notify.bin": dump
        + addr(RTM_NEWADDR, AF_INET6, 3, "2001:db8:1::1", 64, IFA_F_TENTATIVE | IFA_F_PERMANENT)
        + addr(RTM_NEWADDR, AF_INET6, 3, "2001:db8:1::1", 64, IFA_F_PERMANENT)
        + addr(RTM_DELADDR, AF_INET, 2, "192.0.2.1", 31)
        + link(RTM_NEWLINK, 2, "eth0", IFF_UP, MAC_A)
        + link(RTM_NEWLINK, 3, "eth1-renamed", UP, MAC_B, 1400)
        + link(RTM_DELLINK, 3, "eth1-renamed", 0, MAC_B),
        # A second dump that no longer shows eth1 nor one address: they are swept.
        "crafted-resync.bin": dump + lo + eth0 + done(3) + b"".join(addrs[:3]) + done(4),
        "crafted-notify-only.bin": eth0 + addrs[3] + addrs[4]
        + addr(RTM_NEWADDR, AF_INET, 2, "203.0.113.1", 32, local="203.0.113.2", ext_flags=False),
        "crafted-error-and-intr.bin": eth0 + msg(NLMSG_ERROR, struct.pack("=i", -105) + eth0[:16])
        + eth1 + link(RTM_NEWLINK, 4, "eth2", UP, MAC_A, flags_msg=NLM_F_DUMP_INTR | NLM_F_MULTI) + done(5),
        "crafted-many-addresses.bin": eth0 + b"".join(
            addr(RTM_NEWADDR, AF_INET6, 2, "2001:db8::%x" % (i + 1), 128) for i in range(40)) + done(6),
    }
    return seeds


# ---- capture (root) ----

def nl_socket(groups=0):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, groups))
    return s


def dump(s, t, seq):
    s.send(msg(t, struct.pack("=B3x", 0), NLM_F_REQUEST | NLM_F_DUMP, seq))
    out = b""
    while True:
        data = s.recv(65536)
        out += data
        off = 0
        while off + 16 <= len(data):
            length, mtype = struct.unpack_from("=IH", data, off)
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                return out
            off += align(length)


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True)


def capture_inner(outdir):
    ip("link", "set", "lo", "up")
    ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
    ip("link", "add", "ex0", "type", "veth", "peer", "name", "ex1")
    ip("link", "set", "veth0", "address", "02:00:00:00:00:0a")
    ip("link", "set", "veth1", "address", "02:00:00:00:00:0b")
    for dev in ("veth0", "veth1", "ex0", "ex1"):
        ip("link", "set", dev, "up")
    ip("addr", "add", "10.0.0.1/32", "dev", "lo")
    ip("addr", "add", "192.0.2.1/31", "dev", "veth0")
    ip("-6", "addr", "add", "2001:db8::1/64", "dev", "veth0", "nodad")
    ip("addr", "add", "198.51.100.1/24", "dev", "ex0")
    time.sleep(0.2)
    s = nl_socket()
    d = dump(s, RTM_GETLINK, 1) + dump(s, RTM_GETADDR, 2)
    mon = nl_socket(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)
    mon.setblocking(False)
    ip("addr", "add", "192.0.2.3/31", "dev", "veth1")
    ip("-6", "addr", "add", "2001:db8::2/64", "dev", "veth1")  # with DAD: tentative first
    ip("addr", "del", "192.0.2.1/31", "dev", "veth0")
    ip("link", "set", "veth0", "mtu", "9000")
    ip("link", "set", "veth0", "down")
    ip("link", "set", "veth0", "up")
    ip("link", "del", "ex0")
    time.sleep(0.3)
    notes = b""
    while True:
        try:
            notes += mon.recv(65536)
        except BlockingIOError:
            break
    with open(os.path.join(outdir, "captured-dump.bin"), "wb") as f:
        f.write(d)
    with open(os.path.join(outdir, "captured-notify.bin"), "wb") as f:
        f.write(notes)


def main(argv):
    if len(argv) == 3 and argv[1] == "--capture-inner":
        capture_inner(argv[2])
        return 0
    capture = "--capture" in argv[1:]
    args = [a for a in argv[1:] if a != "--capture"]
    if len(args) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    outdir = os.path.abspath(args[0])
    os.makedirs(outdir, exist_ok=True)
    for name, data in crafted().items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    if capture:
        ns = "lsoe-fuzz-seeds-%d" % os.getpid()
        ip("netns", "add", ns)
        try:
            subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                            "--capture-inner", outdir], check=True)
        finally:
            ip("netns", "del", ns)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
