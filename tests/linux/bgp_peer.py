#!/usr/bin/env python3
"""A scripted, hostile BGP peer for lsoed's BGP-LS export (tests/linux/test_netns.py, BgpHostileTest).

Listens on ADDR:PORT (lsoed connects out; it never listens) and treats every connection the
way --mode says:

  reset    accept, then close at once: a RST (SO_LINGER 0) on odd connections, a FIN on even ones
  stall    complete OPEN/KEEPALIVE, read up to lsoed's first UPDATE announcing links, then never read again
           ("stalled"); for --feed seconds keep the session alive (KEEPALIVE every 0.3 s) and
           send a ROUTE-REFRESH every --refresh-interval, so that lsoed sends everything again
           and again into a socket nobody reads (our receive buffer is small): it fills. Then
           silence: lsoed's hold timer (--hold, offered in our OPEN) must end the session.
  garbage  after accept, send one of: a header with a bad marker, random bytes, a good marker
           with a bad length, a good header of an unknown type (in turn); then read what lsoed
           answers until it closes
  refuse   read lsoed's OPEN, answer with an OPEN that offers IPv4 unicast but not BGP-LS, and a
           KEEPALIVE; read until lsoed closes
  notify   read lsoed's OPEN, answer NOTIFICATION OPEN Message Error / Unsupported Capability
           (2/7, the BGP-LS capability as data), close
  flap     establish (OPEN, KEEPALIVE), read lsoed's UPDATEs for --flap-after seconds, close

Every step is written to --events as one JSON object per line, with "t" (CLOCK_MONOTONIC, the
same clock as the test's time.monotonic()) and "conn" (1, 2, ...): listening, accept, open
(lsoed's OPEN: as, hold, id, families), notification (what lsoed sent: code, subcode, data),
update (link NLRIs announced and withdrawn in one of lsoed's UPDATEs), established, stalled,
refresh_sent, backlog (octets we have not read), silent, closed (by "us" or "peer").
"""
import argparse
import fcntl
import json
import os
import random
import socket
import struct
import sys
import termios
import threading
import time

MARKER = b'\xff' * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
AFI_LS, AFI_IPV4 = 16388, 1
CAP_MP, CAP_RR, CAP_AS4 = 1, 2, 65
ATTR_MP_REACH, ATTR_MP_UNREACH = 14, 15
GARBAGE_KINDS = ('marker', 'random', 'length', 'type')

lock = threading.Lock()
events = None


def emit(ev, **kw):
    kw = dict(t=time.monotonic(), event=ev, **kw)
    with lock:
        events.write(json.dumps(kw) + '\n')
        events.flush()


def msg(type_, body=b''):
    return MARKER + struct.pack('!HB', 19 + len(body), type_) + body


def open_msg(asn, hold, router_id, families, as4=True, rr=True):
    caps = b''
    for afi, safi in families:
        caps += struct.pack('!BBHBB', CAP_MP, 4, afi, 0, safi)
    if rr:
        caps += struct.pack('!BB', CAP_RR, 0)
    if as4:
        caps += struct.pack('!BBI', CAP_AS4, 4, asn)
    params = struct.pack('!BB', 2, len(caps)) + caps
    body = struct.pack('!BHH4sB', 4, asn if asn <= 0xffff else 23456, hold, socket.inet_aton(router_id), len(params))
    return msg(OPEN, body + params)


def notification(code, subcode, data=b''):
    return msg(NOTIFICATION, struct.pack('!BB', code, subcode) + data)


def route_refresh(afi, safi):
    return msg(ROUTE_REFRESH, struct.pack('!HBB', afi, 0, safi))


