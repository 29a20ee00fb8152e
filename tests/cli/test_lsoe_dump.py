#!/usr/bin/env python3
"""lsoe-dump as a user runs it: the reference captures, padding, errors, exit status."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

DUMP = DATA = None

# From tests/data/README.md.
WANT = {
    'ref-basic': {'HELLO': 8, 'OPEN': 2, 'ACK': 10, 'KEEPALIVE': 16, 'IPV4_ENCAP': 2,
                  'IPV6_ENCAP': 2, 'MPLS_IPV4_ENCAP': 2, 'MPLS_IPV6_ENCAP': 2},
    'ref-bigencap': {'HELLO': 6, 'OPEN': 2, 'ACK': 10, 'KEEPALIVE': 12, 'IPV4_ENCAP': 2,
                     'IPV6_ENCAP': 2, 'MPLS_IPV4_ENCAP': 2, 'MPLS_IPV6_ENCAP': 2},
    'ref-restart': {'HELLO': 12, 'OPEN': 4, 'ACK': 20, 'KEEPALIVE': 24, 'IPV4_ENCAP': 4,
                    'IPV6_ENCAP': 4, 'MPLS_IPV4_ENCAP': 4, 'MPLS_IPV6_ENCAP': 4},
}
FRAMES = {'ref-basic': 44, 'ref-bigencap': 39, 'ref-restart': 76}
FRAME_KEYS = ['frame', 'time', 'src', 'dst', 'ethertype', 'version', 'fragment', 'last',
              'length', 'checksum', 'checksum_ok']


def run(*args, stdin=None):
    p = subprocess.run([DUMP, *args], input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def lines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


class Captures(unittest.TestCase):
    def check_capture(self, path, name):
        rc, out, err = run('--json', '--summary', '--roundtrip', '--strict', path)
        self.assertEqual(rc, 0, err)
        objs = lines(out)
        summary, frames = objs[-1], objs[:-1]
        self.assertEqual(summary['pdus'], WANT[name])
        self.assertEqual(summary['errors'], {})
        self.assertEqual(summary['roundtrip_mismatches'], 0)
        self.assertEqual(summary['frames'], FRAMES[name])
        self.assertEqual(len(frames), FRAMES[name])
        for f in frames:
            for k in FRAME_KEYS:
                self.assertIn(k, f)
            self.assertTrue(f['checksum_ok'])
            self.assertTrue(f['roundtrip_ok'])
            self.assertEqual(f['ethertype'], '0x8885')
        return frames

    def test_plain_and_padded(self):
        for name in WANT:
            path = os.path.join(DATA, name + '.pcap')
            plain = self.check_capture(path, name)
            hdr, fr = pcaplib.read(path)
            with tempfile.TemporaryDirectory() as d:
                padded_path = os.path.join(d, name + '-padded.pcap')
                pcaplib.write(padded_path, hdr, pcaplib.pad60(fr))
                padded = self.check_capture(padded_path, name)
            # Identical decoding: only the file name and captured length differ.
            for a, b in zip(plain, padded):
                for k in ('file', 'frame_length'):
                    a.pop(k), b.pop(k)
                self.assertEqual(a, b)

    def test_big_encapsulation(self):
        rc, out, _ = run('--json', os.path.join(DATA, 'ref-bigencap.pcap'))
        self.assertEqual(rc, 0)
        big = [f for f in lines(out) if f.get('pdu') and len(f['pdu'].get('encaps', [])) > 100]
        self.assertEqual(len(big), 1)
        pdu = big[0]['pdu']
        self.assertEqual(pdu['type'], 'IPV6_ENCAP')
        self.assertEqual(len(pdu['encaps']), 123)
        self.assertEqual(big[0]['datagrams'], 2)
        self.assertEqual(big[0]['fragment'], 1)
        for e in pdu['encaps']:
            self.assertEqual(sorted(e), ['address', 'labels', 'loopback', 'prefix_len', 'primary'])
            self.assertIsInstance(e['labels'], list)
        self.assertIn({'primary': False, 'loopback': False, 'address': '2001:db8::b',
                       'prefix_len': 127, 'labels': []}, pdu['encaps'])

    def test_pdu_fields(self):
        rc, out, _ = run('--json', os.path.join(DATA, 'ref-basic.pcap'))
        frames = lines(out)
        opens = [f['pdu'] for f in frames if f.get('pdu', {}).get('type') == 'OPEN']
        self.assertEqual({o['local_id'] for o in opens},
                         {'00:11:22:33:44:55:66:77:88:01', '00:11:22:33:44:55:66:77:88:02'})
        for o in opens:
            self.assertEqual((o['attributes'], o['auth_length']), ([], 0))
            self.assertRegex(o['nonce'], r'^0x[0-9a-f]{8}$')
        acks = [f['pdu'] for f in frames if f.get('pdu', {}).get('type') == 'ACK']
        self.assertEqual(sorted({a['ack_type'] for a in acks}),
                         ['IPV4_ENCAP', 'IPV6_ENCAP', 'MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP', 'OPEN'])
        for a in acks:
            self.assertEqual((a['error_type'], a['error_code'], a['error_hint']), (0, 0, 0))
        v4 = [f for f in frames if f.get('pdu', {}).get('type') == 'IPV4_ENCAP' and f['src'] == '02:00:00:00:00:0b']
        self.assertEqual(v4[0]['pdu']['encaps'], [
            {'primary': False, 'loopback': True, 'address': '127.0.0.1', 'prefix_len': 8, 'labels': []},
            {'primary': False, 'loopback': False, 'address': '192.0.2.0', 'prefix_len': 31, 'labels': []}])
        _, fr = pcaplib.read(os.path.join(DATA, 'ref-basic.pcap'))
        self.assertEqual(frames[0]['time'], fr[0][0] + fr[0][1] / 1e6)

    def test_plain_text(self):
        rc, out, _ = run(os.path.join(DATA, 'ref-basic.pcap'))
        self.assertEqual(rc, 0)
        ls = out.splitlines()
        self.assertEqual(len(ls), 44)
        self.assertIn('02:00:00:00:00:0b > 01:80:c2:00:00:0e, ethertype 0x8885', ls[0])
        self.assertTrue(ls[0].endswith('HELLO len 3'))
        self.assertIn('OPEN len 20 nonce 0x', ls[2])
        self.assertIn('IPV4_ENCAP len 17 count 2: 127.0.0.1/8 [loopback], 192.0.2.0/31', out)

    def test_stdin_and_multiple_files(self):
        path = os.path.join(DATA, 'ref-basic.pcap')
        rc, out, _ = run('--json', '--summary', '-q', '-', stdin=open(path, 'rb').read())
        self.assertEqual(rc, 0)
        self.assertEqual(lines(out)[-1]['pdus'], WANT['ref-basic'])
        rc, out, _ = run('--json', '--summary', '-q', path, os.path.join(DATA, 'ref-restart.pcap'))
        s = lines(out)[-1]
        self.assertEqual((s['files'], s['frames'], s['pdus']['OPEN']), (2, 120, 6))


class Errors(unittest.TestCase):
    def corrupt(self, d, edit):
        hdr, fr = pcaplib.read(os.path.join(DATA, 'ref-basic.pcap'))
        fr = [list(x) for x in fr]
        edit(fr)
        p = os.path.join(d, 'bad.pcap')
        pcaplib.write(p, hdr, [tuple(x) for x in fr])
        return p

    def test_bad_frames_reported_and_decoding_goes_on(self):
        def edit(fr):
            f = bytearray(fr[2][2]); f[30] ^= 0x01; fr[2][2] = bytes(f)       # bit flip in OPEN
            f = bytearray(fr[3][2]); f[14] = 1; fr[3][2] = bytes(f)           # version 1 ...
            f = bytearray(fr[7][2]); fr[7][2] = bytes(f[:30])                 # truncated datagram
        with tempfile.TemporaryDirectory() as d:
            p = self.corrupt(d, edit)
            rc, out, _ = run('--json', '--summary', p)
            self.assertEqual(rc, 0)               # input read: 0 without --strict
            objs = lines(out)
            self.assertEqual(objs[2]['error'], 'bad_checksum')
            self.assertFalse(objs[2]['checksum_ok'])
            self.assertEqual(objs[3]['error'], 'datagram_version')
            self.assertEqual(objs[7]['error'], 'datagram_truncated')
            self.assertEqual(objs[8]['pdu']['type'], 'MPLS_IPV4_ENCAP')   # goes on
            self.assertEqual(objs[-1]['errors'], {'bad_checksum': 1, 'datagram_version': 1,
                                                  'datagram_truncated': 1})
            self.assertEqual(objs[-1]['frames'], 44)
            rc, _, _ = run('--strict', '-q', p)
            self.assertEqual(rc, 1)
            rc, out, _ = run('-q', '--summary', p)
            self.assertIn('errors: datagram_version 1 datagram_truncated 1 bad_checksum 1', out)

    def test_unreadable_file_exit_2(self):
        rc, _, err = run('/nonexistent/x.pcap')
        self.assertEqual(rc, 2)
        self.assertIn('/nonexistent/x.pcap', err)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, 'garbage.pcap')
            open(p, 'wb').write(b'this is not a capture file at all')
            rc, _, err = run(p)
            self.assertEqual(rc, 2)
            self.assertIn(p, err)
            # A readable file beside an unreadable one is still decoded.
            rc, out, _ = run('--json', '--summary', '-q', p, os.path.join(DATA, 'ref-basic.pcap'))
            self.assertEqual(rc, 2)
            self.assertEqual(lines(out)[-1]['frames'], 44)

    def test_usage(self):
        self.assertEqual(run()[0], 2)
        self.assertEqual(run('--ethertype', 'zz', '-')[0], 2)
        self.assertEqual(run('--no-such-option')[0], 2)
        self.assertEqual(run('--help')[0], 0)

    def test_ethertype_replaces_default_set(self):
        path = os.path.join(DATA, 'ref-basic.pcap')
        rc, out, _ = run('--json', '--summary', '-q', '--ethertype', '0x88B5', path)
        s = lines(out)[-1]
        self.assertEqual((s['frames'], s['other_frames'], s['pdus']), (0, 44, {}))
        rc, out, _ = run('--json', '--summary', '-q', '--ethertype', '88b5', '--ethertype', '0x8885', path)
        self.assertEqual(lines(out)[-1]['frames'], 44)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--dump', required=True)
    ap.add_argument('--data', required=True)
    a, rest = ap.parse_known_args()
    DUMP, DATA = a.dump, a.data
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
