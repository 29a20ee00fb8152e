#!/usr/bin/env python3
"""lsoe-sim campaign as a user runs it: the JSON contract, exit status, replay, determinism."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

SIM = SCEN = None
SEEDS = 200


def run(*args):
    p = subprocess.run([SIM, 'campaign', *args], capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def clos():
    return os.path.join(SCEN, 'clos-4x8.json')


class Campaign(unittest.TestCase):
    def test_clos_seeds_pass(self):
        """CI's short version of the 10,000-seed campaign."""
        rc, out, err = run(clos(), '--seeds', f'1..{SEEDS}', '--jobs', '2', '--json')
        d = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(set(d), {'scenario', 'seeds', 'passed', 'violations', 'failures'})
        self.assertEqual((d['scenario'], d['seeds'], d['passed'], d['violations'], d['failures']),
                         ('clos-4x8', SEEDS, SEEDS, 0, []), out[-2000:])
        self.assertEqual(rc, 0, err)
        # The faults were real: every kind happened somewhere.
        line = next(l for l in out.splitlines() if l.startswith('exercised:'))
        counts = {k: int(n) for n, k in re.findall(r'(\d+) ([a-z ]+?)(?:,|$)', line.split(':', 1)[1])}
        for kind in ('frames lost', 'duplicated', 'reordered', 'corrupted', 'crashes', 'session downs'):
            self.assertGreater(counts.get(kind, 0), 0, f'{kind}: {line}')

    def test_seed_that_found_the_opening_livelock(self):
        """Seed 26 livelocked before the OPENING(1,0)+KEEPALIVE restart: each side in turn up."""
        rc, out, err = run(clos(), '--seeds', '26', '--json')
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(json.loads(out.strip().splitlines()[-1])['violations'], 0)

    def test_jobs_do_not_change_results(self):
        one = run(clos(), '--seeds', '30..45', '--verbose')
        two = run(clos(), '--seeds', '30..45', '--verbose', '--jobs', '3')
        self.assertEqual(one[0], 0)
        self.assertEqual(one[1], two[1])

    def test_one_seed_replays_exactly(self):
        with tempfile.TemporaryDirectory() as d:
            outs = []
            for k in range(2):
                ev = os.path.join(d, f'e{k}.jsonl')
                rc, out, err = run(clos(), '--seeds', '9', '--events', ev, '--verbose')
                self.assertEqual(rc, 0, err)
                with open(ev, 'rb') as f:
                    outs.append((out, f.read()))
            self.assertEqual(outs[0], outs[1])
            self.assertGreater(len(outs[0][1]), 1000)

    def test_violation_is_reported_with_replay_and_exit_1(self):
        """A scenario whose sessions can never open (one node speaks another EtherType) breaks liveness."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'deaf.json')
            with open(path, 'w') as f:
                json.dump({'name': 'deaf', 'duration': 10, 'topology': {'type': 'pair'},
                           'nodes': {'b': {'ethertype': '0x88b6'}}}, f)
            rc, out, err = run(path, '--seeds', '5..6', '--json')
            self.assertEqual(rc, 1, out + err)
            d = json.loads(out.strip().splitlines()[-1])
            self.assertEqual((d['seeds'], d['passed'], d['violations']), (2, 0, 2))
            f0 = d['failures'][0]
            self.assertEqual(set(f0), {'seed', 'invariant', 'time', 'detail', 'replay'})
            self.assertEqual((f0['seed'], f0['invariant']), (5, 'liveness'))
            self.assertEqual(f0['replay'], f'lsoe-sim campaign {path} --seeds 5')
            self.assertIn(f'replay: lsoe-sim campaign {path} --seeds 6', out)
            # The replay command reproduces the violation.
            rc, out, _ = run(*f0['replay'].split()[2:], '--json')
            self.assertEqual(rc, 1)
            self.assertEqual(json.loads(out.strip().splitlines()[-1])['failures'][0]['time'], f0['time'])

    def test_usage_errors_exit_2(self):
        for args in ([clos()], [clos(), '--seeds', '5..1'], [clos(), '--seeds', 'x'],
                     [clos(), '--seeds', '1..2', '--jobs', '0'], ['/nonexistent.json', '--seeds', '1'],
                     [clos(), '--seeds', '1..2', '--events', '/tmp/x.jsonl']):
            rc, out, err = run(*args)
            self.assertEqual(rc, 2, args)
            self.assertIn('lsoe-sim', err, args)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--sim', required=True)
    ap.add_argument('--scenarios', required=True)
    ap.add_argument('--seeds', type=int, default=200)
    a, rest = ap.parse_known_args()
    SIM, SCEN, SEEDS = a.sim, a.scenarios, a.seeds
    unittest.main(argv=[sys.argv[0]] + rest)
