#!/usr/bin/env python3
"""lsoed in network namespaces, asserted with lsoectl --json. Needs root; skips (77) otherwise.

Every test builds its own namespaces (prefix lt<pid>), starts real daemons joined by veth
pairs, and removes everything afterwards, whatever happens.

With --valgrind, every daemon runs under valgrind memcheck and is stopped with SIGTERM at
the end; a test fails if any daemon's memcheck reported an error or a leak (definite,
indirect or possible), or if it did not exit cleanly.
"""
import argparse
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

LSOED = LSOECTL = PCAPSEND = FLOOD = DATA = VALGRIND = None
PREFIX = 'lt%d' % os.getpid()
SKIP = 77
ENCAP_TYPES = ('IPV4_ENCAP', 'IPV6_ENCAP', 'MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP')
LINK_KEYS = ('port', 'peer_mac', 'local_id', 'peer_id', 'type', 'local', 'peer')
LINK_END_KEYS = ('address', 'prefix_len', 'primary', 'labels')
A_ADDRS, B_ADDRS = ['192.0.2.1/31', '2001:db8::a/127'], ['192.0.2.0/31', '2001:db8::b/127']


def sh(*args, check=True):
    p = subprocess.run(args, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(args), p.stderr.strip()))
    return p.stdout


def wait_for(what, pred, timeout=10.0, step=0.05):
    t0 = time.monotonic()
    last = None
    while time.monotonic() - t0 < timeout:
        try:
            last = pred()
            if last:
                return last
        except (json.JSONDecodeError, RuntimeError, KeyError, IndexError) as e:
            last = e
        time.sleep(step)
    raise AssertionError('timed out waiting for %s (last: %r)' % (what, last))


def link_pairs(answer, type_, link_local=False):
    """(our address, the peer's) of every pair of one type in a show links answer, in its
    order; IPv6 link-local pairs (which come once DAD is done) left out unless asked for."""
    return [(x['local']['address'], x['peer']['address']) for x in answer['links']
            if x['type'] == type_ and (link_local or not x['local']['address'].startswith('fe80:'))]


