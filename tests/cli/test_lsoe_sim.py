#!/usr/bin/env python3
"""lsoe-sim as a user runs it: determinism, replay of the reference captures, errors, pcaps."""
import argparse
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SIM = DUMP = DATA = SCEN = None


def run(*args, cwd=None):
    p = subprocess.run([SIM, *args], capture_output=True, timeout=300, cwd=cwd)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def digest(d):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(d)):
        for f in sorted(files):
            h.update(f.encode())
            with open(os.path.join(root, f), 'rb') as fh:
                h.update(fh.read())
    return h.hexdigest()


class Determinism(unittest.TestCase):
    def outputs(self, d, seed, name='lossy-20pct'):
        os.makedirs(d, exist_ok=True)
        rc, out, err = run('run', os.path.join(SCEN, name + '.json'), '--seed', str(seed), '--pcap',
                           os.path.join(d, 'pcap'), '--events', os.path.join(d, 'events.jsonl'), '--json')
        self.assertEqual(rc, 0, err + out)
        summary = json.loads(out.strip().splitlines()[-1])
        summary.pop('wall_seconds')
        with open(os.path.join(d, 'events.jsonl'), 'rb') as f:
            events = f.read()
        return digest(os.path.join(d, 'pcap')), events, summary

    def test_same_seed_same_bytes_other_seed_differs(self):
        with tempfile.TemporaryDirectory() as t:
            a = self.outputs(os.path.join(t, 'a'), 42)
            b = self.outputs(os.path.join(t, 'b'), 42)
            c = self.outputs(os.path.join(t, 'c'), 43)
        self.assertEqual(a, b)
        self.assertNotEqual(a[0], c[0])
        self.assertNotEqual(a[2]['frames_lost'], c[2]['frames_lost'])

    def test_events_schema(self):
        with tempfile.TemporaryDirectory() as t:
            _, events, _ = self.outputs(t, 1, 'peer-restart')
        ev = [json.loads(l) for l in events.decode().splitlines()]
        for e in ev:
            for k in ('time', 'node', 'event', 'port', 'peer_mac'):
                self.assertIn(k, e)
        downs = [e for e in ev if e['event'] == 'session_down']
        self.assertEqual([(d['node'], d['reason']) for d in downs], [('a', 'peer_restart')])
        withdrawals = [e for e in ev if e['event'] == 'encaps' and e['node'] == 'a' and e['time'] == downs[0]['time']]
        self.assertEqual(sorted(w['type'] for w in withdrawals),
                         ['IPV4_ENCAP', 'IPV6_ENCAP', 'MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP'])
        self.assertTrue(all(w['encaps'] == [] for w in withdrawals))


