#!/usr/bin/env python3
"""lsoectl show statistics --openmetrics: lsoed's counters, sessions and BGP-LS peers as metrics.

The output is checked by a strict parser of the exposition grammar written here (Prometheus
text format 0.0.4, the format node_exporter's textfile collector reads, ended by OpenMetrics'
"# EOF"), and by promtool when it is installed (`promtool check metrics`: no parse error and,
for the daemon's real answers, no lint problem; `promtool tsdb create-blocks-from openmetrics`:
Prometheus's OpenMetrics parser takes it too). The daemon is tests/linux/ctl_test_server (the
real schema functions) or, for hostile answers, a Python thread answering each request
("show statistics", "show neighbors", "show bgp") with its own line.
"""
import argparse
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

import test_lsoectl as base

PROMTOOL = shutil.which('promtool')
NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*\Z')
LABEL_NAME = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*\Z')
# A float as Go's strconv.ParseFloat (Prometheus) and OpenMetrics take it; we never print Inf or NaN.
FLOAT = re.compile(r'[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z')
ENGINE_MAPS = {'rx_errors': 'reason', 'sessions_down': 'reason', 'rx_by_type': 'type', 'tx_by_type': 'type'}
BGP_STATES = ('idle', 'connect', 'opensent', 'openconfirm', 'established')


class Exposition:
    """A parsed exposition: families in order, each {'name', 'type', 'help', 'samples': [(labels, text)]}."""

    def __init__(self, families):
        self.families = families
        self.by_name = {f['name']: f for f in families}

    def value(self, name, **labels):
        """The value's text of the one series name{labels}; None if there is none."""
        for ls, text in self.by_name.get(name, {'samples': []})['samples']:
            if ls == labels:
                return text
        return None

    def series(self, name):
        return self.by_name[name]['samples'] if name in self.by_name else []


