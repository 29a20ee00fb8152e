#!/usr/bin/env python3
"""ctest mininet.fabric_2x4: tools/mininet/fabric.py on a 2 x 4 Clos with this build's lsoed,
and its JSON report asserted: 8 of 8 sessions open, the 24 address pairs of the link view (each
link's /31, /127 and link-locals) at both ends, every failure detected and recovered, ok.

usage: test_fabric.py --fabric tools/mininet/fabric.py --build BUILD_DIR
Exit 77 (skipped) when not root, or when the interpreter fabric.py runs under has no Mininet.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fabric', required=True)
    ap.add_argument('--build', required=True)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print('skipped: needs root (Mininet)')
        return SKIP
    with open(a.fabric) as f:
        interp = f.readline()[2:].split()
    if subprocess.run(interp + ['-c', 'import mininet.net'], capture_output=True).returncode != 0 or \
            not shutil.which('mnexec'):
        print('skipped: no Mininet for %s (apt-get install mininet)' % ' '.join(interp))
        return SKIP
    with tempfile.TemporaryDirectory(prefix='lsoe-mininet-test-') as tmp:
        report = os.path.join(tmp, 'report.json')
        rc = subprocess.run([a.fabric, '--spines', '2', '--leaves', '4', '--build', a.build, '--report', report],
                            timeout=540).returncode
        if rc == SKIP:
            return SKIP
        try:
            with open(report) as f:
                r = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            print('FAIL: no report (%s); fabric.py exited %d' % (e, rc))
            return 1
    errs = []
    if rc != 0:
        errs.append('fabric.py exited %d' % rc)
    if (r['nodes'], r['links']['physical']) != (6, 8):
        errs.append('%d nodes and %d links, expected 6 and 8' % (r['nodes'], r['links']['physical']))
    # the link view: per link its /31, its /127 and its link-locals pair up, seen at both ends
    lv = r['links']
    if not (lv['expected'] == lv['seen'] == lv['seen_end'] == 3 * 8 and lv['ok'] is True):
        errs.append('links %s, expected 24 address pairs seen at convergence and at the end, ok' % lv)
    if not r['sessions_open'] == r['sessions_expected'] == r['sessions_open_end'] == 8:
        errs.append('sessions %s/%s (at the end %s), expected 8/8' % (r['sessions_open'], r['sessions_expected'],
                                                                     r['sessions_open_end']))
    if not isinstance(r['converged_s'], (int, float)):
        errs.append('converged_s %r' % r['converged_s'])
    kinds = [f['kind'] for f in r['failures']]
    if sorted(kinds) != ['address_change', 'link_down', 'node_kill']:
        errs.append('failures injected: %s' % kinds)
    for f in r['failures']:
        if not (f['detected'] and f['recovered'] and f['detected_s'] is not None and f['recovered_s'] is not None):
            errs.append('%s %s: detected %s, recovered %s' % (f['kind'], f['target'], f['detected_s'], f['recovered_s']))
        if f['kind'] == 'node_kill':
            # detected by the keepalive timeout: no sooner than timeout - send interval, and not much later
            t = r['keepalive_receive_timeout_s']
            if not (t - 0.5 - 0.05 <= (f['detected_s'] or 0) <= t + 1.0):
                errs.append('node_kill detected in %s s, expected about %s s' % (f['detected_s'], t))
            if any(not x.endswith('keepalive_timeout') for x in f['reasons']):
                errs.append('node_kill session_down reasons: %s' % f['reasons'])
    if r['ok'] is not True:
        errs.append('ok is %r; errors: %s' % (r['ok'], r['errors']))
    if errs:
        print('FAIL:\n  ' + '\n  '.join(errs))
        return 1
    print('mininet 2x4: %d/%d sessions, %d/%d link pairs, converged %s s, %s' % (
        r['sessions_open'], r['sessions_expected'], lv['seen'], lv['expected'], r['converged_s'],
        ', '.join('%s detected %s s recovered %s s' % (f['kind'], f['detected_s'], f['recovered_s'])
                  for f in r['failures'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
