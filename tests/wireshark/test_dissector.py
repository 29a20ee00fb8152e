#!/usr/bin/env python3
"""tools/wireshark/lsoe.lua in tshark: decoded field values on the reference captures, on crafted
and corrupted datagrams, and on simulator captures (EtherType 0x88B5, fragmentation, MPLS labels).

Usage: test_dissector.py --lua FILE --data DIR [--dump LSOE_DUMP] [--sim LSOE_SIM --scenarios DIR]
                         [unittest arguments]
Exits 77 (skip) when tshark is not installed. Python standard library only.
"""
import argparse
import collections
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

LUA = DATA = DUMP = SIM = SCENARIOS = None
TSHARK = shutil.which('tshark')

# ---------------------------------------------------------------------------------------------
# LSOE wire helpers (an independent implementation of digest 2.5, checked against its vectors)

SBOX = bytes.fromhex(
    'a3d70983f848f6f4b3211578 99b1aff9e72d4d8ace4cca2e 5295d91e4e384428 0adf02a017f16068'
    '12b77ac3e9fa3d53 96846bbaf2639a19 7caee5f5f7166aa2 39b67b0fc193811b eeb41aead0912fb8'
    '55b9da853f41bfe0 5a58805f660bd890 35d5c0a733066569 450094566d989b76 97fcb2c2b0fedb20'
    'e1ebd6e4dd474a1d 42ed9e6e493ccd43 27d207d4dec76718 89cb301f8dc68faa c874dcc95d5c31a4'
    '7088612c9f0d2b87 50825464267d0340 344b1c73d1c4fd3b ccfb7fabe63e5ba5 ad04239c145122f0'
    '2979717eff8c0ee2 0cefbc72756f37a1 ecd38e628b8610e8 087711be924f24c5 32369dcff3a6bbac'
    '5e6ca9135725b5e3 bda83a0105592a46'.replace(' ', ''))
assert len(SBOX) == 256


def checksum(d):
    d = bytearray(d)
    d[4:8] = bytes(4)
    s = [0, 0, 0, 0]
    for i, b in enumerate(d):
        s[i & 3] += SBOX[b]
    r = (s[0] << 24) + (s[1] << 16) + (s[2] << 8) + s[3]
    r = (r >> 32) + (r & 0xffffffff)
    r = (r >> 32) + (r & 0xffffffff)
    return r & 0xffffffff


def datagram(payload, num=0, last=True, length=None, version=0):
    """An LSOE datagram with a correct checksum over `length` octets (default: all)."""
    n = HDR + len(payload) if length is None else length
    d = bytearray(struct.pack('!BBHL', version, (0x80 if last else 0) | num, n & 0xffff, 0) + payload)
    d[4:8] = struct.pack('!L', checksum(d[:n]))
    return bytes(d)


def pdu(ptype, body, length=None):
    return struct.pack('!BH', ptype, 3 + len(body) if length is None else length) + body


HDR = 8
MAC_A, MAC_B, MAC_C = bytes.fromhex('02000000000a'), bytes.fromhex('02000000000b'), bytes.fromhex('02000000000c')


def frame(dgram, src=MAC_B, dst=MAC_A, ethertype=0x88B5, pad=False):
    f = dst + src + struct.pack('!H', ethertype) + dgram
    return f + bytes(60 - len(f)) if pad and len(f) < 60 else f


# ---------------------------------------------------------------------------------------------
# pcap files

