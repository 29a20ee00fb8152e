#!/usr/bin/env python3
"""Collect the frames of one EtherType arriving on an interface (AF_PACKET), for the
netns tests: a capture without tcpdump, standard library only.

    afpacket_recv.py IFACE --ethertype 0x8885 [--count N] [--seconds S] [--ready FILE]

Opens a packet socket bound to IFACE and the EtherType, touches --ready FILE once
listening, and stops after --count frames or --seconds seconds, whichever comes
first. Prints one JSON object: {"count", "first", "last", "frames": [{"time",
"src", "dst", "length"}...]}, times in seconds from the kernel's receive
timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME).
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SCM_TIMESTAMPNS = SO_TIMESTAMPNS


def mac(b):
    return ":".join(f"{x:02x}" for x in b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--ethertype", type=lambda s: int(s, 16), default=0x8885)
    ap.add_argument("--count", type=int, default=0, help="stop after this many frames (0: no limit)")
    ap.add_argument("--seconds", type=float, default=10.0, help="stop after this long in any case")
    ap.add_argument("--ready", help="file created once the socket listens")
    a = ap.parse_args()

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(a.ethertype))
    s.bind((a.iface, a.ethertype))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    if a.ready:
        open(a.ready, "w").close()

    frames = []
    deadline = time.monotonic() + a.seconds
    while not a.count or len(frames) < a.count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(16))
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        t = None
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS and len(cdata) >= 16:
                sec, nsec = struct.unpack("qq", cdata[:16])
                t = sec + nsec / 1e9
        if t is None:
            t = time.time()
        frames.append({"time": t, "src": mac(data[6:12]), "dst": mac(data[0:6]), "length": len(data)})

    json.dump({"count": len(frames),
               "first": frames[0]["time"] if frames else 0,
               "last": frames[-1]["time"] if frames else 0,
               "frames": frames}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
