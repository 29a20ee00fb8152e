#!/usr/bin/env python3
"""lsoe-bench's interface: the JSON it prints and its exit codes. Speed is not asserted here."""
import argparse
import json
import subprocess
import sys
import unittest

BENCH = None


def run(*args):
    p = subprocess.run([BENCH, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Bench(unittest.TestCase):
    def test_codec_json(self):
        rc, out, err = run('codec', '--json', '--reps', '1', '--seconds', '0.01')
        self.assertEqual(rc, 0, err)
        d = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(d['benchmark'], 'codec')
        for k in ('small_frames_per_s', 'checksum_bytes_per_s', 'big_pdu_per_s'):
            self.assertIsInstance(d[k], (int, float))
            self.assertGreater(d[k], 0)

    def test_codec_table(self):
        rc, out, _ = run('codec', '--reps', '1', '--seconds', '0.01')
        self.assertEqual(rc, 0)
        for k in ('small_frames_per_s', 'checksum_bytes_per_s', 'big_pdu_per_s'):
            self.assertIn(k, out)

    def test_engine_json(self):
        rc, out, err = run('engine', '--json', '--reps', '1', '--seconds', '0.01')
        self.assertEqual(rc, 0, err)
        d = json.loads(out.strip().splitlines()[-1])
        self.assertEqual((d['benchmark'], d['sessions'], d['sessions_small']), ('engine', 10000, 1000))
        for k in ('bytes_per_session', 'ns_per_keepalive_event', 'ns_per_keepalive_send', 'ns_per_idle_run',
                  'bytes_per_session_linked', 'link_view_bytes_per_session', 'ns_per_link_update'):
            self.assertIsInstance(d[k], int)
            # The idle run may round to 0 ns; the link view holds nothing until it is displayed.
            self.assertGreater(d[k], 0 if k not in ('ns_per_idle_run', 'link_view_bytes_per_session') else -1)
        self.assertEqual(d['sessions_linked'], 1000)
        # Two link pairs (an IPv4 and an IPv6 one) are what the linked sessions hold more.
        self.assertGreater(d['bytes_per_session_linked'], d['bytes_per_session_small'] + d['link_view_bytes_per_session'])

    def test_sim_scale_json(self):
        rc, out, err = run('sim', '--scale', '200', '--virtual', '2', '--json')
        self.assertEqual(rc, 0, err)
        lines = out.strip().splitlines()
        self.assertEqual(len(lines), 1, out)
        d = json.loads(lines[0])
        self.assertEqual(list(d), ['benchmark', 'nodes', 'links', 'session_ends', 'converge_virtual_s',
                                   'converge_wall_s', 'steady_virtual_s', 'steady_wall_s', 'realtime_factor',
                                   'events', 'ns_per_event', 'peak_rss_bytes', 'bytes_per_session_end'])
        self.assertEqual(d['benchmark'], 'sim-scale')
        for k in ('nodes', 'links', 'session_ends', 'events', 'peak_rss_bytes', 'bytes_per_session_end'):
            self.assertIsInstance(d[k], int, k)
            self.assertGreater(d[k], 0, k)
        for k in ('converge_virtual_s', 'converge_wall_s', 'steady_virtual_s', 'steady_wall_s', 'realtime_factor',
                  'ns_per_event'):
            self.assertIsInstance(d[k], (int, float), k)
            self.assertGreater(d[k], 0, k)
        # 5 pods of 2 spines and 36 leaves, 6 super-spines (the documented rule for N = 200).
        self.assertEqual((d['nodes'], d['links']), (196, 390))
        self.assertEqual(d['session_ends'], 2 * d['links'])
        self.assertAlmostEqual(d['steady_virtual_s'], 2.0, places=6)
        self.assertLess(d['converge_virtual_s'], 2.0)
        rel = lambda a, b: abs(a - b) / b
        self.assertLess(rel(d['realtime_factor'], d['steady_virtual_s'] / d['steady_wall_s']), 0.02)
        self.assertLess(rel(d['ns_per_event'], d['steady_wall_s'] * 1e9 / d['events']), 0.02)
        self.assertLess(abs(d['bytes_per_session_end'] - d['peak_rss_bytes'] / d['session_ends']), 1.0)

    def test_sim_scale_steady(self):
        # The smallest fabric runs (convergence was looked for every 65,536 events, which it never reached).
        rc, out, err = run('sim', '--scale', '40', '--virtual', '3', '--json')
        self.assertEqual(rc, 0, err)
        d = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(d['nodes'], 40)
        # The window is steady (a second after the last session opened): a KEEPALIVE a second per
        # session end and a HELLO every 10 s per port, delivered, and the nodes' wake-ups; not the
        # ENCAP PDUs and ACKs (four frames and more per end) that follow each session's opening.
        ends, s = d['session_ends'], d['steady_virtual_s']
        self.assertGreaterEqual(d['events'], ends * s)
        self.assertLessEqual(d['events'], ends * s * 1.1 + d['nodes'] * s * 2 + ends)

    def test_sim_scale_usage(self):
        rc, out, _ = run('sim', '--help')
        self.assertEqual(rc, 0)
        self.assertIn('--scale', out)
        for bad in (['--scale', '10'], ['--scale', '300000'], ['--scale', 'x'], ['--scale', '200', '--virtual', '0']):
            rc, _, err = run('sim', *bad)
            self.assertEqual(rc, 2, bad)
            self.assertIn('--', err)

    def test_usage(self):
        self.assertEqual(run('--help')[0], 0)
        rc, _, err = run('no-such-benchmark')
        self.assertEqual(rc, 2)
        self.assertIn('no-such-benchmark', err)
        self.assertEqual(run()[0], 2)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--bench', required=True)
    a, rest = ap.parse_known_args()
    BENCH = a.bench
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