class Conn:
    """One accepted connection: framing what lsoed sends, with the events it makes."""

    def __init__(self, sock, n, args):
        self.s, self.n, self.a = sock, n, args
        self.buf = b''
        self.safi = 71
        self.closed = False

    def ev(self, what, **kw):
        emit(what, conn=self.n, **kw)

    def send(self, data):
        try:
            self.s.sendall(data)
            return True
        except OSError as e:
            self.ev('send_failed', error=str(e))
            return False

    def read_msg(self, timeout):
        """The next whole message (type, body), or None when the peer closed or timeout passed."""
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 19:
                length, type_ = struct.unpack('!HB', self.buf[16:19])
                if self.buf[:16] != MARKER or length < 19:
                    self.ev('bad_message', head=self.buf[:19].hex())
                    return None
                if len(self.buf) >= length:
                    body, self.buf = self.buf[19:length], self.buf[length:]
                    self.seen(type_, body)
                    return type_, body
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            except OSError as e:
                self.ev('closed', by='peer', error=str(e))
                self.closed = True
                return None
            if not data:
                self.ev('closed', by='peer')
                self.closed = True
                return None
            self.buf += data

    def seen(self, type_, body):
        if type_ == OPEN:
            ver, asn, hold, rid, plen = struct.unpack('!BHH4sB', body[:10])
            fams, as4 = [], None
            p = body[10:10 + plen]
            while len(p) >= 2:
                ptype, pl = p[0], p[1]
                c = p[2:2 + pl]
                while ptype == 2 and len(c) >= 2:
                    code, cl = c[0], c[1]
                    v = c[2:2 + cl]
                    if code == CAP_MP and cl == 4:
                        fams.append(list(struct.unpack('!HBB', v)[0::2]))
                    elif code == CAP_AS4 and cl == 4:
                        as4 = struct.unpack('!I', v)[0]
                    c = c[2 + cl:]
                p = p[2 + pl:]
            for afi, safi in fams:
                if afi == AFI_LS:
                    self.safi = safi
            self.ev('open', version=ver, as2=asn, as4=as4, hold=hold, id=socket.inet_ntoa(rid), families=fams)
        elif type_ == NOTIFICATION:
            self.ev('notification', code=body[0], subcode=body[1] if len(body) > 1 else None, data=body[2:].hex())
        elif type_ == UPDATE:
            self.ev('update', **parse_update(body))
        elif type_ == KEEPALIVE:
            self.ev('keepalive')
        else:
            self.ev('message', type=type_, length=19 + len(body))

    def drain(self, timeout):
        """Read (and record) what lsoed sends until it closes or timeout passes."""
        end = time.monotonic() + timeout
        while not self.closed and time.monotonic() < end:
            self.read_msg(end - time.monotonic())

    def establish(self, families=None):
        """lsoed's OPEN, ours, the KEEPALIVEs: True once Established."""
        m = self.read_msg(10)
        if not m or m[0] != OPEN:
            return False
        fams = families if families is not None else [(AFI_LS, self.safi)]
        if not self.send(open_msg(self.a.asn, self.a.hold, self.a.router_id, fams)) or not self.send(msg(KEEPALIVE)):
            return False
        while True:
            m = self.read_msg(10)
            if not m:
                return False
            if m[0] == KEEPALIVE:
                self.ev('established')
                return True

    def close(self, rst=False):
        if rst:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.s.close()
        self.ev('closed', by='us', rst=rst)


def link_nlris(data):
    """Count the BGP-LS NLRIs of type 2 (Link) in data; the rest counted apart."""
    links = other = 0
    while len(data) >= 4:
        t, ln = struct.unpack('!HH', data[:4])
        links += t == 2
        other += t != 2
        data = data[4 + ln:]
    return links, other


def parse_update(body):
    wl = struct.unpack('!H', body[:2])[0]
    al = struct.unpack('!H', body[2 + wl:4 + wl])[0]
    attrs = body[4 + wl:4 + wl + al]
    out = {'announced': 0, 'withdrawn': 0, 'other_nlris': 0, 'attrs': []}
    while len(attrs) >= 3:
        flags, type_ = attrs[0], attrs[1]
        if flags & 0x10:
            ln, hl = struct.unpack('!H', attrs[2:4])[0], 4
        else:
            ln, hl = attrs[2], 3
        v = attrs[hl:hl + ln]
        out['attrs'].append(type_)
        if type_ == ATTR_MP_REACH:
            nh = v[3]
            links, other = link_nlris(v[4 + nh + 1:])
            out['announced'] += links
            out['other_nlris'] += other
        elif type_ == ATTR_MP_UNREACH:
            links, other = link_nlris(v[3:])
            out['withdrawn'] += links
            out['other_nlris'] += other
        attrs = attrs[hl + ln:]
    return out


def unread(sock):
    try:
        return struct.unpack('i', fcntl.ioctl(sock.fileno(), termios.FIONREAD, b'\0\0\0\0'))[0]
    except OSError:
        return -1


