#!/usr/bin/env python3
"""tools/bench-ab's interface: runs in turn, the report's keys, its exit codes. Speed is not asserted."""
import argparse
import json
import subprocess
import sys
import unittest

TOOL = BENCH = None
SMALL = ['--', 'sim', '--scale', '100', '--virtual', '1']


def run(*args):
    p = subprocess.run([sys.executable, TOOL, *args], capture_output=True, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class BenchAb(unittest.TestCase):
    def test_json_report(self):
        rc, out, err = run(BENCH, BENCH, '--runs', '2', '--json', *SMALL)
        self.assertEqual(rc, 0, err)
        d = json.loads(out)
        self.assertEqual(d['runs'], 2)
        self.assertEqual(d['args'][-1], '--json')  # added when missing
        # A deterministic run: the fabric and its events are the same for both builds, said once.
        self.assertEqual(d['same']['nodes'], 118)
        self.assertIn('events', d['same'])
        self.assertFalse(d['events_differ'])
        for k, e in d['keys'].items():
            for side in ('a', 'b'):
                self.assertLessEqual(e[side]['min'], e[side]['median'], k)
                self.assertLessEqual(e[side]['median'], e[side]['max'], k)
        self.assertIn('ns_per_event', d['keys'])
        e = d['keys']['ns_per_event']
        self.assertAlmostEqual(e['b_over_a'], e['b']['median'] / e['a']['median'])

    def test_table(self):
        rc, out, err = run(BENCH, BENCH, '--runs', '1', *SMALL)
        self.assertEqual(rc, 0, err)
        self.assertIn('1 runs each, in turn', out)
        self.assertIn('ns_per_event', out)
        self.assertIn('B/A', out)

    def test_missing_binary(self):
        rc, _, err = run(BENCH, '/nonexistent/lsoe-bench', '--runs', '1', *SMALL)
        self.assertEqual(rc, 2)
        self.assertIn('/nonexistent/lsoe-bench', err)

    def test_failing_run(self):
        rc, _, err = run(BENCH, BENCH, '--runs', '1', '--', 'sim', '--no-such-option')
        self.assertEqual(rc, 2)
        self.assertIn('exit', err)

    def test_bad_runs(self):
        rc, _, _ = run(BENCH, BENCH, '--runs', '0')
        self.assertEqual(rc, 2)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--bench', required=True)
    a, rest = ap.parse_known_args()
    TOOL, BENCH = a.tool, a.bench
    unittest.main(argv=[sys.argv[0]] + rest)