class Pcaps(unittest.TestCase):
    def test_pcaps_decode_strictly(self):
        with tempfile.TemporaryDirectory() as t:
            rc, _, err = run('run', os.path.join(SCEN, 'big-encap.json'), '--pcap', t)
            self.assertEqual(rc, 0, err)
            files = os.listdir(t)
            self.assertEqual(files, ['a-b.pcap'])
            p = subprocess.run([DUMP, '--json', '--summary', '--strict', '--roundtrip', '-q', os.path.join(t, files[0])],
                               capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            s = json.loads(p.stdout.decode().splitlines()[-1])
            self.assertEqual((s['errors'], s['roundtrip_mismatches']), ({}, 0))
            self.assertEqual(s['pdus']['IPV6_ENCAP'], 2)
            self.assertGreater(s['pdus']['KEEPALIVE'], 10)


class Replay(unittest.TestCase):
    def replay(self, name):
        rc, out, err = run('replay', os.path.join(DATA, name + '.pcap'), '--as', '02:00:00:00:00:0a',
                           '--ethertype', '0x8885', '--json')
        self.assertEqual(rc, 0, err)
        lines = [json.loads(l) for l in out.splitlines()]
        return [l for l in lines if 'event' in l], lines[-1]

    def test_reference_captures(self):
        for name, v6 in (('ref-basic', 3), ('ref-bigencap', 123), ('ref-restart', 3)):
            ev, summary = self.replay(name)
            ups = [e for e in ev if e['event'] == 'session_up']
            self.assertTrue(ups and all(u['peer_id'] == '00:11:22:33:44:55:66:77:88:02' for u in ups))
            v4 = [e for e in ev if e['event'] == 'encaps' and e['type'] == 'IPV4_ENCAP' and e['encaps']]
            self.assertEqual(v4[0]['encaps'], [
                {'primary': False, 'loopback': True, 'address': '127.0.0.1', 'prefix_len': 8, 'labels': []},
                {'primary': False, 'loopback': False, 'address': '192.0.2.0', 'prefix_len': 31, 'labels': []}])
            six = [e for e in ev if e['event'] == 'encaps' and e['type'] == 'IPV6_ENCAP' and e['encaps']]
            self.assertEqual(len(six[0]['encaps']), v6)
            self.assertEqual(summary['counters']['rx_dropped'], 0)
            if name == 'ref-restart':
                self.assertEqual(len(ups), 2)
                self.assertEqual([e['reason'] for e in ev if e['event'] == 'session_down'], ['peer_restart'])
            else:
                self.assertEqual(len(ups), 1)

    def test_replay_out_pcap(self):
        with tempfile.TemporaryDirectory() as t:
            out = os.path.join(t, 'a.pcap')
            rc, _, err = run('replay', os.path.join(DATA, 'ref-basic.pcap'), '--as', '02:00:00:00:00:0a',
                             '--ethertype', '0x8885', '--out', out)
            self.assertEqual(rc, 0, err)
            p = subprocess.run([DUMP, '--json', '--summary', '--strict', '-q', out], capture_output=True)
            s = json.loads(p.stdout.decode().splitlines()[-1])
            self.assertEqual(p.returncode, 0)
            self.assertEqual(s['pdus']['OPEN'], 1)
            self.assertGreater(s['pdus']['ACK'], 4)


class Errors(unittest.TestCase):
    def scenario(self, d, text):
        p = os.path.join(d, 's.json')
        with open(p, 'w') as f:
            f.write(text)
        return p

    def test_bad_files_exit_2_with_position(self):
        cases = [
            ('{\n  "duration": 10,\n  "topology": { "type": "pair" }\n  "expect": []\n}\n', ':4:3:'),
            ('{ "duration": 10, "topology": { "type": "pair" },\n  "durration": 5 }\n', ':2:3: unknown key'),
            ('{ "duration": 10, "topology": { "type": "pair" },\n  "defaults": { "hello-interval": "x" } }\n',
             'hello-interval'),
        ]
        with tempfile.TemporaryDirectory() as t:
            for text, want in cases:
                p = self.scenario(t, text)
                rc, _, err = run('run', p)
                self.assertEqual(rc, 2, err)
                self.assertIn(p + ':', err)
                self.assertIn(want, err)
            rc, _, err = run('run', os.path.join(t, 'missing.json'))
            self.assertEqual(rc, 2)
            self.assertIn('missing.json', err)

    def test_failed_expectation_exits_1(self):
        with tempfile.TemporaryDirectory() as t:
            p = self.scenario(t, '{ "duration": 5, "topology": { "type": "pair" }, "events": '
                                 '[ { "at": 1, "type": "link_down", "link": "a-b" } ], '
                                 '"expect": [ { "type": "sessions_open", "by": 4 } ] }')
            rc, out, _ = run('run', p, '--json')
            self.assertEqual(rc, 1)
            s = json.loads(out.splitlines()[-1])
            self.assertEqual((s['expectations']['passed'], s['expectations']['failed']), (0, 1))
            self.assertIn('a-b', s['expectations']['failures'][0])

    def test_usage(self):
        self.assertEqual(run('nonsense')[0], 2)
        self.assertEqual(run('run', '--seed', 'x', os.path.join(SCEN, 'two-node.json'))[0], 2)
        self.assertEqual(run('replay', os.path.join(DATA, 'ref-basic.pcap'))[0], 2)
        self.assertEqual(run('--help')[0], 0)

    def test_default_scenario_and_until(self):
        rc, out, err = run(cwd=os.path.dirname(SCEN))
        self.assertEqual(rc, 0, err)
        self.assertIn('scenario clos-4x8', out)
        rc, out, _ = run('run', os.path.join(SCEN, 'two-node.json'), '--until', '2.5', '--json')
        self.assertEqual(json.loads(out.splitlines()[-1])['virtual_seconds'], 2.5)


class Pictures(unittest.TestCase):
    """--dot, --timeline and --timeline-svg: what they draw, and that they are deterministic."""
    GREEN = 'forestgreen'
    NODE = re.compile(r'^\s*"([^"]+)" \[(.*)\];$')
    EDGE = re.compile(r'^\s*"([^"]+)" -- "([^"]+)" \[(.*)\];$')

    def picture(self, d, name, option, filename, *more):
        path = os.path.join(d, filename)
        rc, out, err = run('run', os.path.join(SCEN, name + '.json'), option, path, *more)
        self.assertEqual(rc, 0, err + out)
        with open(path, 'rb') as f:
            return f.read()

    def dot(self, name):
        with tempfile.TemporaryDirectory() as t:
            text = self.picture(t, name, '--dot', 'g.dot').decode()
        nodes, edges = [], {}
        for line in text.splitlines():
            e = self.EDGE.match(line)
            if e:
                colour = re.search(r'\bcolor=([\w#]+)', e.group(3)).group(1)
                tooltip = re.search(r'tooltip="([^":]+):', e.group(3)).group(1)
                edges[tooltip] = colour
                continue
            n = self.NODE.match(line)
            if n:
                nodes.append(n.group(1))
        return text, nodes, edges

    def assert_dot_renders(self, text):
        if not shutil.which('dot'):
            return  # graphviz not installed: the syntax is not checked here
        p = subprocess.run(['dot', '-Tsvg'], input=text.encode(), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b'<svg', p.stdout)

    def test_dot_clos(self):
        text, nodes, edges = self.dot('clos-4x8')
        self.assertEqual(len(nodes), 12)
        self.assertEqual(sorted(nodes), sorted(['spine%d' % j for j in range(1, 5)] + ['leaf%d' % i for i in range(1, 9)]))
        self.assertEqual(len(edges), 32)
        self.assertEqual(sorted(edges), sorted('leaf%d-spine%d' % (i, j) for i in range(1, 9) for j in range(1, 5)))
        self.assertEqual(set(edges.values()), {self.GREEN})
        self.assertEqual(len([l for l in text.splitlines() if self.EDGE.match(l)]), 32)  # one edge per link
        self.assertIn('rank=same', text)  # Clos roles: a rank per tier
        self.assert_dot_renders(text)

    def test_dot_keepalive_timeout_not_green(self):
        text, nodes, edges = self.dot('keepalive-timeout')
        self.assertEqual(sorted(nodes), ['a', 'b'])
        self.assertEqual(list(edges), ['a-b'])
        self.assertNotEqual(edges['a-b'], self.GREEN)
        self.assert_dot_renders(text)
        _, _, edges = self.dot('flap-storm')  # every link recovered
        self.assertEqual(set(edges.values()), {self.GREEN})

    def timeline(self, d, name, *more):
        return self.picture(d, name, '--timeline', name + '.html', *more)

    def svg_of(self, html):
        m = re.search(rb'<svg.*</svg>', html, re.S)
        self.assertIsNotNone(m)
        return ET.fromstring(m.group(0))  # well-formed

    @staticmethod
    def marks(svg, cls):
        """The tooltips of the marks of a class (the legend's samples have none)."""
        return sorted(t.text for e in svg.iter() if cls in (e.get('class') or '').split()
                      for t in e if t.tag.rpartition('}')[2] == 'title')  # no namespace in HTML, SVG's in .svg

    def test_timeline_keepalive_timeout(self):
        with tempfile.TemporaryDirectory() as t:
            a = self.timeline(t, 'keepalive-timeout', '--seed', '1')
            os.rename(os.path.join(t, 'keepalive-timeout.html'), os.path.join(t, 'first.html'))
            b = self.timeline(t, 'keepalive-timeout', '--seed', '1')
        self.assertEqual(a, b)
        for bad in (b'http://', b'https://', b'<script src', b'<link'):
            self.assertNotIn(bad, a)
        html = a.decode()
        self.assertIn('keepalive-timeout', html)
        self.assertIn('seed 1', html)
        self.assertIn('expectations: 6 passed, 0 failed', html)
        svg = self.svg_of(a)
        self.assertEqual(self.marks(svg, 'down'), ['a-b: session_down at 12.0001 s, reported by a: keepalive_timeout',
                                  'a-b: session_down at 12.0001 s, reported by b: keepalive_timeout'])
        self.assertEqual(self.marks(svg, 'ev'), ['a-b: link_cut at 10 s'])
        self.assertEqual(self.marks(svg, 'bar'), ['a-b: a established (b too) from 0.0003 to 12.0001 s',
                                                  'a-b: b established (a too) from 0.0003 to 12.0001 s'])

    def test_timeline_every_link_deterministic(self):
        with tempfile.TemporaryDirectory() as t:
            outs = []
            for sub, seed in (('a', 7), ('b', 7), ('c', 8)):
                os.mkdir(os.path.join(t, sub))
                outs.append(self.timeline(os.path.join(t, sub), 'flap-storm', '--seed', str(seed)))
            clos = self.timeline(t, 'clos-4x8')
        self.assertEqual(outs[0], outs[1])
        self.assertNotEqual(outs[0], outs[2])
        for html, links in ((outs[0], ['leaf%d-spine%d' % (i, j) for i in range(1, 7) for j in (1, 2)]),
                            (clos, ['leaf%d-spine%d' % (i, j) for i in range(1, 9) for j in range(1, 5)])):
            self.assertNotIn(b'http://', html)
            self.assertNotIn(b'https://', html)
            for link in links:
                self.assertIn(('>%s<title>' % link).encode(), html)  # its row
        self.assertIn(b'seed 7', outs[0])
        self.assertGreater(len(self.marks(self.svg_of(outs[0]), 'down')), 20)  # the storm's port_downs
        self.assertTrue(all('port_down' in m for m in self.marks(self.svg_of(outs[0]), 'down')))
        self.assertEqual(self.marks(self.svg_of(clos), 'down'), [])
        self.assertEqual(len(self.marks(self.svg_of(clos), 'bar')), 64)  # one bar per end, all along

    def test_timeline_svg(self):
        with tempfile.TemporaryDirectory() as t:
            svg = self.picture(t, 'peer-restart', '--timeline-svg', 'p.svg')
            svg2 = self.picture(t, 'peer-restart', '--timeline-svg', 'q.svg')
        self.assertEqual(svg, svg2)
        self.assertTrue(svg.startswith(b'<?xml'))
        root = ET.fromstring(svg)
        self.assertEqual(root.tag, '{http://www.w3.org/2000/svg}svg')
        text = svg.decode()
        self.assertIn('peer-restart', text)
        self.assertIn('peer_restart', text)  # the reason of the down, on hover
        self.assertTrue(self.marks(root, 'crash'))  # the scheduled crash

    def test_bad_path_exits_2(self):
        for option in ('--dot', '--timeline', '--timeline-svg'):
            rc, _, err = run('run', os.path.join(SCEN, 'two-node.json'), option, '/nonexistent/dir/x')
            self.assertEqual(rc, 2, option)
            self.assertIn('/nonexistent/dir/x', err)


class Links(unittest.TestCase):
    """--links FILE, the fabric's link-state database, and the links_match expectation."""
    END_KEYS = {'node', 'port', 'id', 'address', 'prefix_len', 'primary', 'labels'}
    TYPES = ['IPV4_ENCAP', 'IPV6_ENCAP', 'MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP']

    def database(self, d, scenario, *more, rc=0):
        path = os.path.join(d, 'links.json')
        code, out, err = run('run', scenario, '--links', path, *more)
        self.assertEqual(code, rc, err + out)
        with open(path, 'rb') as f:
            raw = f.read()
        return raw, json.loads(raw), out

    @staticmethod
    def key(e):
        """The file's order: link name (octets), type number, a's address and length, then b's."""
        end = lambda x: (ipaddress.ip_address(x['address']).packed, x['prefix_len'])
        return (e['link'].encode(), Links.TYPES.index(e['type']), *end(e['a']), *end(e['b']))

    def assert_well_formed(self, d):
        self.assertEqual(set(d), {'links'})
        for e in d['links']:
            self.assertEqual(set(e), {'link', 'type', 'a', 'b'})
            self.assertIn(e['type'], self.TYPES)
            a, b = e['a'], e['b']
            self.assertEqual((set(a), set(b)), (self.END_KEYS, self.END_KEYS))
            self.assertEqual(e['link'], '%s-%s' % (a['node'], b['node']))  # a is the first end
            for x in (a, b):
                self.assertRegex(x['port'], r'^eth[1-9][0-9]*$')
                self.assertRegex(x['id'], r'^([0-9a-f]{2}:){9}[0-9a-f]{2}$')
                self.assertIsInstance(x['primary'], bool)
                self.assertIsInstance(x['labels'], list)
            self.assertNotEqual(a['id'], b['id'])
            self.assertNotEqual(a['address'], b['address'])
            na = ipaddress.ip_interface('%s/%d' % (a['address'], a['prefix_len'])).network
            nb = ipaddress.ip_interface('%s/%d' % (b['address'], b['prefix_len'])).network
            self.assertIn(ipaddress.ip_address(b['address']), na, e)  # each inside the other's prefix
            self.assertIn(ipaddress.ip_address(a['address']), nb, e)
        self.assertEqual(d['links'], sorted(d['links'], key=self.key))

    def test_clos_database(self):
        with tempfile.TemporaryDirectory() as t:
            raw, d, _ = self.database(t, os.path.join(SCEN, 'clos-4x8.json'), '--events', os.path.join(t, 'ev.jsonl'))
            with open(os.path.join(t, 'ev.jsonl')) as f:
                events = [json.loads(l) for l in f]
            raw2, _, _ = self.database(t, os.path.join(SCEN, 'clos-4x8.json'))
        self.assertEqual(raw, raw2)  # byte-identical on a rerun
        self.assertTrue(raw.startswith(b'{"links":[\n') and raw.endswith(b'\n]}\n'))
        self.assertEqual(len(raw.splitlines()), 64 + 2)  # one entry a line
        self.assert_well_formed(d)
        by_type = {}
        for e in d['links']:
            by_type.setdefault(e['type'], []).append(e['link'])
        links = sorted('leaf%d-spine%d' % (i, j) for i in range(1, 9) for j in range(1, 5))
        self.assertEqual(sorted(by_type), ['IPV4_ENCAP', 'IPV6_ENCAP'])
        self.assertEqual(sorted(by_type['IPV4_ENCAP']), links)  # 32 links, one IPv4 pair each
        self.assertEqual(sorted(by_type['IPV6_ENCAP']), links)
        for e in d['links']:
            self.assertEqual(e['a']['prefix_len'], 31 if e['type'] == 'IPV4_ENCAP' else 127)
            self.assertTrue(e['a']['primary'] and e['b']['primary'])
            self.assertEqual((e['a']['labels'], e['b']['labels']), ([], []))
        # The database is what both ends last reported in their links events (and their local IDs).
        last = {}
        for ev in events:
            if ev['event'] == 'links':
                last[(ev['node'], ev['port'], ev['type'])] = ev
        end = lambda x: (x['address'], x['prefix_len'])
        for e in d['links']:
            for me, other in (('a', 'b'), ('b', 'a')):
                ev = last[(e[me]['node'], e[me]['port'], e['type'])]
                self.assertEqual(ev['local_id'], e[me]['id'])
                self.assertEqual(ev['peer_id'], e[other]['id'])
                self.assertIn((end(e[me]), end(e[other])), [(end(p['local']), end(p['peer'])) for p in ev['links']])
        self.assertEqual(sum(len(ev['links']) for ev in last.values()), 2 * len(d['links']))

    def test_link_state_scenario(self):
        with tempfile.TemporaryDirectory() as t:
            _, d, out = self.database(t, os.path.join(SCEN, 'link-state.json'), '--json')
        s = json.loads(out.splitlines()[-1])
        self.assertEqual(s['expectations'], {'passed': 20, 'failed': 0, 'failures': []})
        self.assert_well_formed(d)
        pairs = {}
        cidr = lambda x: '%s/%d' % (x['address'], x['prefix_len'])
        for e in d['links']:
            pairs.setdefault((e['link'], e['type']), []).append((cidr(e['a']), cidr(e['b']), e['a']['labels'],
                                                                  e['b']['labels']))
        # Subnets that disagree: no IPv4 link on n1-n2; the IPv6 /64 and the link-locals pair.
        v6 = [('2001:db8:12::1/64', '2001:db8:12::2/64'), ('fe80::1/64', 'fe80::2/64')]
        self.assertNotIn(('n1-n2', 'IPV4_ENCAP'), pairs)
        self.assertNotIn(('n1-n2', 'MPLS_IPV4_ENCAP'), pairs)
        self.assertEqual([p[:2] for p in pairs[('n1-n2', 'IPV6_ENCAP')]], v6)
        self.assertEqual(pairs[('n1-n2', 'MPLS_IPV6_ENCAP')], [(*p, [16000], [16001]) for p in v6])
        # The moved pair, with each end's own label.
        self.assertEqual(pairs[('n2-n3', 'IPV4_ENCAP')], [('172.16.0.1/30', '172.16.0.2/30', [], [])])
        self.assertEqual(pairs[('n2-n3', 'MPLS_IPV4_ENCAP')], [('172.16.0.1/30', '172.16.0.2/30', [16001], [16002])])
        # The link that lost its session is back; loopbacks are never link addresses.
        self.assertEqual(sorted(t for l, t in pairs if l == 'n3-n4'), sorted(self.TYPES))
        text = json.dumps(d)
        for loopback in ('192.0.2.22', '2001:db8:ffff::2', '198.51.100.44'):
            self.assertNotIn('"%s"' % loopback, text)

    def test_links_match_fails_and_the_database_is_still_written(self):
        with tempfile.TemporaryDirectory() as t:
            p = os.path.join(t, 's.json')
            with open(p, 'w') as f:  # at 2 s b has not yet heard of a's change: b's view is stale
                f.write('{ "duration": 5, "topology": { "type": "pair" }, "events": [ { "at": 2, "type": '
                        '"address_remove", "node": "a", "link": "a-b", "address": "10.0.0.0/31" } ],\n'
                        '"expect": [ { "type": "links_match", "at": 2 }, { "type": "links_match" } ] }\n')
            _, d, out = self.database(t, p, '--json', rc=1)
        s = json.loads(out.splitlines()[-1])
        self.assertEqual((s['expectations']['passed'], s['expectations']['failed']), (1, 1))
        self.assertEqual(s['expectations']['failures'],
                         [p + ":2:13: links_match at 2 s: on a-b, b's IPV4_ENCAP view has 1 pair (10.0.0.1/31 primary "
                          "with 10.0.0.0/31 primary), want 0 pairs (none)"])
        self.assertEqual([e['type'] for e in d['links']], ['IPV6_ENCAP'])  # the end of the run: IPv4 gone

    def test_no_session_no_links(self):
        with tempfile.TemporaryDirectory() as t:
            raw, d, _ = self.database(t, os.path.join(SCEN, 'keepalive-timeout.json'))
        self.assertEqual(d, {'links': []})
        self.assertEqual(raw, b'{"links":[\n]}\n')

    def test_bad_path_and_usage(self):
        rc, out, err = run('run', os.path.join(SCEN, 'two-node.json'), '--links', '/nonexistent/dir/x')
        self.assertEqual(rc, 2)
        self.assertIn('/nonexistent/dir/x', err)
        self.assertEqual(out, '')  # refused before the run
        rc, out, _ = run('--help')
        self.assertEqual(rc, 0)
        self.assertIn('--links FILE', out)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    for a in ('sim', 'dump', 'data', 'scenarios'):
        ap.add_argument('--' + a, required=True)
    a, rest = ap.parse_known_args()
    SIM, DUMP, DATA, SCEN = a.sim, a.dump, a.data, a.scenarios
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