class Node:
    def __init__(self, net, name, idx, extra=''):
        self.net, self.name, self.idx = net, name, idx
        self.ns = '%s%s' % (PREFIX, name)
        self.sock = os.path.join(net.dir, name + '.sock')
        self.conf = os.path.join(net.dir, name + '.conf')
        self.log = os.path.join(net.dir, name + '.log')
        self.proc = None
        self.runs = 0
        self.problems = []  # valgrind or exit problems of earlier incarnations
        sh('ip', 'netns', 'add', self.ns)
        sh('ip', '-n', self.ns, 'link', 'set', 'lo', 'up')
        self.write_conf(extra)

    def write_conf(self, extra=''):
        with open(self.conf, 'w') as f:
            f.write('[lsoed]\n# written by tests/linux/test_netns.py\n'
                    'name = %s\nlocal-id = 00:00:00:00:00:00:00:00:%02x:%02x\n'
                    'hello-interval = 1\nkeepalive-send-interval = 0.5\nkeepalive-receive-timeout = 3\n'
                    'control-socket = %s\n%s\n' % (self.name, self.idx >> 8, self.idx & 0xff, self.sock, extra))

    def start(self):
        if getattr(self, 'logf', None):
            self.logf.close()
        self.logf = open(self.log, 'a')
        self.runs += 1
        cmd = [LSOED, '-f', '-c', self.conf]
        if VALGRIND:
            self.vglog = os.path.join(self.net.dir, '%s.%d.valgrind' % (self.name, self.runs))
            cmd = [VALGRIND, '--quiet', '--leak-check=full', '--show-leak-kinds=definite,indirect,possible',
                   '--errors-for-leak-kinds=definite,indirect,possible', '--error-exitcode=97',
                   '--log-file=' + self.vglog, *cmd]
        self.proc = subprocess.Popen(['ip', 'netns', 'exec', self.ns, *cmd],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        wait_for('%s control socket' % self.name, lambda: os.path.exists(self.sock), 30 if VALGRIND else 5)

    def ctl(self, *args):
        out = subprocess.run(['ip', 'netns', 'exec', self.ns, LSOECTL, '-s', self.sock, *args, '--json'],
                             capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            raise RuntimeError('lsoectl %s: %s' % (' '.join(args), out.stderr.strip()))
        return json.loads(out.stdout)

    def neighbors(self):
        return self.ctl('show', 'neighbors')['neighbors']

    def text(self, *args):
        """lsoectl's text output."""
        out = subprocess.run(['ip', 'netns', 'exec', self.ns, LSOECTL, '-s', self.sock, *args],
                             capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            raise RuntimeError('lsoectl %s: %s' % (' '.join(args), out.stderr.strip()))
        return out.stdout

    def id(self):
        return '00:00:00:00:00:00:00:00:%02x:%02x' % (self.idx >> 8, self.idx & 0xff)

    def mac(self, ifname):
        return json.loads(self.ip('-j', 'link', 'show', ifname))[0]['address']

    def established_with(self, other):
        return [n for n in self.neighbors() if n['state'] == 'established' and n['peer_id'].endswith(
            '%02x:%02x' % (other.idx >> 8, other.idx & 0xff))]

    def ip(self, *args):
        return sh('ip', '-n', self.ns, *args)

    def signal(self, sig):
        # ip netns exec runs the daemon as its child in the same process: signal it directly.
        self.proc.send_signal(sig)

    def kill(self):
        """SIGKILL on purpose (a crash): memcheck cannot report on this incarnation."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            if VALGRIND:
                # A clean exit, so that memcheck reports errors and leaks.
                self.proc.send_signal(signal.SIGCONT)
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    self.problems.append('%s: did not exit within 30 s of SIGTERM' % self.name)
            else:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
        if VALGRIND and self.proc and self.proc.returncode not in (0, -signal.SIGKILL):
            with open(self.vglog) as f:
                report = f.read()
            self.problems.append('%s: exit status %s under valgrind:\n%s' % (self.name, self.proc.returncode,
                                                                             report[-4000:]))
        if getattr(self, 'logf', None):
            self.logf.close()

    def pid(self):
        return self.proc.pid  # ip netns exec execs the daemon: same process

    def rss_kb(self):
        with open('/proc/%d/status' % self.pid()) as f:
            return int(next(l for l in f if l.startswith('VmRSS:')).split()[1])


class Monitor:
    """lsoectl monitor --json in a thread, events kept with the wall time they arrived."""

    def __init__(self, node):
        self.events = []
        self.p = subprocess.Popen(['ip', 'netns', 'exec', node.ns, LSOECTL, '-s', node.sock, 'monitor', '--json'],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        for line in self.p.stdout:
            try:
                self.events.append((time.monotonic(), json.loads(line)))
            except json.JSONDecodeError:
                pass

    def find(self, pred):
        return [e for t, e in self.events if pred(e)]

    def stop(self):
        self.p.kill()
        self.p.wait()
        self.p.stdout.close()


class Net:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='lsoe-netns-')
        self.nodes, self.links = [], 0

    def node(self, name, extra=''):
        n = Node(self, name, len(self.nodes) + 1, extra)
        self.nodes.append(n)
        return n

    def link(self, a, b, a_addrs=(), b_addrs=()):
        """veth between a and b; returns the interface names (in a, in b)."""
        self.links += 1
        ia, ib = 'v%da' % self.links, 'v%db' % self.links
        sh('ip', 'link', 'add', ia, 'netns', a.ns, 'type', 'veth', 'peer', 'name', ib, 'netns', b.ns)
        for n, i, addrs in ((a, ia, a_addrs), (b, ib, b_addrs)):
            for ad in addrs:
                n.ip('addr', 'add', ad, 'dev', i, *(['nodad'] if ':' in ad else []))
            n.ip('link', 'set', i, 'up')
        return ia, ib

    def close(self):
        """Stop everything; returns the problems found (valgrind reports, unclean exits)."""
        for n in self.nodes:
            n.stop()
        for n in self.nodes:
            sh('ip', 'netns', 'del', n.ns, check=False)
        return [p for n in self.nodes for p in n.problems]

    def logs(self):
        out = []
        for n in self.nodes:
            try:
                with open(n.log) as f:
                    out.append('--- %s\n%s' % (n.name, ''.join(f.readlines()[-15:])))
            except OSError:
                pass
        return '\n'.join(out)


class NetnsCase(unittest.TestCase):
    """A fresh set of namespaces per test, removed afterwards; see Net.close for valgrind."""

    def setUp(self):
        self.net = Net()

    def tearDown(self):
        if any(err for _, err in self._outcome.errors if err) if hasattr(self._outcome, 'errors') else False:
            print(self.net.logs(), file=sys.stderr)
        problems = self.net.close()
        if problems:
            self.fail('\n'.join(problems))

    def pair(self, a_extra='', b_extra='', a_addrs=A_ADDRS, b_addrs=B_ADDRS):
        a, b = self.net.node('a', a_extra), self.net.node('b', b_extra)
        ia, ib = self.net.link(a, b, a_addrs, b_addrs)
        a.start()
        b.start()
        # Established comes before the encapsulations: wait for those too (a slow host shows the gap).
        wait_for('a-b established with IPv4 encapsulations',
                 lambda: all(s and s[0]['encaps']['IPV4_ENCAP']
                             for s in (a.established_with(b), b.established_with(a))),
                 30 if VALGRIND else 10)
        return a, b, ia, ib


class NetnsTest(NetnsCase):
    # ---- the list ----

    def test_two_nodes(self):
        a, b, ia, _ = self.pair()
        n = a.established_with(b)[0]
        self.assertEqual(n['port'], ia)
        v4 = n['encaps']['IPV4_ENCAP']
        self.assertEqual([(e['address'], e['prefix_len'], e['primary']) for e in v4], [('192.0.2.0', 31, True)])
        v6 = [e['address'] for e in n['encaps']['IPV6_ENCAP']]
        self.assertIn('2001:db8::b', v6)
        # The link-local address is announced once duplicate address detection has finished.
        wait_for('b\'s link-local address at a', lambda: any(
            e['address'].startswith('fe80::') for e in a.established_with(b)[0]['encaps']['IPV6_ENCAP']), 5)
        for k in ('port', 'peer_mac', 'peer_id', 'state', 'uptime', 'attributes', 'encaps'):
            self.assertIn(k, n)
        self.assertEqual(sorted(n['encaps']), ['IPV4_ENCAP', 'IPV6_ENCAP', 'MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP'])
        ifs = a.ctl('show', 'interfaces')['interfaces']
        self.assertEqual([(i['port'], i['up'], i['sessions']) for i in ifs], [(ia, True, 1)])
        self.assertEqual([e['address'] for e in ifs[0]['announced']['IPV4_ENCAP']], ['192.0.2.1'])
        text = subprocess.run(['ip', 'netns', 'exec', a.ns, LSOECTL, '-s', a.sock, 'show', 'interfaces'],
                              capture_output=True, text=True).stdout
        self.assertIn(ia, text)
        self.assertNotIn('?', text)

    def test_chain_of_three(self):
        a, b, c = self.net.node('a'), self.net.node('b'), self.net.node('c')
        self.net.link(a, b, ['192.0.2.1/31'], ['192.0.2.0/31'])
        self.net.link(b, c, ['192.0.2.2/31'], ['192.0.2.3/31'])
        for n in (a, b, c):
            n.start()
        wait_for('chain established', lambda: a.established_with(b) and c.established_with(b) and
                 b.established_with(a) and b.established_with(c))
        self.assertEqual(len(b.neighbors()), 2)
        self.assertEqual(len(a.neighbors()), 1)
        self.assertEqual(len(c.neighbors()), 1)

    def test_32_neighbours(self):
        hub = self.net.node('hub')
        leaves = []
        for k in range(32):
            leaf = self.net.node('n%d' % k)
            self.net.link(hub, leaf, ['198.51.100.%d/31' % (2 * k)], ['198.51.100.%d/31' % (2 * k + 1)])
            leaves.append(leaf)
        hub.start()
        for leaf in leaves:
            leaf.start()
        want = sorted('198.51.100.%d' % (2 * k + 1) for k in range(32))

        def seen():
            # A session is established before its encapsulations arrive: wait for both, or a slow
            # host (valgrind) catches one in between.
            return sorted(e['address'] for n in hub.neighbors() if n['state'] == 'established'
                          for e in n['encaps']['IPV4_ENCAP'])
        wait_for('32 sessions on the hub with their IPv4 encapsulations', lambda: seen() == want,
                 60 if VALGRIND else 20)
        self.assertEqual(seen(), want)
        for leaf in leaves[:4]:
            self.assertTrue(leaf.established_with(hub))

    def test_address_change_seen_within_1s(self):
        a, b, ia, _ = self.pair()
        t0 = time.monotonic()
        a.ip('addr', 'add', '198.51.100.7/32', 'dev', ia)

        def has(addr):
            return any(e['address'] == addr for e in b.established_with(a)[0]['encaps']['IPV4_ENCAP'])
        wait_for('added address at b', lambda: has('198.51.100.7'), 1.0, 0.02)
        added = time.monotonic() - t0
        t0 = time.monotonic()
        a.ip('addr', 'del', '198.51.100.7/32', 'dev', ia)
        wait_for('removed address gone at b', lambda: not has('198.51.100.7'), 1.0, 0.02)
        removed = time.monotonic() - t0
        print('address add seen in %.0f ms, removal in %.0f ms' % (added * 1e3, removed * 1e3), file=sys.stderr)

    def test_silent_failure_detected_at_timeout(self):
        a, b, _, _ = self.pair()
        mon = Monitor(b)
        last_rx = [None]

        def poll():
            ns = [n for n in b.neighbors() if n['peer_id'].endswith('00:01')]
            if ns and ns[0]['state'] == 'established':
                last_rx[0] = ns[0]['last_rx']
            return not ns or ns[0]['state'] != 'established'
        time.sleep(0.3)
        a.signal(signal.SIGSTOP)
        try:
            wait_for('b declares a down', poll, 8, 0.02)
            downs = wait_for('session_down event', lambda: mon.find(
                lambda e: e.get('event') == 'session_down' and e['reason'] == 'keepalive_timeout'), 2)
        finally:
            a.signal(signal.SIGCONT)
            mon.stop()
        late = downs[0]['time'] - last_rx[0] - 3.0
        print('silent failure: down %.1f ms after last_rx + timeout' % (late * 1e3), file=sys.stderr)
        self.assertGreaterEqual(late, -0.001)
        self.assertLess(late, 0.1)

    def test_link_down_detected_at_once(self):
        a, b, ia, _ = self.pair()
        ma, mb = Monitor(a), Monitor(b)
        time.sleep(0.2)
        t0 = time.monotonic()
        a.ip('link', 'set', ia, 'down')
        try:
            def down(m):
                return [t for t, e in m.events if e.get('event') == 'session_down' and e['reason'] == 'port_down']
            ta = wait_for('port_down at a', lambda: down(ma), 2, 0.005)[0] - t0
            # b learns of the carrier loss through the kernel's linkwatch, which delays
            # carrier-off notifications by up to a second.
            tb = wait_for('port_down at b', lambda: down(mb), 3, 0.005)[0] - t0
        finally:
            ma.stop()
            mb.stop()
        print('link down: detected by a (set down) in %.0f ms, by b (carrier lost) in %.0f ms' % (ta * 1e3, tb * 1e3),
              file=sys.stderr)
        self.assertLess(ta, 0.1)
        self.assertLess(tb, 1.5)

    def test_sigkill_and_restart_new_nonce(self):
        a, b, _, _ = self.pair()
        before = b.established_with(a)[0]['peer_nonce']
        mon = Monitor(b)
        time.sleep(0.2)
        a.signal(signal.SIGKILL)
        a.proc.wait()
        a.start()
        try:
            wait_for('b reopened with a new nonce', lambda: b.established_with(a) and
                     b.established_with(a)[0]['peer_nonce'] != before, 10)
            downs = mon.find(lambda e: e.get('event') == 'session_down')
        finally:
            mon.stop()
        self.assertEqual([d['reason'] for d in downs], ['peer_restart'])

    def test_sigterm_withdraws(self):
        a, b, _, _ = self.pair()
        mon = Monitor(b)
        time.sleep(0.2)
        a.signal(signal.SIGTERM)
        rc = a.proc.wait(timeout=5)
        try:
            wait_for('empty lists at b', lambda: all(
                not b.established_with(a)[0]['encaps'][t] for t in ('IPV4_ENCAP', 'IPV6_ENCAP')), 2)
            empties = mon.find(lambda e: e.get('event') == 'encaps' and e['encaps'] == [])
        finally:
            mon.stop()
        self.assertEqual(rc, 0)
        self.assertEqual(sorted(e['type'] for e in empties), ['IPV4_ENCAP', 'IPV6_ENCAP'])

    def test_reload_changes_keepalive_interval(self):
        a, b, _, _ = self.pair()

        def ka_rate(seconds):
            c0 = b.ctl('show', 'statistics')['counters']['rx_by_type']['KEEPALIVE']
            time.sleep(seconds)
            return (b.ctl('show', 'statistics')['counters']['rx_by_type']['KEEPALIVE'] - c0) / seconds
        before = ka_rate(2)
        with open(a.conf) as f:
            text = f.read().replace('keepalive-send-interval = 0.5', 'keepalive-send-interval = 0.1')
        with open(a.conf, 'w') as f:
            f.write(text)
        a.signal(signal.SIGHUP)
        time.sleep(0.3)
        after = ka_rate(2)
        print('keepalives from a: %.1f/s before the reload, %.1f/s after' % (before, after), file=sys.stderr)
        self.assertAlmostEqual(before, 2.0, delta=0.6)
        self.assertAlmostEqual(after, 10.0, delta=2.0)
        self.assertTrue(b.established_with(a))
        self.assertEqual(a.ctl('show', 'config')['config']['keepalive-send-interval'], '0.1')

    def test_capture_replay_opens_session(self):
        if not PCAPSEND:
            self.skipTest('no lsoe-pcap-send')
        a = self.net.node('a', 'ethertype = 0x8885\n')
        b = self.net.node('b')
        ia, ib = self.net.link(a, b, ['192.0.2.1/31'], [])
        a.ip('link', 'set', ia, 'address', '02:00:00:00:00:0a')
        a.start()
        sh('ip', 'netns', 'exec', b.ns, PCAPSEND, '-i', ib, '--skip-src', '02:00:00:00:00:0a', '--quiet',
           os.path.join(DATA, 'ref-basic.pcap'))
        ns = wait_for('session with the captured B', lambda: [
            n for n in a.neighbors() if n['peer_id'] == '00:11:22:33:44:55:66:77:88:02'], 3)
        self.assertEqual(ns[0]['peer_mac'], '02:00:00:00:00:0b')
        self.assertEqual([e['address'] for e in ns[0]['encaps']['IPV4_ENCAP']], ['127.0.0.1', '192.0.2.0'])


    def test_report_url_posts_py_lsoed_fields(self):
        collector = os.path.join(self.net.dir, 'collector.py')
        got = os.path.join(self.net.dir, 'posts.jsonl')
        with open(collector, 'w') as f:
            f.write('''import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as out:
            out.write(body + b"\\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
''')
        a, b = self.net.node('a', 'report-url = http://127.0.0.1:8765/lsoe\n'), self.net.node('b')
        self.net.link(a, b, ['192.0.2.1/31'], ['192.0.2.0/31'])
        a.start()
        b.start()
        wait_for('a-b established', lambda: a.established_with(b))
        time.sleep(1.5)  # the first posts fail: nobody listens yet
        srv = subprocess.Popen(['ip', 'netns', 'exec', a.ns, sys.executable, collector, '8765', got])
        try:
            def posts():
                if not os.path.exists(got):
                    return []
                with open(got) as f:
                    return [json.loads(line) for line in f if line.strip()]
            ps = wait_for('reports retried and delivered', lambda: [p for p in posts()
                          if p['pdu_name'] == 'IPV4ENCAPSULATION' and p['encaps']], 8)
        finally:
            srv.kill()
            srv.wait()
        p = ps[0]
        for k in ('my_switch_id', 'ifname', 'peer_macaddr', 'peer_switch_id', 'peer_attributes', 'pdu_type',
                  'pdu_name', 'encaps', 'unique'):
            self.assertIn(k, p)
        self.assertEqual(p['pdu_type'], 4)
        self.assertEqual(p['peer_switch_id'], '00:00:00:00:00:00:00:00:00:02')
        self.assertEqual(p['encaps'], [{'primary': True, 'loopback': False, 'ipaddr': '192.0.2.0', 'prefixlen': 31,
                                        'labels': None}])
        self.assertEqual(p['unique'], [p['my_switch_id'], p['ifname'], p['peer_macaddr'], p['peer_switch_id'],
                                       'IPV4ENCAPSULATION'])
        self.assertGreater(a.ctl('show', 'statistics')['daemon']['report_failures'], 0)


class LinksTest(NetnsCase):
    """lsoectl show links on real pairs: the link view of draft section 5 (core/links.c)."""

    def assertLinkAnswer(self, answer, node, peer, port, peer_mac):
        """Every pair has every key, names this session, and the list is in its documented order."""
        for x in answer['links']:
            self.assertEqual(tuple(x), LINK_KEYS)
            self.assertEqual((tuple(x['local']), tuple(x['peer'])), (LINK_END_KEYS, LINK_END_KEYS))
            self.assertEqual((x['port'], x['peer_mac'], x['local_id'], x['peer_id']),
                             (port, peer_mac, node.id(), peer.id()))
            self.assertIn(x['type'], ENCAP_TYPES)

        def order(x):
            return (x['port'].encode(), ENCAP_TYPES.index(x['type']),
                    ipaddress.ip_address(x['local']['address']).packed, x['local']['prefix_len'],
                    ipaddress.ip_address(x['peer']['address']).packed, x['peer']['prefix_len'], x['peer_mac'])
        self.assertEqual(answer['links'], sorted(answer['links'], key=order))

    def links_when(self, node, what, pred, timeout=5.0, step=0.05):
        """node's show links answer, once pred holds for it."""
        def check():
            ans = node.ctl('show', 'links')
            return ans if pred(ans) else None
        return wait_for(what, check, timeout, step)

    def test_links_pair_and_move(self):
        """The /31 and the /127 pair up, mirrored at both ends (link-locals may pair too);
        addresses in different subnets on the two sides make no pair; an address change
        moves the pair within 1 s, and a's monitor streams the links event."""
        a, b, ia, ib = self.pair(a_addrs=A_ADDRS + ['198.51.100.1/24'], b_addrs=B_ADDRS + ['203.0.113.1/24'])
        mac_a, mac_b = a.mac(ia), b.mac(ib)
        la = self.links_when(a, "a's /31 and /127 pairs", lambda x: (
            link_pairs(x, 'IPV4_ENCAP') == [('192.0.2.1', '192.0.2.0')] and
            link_pairs(x, 'IPV6_ENCAP') == [('2001:db8::a', '2001:db8::b')]))
        lb = self.links_when(b, "b's /31 and /127 pairs", lambda x: (
            link_pairs(x, 'IPV4_ENCAP') == [('192.0.2.0', '192.0.2.1')] and
            link_pairs(x, 'IPV6_ENCAP') == [('2001:db8::b', '2001:db8::a')]))
        self.assertLinkAnswer(la, a, b, ia, mac_b)
        self.assertLinkAnswer(lb, b, a, ib, mac_a)
        for ans in (la, lb):
            # No mpls-labels: no MPLS lists. IPv4 still shares the /31, so nothing is incompatible.
            self.assertEqual({x['type'] for x in ans['links']}, {'IPV4_ENCAP', 'IPV6_ENCAP'})
            self.assertEqual(ans['incompatible'], [])
            v4 = [x for x in ans['links'] if x['type'] == 'IPV4_ENCAP'][0]
            self.assertEqual((v4['local']['prefix_len'], v4['peer']['prefix_len'], v4['local']['labels']), (31, 31, []))
        lines = a.text('show', 'links').splitlines()
        self.assertIn('Interface:    %s, via: LSOE' % ia, lines)
        self.assertIn('    IPv4:         192.0.2.1/31 <-> 192.0.2.0/31', lines)

        mon = Monitor(a)
        try:
            time.sleep(0.2)
            t0 = time.monotonic()
            b.ip('addr', 'add', '198.51.100.2/24', 'dev', ib)
            b.ip('addr', 'del', '192.0.2.0/31', 'dev', ib)
            self.links_when(a, "a's IPv4 pair moved", lambda x: link_pairs(x, 'IPV4_ENCAP') == [
                ('198.51.100.1', '198.51.100.2')], 1.0, 0.01)
            moved = time.monotonic() - t0
            lb = self.links_when(b, "b's IPv4 pair moved", lambda x: link_pairs(x, 'IPV4_ENCAP') == [
                ('198.51.100.2', '198.51.100.1')], 1.0, 0.01)

            def event():
                evs = mon.find(lambda e: e.get('event') == 'links' and e.get('type') == 'IPV4_ENCAP')
                return evs and [(p['local']['address'], p['peer']['address']) for p in evs[-1]['links']] == [
                    ('198.51.100.1', '198.51.100.2')] and evs[-1]
            ev = wait_for("a's links event with the new pair", event, 2)
        finally:
            mon.stop()
        print('address change: the pair moved in %.0f ms' % (moved * 1e3), file=sys.stderr)
        self.assertLess(moved, 1.0)
        self.assertEqual((ev['port'], ev['peer_mac'], ev['peer_id'], ev['local_id']), (ia, mac_b, b.id(), a.id()))
        self.assertEqual(ev['links'][0]['local'], {'address': '198.51.100.1', 'prefix_len': 24, 'primary': False,
                                                   'labels': []})
        self.assertEqual(link_pairs(lb, 'IPV6_ENCAP'), [('2001:db8::b', '2001:db8::a')])
        self.assertEqual(lb['incompatible'], [])

    def test_links_incompatible_subnets(self):
        """The ends' only IPv4 addresses share no subnet: no IPv4 link, the type listed as
        incompatible at both ends and counted once; an address in the subnet makes the link."""
        a, b, ia, ib = self.pair(b_addrs=['198.51.100.2/24', '2001:db8::b/127'])
        mac_a, mac_b = a.mac(ia), b.mac(ib)
        inc_a = [{'port': ia, 'peer_mac': mac_b, 'peer_id': b.id(), 'type': 'IPV4_ENCAP'}]
        inc_b = [{'port': ib, 'peer_mac': mac_a, 'peer_id': a.id(), 'type': 'IPV4_ENCAP'}]
        ans = self.links_when(a, 'IPv4 incompatible at a', lambda x: x['incompatible'] == inc_a and link_pairs(
            x, 'IPV6_ENCAP'))
        self.links_when(b, 'IPv4 incompatible at b', lambda x: x['incompatible'] == inc_b)
        self.assertEqual(link_pairs(ans, 'IPV4_ENCAP'), [])
        self.assertEqual(link_pairs(ans, 'IPV6_ENCAP'), [('2001:db8::a', '2001:db8::b')])
        self.assertEqual(list(ans['incompatible'][0]), ['port', 'peer_mac', 'peer_id', 'type'])
        self.assertLinkAnswer(ans, a, b, ia, mac_b)
        st = a.ctl('show', 'statistics')
        counted = st['counters']['links_incompatible']
        self.assertGreaterEqual(counted, 1)
        self.assertEqual([i['counters']['links_incompatible'] for i in st['interfaces'] if i['port'] == ia], [counted])
        self.assertIn('    IPv4:         no common subnet', a.text('show', 'links').splitlines())
        self.assertRegex(a.text('show', 'statistics'), r'\n  links_incompatible +%d\n' % counted)

        b.ip('addr', 'add', '192.0.2.0/31', 'dev', ib)
        self.links_when(a, 'the IPv4 link at a', lambda x: link_pairs(x, 'IPV4_ENCAP') == [
            ('192.0.2.1', '192.0.2.0')] and x['incompatible'] == [], 1.0, 0.01)
        self.links_when(b, 'the IPv4 link at b', lambda x: x['incompatible'] == [], 1.0, 0.01)
        self.assertEqual(a.ctl('show', 'statistics')['counters']['links_incompatible'], counted)

    def test_links_loopbacks_and_labels(self):
        """A loopback address a exposes shows as a's loopback in b's neighbors and never in
        show links, though b has an address in its subnet; MPLS pairs carry each end's labels."""
        a, b, ia, ib = self.pair(
            a_extra='expose-loopback = 198.51.100.1\nmpls-labels = 192.0.2.1=16001 198.51.100.1=16100\n',
            b_extra='mpls-labels = 192.0.2.0=17001/17002\n', b_addrs=B_ADDRS + ['198.51.100.2/24'])
        a.ip('addr', 'add', '198.51.100.1/24', 'dev', 'lo')
        want = [{'type': 'IPV4_ENCAP', 'address': '198.51.100.1', 'prefix_len': 24, 'primary': False, 'labels': []},
                {'type': 'MPLS_IPV4_ENCAP', 'address': '198.51.100.1', 'prefix_len': 24, 'primary': False,
                 'labels': [16100]}]
        wait_for("a's loopbacks in b's neighbors",
                 lambda: [n['loopbacks'] for n in b.established_with(a)] == [want], 5)
        mpls_a = [('192.0.2.1', '192.0.2.0')]
        la = self.links_when(a, "a's MPLS pair", lambda x: link_pairs(x, 'MPLS_IPV4_ENCAP') == mpls_a)
        lb = self.links_when(b, "b's MPLS pair", lambda x: link_pairs(x, 'MPLS_IPV4_ENCAP') == [
            ('192.0.2.0', '192.0.2.1')])
        self.assertLinkAnswer(la, a, b, ia, b.mac(ib))
        self.assertLinkAnswer(lb, b, a, ib, a.mac(ia))
        for ans in (la, lb):
            self.assertEqual([x for x in ans['links'] if '198.51.100.' in x['local']['address'] + x['peer']['address']],
                             [])
            self.assertEqual(len(link_pairs(ans, 'IPV4_ENCAP')), 1)
            self.assertEqual(ans['incompatible'], [])
        self.assertEqual([(x['local']['labels'], x['peer']['labels']) for x in la['links']
                          if x['type'] == 'MPLS_IPV4_ENCAP'], [([16001], [17001, 17002])])
        self.assertEqual([n['loopbacks'] for n in a.established_with(b)], [[]])
        lines = b.text('show', 'neighbors').splitlines()
        at = lines.index('  Loopbacks:')
        self.assertEqual(lines[at + 1:at + 3], ['    IPv4:         198.51.100.1/24',
                                                '    MPLS-IPv4:    198.51.100.1/24 label 16100'])
        self.assertIn('    MPLS-IPv4:    192.0.2.1/31 label 16001 (primary)', a.text('show', 'links').splitlines())


class AttackTest(NetnsCase):
    """Hostile traffic (tools/lsoe-flood) from b's side of the a-b link, onto a's port: a's
    memory stays under its configured caps, the real a-b session stays up on both ends, and
    the drops show in a's counters, in `lsoectl show statistics --json` and in its text."""

    SESSIONS_CAP, REASM_SOURCES, REASM_BYTES = 16, 32, 262144
    CAPS = ('max-sessions-per-port = %d\nreassembly-max-sources = %d\nreassembly-max-bytes = %d\n'
            % (SESSIONS_CAP, REASM_SOURCES, REASM_BYTES))

    def attack(self, kind, count, extra=()):
        """Flood a from b's interface; returns (a's statistics before, after, RSS before, after in kB)."""
        a, b, ia, ib = self.pair(a_extra=self.CAPS)
        mon_a, mon_b = Monitor(a), Monitor(b)
        time.sleep(0.2)
        before, rss0 = a.ctl('show', 'statistics'), a.rss_kb()
        mac_a = a.ip('-j', 'link', 'show', ia)
        mac_a = json.loads(mac_a)[0]['address']
        p = subprocess.run(['ip', 'netns', 'exec', b.ns, FLOOD, '-i', ib, '--kind', kind, '--count', str(count),
                            '--dst', mac_a, *extra], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        print(p.stdout.strip(), file=sys.stderr)
        time.sleep(1.5)  # a keepalive timeout is 3 s: the real session must ride through
        after, rss1 = a.ctl('show', 'statistics'), a.rss_kb()
        try:
            self.assertTrue(a.established_with(b), 'a lost the real session')
            self.assertTrue(b.established_with(a), 'b lost the real session')
            for m, peer in ((mon_a, '00:02'), (mon_b, '00:01')):
                downs = m.find(lambda e: e.get('event') == 'session_down' and e.get('peer_id', '').endswith(peer))
                self.assertEqual(downs, [], 'the real session went down during the flood')
        finally:
            mon_a.stop()
            mon_b.stop()
        mem = after['memory']
        # The engine's memory bound from the caps: the idle base, every session slot
        # used with room for peers' lists, and the whole reassembly budget.
        bound = before['memory']['bytes'] + self.SESSIONS_CAP * 4096 + self.REASM_BYTES
        self.assertLessEqual(mem['peak_bytes'], bound, mem)
        self.assertLessEqual(mem['sessions'], self.SESSIONS_CAP, mem)
        if not VALGRIND:  # valgrind's own memory would hide the daemon's
            self.assertLess(rss1 - rss0, 4096, 'RSS grew by %d kB' % (rss1 - rss0))
        print('%s flood: engine peak %d bytes (bound %d), %d sessions, RSS %d -> %d kB' % (
            kind, mem['peak_bytes'], bound, mem['sessions'], rss0, rss1), file=sys.stderr)
        text = subprocess.run(['ip', 'netns', 'exec', a.ns, LSOECTL, '-s', a.sock, 'show', 'statistics'],
                              capture_output=True, text=True, timeout=10).stdout
        # What the kernel dropped (receive buffer full) is counted too, and shown.
        kdrop = after['daemon']['rx_kernel_dropped'] - before['daemon']['rx_kernel_dropped']
        self.assertShown(text, 'rx_kernel_dropped', kdrop)
        self.reached = count - kdrop  # the frames the engine saw
        self.assertGreater(self.reached, count // 4, 'the kernel dropped %d of %d frames' % (kdrop, count))
        return before['counters'], after['counters'], text

    def most(self):
        """Nearly every frame that reached the engine (a few are the real peer's or in flight)."""
        return int(self.reached * 0.95)

    def grew(self, before, after, *path):
        b, a = before, after
        for k in path:
            b, a = b[k], a[k]
        return a - b

    def assertShown(self, text, name, n):
        """The text of show statistics names the counter with at least n."""
        m = re.search(r'\b%s\b\D*(\d+)' % re.escape(name), text)
        self.assertTrue(m, 'show statistics does not show %s:\n%s' % (name, text))
        self.assertGreaterEqual(int(m.group(1)), n, text)

    def test_spoofed_source_flood(self):
        b, a, text = self.attack('hello', 20000)
        self.assertGreaterEqual(self.grew(b, a, 'rx_by_type', 'HELLO'), self.most())
        refused = self.grew(b, a, 'sessions_refused')
        self.assertGreater(refused, self.most())
        self.assertShown(text, 'sessions_refused', refused)

    def test_open_flood_from_new_macs(self):
        b, a, text = self.attack('open', 20000)
        self.assertGreaterEqual(self.grew(b, a, 'rx_by_type', 'OPEN'), self.most())
        refused = self.grew(b, a, 'sessions_refused')
        self.assertGreater(refused, self.most())
        self.assertLessEqual(self.grew(b, a, 'sessions_created'), self.SESSIONS_CAP)
        self.assertShown(text, 'sessions_refused', refused)

    def test_reassembly_flood(self):
        b, a, text = self.attack('reasm', 20000)
        full = sum(self.grew(b, a, 'rx_errors', k) for k in
                   ('reassembly_table_full', 'reassembly_total_limit', 'reassembly_source_limit'))
        self.assertGreater(full, self.most())
        self.assertShown(text, 'reassembly_table_full', 1)

    def test_giant_claimed_lengths(self):
        b, a, text = self.attack('giant', 20000)
        for k in ('datagram_truncated', 'pdu_length_mismatch', 'encap_truncated'):
            self.assertGreaterEqual(self.grew(b, a, 'rx_errors', k), self.most() // 4, k)
            self.assertShown(text, k, self.most() // 4)

    def test_unknown_type_storm(self):
        b, a, text = self.attack('unknown', 20000)
        n = self.grew(b, a, 'rx_errors', 'pdu_unknown_type')
        self.assertGreaterEqual(n, self.most())
        self.assertShown(text, 'pdu_unknown_type', n)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--lsoed', required=True)
    ap.add_argument('--lsoectl', required=True)
    ap.add_argument('--pcap-send')
    ap.add_argument('--flood')
    ap.add_argument('--valgrind', help='run every daemon under this valgrind (memcheck)')
    ap.add_argument('--data', required=True)
    a, rest = ap.parse_known_args()
    LSOED, LSOECTL, PCAPSEND, FLOOD, DATA, VALGRIND = a.lsoed, a.lsoectl, a.pcap_send, a.flood, a.data, a.valgrind
    if os.geteuid() != 0 or subprocess.run(['ip', 'netns', 'list'], capture_output=True).returncode != 0:
        print('skipped: needs root and ip netns')
        sys.exit(SKIP)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