def parse_label_value(s, i, where):
    """s[i] is the opening quote; (value, index after the closing quote)."""
    out = []
    i += 1
    while True:
        if i >= len(s):
            raise AssertionError('%s: unterminated label value' % where)
        c = s[i]
        if c == '"':
            return ''.join(out), i + 1
        if c == '\n':
            raise AssertionError('%s: raw newline in a label value' % where)
        if c == '\\':
            if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                raise AssertionError('%s: bad escape in a label value' % where)
            out.append({'\\': '\\', '"': '"', 'n': '\n'}[s[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1


def parse(text):
    """The exposition's grammar, strictly; an Exposition, or an AssertionError saying what is wrong.

    Every family has exactly one HELP then one TYPE line before its samples, all of its samples
    together right after them; names and label names are valid; label values are quoted and
    escaped (\\\\, \\", \\n only); every value is a finite float, a counter's not negative; a
    counter is named *_total, a gauge is not; no series (name and labels, an empty value being no
    label) appears twice; no other comment; "# EOF" is the last line; every line ends in '\\n'.
    """
    if not text.endswith('\n'):
        raise AssertionError('the text does not end in a newline')
    lines = text[:-1].split('\n')
    if lines[-1] != '# EOF':
        raise AssertionError('the last line is not "# EOF": %r' % lines[-1])
    families, seen_series, seen_names = [], set(), set()
    fam = None
    for n, line in enumerate(lines[:-1], 1):
        where = 'line %d %r' % (n, line)
        if line == '# EOF':
            raise AssertionError('%s: "# EOF" before the end' % where)
        if line.startswith('#'):
            m = re.match(r'# (HELP|TYPE) (\S+) (.*)\Z', line)
            if not m:
                raise AssertionError('%s: a comment that is neither HELP nor TYPE' % where)
            kind, name, rest = m.groups()
            if not NAME.match(name):
                raise AssertionError('%s: bad metric name' % where)
            if kind == 'HELP':
                if name in seen_names:
                    raise AssertionError('%s: a second HELP for %s, or after its samples' % (where, name))
                if not rest or '"' in rest or re.search(r'\\[^\\n]|\\\Z', rest):
                    raise AssertionError('%s: empty HELP, or one 0.0.4 and OpenMetrics read apart' % where)
                if fam is not None and not fam['samples']:
                    raise AssertionError('%s: family %s has no sample' % (where, fam['name']))
                seen_names.add(name)
                fam = {'name': name, 'help': rest, 'type': None, 'samples': []}
                families.append(fam)
            else:
                if fam is None or fam['name'] != name or fam['type'] is not None:
                    raise AssertionError('%s: TYPE not right after its HELP' % where)
                if rest not in ('counter', 'gauge'):
                    raise AssertionError('%s: type %r' % (where, rest))
                if rest == 'counter' and not name.endswith('_total'):
                    raise AssertionError('%s: a counter not named *_total' % where)
                if rest == 'gauge' and re.search(r'_(total|count|sum|bucket)\Z', name):
                    raise AssertionError('%s: a gauge named like a counter or summary' % where)
                fam['type'] = rest
            continue
        m = re.match(r'([^{ ]+)', line)
        if not m:
            raise AssertionError('%s: not a sample' % where)
        name = m.group(1)
        if fam is None or fam['type'] is None or name != fam['name']:
            raise AssertionError('%s: a sample outside its family (HELP and TYPE first, samples together)' % where)
        i = m.end()
        labels = {}
        if i < len(line) and line[i] == '{':
            i += 1
            while True:
                lm = re.compile(r'([^=]*)=').match(line, i)
                if not lm or not LABEL_NAME.match(lm.group(1)) or lm.group(1).startswith('__'):
                    raise AssertionError('%s: bad label name' % where)
                if lm.group(1) in labels:
                    raise AssertionError('%s: label %s twice' % (where, lm.group(1)))
                i = lm.end()
                if i >= len(line) or line[i] != '"':
                    raise AssertionError('%s: label value not quoted' % where)
                labels[lm.group(1)], i = parse_label_value(line, i, where)
                if i < len(line) and line[i] == ',':
                    i += 1
                    continue
                if i < len(line) and line[i] == '}':
                    i += 1
                    break
                raise AssertionError('%s: bad label set' % where)
        if i >= len(line) or line[i] != ' ':
            raise AssertionError('%s: no single space before the value' % where)
        value = line[i + 1:]
        if not FLOAT.match(value):
            raise AssertionError('%s: value %r is not a float (or carries a timestamp)' % (where, value))
        v = float(value)
        if not math.isfinite(v):
            raise AssertionError('%s: value not finite' % where)
        if fam['type'] == 'counter' and v < 0:
            raise AssertionError('%s: a negative counter' % where)
        key = (name, tuple(sorted((k, x) for k, x in labels.items() if x != '')))
        if key in seen_series:
            raise AssertionError('%s: series written twice' % where)
        seen_series.add(key)
        fam['samples'].append((labels, value))
    if fam is not None and not fam['samples']:
        raise AssertionError('family %s has no sample' % fam['name'])
    return Exposition(families)


def promtool_check(test, text, lint=True):
    """promtool check metrics: no parse error; with lint, no problem at all (silent, exit 0)."""
    if not PROMTOOL:
        return
    p = subprocess.run([PROMTOOL, 'check', 'metrics'], input=text.encode(), capture_output=True, timeout=60)
    said = (p.stdout + p.stderr).decode(errors='replace')
    if lint:
        test.assertEqual((p.returncode, said), (0, ''), 'promtool check metrics')
    else:
        test.assertIn(p.returncode, (0, 3), said)      # 3: lint problems only
        test.assertNotIn('parsing error', said)


def promtool_openmetrics(test, text):
    """Prometheus's own OpenMetrics parser (the backfill's; it wants timestamps: added)."""
    if not PROMTOOL:
        return
    stamped = ''.join(l + (' 1700000000\n' if not l.startswith('#') else '\n') for l in text.splitlines())
    d = tempfile.mkdtemp(prefix='lsoe-om-')
    try:
        path = os.path.join(d, 'in.om')
        with open(path, 'w') as f:
            f.write(stamped)
        p = subprocess.run([PROMTOOL, 'tsdb', 'create-blocks-from', 'openmetrics', '-q', path, os.path.join(d, 'out')],
                           capture_output=True, timeout=120)
        test.assertEqual(p.returncode, 0, (p.stdout + p.stderr).decode(errors='replace'))
    finally:
        shutil.rmtree(d, ignore_errors=True)


class PerRequestDaemon(threading.Thread):
    """A Unix socket server answering each request line with answers[line] (bytes, without the
    newline; a missing request is answered {"error": ...}), and counting the requests."""

    def __init__(self, path, answers):
        super().__init__(daemon=True)
        self.path, self.answers, self.asked = path, answers, []
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(8)
        self.srv.settimeout(0.2)
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            c.settimeout(2)
            try:
                req = b''
                while not req.endswith(b'\n'):
                    d = c.recv(4096)
                    if not d:
                        break
                    req += d
                req = req.decode(errors='replace').strip()
                self.asked.append(req)
                a = self.answers.get(req)
                if a is None:
                    a = json.dumps({'error': 'unknown request %r' % req}).encode()
                c.sendall(a + b'\n')
            except OSError:
                pass
            c.close()

    def close(self):
        self.stop = True
        self.join(2)
        self.srv.close()
        os.unlink(self.path)


def enc(x):
    return x if isinstance(x, bytes) else json.dumps(x).encode()


class Canned(base.ServerCase):
    """Against ctl_test_server: the real schema functions' answers."""

    def metrics(self):
        rc, out, err = base.ctl('-s', self.sock, 'show', 'statistics', '--openmetrics')
        self.assertEqual((rc, err), (0, ''))
        return out

    def test_grammar(self):
        parse(self.metrics())

    def test_promtool(self):
        """Elsewhere promtool's checks are silently left out when it is not installed; here it shows."""
        if not PROMTOOL:
            self.skipTest('promtool is not installed (Debian: apt-get install prometheus)')
        out = self.metrics()
        promtool_check(self, out)
        promtool_openmetrics(self, out)

    def test_every_counter_exactly(self):
        """Every number of the statistics answer is a sample, with the daemon's text."""
        e = parse(self.metrics())
        stats = self.show_json('statistics')
        node = stats['node']
        scopes = [('lsoe_node_', stats['counters'], {'node': node})]
        scopes += [('lsoe_port_', i['counters'], {'node': node, 'port': i['port']}) for i in stats['interfaces']]
        n = 0
        for prefix, counters, labels in scopes:
            for k, v in counters.items():
                if isinstance(v, dict):
                    for r, x in v.items():
                        got = e.value(prefix + k + '_total', **labels, **{ENGINE_MAPS.get(k, 'reason'): r})
                        self.assertEqual(got, str(x), (prefix, k, r))
                        n += 1
                else:
                    self.assertEqual(e.value(prefix + k + '_total', **labels), str(v), (prefix, k))
                    n += 1
        self.assertGreater(n, 200)
        for k, v in stats['memory'].items():
            self.assertEqual(e.value('lsoe_memory_' + k, node=node), str(v))
        self.assertEqual(e.value('lsoe_node_alloc_failures_total', node='test-node'), '18446744073709551615')
        self.assertEqual(e.value('lsoe_port_rx_errors_total', node='test-node', port='eth0', reason='bad_checksum'),
                         '3')
        self.assertEqual(e.value('lsoe_node_sessions_down_total', node='test-node', reason='error_ack'), '1')
        self.assertEqual(e.value('lsoe_port_rx_by_type_total', node='test-node', port='eth0', type='KEEPALIVE'), '100')
        for f in e.families:
            self.assertTrue(f['name'].startswith('lsoe_'), f['name'])
            self.assertEqual(f['type'], 'counter' if f['name'].endswith('_total') else 'gauge', f['name'])
            for labels, _ in f['samples']:
                self.assertEqual(labels.get('node'), 'test-node')
        # No bgp-ls-peer in the canned statistics: no export families, but the peers of "show bgp".
        self.assertFalse([f for f in e.by_name if f.startswith('lsoe_bgp_') and not f.startswith('lsoe_bgp_peer_')])

    def test_sessions_by_state(self):
        e = parse(self.metrics())
        got = {(ls['port'], ls['state']): v for ls, v in e.series('lsoe_sessions')}
        self.assertEqual(got, {('eth0', 'opening'): '0', ('eth0', 'established'): '1', ('eth0', 'held'): '0',
                               ('eth1', 'opening'): '1', ('eth1', 'established'): '0', ('eth1', 'held'): '1'})

    def test_bgp_peers(self):
        e = parse(self.metrics())
        a, b = '127.0.0.1:1790', '[2001:db8::1]:179'
        self.assertEqual([(ls['peer'], v) for ls, v in e.series('lsoe_bgp_peer_up')], [(a, '1'), (b, '0')])
        states = {(ls['peer'], ls['state']): v for ls, v in e.series('lsoe_bgp_peer_state')}
        self.assertEqual(states, {**{(p, s): '0' for p in (a, b) for s in BGP_STATES},
                                  (a, 'established'): '1', (b, 'connect'): '1'})
        for name, va, vb in (('lsoe_bgp_peer_links_advertised', '2', '0'), ('lsoe_bgp_peer_updates_sent_total', '3', '0'),
                             ('lsoe_bgp_peer_withdrawals_sent_total', '1', '0'),
                             ('lsoe_bgp_peer_connects_total', '1', '3'),
                             ('lsoe_bgp_peer_notifications_received_total', '0', '0'),
                             ('lsoe_bgp_peer_notifications_sent_total', '0', '0'),
                             ('lsoe_bgp_peer_hold_time_seconds', '90', '0')):
            self.assertEqual((e.value(name, node='test-node', peer=a), e.value(name, node='test-node', peer=b)),
                             (va, vb), name)
        self.assertEqual(float(e.value('lsoe_bgp_peer_uptime_seconds', node='test-node', peer=a)), 12.5)
        self.assertEqual([ls for ls, _ in e.series('lsoe_bgp_peer_info')], [
            {'node': 'test-node', 'peer': a, 'local_as': '65000', 'peer_as': '65000', 'safi': '71',
             'router_id': '192.0.2.254'},
            {'node': 'test-node', 'peer': b, 'local_as': '65000', 'peer_as': '4200000000', 'safi': '80'}])

    def test_usage(self):
        for args in (['show', 'neighbors', '--openmetrics'], ['show', 'bgp', '--openmetrics'],
                     ['show', 'statistics', '--openmetrics', '--json'], ['show', 'statistics', '--openmetrics', '--dot'],
                     ['monitor', '--openmetrics'], ['show', 'topology', '--openmetrics']):
            rc, out, err = base.ctl('-s', self.sock, *args)
            self.assertEqual((rc, out), (2, ''), args)
            self.assertIn('lsoectl', err)
        rc, out, _ = base.ctl('--help')
        self.assertIn('--openmetrics', out)

    def test_no_daemon(self):
        rc, out, err = base.ctl('-s', os.path.join(self.dir, 'nothing.sock'), 'show', 'statistics', '--openmetrics')
        self.assertEqual((rc, out), (2, ''))
        self.assertIn('nothing.sock', err)


# A daemon with a bgp-ls-peer: "daemon" and "bgp" objects in its statistics (lsoed.c, bgp.c).
FULL_STATS = {
    'node': 'leaf1',
    'counters': {'rx_frames': 5, 'encaps_truncated': 2, 'rx_errors': {'bad_checksum': 1, 'frame_short': 0},
                 'rx_by_type': {'HELLO': 4}, 'tx_by_type': {'HELLO': 3}, 'sessions_down': {'port_down': 1}},
    'memory': {'bytes': 100, 'peak_bytes': 200, 'sessions': 1, 'ports': 1, 'timers_armed': 2},
    'daemon': {'tx_dropped': 0, 'rx_vlan_skipped': 0, 'rx_truncated': 0, 'rx_kernel_dropped': 4, 'netlink_resyncs': 1,
               'reports_sent': 3, 'report_failures': 0, 'reports_dropped': 0, 'reports_queued': 2},
    'bgp': {'connects': 2, 'established': 1, 'messages_sent': 9, 'messages_received': 7, 'updates_sent': 4,
            'withdrawals_sent': 1, 'notifications_sent': 0, 'notifications_received': 1, 'rx_errors': 0,
            'links_advertised': 3, 'links_pending': 18446744073709551615, 'links_exported': 3, 'links_dropped': 0},
    'interfaces': [{'port': 'eth0', 'counters': {'rx_frames': 5, 'encaps_truncated': 2,
                                                 'rx_errors': {'bad_checksum': 1}}}]}
NEIGHBORS = {'neighbors': [{'port': 'eth0', 'state': 'established', 'held': False}]}
BGP = {'peers': [{'peer': '192.0.2.254', 'state': 'openconfirm', 'uptime': 0, 'links_advertised': 0,
                  'updates_sent': 0, 'withdrawals_sent': 0, 'last_error': '', 'peer_as': 65001, 'local_as': 65000,
                  'safi': 71, 'hold_time': 0, 'router_id': '192.0.2.254', 'connects': 1,
                  'notifications_received': 0, 'notifications_sent': 0}]}


class Hostile(unittest.TestCase):
    """Answers of every shape: the exposition stays valid, whatever is left out."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='lsoe-om-')
        self.sock = os.path.join(self.dir, 'fake.sock')

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_fake(self, stats, neighbors=NEIGHBORS, bgp=BGP):
        answers = {'show statistics': enc(stats)}
        if neighbors is not None:
            answers['show neighbors'] = enc(neighbors)
        if bgp is not None:
            answers['show bgp'] = enc(bgp)
        d = PerRequestDaemon(self.sock, answers)
        d.start()
        try:
            rc, out, err = base.ctl('-s', self.sock, 'show', 'statistics', '--openmetrics')
        finally:
            d.close()
        return rc, out, err, d.asked

    def metrics(self, stats, neighbors=NEIGHBORS, bgp=BGP, lint=False):
        rc, out, err, _ = self.run_fake(stats, neighbors, bgp)
        self.assertEqual(rc, 0, err)
        e = parse(out)
        promtool_check(self, out, lint=lint)
        return e, err

    def test_full_daemon(self):
        """lsoed's whole statistics: daemon counters and a gauge, the export's counters and gauges."""
        rc, out, err, asked = self.run_fake(FULL_STATS)
        self.assertEqual((rc, err), (0, ''))
        self.assertEqual(asked, ['show statistics', 'show neighbors', 'show bgp'])
        e = parse(out)
        promtool_check(self, out)
        promtool_openmetrics(self, out)
        v = lambda name, **ls: e.value(name, node='leaf1', **ls)
        self.assertEqual(v('lsoe_node_encaps_truncated_total'), '2')      # a counter lsoectl was not told of
        self.assertEqual(v('lsoe_port_encaps_truncated_total', port='eth0'), '2')
        self.assertEqual(v('lsoe_daemon_rx_kernel_dropped_total'), '4')
        self.assertEqual(v('lsoe_daemon_reports_queued'), '2')
        self.assertEqual(e.by_name['lsoe_daemon_reports_queued']['type'], 'gauge')
        self.assertEqual(v('lsoe_bgp_connects_total'), '2')
        self.assertEqual(v('lsoe_bgp_rx_errors_total'), '0')
        self.assertEqual(v('lsoe_bgp_links_pending'), '18446744073709551615')
        for g in ('lsoe_bgp_links_advertised', 'lsoe_bgp_links_pending', 'lsoe_bgp_links_exported',
                  'lsoe_bgp_links_dropped', 'lsoe_memory_bytes', 'lsoe_memory_timers_armed'):
            self.assertEqual(e.by_name[g]['type'], 'gauge', g)
        self.assertEqual(v('lsoe_bgp_peer_up', peer='192.0.2.254'), '0')
        self.assertEqual(v('lsoe_bgp_peer_state', peer='192.0.2.254', state='openconfirm'), '1')
        self.assertEqual(v('lsoe_sessions', port='eth0', state='established'), '1')
        # A per-reason map in the export's counters (should rx_errors become one).
        e, _ = self.metrics(dict(FULL_STATS, bgp={'rx_errors': {'bad_marker': 2, 'bad_length': 0}}), lint=True)
        self.assertEqual(e.value('lsoe_bgp_rx_errors_total', node='leaf1', reason='bad_marker'), '2')

    def test_no_node_name(self):
        for node in (None, 7, '', ['x']):
            stats = dict(FULL_STATS, node=node) if node is not None else {k: v for k, v in FULL_STATS.items()
                                                                         if k != 'node'}
            e, _ = self.metrics(stats, lint=True)
            self.assertEqual(e.value('lsoe_node_rx_frames_total'), '5')
            self.assertTrue(all('node' not in ls for f in e.families for ls, _ in f['samples']))

    def test_wrong_types(self):
        stats = {'node': 'n', 'counters': {'rx_frames': '12', 'tx_frames': None, 'a': True, 'b': [1], 'ok': 7,
                                           'rx_errors': {'x': '1', 'y': 2, 'z': None, '': 3, 'w': {}},
                                           'rx_by_type': [], 'sessions_down': 'none'},
                 'memory': [], 'daemon': 'x', 'bgp': 7, 'interfaces': {'port': 'eth0'}}
        e, _ = self.metrics(stats, neighbors={'neighbors': 'many'}, bgp={'peers': {}}, lint=True)
        self.assertEqual(sorted(e.by_name), ['lsoe_node_ok_total', 'lsoe_node_rx_errors_total'])
        self.assertEqual(e.series('lsoe_node_rx_errors_total'), [({'node': 'n', 'reason': 'y'}, '2')])
        stats = {'counters': {}, 'interfaces': [1, None, 'x', [], {}, {'port': 5, 'counters': {'a': 1}},
                                                {'port': '', 'counters': {'a': 1}}, {'port': 'eth0', 'counters': 5},
                                                {'port': 'eth1', 'counters': {'a': 1}}]}
        e, _ = self.metrics(stats, neighbors={'neighbors': [1]}, bgp={'peers': 'x'})
        self.assertEqual(e.series('lsoe_port_a_total'), [({'port': 'eth1'}, '1')])
        # Nothing at all to say: only "# EOF".
        rc, out, err, _ = self.run_fake({'counters': {}}, neighbors={}, bgp={})
        self.assertEqual((rc, out, err), (0, '# EOF\n', ''))

    def test_numbers(self):
        """Integers exactly as they came; what no float parser takes, or a negative counter, left out."""
        raw = (b'{"node":"n","counters":{"wrap":18446744073709551616,"inf":1e999,"neg":-5,"frac":1.5,"expo":1E+2,'
               b'"negzero":-0,"over":1' + b'0' * 400 + b',"wide":123456789012345678901234567890,"tiny":1e-400,'
               b'"zero":0.000000000},"memory":{"bytes":-5,"peak_bytes":1e999,"sessions":2.5e3}}')
        e, _ = self.metrics(raw, neighbors={}, bgp={}, lint=True)
        got = {f['name']: f['samples'][0][1] for f in e.families}
        self.assertEqual(got, {'lsoe_node_wrap_total': '18446744073709551616', 'lsoe_node_frac_total': '1.5',
                               'lsoe_node_expo_total': '1E+2', 'lsoe_node_negzero_total': '-0',
                               'lsoe_node_wide_total': '123456789012345678901234567890',
                               'lsoe_node_tiny_total': '1e-400', 'lsoe_node_zero_total': '0.000000000',
                               'lsoe_memory_bytes': '-5', 'lsoe_memory_sessions': '2.5e3'})

    def test_keys(self):
        """Only lower-case snake_case keys (at most 100 characters) become names; gauges not named as counters."""
        counters = {k: 1 for k in ('RxFrames', 'rx frames', 'rx-frames', 'a"b', 'x' * 101, 'y' * 100, 'ünï', '',
                                   'a\nb', '9lives', '__x', 'ok_total')}
        stats = {'counters': counters, 'memory': {'x_total': 1, 'x_count': 1, 'x_sum': 1, 'x_bucket': 1, 'x': 1},
                 'bgp': {'links_pending_total': 1, 'links_pending': 2}}
        e, _ = self.metrics(stats, neighbors={}, bgp={})
        self.assertEqual(sorted(e.by_name), sorted(['lsoe_node_' + 'y' * 100 + '_total', 'lsoe_node_9lives_total',
                                                    'lsoe_node___x_total', 'lsoe_node_ok_total_total',
                                                    'lsoe_memory_x', 'lsoe_bgp_links_pending_total_total',
                                                    'lsoe_bgp_links_pending']))

    def test_label_values_escaped(self):
        evil = 'eth"0\\x\ny\x1b[2J\x07\x7f\u0085z é€😀'
        stats = {'node': 'no"de\\\n', 'counters': {'rx_errors': {evil: 1}},
                 'interfaces': [{'port': evil, 'counters': {'rx_frames': 1}}]}
        neighbors = {'neighbors': [{'port': evil, 'state': 'st"ate\n'}]}
        bgp = {'peers': [{'peer': evil, 'state': 'established', 'router_id': evil, 'local_as': 1}]}
        rc, out, err, _ = self.run_fake(stats, neighbors, bgp)
        self.assertEqual(rc, 0, err)
        self.assertFalse(any(ord(c) < 0x20 and c != '\n' or 0x7f <= ord(c) <= 0x9f for c in out), repr(out))
        self.assertIn(r'port="eth\"0\\x\ny?[2J???z é€😀"', out)
        e = parse(out)
        promtool_check(self, out, lint=True)
        promtool_openmetrics(self, out)
        shown = 'eth"0\\x\ny?[2J???z é€😀'
        node = 'no"de\\\n'
        self.assertEqual(e.value('lsoe_node_rx_errors_total', node=node, reason=shown), '1')
        self.assertEqual(e.value('lsoe_port_rx_frames_total', node=node, port=shown), '1')
        self.assertEqual(e.value('lsoe_sessions', node=node, port=shown, state='st"ate\n'), '1')
        self.assertEqual(e.value('lsoe_bgp_peer_up', node=node, peer=shown), '1')
        self.assertEqual(e.series('lsoe_bgp_peer_info')[0][0],
                         {'node': node, 'peer': shown, 'local_as': '1', 'router_id': shown})

    def test_long_label_values(self):
        """Cut after 512 octets, never inside a character: two ports alike so far are one series."""
        a, b = 'é' * 3000, 'é' * 3000 + 'x'
        stats = {'counters': {}, 'interfaces': [{'port': a, 'counters': {'n': 1}}, {'port': b, 'counters': {'n': 2}}]}
        e, _ = self.metrics(stats, neighbors={'neighbors': []}, bgp={'peers': []}, lint=True)
        (labels, v), = e.series('lsoe_port_n_total')
        self.assertEqual((labels['port'], v), ('é' * 256, '1'))

    def test_duplicates(self):
        """The same series twice (duplicate keys, ports, peers): the first one only."""
        raw = (b'{"node":"n","counters":{"rx_frames":1,"rx_frames":2,"rx_errors":{"x":1,"x":2},'
               b'"rx_errors":{"x":3,"y":4}},"interfaces":[{"port":"eth0","counters":{"alpha":1}},'
               b'{"port":"eth0","counters":{"alpha":2,"beta":3}}]}')
        bgp = {'peers': [{'peer': 'p', 'state': 'idle', 'connects': 1}, {'peer': 'p', 'state': 'established',
                                                                        'connects': 2}]}
        e, _ = self.metrics(raw, bgp=bgp, lint=True)
        self.assertEqual(e.value('lsoe_node_rx_frames_total', node='n'), '1')
        self.assertEqual([(ls['reason'], v) for ls, v in e.series('lsoe_node_rx_errors_total')], [('x', '1'), ('y', '4')])
        self.assertEqual(e.series('lsoe_port_alpha_total'), [({'node': 'n', 'port': 'eth0'}, '1')])
        self.assertEqual(e.series('lsoe_port_beta_total'), [({'node': 'n', 'port': 'eth0'}, '3')])
        self.assertEqual(e.series('lsoe_bgp_peer_connects_total'), [({'node': 'n', 'peer': 'p'}, '1')])
        self.assertEqual(e.value('lsoe_bgp_peer_up', node='n', peer='p'), '0')
        # A counter object whose key is both a scalar and a map: one family, distinct series.
        e, _ = self.metrics(b'{"counters":{"rx_errors":5,"rx_errors":{"x":1}}}')
        self.assertEqual(e.series('lsoe_node_rx_errors_total'), [({}, '5'), ({'reason': 'x'}, '1')])

    def test_sessions_hostile(self):
        neighbors = {'neighbors': [1, None, [], {}, {'port': 5, 'state': 'opening'}, {'port': 'eth9', 'state': 7},
                                   {'port': 'eth9', 'state': ''}, {'port': '', 'state': 'opening'},
                                   {'port': 'eth9', 'state': 'weird'}, {'port': 'eth0', 'state': 'opening', 'held': True},
                                   {'port': 'eth0', 'state': 'hold'}, {'port': 'eth0', 'state': 'opening', 'held': 1},
                                   {'port': 'eth0', 'state': 'established'}]}
        stats = {'counters': {}, 'interfaces': [{'port': 'eth0'}, {'port': 'eth5'}, {'port': 7}]}
        e, _ = self.metrics(stats, neighbors=neighbors, lint=True)
        got = {(ls['port'], ls['state']): v for ls, v in e.series('lsoe_sessions')}
        self.assertEqual(got, {('eth0', 'opening'): '1', ('eth0', 'established'): '1', ('eth0', 'held'): '2',
                               ('eth5', 'opening'): '0', ('eth5', 'established'): '0', ('eth5', 'held'): '0',
                               ('eth9', 'opening'): '0', ('eth9', 'established'): '0', ('eth9', 'held'): '0',
                               ('eth9', 'weird'): '1'})
        # Many distinct ports: one family, every one counted.
        many = {'neighbors': [{'port': 'p%d' % i, 'state': 'established'} for i in range(5000)]}
        e, _ = self.metrics({'counters': {}}, neighbors=many, lint=True)
        self.assertEqual(len(e.series('lsoe_sessions')), 15000)

    def test_bgp_hostile(self):
        bgp = {'peers': [1, None, [], {}, {'peer': 5}, {'peer': ''}, {'peer': 'p1'},
                         {'peer': 'p2', 'state': 'bogus', 'uptime': 'x', 'connects': -1, 'updates_sent': 'INF',
                          'hold_time': -3, 'local_as': {}, 'peer_as': [1], 'safi': None, 'router_id': 7},
                         {'peer': 'p3', 'state': ''}]}
        bgp = json.dumps(bgp).replace('"INF"', '1e999').encode()
        e, _ = self.metrics(FULL_STATS, bgp=bgp, lint=True)
        v = lambda name, **ls: e.value(name, node='leaf1', **ls)
        self.assertIsNone(v('lsoe_bgp_peer_up', peer='p1'))
        self.assertEqual(v('lsoe_bgp_peer_up', peer='p2'), '0')
        self.assertEqual({ls['state']: x for ls, x in e.series('lsoe_bgp_peer_state')},
                         dict({s: '0' for s in BGP_STATES}, bogus='1'))
        self.assertIsNone(v('lsoe_bgp_peer_connects_total', peer='p2'))
        self.assertIsNone(v('lsoe_bgp_peer_updates_sent_total', peer='p2'))
        self.assertEqual(v('lsoe_bgp_peer_hold_time_seconds', peer='p2'), '-3')
        self.assertEqual([ls['peer'] for ls, _ in e.series('lsoe_bgp_peer_info')], ['p1', 'p2', 'p3'])
        # Labels of other types are left out (a number's text is taken as it came).
        self.assertEqual(e.series('lsoe_bgp_peer_info')[1][0], {'node': 'leaf1', 'peer': 'p2', 'router_id': '7'})

    def test_partial_answers(self):
        """An error answer to show neighbors or show bgp leaves their families out, and says so."""
        e, err = self.metrics(FULL_STATS, neighbors={'error': 'busy'}, bgp=None, lint=True)
        self.assertIn('show neighbors: lsoed: busy', err)
        self.assertIn('show bgp: lsoed: unknown request', err)
        self.assertNotIn('lsoe_sessions', e.by_name)
        self.assertFalse([f for f in e.by_name if f.startswith('lsoe_bgp_peer_')])
        self.assertIn('lsoe_node_rx_frames_total', e.by_name)

    def test_failures_print_nothing(self):
        """No statistics, or a broken answer to any question: exit 1 and no output at all."""
        for stats, neighbors, bgp, why in (
                ({'error': 'boom'}, NEIGHBORS, BGP, 'lsoed: boom'),
                ({'node': 'n'}, NEIGHBORS, BGP, 'no "counters" object'),
                ({'counters': []}, NEIGHBORS, BGP, 'no "counters" object'),
                (b'[1]', NEIGHBORS, BGP, 'not a JSON object'),
                (b'{"counters":{', NEIGHBORS, BGP, 'not JSON'),
                (FULL_STATS, b'{"neighbors":[', BGP, 'not JSON'),
                (FULL_STATS, NEIGHBORS, b'nonsense', 'not JSON'),
                (FULL_STATS, NEIGHBORS, b'[' * 100 + b']' * 100, 'nested')):
            rc, out, err, _ = self.run_fake(stats, neighbors, bgp)
            self.assertEqual((rc, out), (1, ''), why)
            self.assertIn(why, err)

    def test_big(self):
        """An answer near the daemon's size bound: still one valid exposition."""
        counters = {'c%d' % i: i for i in range(20000)}
        counters['rx_errors'] = {'r%d' % i: i for i in range(20000)}
        e, _ = self.metrics({'node': 'n', 'counters': counters}, neighbors={}, bgp={}, lint=True)
        self.assertEqual(len(e.families), 20001)
        self.assertEqual(len(e.series('lsoe_node_rx_errors_total')), 20000)


class Parser(unittest.TestCase):
    """The strict parser refuses what it must (so that its silence means something)."""

    GOOD = '# HELP a_total x\n# TYPE a_total counter\na_total{l="v"} 1\n# EOF\n'

    def test_good(self):
        parse(self.GOOD)

    def test_bad(self):
        for bad in (self.GOOD[:-1], self.GOOD.replace('# EOF\n', ''), self.GOOD + '# EOF\n',
                    self.GOOD.replace('# HELP a_total x\n', ''), self.GOOD.replace('# TYPE a_total counter\n', ''),
                    self.GOOD.replace('counter', 'gauge'), self.GOOD.replace('a_total', 'a'),
                    self.GOOD.replace(' 1\n', ' -1\n'), self.GOOD.replace(' 1\n', ' 1e999\n'),
                    self.GOOD.replace(' 1\n', ' one\n'), self.GOOD.replace(' 1\n', ' 1 1700000000\n'),
                    self.GOOD.replace('"v"', '"v\\x"'), self.GOOD.replace('"v"', 'v'),
                    self.GOOD.replace('l="v"', 'l="v",l="w"'), self.GOOD.replace('l="v"', '__l="v"'),
                    self.GOOD.replace('l="v"', 'l="v",'), self.GOOD.replace('x\n', 'x "q"\n'),
                    self.GOOD.replace('a_total{', 'b_total{'), self.GOOD.replace('# EOF', '# hello\n# EOF'),
                    self.GOOD.replace('a_total{l="v"} 1\n', 'a_total{l="v"} 1\na_total{l="v"} 2\n'),
                    self.GOOD.replace('a_total{l="v"} 1\n', 'a_total{l="v",m=""} 1\na_total{l="v"} 2\n'),
                    self.GOOD.replace('# EOF', '# HELP a_total x\n# TYPE a_total counter\na_total 2\n# EOF'),
                    self.GOOD.replace('# HELP a_total', '# HELP 1a').replace('TYPE a_total', 'TYPE 1a')):
            with self.assertRaises(AssertionError, msg=repr(bad)):
                parse(bad)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--lsoectl', required=True)
    ap.add_argument('--server', required=True)
    a, rest = ap.parse_known_args()
    base.LSOECTL, base.SERVER = a.lsoectl, a.server
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