def read_pcap(path):
    """Returns (header bytes, [(ts_sec, ts_frac, frame bytes)], endian)."""
    with open(path, 'rb') as f:
        b = f.read()
    magic = struct.unpack('<I', b[:4])[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    recs, off = [], 24
    while off + 16 <= len(b):
        ts, tf, incl, orig = struct.unpack(e + 'IIII', b[off:off + 16])
        recs.append((ts, tf, b[off + 16:off + 16 + incl]))
        off += 16 + incl
    return b[:24], recs, e


def write_pcap(path, frames, times=None, header=None, endian='<'):
    with open(path, 'wb') as f:
        f.write(header or struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            if times is None:
                ts, tf = i, 0
            elif isinstance(times[i], tuple):
                ts, tf = times[i]
            else:
                ts, tf = int(times[i]), int(round((times[i] % 1) * 1e6))
            f.write(struct.pack(endian + 'IIII', ts, tf, len(fr), len(fr)) + fr)


# ---------------------------------------------------------------------------------------------
# tshark

FIELDS = ['frame.number', 'eth.src', 'eth.type', 'lsoe.version', 'lsoe.last', 'lsoe.fragment',
          'lsoe.length', 'lsoe.checksum', 'lsoe.checksum_calculated', 'lsoe.checksum_ok',
          'lsoe.pdu.type', 'lsoe.pdu.length',
          'lsoe.open.nonce', 'lsoe.open.local_id', 'lsoe.open.attr_count', 'lsoe.open.attribute',
          'lsoe.open.auth_length', 'lsoe.open.auth_data',
          'lsoe.ack.type', 'lsoe.ack.error_type', 'lsoe.ack.error_code', 'lsoe.ack.error_hint',
          'lsoe.encap.count', 'lsoe.encap.address', 'lsoe.encap.ipv4', 'lsoe.encap.ipv6',
          'lsoe.encap.prefix_len', 'lsoe.encap.flags.primary', 'lsoe.encap.flags.loopback',
          'lsoe.encap.label_count', 'lsoe.encap.label', 'lsoe.encap.label.tc', 'lsoe.encap.label.s',
          'lsoe.vendor.enterprise', 'lsoe.vendor.type', 'lsoe.vendor.data',
          'lsoe.reassembled_in', 'lsoe.reassembled.count', 'lsoe.reassembled.length',
          'lsoe.reassembled.frame', 'lsoe.padding',
          '_ws.expert.message', '_ws.expert.severity', '_ws.expert.group', '_ws.col.Info']

SEV_ERROR, SEV_WARN, SEV_CHAT = 0x800000, 0x600000, 0x200000
GROUP_CHECKSUM = 0x01000000
PDU_TYPE = {'HELLO': 0, 'OPEN': 1, 'KEEPALIVE': 2, 'ACK': 3, 'IPV4_ENCAP': 4, 'IPV6_ENCAP': 5,
            'MPLS_IPV4_ENCAP': 6, 'MPLS_IPV6_ENCAP': 7, 'VENDOR': 255}


def run_tshark(args):
    p = subprocess.run([TSHARK, '-n', '-X', 'lua_script:' + LUA, *args],
                       capture_output=True, timeout=120)
    err = p.stderr.decode(errors='replace')
    # Any Lua problem (load error, runtime error in a dissector) is reported on stderr or in
    # the tree as "Lua Error"; neither may ever appear.
    bad = [l for l in err.splitlines() if l.strip() and 'Running as user' not in l]
    if p.returncode != 0 or bad:
        raise AssertionError('tshark %s failed (%d): %s' % (' '.join(args), p.returncode, err))
    return p.stdout.decode(errors='replace')


def dissect(path, *opts, two_pass=True, fields=FIELDS):
    """One dict per frame: field -> list of values (all occurrences)."""
    args = ['-r', path, '-T', 'fields', '-E', 'header=n', '-E', 'occurrence=a',
            '-E', 'aggregator=|', '-E', 'separator=/t', *opts]
    if two_pass:
        args.insert(0, '-2')
    for f in fields:
        args += ['-e', f]
    rows = []
    for line in run_tshark(args).splitlines():
        cols = line.split('\t')
        assert len(cols) == len(fields), line
        rows.append({f: (c.split('|') if c else []) for f, c in zip(fields, cols)})
    for r in rows:
        assert not any('Lua Error' in m for m in r.get('_ws.expert.message', [])), r
    return rows


def matching(path, dfilter, *opts):
    """Frame numbers matching a display filter (two-pass)."""
    out = run_tshark(['-2', '-r', path, '-Y', dfilter, *opts, '-T', 'fields', '-e', 'frame.number'])
    return [int(x) for x in out.split()]


def experts(path, *opts):
    """frame number -> set of the expert infos (by abbreviation) raised in that frame, two-pass."""
    out = run_tshark(['-2', '-r', path, *opts, '-T', 'json', '--no-duplicate-keys'])
    found = collections.defaultdict(set)

    def walk(o, acc):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == '_ws.expert':
                    for e in (v if isinstance(v, list) else [v]):
                        acc.update(x for x in e if not x.startswith('_ws.expert'))
                walk(v, acc)
        elif isinstance(o, list):
            for x in o:
                walk(x, acc)

    for pkt in json.loads(out):
        layers = pkt['_source']['layers']
        num = layers['frame']['frame.number']
        walk(layers, found[int(num[0] if isinstance(num, list) else num)])
    return found


def one(row, field):
    v = row[field]
    assert len(v) == 1, (field, v, row['frame.number'])
    return v[0]


def lsoe_dump(path, *opts):
    p = subprocess.run([DUMP, '--json', *opts, path], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return {o['frame']: o for o in map(json.loads, p.stdout.decode().splitlines()) if 'frame' in o}


def cap(name):
    return os.path.join(DATA, name + '.pcap')


# From tests/data/README.md (counts of complete PDUs after reassembly).
WANT_TYPES = {
    'ref-basic': {0: 8, 1: 2, 2: 16, 3: 10, 4: 2, 5: 2, 6: 2, 7: 2},
    'ref-bigencap': {0: 6, 1: 2, 2: 12, 3: 10, 4: 2, 5: 2, 6: 2, 7: 2},
    'ref-restart': {0: 12, 1: 4, 2: 24, 3: 20, 4: 4, 5: 4, 6: 4, 7: 4},
}
WANT_FRAMES = {'ref-basic': 44, 'ref-bigencap': 39, 'ref-restart': 76}
SRC_A, SRC_B = '02:00:00:00:00:0a', '02:00:00:00:00:0b'


def type_counts(rows):
    return dict(collections.Counter(int(t) for r in rows for t in r['lsoe.pdu.type']))


class ReferenceCaptures(unittest.TestCase):
    def test_every_capture_types_and_checksums(self):
        for name, want in WANT_TYPES.items():
            with self.subTest(capture=name):
                rows = dissect(cap(name))
                self.assertEqual(len(rows), WANT_FRAMES[name])
                self.assertEqual(type_counts(rows), want)
                for r in rows:
                    self.assertEqual(r['eth.type'], ['0x8885'])
                    self.assertEqual(r['lsoe.version'], ['0'])
                    self.assertEqual(r['lsoe.checksum_ok'], ['1'], r['frame.number'])
                    self.assertEqual(r['lsoe.checksum'], r['lsoe.checksum_calculated'])
                    sev = [int(s) for s in r['_ws.expert.severity']]
                    self.assertTrue(all(s <= SEV_CHAT for s in sev), (r['frame.number'], r['_ws.expert.message']))
                    self.assertEqual(r['lsoe.padding'], [])  # unpadded captures

    def test_single_pass_equals_two_pass(self):
        # tshark without -2 dissects each frame once, in order; the GUI re-dissects at random.
        # The decoded PDUs must not depend on it (only "reassembled in" needs the second pass).
        keep = [f for f in FIELDS if f not in ('lsoe.reassembled_in', '_ws.col.Info',
                                               '_ws.expert.message', '_ws.expert.severity', '_ws.expert.group')]
        for name in WANT_TYPES:
            with self.subTest(capture=name):
                one_pass = dissect(cap(name), two_pass=False, fields=keep)
                two_pass = dissect(cap(name), fields=keep)
                self.assertEqual(one_pass, two_pass)

    def test_basic_open(self):
        rows = dissect(cap('ref-basic'))
        opens = {one(r, 'eth.src'): r for r in rows if r['lsoe.pdu.type'] == ['1']}
        self.assertEqual(sorted(opens), [SRC_A, SRC_B])
        self.assertEqual(opens[SRC_B]['lsoe.open.nonce'], ['0x17f706e8'])
        self.assertEqual(opens[SRC_A]['lsoe.open.nonce'], ['0x7df58adb'])
        self.assertEqual(opens[SRC_B]['lsoe.open.local_id'], ['00:11:22:33:44:55:66:77:88:02'])
        self.assertEqual(opens[SRC_A]['lsoe.open.local_id'], ['00:11:22:33:44:55:66:77:88:01'])
        for r in opens.values():
            self.assertEqual(r['lsoe.pdu.length'], ['20'])
            self.assertEqual(r['lsoe.open.attr_count'], ['0'])
            self.assertEqual(r['lsoe.open.attribute'], [])
            self.assertEqual(r['lsoe.open.auth_length'], ['0'])
        # The same nonce through the display filter engine.
        self.assertEqual(matching(cap('ref-basic'), 'lsoe.open.nonce == 0x17f706e8'), [3])

    def test_basic_encapsulations(self):
        rows = dissect(cap('ref-basic'))
        enc = {(one(r, 'eth.src'), int(one(r, 'lsoe.pdu.type'))): r for r in rows
               if r['lsoe.pdu.type'] and int(r['lsoe.pdu.type'][0]) >= 4}
        self.assertEqual(len(enc), 8)
        b4 = enc[(SRC_B, 4)]
        self.assertEqual(b4['lsoe.encap.count'], ['2'])
        self.assertEqual(b4['lsoe.encap.address'], ['127.0.0.1', '192.0.2.0'])
        self.assertEqual(b4['lsoe.encap.ipv4'], ['127.0.0.1', '192.0.2.0'])
        self.assertEqual(b4['lsoe.encap.prefix_len'], ['8', '31'])
        self.assertEqual(b4['lsoe.encap.flags.loopback'], ['1', '0'])
        self.assertEqual(b4['lsoe.encap.flags.primary'], ['0', '0'])
        self.assertEqual(enc[(SRC_A, 4)]['lsoe.encap.address'], ['127.0.0.1', '192.0.2.1'])
        b6 = enc[(SRC_B, 5)]
        self.assertEqual(b6['lsoe.encap.address'], ['::1', '2001:db8::b', 'fe80::ff:fe00:b'])
        self.assertEqual(b6['lsoe.encap.ipv6'], ['::1', '2001:db8::b', 'fe80::ff:fe00:b'])
        self.assertEqual(b6['lsoe.encap.prefix_len'], ['128', '127', '64'])
        self.assertEqual(b6['lsoe.encap.flags.loopback'], ['1', '0', '0'])
        for src in (SRC_A, SRC_B):
            for t in (6, 7):  # py-lsoed sends MPLS lists empty
                self.assertEqual(enc[(src, t)]['lsoe.encap.count'], ['0'])
                self.assertEqual(enc[(src, t)]['lsoe.pdu.length'], ['5'])
                self.assertEqual(enc[(src, t)]['lsoe.encap.address'], [])
        self.assertEqual(matching(cap('ref-basic'), 'lsoe.encap.ipv4 == 192.0.2.0/31'), [7, 11])
        self.assertEqual(matching(cap('ref-basic'), 'lsoe.encap.address == "192.0.2.0"'), [7])

    def test_basic_acks(self):
        rows = dissect(cap('ref-basic'))
        acks = [r for r in rows if r['lsoe.pdu.type'] == ['3']]
        self.assertEqual(len(acks), 10)
        self.assertEqual(collections.Counter(one(r, 'lsoe.ack.type') for r in acks),
                         {'1': 2, '4': 2, '5': 2, '6': 2, '7': 2})
        for r in acks:
            self.assertEqual((r['lsoe.pdu.length'], r['lsoe.ack.error_type'], r['lsoe.ack.error_code'],
                              r['lsoe.ack.error_hint']), (['8'], ['0'], ['0'], ['0']))
        self.assertIn('ACK of OPEN', one(rows[3], '_ws.col.Info'))

    def test_restart_nonces(self):
        rows = dissect(cap('ref-restart'))
        opens = [(one(r, 'eth.src'), one(r, 'lsoe.open.nonce')) for r in rows if r['lsoe.pdu.type'] == ['1']]
        self.assertEqual(len(opens), 4)
        b_nonces = [n for s, n in opens if s == SRC_B]
        self.assertEqual(len(b_nonces), 2)
        self.assertNotEqual(b_nonces[0], b_nonces[1])  # B restarted with a new nonce

    def test_bigencap_reassembly(self):
        rows = dissect(cap('ref-bigencap'))
        by_num = {int(one(r, 'frame.number')): r for r in rows}
        big = [r for r in rows if r['lsoe.encap.count'] == ['123']]
        self.assertEqual(len(big), 1)
        big = big[0]
        last = int(one(big, 'frame.number'))
        self.assertEqual(one(big, 'eth.src'), SRC_B)
        self.assertEqual(one(big, 'lsoe.pdu.type'), '5')
        self.assertEqual(one(big, 'lsoe.pdu.length'), '2219')
        self.assertEqual((one(big, 'lsoe.fragment'), one(big, 'lsoe.last'), one(big, 'lsoe.length')),
                         ('1', '1', '735'))
        self.assertEqual(one(big, 'lsoe.reassembled.count'), '2')
        self.assertEqual(one(big, 'lsoe.reassembled.length'), '2219')
        self.assertEqual(big['lsoe.reassembled.frame'], [str(last - 1), str(last)])
        addrs = big['lsoe.encap.address']
        self.assertEqual(len(addrs), 123)
        self.assertEqual(addrs, big['lsoe.encap.ipv6'])
        extra = [a for a in addrs if a.startswith('2001:db8:1::')]
        # 2001:db8:1::1 .. ::120, the last hextet's hex digits reading as the decimals 1..120.
        self.assertEqual(sorted(extra), sorted('2001:db8:1::%d' % n for n in range(1, 121)))
        self.assertEqual(sorted(set(addrs) - set(extra)), ['2001:db8::b', '::1', 'fe80::ff:fe00:b'])
        self.assertEqual(collections.Counter(big['lsoe.encap.prefix_len'])['128'], 121)
        self.assertIn('reassembled from 2 datagrams', one(big, '_ws.col.Info'))
        # The fragment frame: datagram 0 without L, no PDU of its own, points at the last one.
        frag = by_num[last - 1]
        self.assertEqual((one(frag, 'lsoe.fragment'), one(frag, 'lsoe.last'), one(frag, 'lsoe.length')),
                         ('0', '0', '1500'))
        self.assertEqual(frag['lsoe.pdu.type'], [])
        self.assertEqual(frag['lsoe.encap.address'], [])
        self.assertEqual(frag['lsoe.checksum_ok'], ['1'])
        self.assertEqual(frag['lsoe.reassembled_in'], [str(last)])
        self.assertIn('Fragment 0 of a PDU', one(frag, '_ws.col.Info'))
        self.assertEqual(matching(cap('ref-bigencap'), 'lsoe.encap.ipv6 == 2001:db8:1::77'), [last])
        self.assertEqual(matching(cap('ref-bigencap'), 'lsoe.reassembled_in'), [last - 1])

    def test_padded_to_60(self):
        header, recs, e = read_pcap(cap('ref-basic'))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'padded.pcap')
            write_pcap(path, [f + bytes(max(0, 60 - len(f))) for _, _, f in recs],
                       times=[(s, u) for s, u, _ in recs], header=header, endian=e)
            rows = dissect(path)
        self.assertEqual(type_counts(rows), WANT_TYPES['ref-basic'])
        self.assertTrue(all(r['lsoe.checksum_ok'] == ['1'] for r in rows))
        hello = rows[0]
        self.assertEqual(one(hello, 'lsoe.length'), '11')
        self.assertEqual(one(hello, 'lsoe.padding'), '00' * 35)  # 60 - 14 - 11


class CrossCheckLsoeDump(unittest.TestCase):
    """Every frame of every capture decodes to what lsoe-dump (the project's C codec) says."""

    def compare(self, path, *dump_opts):
        ws = {int(one(r, 'frame.number')): r for r in dissect(path)}
        ref = lsoe_dump(path, *dump_opts)
        self.assertEqual(sorted(ws), sorted(ref))
        npdus = 0
        for n, o in ref.items():
            r = ws[n]
            with self.subTest(file=os.path.basename(path), frame=n):
                self.assertEqual(one(r, 'eth.type'), o['ethertype'])
                self.assertEqual(int(one(r, 'lsoe.fragment')), o['fragment'])
                self.assertEqual(one(r, 'lsoe.last') == '1', o['last'])
                self.assertEqual(int(one(r, 'lsoe.length')), o['length'])
                self.assertEqual(one(r, 'lsoe.checksum'), o['checksum'])
                self.assertEqual(one(r, 'lsoe.checksum_ok') == '1', o['checksum_ok'])
                p = o.get('pdu')
                if not p:
                    self.assertEqual(r['lsoe.pdu.type'], [])
                    continue
                npdus += 1
                self.assertEqual(int(one(r, 'lsoe.pdu.type')), PDU_TYPE[p['type']])
                self.assertEqual(int(one(r, 'lsoe.pdu.length')), p['length'])
                if p['type'] == 'OPEN':
                    self.assertEqual(one(r, 'lsoe.open.nonce'), p['nonce'])
                    self.assertEqual(one(r, 'lsoe.open.local_id'), p['local_id'])
                    self.assertEqual([int(a) for a in r['lsoe.open.attribute']], p['attributes'])
                    self.assertEqual(int(one(r, 'lsoe.open.auth_length')), p['auth_length'])
                elif p['type'] == 'ACK':
                    self.assertEqual(int(one(r, 'lsoe.ack.type')), PDU_TYPE[p['ack_type']])
                    self.assertEqual(int(one(r, 'lsoe.ack.error_type')), p['error_type'])
                    self.assertEqual(int(one(r, 'lsoe.ack.error_code')), p['error_code'])
                    self.assertEqual(int(one(r, 'lsoe.ack.error_hint')), p['error_hint'])
                elif 'encaps' in p:
                    self.assertEqual(int(one(r, 'lsoe.encap.count')), p['count'])
                    self.assertEqual(r['lsoe.encap.address'], [e['address'] for e in p['encaps']])
                    self.assertEqual([int(x) for x in r['lsoe.encap.prefix_len']],
                                     [e['prefix_len'] for e in p['encaps']])
                    self.assertEqual([x == '1' for x in r['lsoe.encap.flags.primary']],
                                     [e['primary'] for e in p['encaps']])
                    self.assertEqual([x == '1' for x in r['lsoe.encap.flags.loopback']],
                                     [e['loopback'] for e in p['encaps']])
                    self.assertEqual([int(x) for x in r['lsoe.encap.label']],
                                     [l for e in p['encaps'] for l in e['labels']])
                    if p['type'].startswith('MPLS'):
                        self.assertEqual([int(x) for x in r['lsoe.encap.label_count']],
                                         [len(e['labels']) for e in p['encaps']])
                if o.get('datagrams', 1) > 1:
                    self.assertEqual(int(one(r, 'lsoe.reassembled.count')), o['datagrams'])
        return npdus

    @unittest.skipUnless(DUMP or '--dump' in sys.argv, 'no --dump')
    def test_reference_captures(self):
        for name in WANT_TYPES:
            self.assertEqual(self.compare(cap(name)), sum(WANT_TYPES[name].values()))


class Corrupted(unittest.TestCase):
    def flip(self, name, frame_no, lsoe_offset, bit):
        header, recs, e = read_pcap(cap(name))
        frames = [bytearray(f) for _, _, f in recs]
        frames[frame_no - 1][14 + lsoe_offset] ^= 1 << bit
        path = os.path.join(self.tmp.name, '%s-flip-%d.pcap' % (name, frame_no))
        write_pcap(path, [bytes(f) for f in frames], times=[(s, u) for s, u, _ in recs], header=header, endian=e)
        return path

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_flipped_bit_in_open(self):
        # Frame 3 of ref-basic is B's OPEN; flip the low bit of the nonce's last octet.
        path = self.flip('ref-basic', 3, 8 + 6, 0)
        rows = dissect(path)
        bad = rows[2]
        self.assertEqual(one(bad, 'lsoe.checksum_ok'), '0')
        self.assertEqual(one(bad, 'lsoe.checksum'), '0x7a8bc650')        # as sent
        self.assertNotEqual(one(bad, 'lsoe.checksum_calculated'), '0x7a8bc650')
        self.assertEqual(one(bad, 'lsoe.open.nonce'), '0x17f706e9')      # still decoded
        self.assertIn('BAD CHECKSUM', one(bad, '_ws.col.Info'))
        expert = list(zip(map(int, bad['_ws.expert.severity']), map(int, bad['_ws.expert.group']),
                          bad['_ws.expert.message']))
        self.assertTrue(any(s == SEV_ERROR and g == GROUP_CHECKSUM and m.startswith('Bad checksum')
                            for s, g, m in expert), expert)
        self.assertEqual(matching(path, 'lsoe.checksum.bad'), [3])
        self.assertEqual(matching(path, 'lsoe.checksum_ok == 0'), [3])
        self.assertEqual(sum(r['lsoe.checksum_ok'] == ['1'] for r in rows), 43)
        if DUMP:
            self.assertEqual(lsoe_dump(path)[3].get('error'), 'bad_checksum')

    def test_flipped_bit_in_fragment(self):
        # Frame 14 of ref-bigencap is datagram 0 of the 123-entry PDU.
        path = self.flip('ref-bigencap', 14, 8 + 700, 3)
        rows = dissect(path)
        self.assertEqual(one(rows[13], 'lsoe.checksum_ok'), '0')
        self.assertEqual(one(rows[14], 'lsoe.checksum_ok'), '1')
        self.assertEqual(matching(path, 'lsoe.checksum.bad'), [14])


class Crafted(unittest.TestCase):
    """Hand-made datagrams (valid checksums unless said otherwise), one frame each."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def run_frames(self, frames, times=None, opts=()):
        path = os.path.join(self.tmp.name, 'crafted.pcap')
        write_pcap(path, frames, times)
        return path, dissect(path, *opts)

    def test_digest_checksum_vectors(self):
        vectors = {  # digest 2.5: datagrams as sent, and their checksums
            '0080000bea89ca1c000003': '0xea89ca1c',
            '0080000b5089ca1c020003': '0x5089ca1c',
            '008000106e2d9f0603000801000000 00': '0x6e2d9f06',
            '0080001cbadaabf7 010014 deadbeef 000000000000c0000201 00 0000': '0xbadaabf7',
            '0080001320a3bf760400 0b000180c000020118': '0x20a3bf76',
        }
        frames = []
        for hexs in vectors:
            d = bytes.fromhex(hexs.replace(' ', ''))
            self.assertEqual(len(d), struct.unpack('!H', d[2:4])[0])
            self.assertEqual(checksum(d), struct.unpack('!L', d[4:8])[0])  # our Python helper
            frames.append(frame(d))
        _, rows = self.run_frames(frames)
        want_types = ['0', '2', '3', '1', '4']
        for r, (hexs, ck), t in zip(rows, vectors.items(), want_types):
            self.assertEqual(one(r, 'lsoe.checksum_ok'), '1')
            self.assertEqual(one(r, 'lsoe.checksum'), one(r, 'lsoe.checksum_calculated'))
            self.assertEqual(one(r, 'lsoe.checksum'), ck)
            self.assertEqual(one(r, 'lsoe.pdu.type'), t)
        self.assertEqual(one(rows[3], 'lsoe.open.nonce'), '0xdeadbeef')
        self.assertEqual(one(rows[3], 'lsoe.open.local_id'), '00:00:00:00:00:00:c0:00:02:01')
        self.assertEqual((rows[4]['lsoe.encap.address'], rows[4]['lsoe.encap.prefix_len'],
                          rows[4]['lsoe.encap.flags.primary']), (['192.0.2.1'], ['24'], ['1']))

    def test_every_pdu_type_fields(self):
        frames = [
            frame(datagram(pdu(1, bytes.fromhex('01020304') + bytes(range(1, 11)) + bytes([3, 7, 8, 9])
                               + struct.pack('!H', 3) + b'abc'))),
            frame(datagram(pdu(3, bytes([4]) + struct.pack('!HH', 0x1001, 7)))),
            frame(datagram(pdu(6, struct.pack('!H', 2)
                               + bytes([0x80, 2]) + struct.pack('!I', (16000 << 4) | (3 << 1))[1:]
                               + struct.pack('!I', (17 << 4) | 1)[1:] + bytes([10, 0, 0, 1, 31])
                               + bytes([0x40, 0]) + bytes([10, 0, 0, 2, 32])))),
            frame(datagram(pdu(7, struct.pack('!H', 1) + bytes([0, 1]) + struct.pack('!I', (1048575 << 4) | 1)[1:]
                               + bytes.fromhex('20010db8000000000000000000000001') + bytes([64])))),
            frame(datagram(pdu(255, struct.pack('!LB', 32473, 9) + b'hello'))),
            frame(datagram(pdu(255, struct.pack('!LB', 1, 2)))),
        ]
        path, rows = self.run_frames(frames)
        o, a, m4, m6, v, v0 = rows
        self.assertEqual((one(o, 'lsoe.open.nonce'), one(o, 'lsoe.open.local_id'), o['lsoe.open.attribute'],
                          one(o, 'lsoe.open.auth_length'), one(o, 'lsoe.open.auth_data')),
                         ('0x01020304', '01:02:03:04:05:06:07:08:09:0a', ['7', '8', '9'], '3', '616263'))
        self.assertEqual((one(a, 'lsoe.ack.type'), one(a, 'lsoe.ack.error_type'), one(a, 'lsoe.ack.error_code'),
                          one(a, 'lsoe.ack.error_hint')), ('4', '1', '1', '7'))
        self.assertEqual(m4['lsoe.encap.label_count'], ['2', '0'])
        self.assertEqual((m4['lsoe.encap.label'], m4['lsoe.encap.label.tc'], m4['lsoe.encap.label.s']),
                         (['16000', '17'], ['3', '0'], ['0', '1']))
        self.assertEqual((m4['lsoe.encap.address'], m4['lsoe.encap.prefix_len']),
                         (['10.0.0.1', '10.0.0.2'], ['31', '32']))
        self.assertEqual((m4['lsoe.encap.flags.primary'], m4['lsoe.encap.flags.loopback']), (['1', '0'], ['0', '1']))
        self.assertEqual((m6['lsoe.encap.label'], m6['lsoe.encap.label.s'], m6['lsoe.encap.address']),
                         (['1048575'], ['1'], ['2001:db8::1']))
        self.assertEqual((one(v, 'lsoe.vendor.enterprise'), one(v, 'lsoe.vendor.type'), one(v, 'lsoe.vendor.data')),
                         ('32473', '9', '68656c6c6f'))
        self.assertEqual((one(v0, 'lsoe.vendor.enterprise'), v0['lsoe.vendor.data']), ('1', []))
        ex = experts(path)
        # Only the checksum verdicts, and the note on the warning ACK: nothing else is flagged.
        self.assertEqual({f: s - {'lsoe.checksum.good'} for f, s in ex.items() if s - {'lsoe.checksum.good'}},
                         {2: {'lsoe.ack.error'}})
        self.assertTrue(all('lsoe.checksum.good' in ex[f] for f in range(1, 7)))

    def test_malformed(self):
        cases = [  # (datagram, experts that must fire, fields that must still decode)
            (datagram(pdu(1, bytes(10))), {'lsoe.pdu.malformed'}, {'lsoe.pdu.type': ['1']}),
            (datagram(pdu(0, b'', length=50)), {'lsoe.pdu.length.bad'}, {}),
            (datagram(pdu(0, b'', length=2)), {'lsoe.pdu.length.bad'}, {}),
            (datagram(pdu(2, b'xx')), {'lsoe.pdu.malformed'}, {'lsoe.pdu.type': ['2']}),
            (datagram(b'\x00\x00'), {'lsoe.pdu.short'}, {}),
            (datagram(b''), {'lsoe.pdu.short'}, {}),
            (datagram(pdu(4, struct.pack('!H', 3) + bytes([0, 192, 0, 2, 1, 24]))), {'lsoe.pdu.malformed'},
             {'lsoe.encap.address': ['192.0.2.1']}),
            (datagram(pdu(4, struct.pack('!H', 1) + bytes([0, 192, 0, 2, 1, 24, 99]))), {'lsoe.pdu.malformed'}, {}),
            (datagram(pdu(4, struct.pack('!H', 1) + bytes([0, 192, 0, 2, 1, 33]))), {'lsoe.encap.prefix_len.bad'},
             {'lsoe.encap.prefix_len': ['33']}),
            (datagram(pdu(5, struct.pack('!H', 1) + bytes([0x21]) + bytes(16) + bytes([129]))),
             {'lsoe.encap.prefix_len.bad', 'lsoe.encap.flags.reserved_set'}, {}),
            (datagram(pdu(6, struct.pack('!H', 1) + bytes([0, 9, 1, 2, 3]))), {'lsoe.pdu.malformed'}, {}),
            (datagram(pdu(4, struct.pack('!H', 2) + bytes([0x80, 1, 1, 1, 1, 32, 0x80, 2, 2, 2, 2, 32]))),
             {'lsoe.encap.multiple_primary'}, {}),
            (datagram(pdu(3, bytes([1, 0, 5, 0, 0]))), {'lsoe.ack.nonzero'}, {'lsoe.ack.error_code': ['5']}),
            (datagram(pdu(3, bytes([0, 0, 0, 0, 0]))), {'lsoe.ack.type.bad'}, {}),
            (datagram(pdu(3, bytes([1, 0x50, 0, 0, 0]))), {'lsoe.ack.error_type.reserved', 'lsoe.ack.error'}, {}),
            (datagram(pdu(3, bytes([1, 0, 0]))), {'lsoe.pdu.malformed'}, {}),
            (datagram(pdu(77, b'xyz')), {'lsoe.pdu.type.reserved'}, {'lsoe.pdu.type': ['77']}),
            (datagram(pdu(255, b'\x00\x01')), {'lsoe.pdu.malformed'}, {}),
            (datagram(pdu(1, bytes(14) + bytes([200]))), {'lsoe.pdu.malformed'}, {}),
            (datagram(pdu(0, b''), version=1), {'lsoe.version.unknown'}, {'lsoe.version': ['1']}),
            (datagram(pdu(0, b''), length=200), {'lsoe.length.bad', 'lsoe.checksum.unverified'}, {}),
            (datagram(pdu(0, b''), length=4), {'lsoe.length.bad', 'lsoe.checksum.unverified'}, {}),
            (b'\x00\x80\x00\x0b\x00', {'lsoe.short'}, {}),
        ]
        path, rows = self.run_frames([frame(d) for d, _, _ in cases])
        ex = experts(path)
        for i, ((d, want, fields), r) in enumerate(zip(cases, rows), 1):
            with self.subTest(frame=i, datagram=d.hex()):
                self.assertTrue(want <= ex[i], (want, ex[i]))
                self.assertNotIn('lsoe.internal', ex[i])
                for f, v in fields.items():
                    self.assertEqual(r[f], v)

    def test_fragments(self):
        body = struct.pack('!H', 3) + b''.join(bytes([0]) + bytes(15) + bytes([n, 128]) for n in (1, 2, 3))
        p = pdu(5, body)
        a, b, c = p[:20], p[20:40], p[40:]
        frames = [
            frame(datagram(a, 0, False)), frame(datagram(b, 1, False)), frame(datagram(c, 2, True)),  # 1-3 ok
            frame(datagram(a, 0, False)), frame(datagram(c, 2, True)),                                # 4-5 gap
            frame(datagram(b, 1, True)),                                                              # 6 orphan
            frame(datagram(a, 0, False)), frame(datagram(a, 0, False)),                               # 7 superseded
            frame(datagram(b, 1, False)), frame(datagram(c, 2, True)),                                # 8-10 ok
            # 11-14: two PDUs from one sender to two peers, interleaved: both reassembled
            frame(datagram(a, 0, False), dst=MAC_A), frame(datagram(a, 0, False), dst=MAC_C),
            frame(datagram(p[20:], 1, True), dst=MAC_A), frame(datagram(p[20:], 1, True), dst=MAC_C),
            # 15-16: datagram 1 arrives 2 s after datagram 0: the partial PDU has expired
            frame(datagram(a, 0, False)), frame(datagram(p[20:], 1, True)),
        ]
        times = [0.0] * 14 + [10.0, 12.0]
        path, rows = self.run_frames(frames, times)
        types = [r['lsoe.pdu.type'] for r in rows]
        self.assertEqual(types, [[], [], ['5'], [], [], [], [], [], [], ['5'], [], [], ['5'], ['5'], [], []])
        self.assertEqual(rows[2]['lsoe.reassembled.frame'], ['1', '2', '3'])
        self.assertEqual(rows[2]['lsoe.encap.address'], ['::1', '::2', '::3'])
        self.assertEqual(rows[9]['lsoe.reassembled.frame'], ['8', '9', '10'])
        self.assertEqual(rows[12]['lsoe.reassembled.frame'], ['11', '13'])
        self.assertEqual(rows[13]['lsoe.reassembled.frame'], ['12', '14'])
        self.assertEqual([r['lsoe.reassembled_in'] for r in rows[:2]], [['3'], ['3']])
        self.assertEqual(rows[8]['lsoe.reassembled_in'], ['10'])
        ex = experts(path)
        self.assertEqual(sorted(f for f, s in ex.items() if 'lsoe.reassembly.error' in s), [4, 5, 6, 7, 15, 16])
        self.assertTrue(all(r['lsoe.checksum_ok'] == ['1'] for r in rows))
        # Without the timeout (preference 0) the late datagram completes its PDU.
        rows = dissect(path, '-o', 'lsoe.reassembly_timeout:0')
        self.assertEqual(rows[15]['lsoe.reassembled.frame'], ['15', '16'])

    def test_random_input_never_breaks(self):
        rnd = random.Random(20261125)
        frames = []
        for _ in range(300):
            n = rnd.randrange(0, 80)
            junk = bytes(rnd.randrange(256) for _ in range(n))
            frames.append(frame(junk))
            frames.append(frame(datagram(junk, rnd.randrange(3), rnd.random() < 0.6)))
            t = rnd.choice([0, 1, 2, 3, 4, 5, 6, 7, 255])
            body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40)))
            frames.append(frame(datagram(pdu(t, body)), pad=rnd.random() < 0.5))
        path, rows = self.run_frames(frames)  # run_tshark fails on any Lua error message
        self.assertEqual(len(rows), len(frames))
        self.assertEqual(matching(path, 'lsoe.internal'), [])
        self.assertFalse(any('lsoe.internal' in e for e in experts(path).values()))


@unittest.skipUnless(SIM or '--sim' in sys.argv, 'no --sim')
class Simulator(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def sim(self, scenario):
        out = os.path.join(self.tmp.name, 'pcap')
        os.makedirs(out)
        p = subprocess.run([SIM, 'run', scenario, '--pcap', out], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        pcaps = sorted(os.listdir(out))
        self.assertEqual(pcaps, ['a-b.pcap'])
        return os.path.join(out, pcaps[0])

    def test_big_encap(self):
        path = self.sim(os.path.join(SCENARIOS, 'big-encap.json'))
        rows = dissect(path)
        self.assertTrue(all(r['eth.type'] == ['0x88b5'] for r in rows))
        self.assertTrue(all(r['lsoe.checksum_ok'] == ['1'] for r in rows))
        big = [r for r in rows if r['lsoe.encap.count'] == ['123']]
        self.assertEqual(len(big), 1)
        big = big[0]
        self.assertEqual(one(big, 'lsoe.pdu.type'), '5')
        self.assertEqual(one(big, 'lsoe.reassembled.count'), '2')
        addrs = big['lsoe.encap.address']
        self.assertEqual(addrs[0], '2001:db8::b')
        self.assertEqual(addrs[1:], ['2001:db8:1::%x' % n for n in range(1, 123)])
        self.assertEqual(big['lsoe.encap.flags.primary'], ['1'] + ['0'] * 122)
        frag = [r for r in rows if r['lsoe.last'] == ['0']]
        self.assertEqual(len(frag), 1)
        self.assertEqual(frag[0]['lsoe.reassembled_in'], big['frame.number'])
        # Frames are padded to 60 octets: the datagram length decides, padding is shown apart.
        self.assertTrue(any(r['lsoe.padding'] for r in rows))
        if DUMP:
            CrossCheckLsoeDump.compare(self, path)

    def test_mpls_labels(self):
        scenario = os.path.join(self.tmp.name, 'mpls.json')
        with open(scenario, 'w') as f:
            json.dump({'duration': 5, 'mpls': True, 'topology': {'type': 'pair'}}, f)
        path = self.sim(scenario)
        rows = dissect(path)
        mpls = [r for r in rows if r['lsoe.pdu.type'] in (['6'], ['7'])]
        self.assertEqual(len(mpls), 4)  # both types, both directions
        labels = sorted(int(l) for r in mpls for l in r['lsoe.encap.label'])
        self.assertEqual(labels, [16000, 16000, 16001, 16001])
        for r in mpls:
            self.assertEqual(r['lsoe.encap.label_count'], ['1'])
            self.assertEqual((r['lsoe.encap.label.tc'], r['lsoe.encap.label.s']), (['0'], ['1']))
            self.assertEqual(r['lsoe.encap.flags.primary'], ['1'])
        # One label per node (16000 + its index), the same on both of its MPLS PDUs.
        per_src = collections.defaultdict(set)
        for r in mpls:
            per_src[one(r, 'eth.src')].update(r['lsoe.encap.label'])
        self.assertEqual(sorted(sorted(v) for v in per_src.values()), [['16000'], ['16001']])
        self.assertEqual(len(matching(path, 'lsoe.encap.label == 16001')), 2)
        if DUMP:
            CrossCheckLsoeDump.compare(self, path)


def main():
    global LUA, DATA, DUMP, SIM, SCENARIOS
    ap = argparse.ArgumentParser()
    ap.add_argument('--lua', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--dump')
    ap.add_argument('--sim')
    ap.add_argument('--scenarios')
    args, rest = ap.parse_known_args()
    if not TSHARK:
        print('SKIP: tshark is not installed')
        sys.exit(77)
    LUA, DATA, DUMP, SIM, SCENARIOS = (os.path.abspath(args.lua), args.data, args.dump, args.sim,
                                       args.scenarios)
    if SIM and not SCENARIOS:
        ap.error('--sim needs --scenarios')
    # A copy tshark loads by itself (the lsoe package's, in the global Lua plugin folder, or
    # one in the personal folder) registers "lsoe" first: the tree's copy could not load
    # beside it ("there cannot be two protocols"), and the tests would see the other copy.
    p = subprocess.run([TSHARK, '-G', 'plugins'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in p.stdout.decode(errors='replace').splitlines():
        f = line.split('\t')
        if len(f) > 1 and f[0] == 'lsoe.lua' and os.path.abspath(f[-1]) != LUA:
            print('SKIP: tshark already loads %s (installed by the lsoe package?); remove it to '
                  'test %s' % (f[-1], LUA))
            sys.exit(77)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == '__main__':
    main()