def handle(c, a):
    mode = a.mode
    if mode == 'reset':
        c.close(rst=c.n % 2 == 1)
    elif mode == 'garbage':
        kind = GARBAGE_KINDS[(c.n - 1) % len(GARBAGE_KINDS)]
        if kind == 'marker':
            data = b'\x00' * 16 + struct.pack('!HB', 19, KEEPALIVE)
        elif kind == 'random':
            data = bytes([random.randrange(255)]) + os.urandom(511)  # the first octet is no 0xff
        elif kind == 'length':
            data = MARKER + struct.pack('!HB', 5000, UPDATE) + os.urandom(64)
        else:
            data = msg(9, b'\x01\x02\x03')
        c.ev('garbage_sent', kind=kind, length=len(data))
        c.send(data)
        c.drain(3)
        c.close()
    elif mode == 'refuse':
        m = c.read_msg(10)
        if m and m[0] == OPEN:
            c.send(open_msg(a.asn, a.hold, a.router_id, [(AFI_IPV4, 1)]) + msg(KEEPALIVE))
            c.drain(3)
        c.close()
    elif mode == 'notify':
        m = c.read_msg(10)
        if m and m[0] == OPEN:
            c.send(notification(2, 7, struct.pack('!BBHBB', CAP_MP, 4, AFI_LS, 0, c.safi)))
            c.ev('notification_sent', code=2, subcode=7)
        c.close()
    elif mode == 'flap':
        if c.establish():
            c.drain(a.flap_after)
        if not c.closed:
            c.close()
    elif mode == 'stall':
        if not c.establish():
            c.close()
            return
        # Read until lsoed announces links (its first UPDATE with any: an End-of-RIB may come
        # first); from then on nothing is read.
        while True:
            m = c.read_msg(30)
            if not m:
                c.close()
                return
            if m[0] == UPDATE and parse_update(m[1])['announced']:
                break
        c.ev('stalled')
        t0 = time.monotonic()
        last_ka = last_report = 0.0
        refreshes = 0
        while time.monotonic() - t0 < a.feed:
            now = time.monotonic()
            if now - last_ka >= 0.3:
                if not c.send(msg(KEEPALIVE)):
                    break
                last_ka = now
            if a.refresh_interval > 0:
                if not c.send(route_refresh(AFI_LS, c.safi)):
                    break
                refreshes += 1
            if now - last_report >= 0.2:
                c.ev('backlog', unread=unread(c.s), refreshes=refreshes)
                last_report = now
            time.sleep(a.refresh_interval if a.refresh_interval > 0 else 0.05)
        c.ev('refresh_sent', count=refreshes)
        c.ev('backlog', unread=unread(c.s), refreshes=refreshes)
        c.ev('silent')
        # Silent and never reading; the socket stays open until lsoed gives up (we cannot
        # tell without reading) or we are stopped.
        while True:
            time.sleep(3600)


def main():
    global events
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mode', required=True, choices=('reset', 'stall', 'garbage', 'refuse', 'notify', 'flap'))
    ap.add_argument('--listen', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=1790)
    ap.add_argument('--as', dest='asn', type=int, default=65000, help='our AS (default 65000)')
    ap.add_argument('--router-id', default='192.0.2.254')
    ap.add_argument('--hold', type=int, default=90, help='hold time in our OPEN')
    ap.add_argument('--events', help='JSON lines of what happened (default: standard output)')
    ap.add_argument('--flap-after', type=float, default=0.5, help='flap: close this long after Established')
    ap.add_argument('--feed', type=float, default=2.5, help='stall: seconds of KEEPALIVEs and ROUTE-REFRESHes')
    ap.add_argument('--refresh-interval', type=float, default=0.002, help='stall: between ROUTE-REFRESHes (0: none)')
    ap.add_argument('--rcvbuf', type=int, default=4096, help='stall: our receive buffer')
    a = ap.parse_args()
    events = open(a.events, 'a') if a.events else sys.stdout
    fam = socket.AF_INET6 if ':' in a.listen else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mode == 'stall':  # accepted sockets inherit it: a small window that fills fast
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    ls.bind((a.listen, a.port))
    ls.listen(16)
    emit('listening', mode=a.mode, port=a.port)
    n = 0
    while True:
        s, peer = ls.accept()
        n += 1
        emit('accept', conn=n, peer=peer[0], port=peer[1])
        threading.Thread(target=handle, args=(Conn(s, n, a), a), daemon=True).start()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
