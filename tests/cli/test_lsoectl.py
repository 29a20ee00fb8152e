#!/usr/bin/env python3
"""lsoectl and the control socket server (ports/linux/ctl.c), as a user drives them.

lsoed is not needed: tests/linux/ctl_test_server runs ctl.c on its own epoll loop with
canned answers rendered by the real schema functions (and "show links" by lsoed's own
links_view), and broadcasts a session_up, an encaps, a links and a session_down event, one
every 100 ms, in a cycle. Misbehaving daemons
are Python threads on a Unix socket.
"""
import argparse
import configparser
import json
import os
import resource
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

LSOECTL = SERVER = None
SESSION_KEYS = ('port', 'port_id', 'peer_mac', 'peer_id', 'state', 'held', 'uptime', 'since', 'last_rx',
                'attributes', 'our_nonce', 'peer_nonce', 'retransmits', 'encaps')
ENCAP_TYPES = ('IPV4_ENCAP', 'IPV6_ENCAP', 'MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP')
LINK_KEYS = ('port', 'peer_mac', 'local_id', 'peer_id', 'type', 'local', 'peer')
LINK_END_KEYS = ('address', 'prefix_len', 'primary', 'labels')
PORT_KEYS = ('port', 'port_id', 'mac', 'up', 'loopback', 'mtu', 'sessions', 'encap_types', 'counters',
             'ifindex', 'announced')
BGP_PEER_KEYS = ('peer', 'state', 'uptime', 'links_advertised', 'updates_sent', 'withdrawals_sent', 'last_error',
                 'peer_as', 'local_as', 'safi', 'hold_time', 'router_id', 'connects', 'notifications_received',
                 'notifications_sent')
BGP_STATES = ('idle', 'connect', 'opensent', 'openconfirm', 'established')
BGP_COUNTERS = ('connects', 'established', 'messages_sent', 'messages_received', 'updates_sent', 'withdrawals_sent',
                'notifications_sent', 'notifications_received', 'rx_errors', 'links_advertised', 'links_pending')
RULE = '-' * 79
# lsoectl show bgp's text for the test server's two peers (README, lsoectl(8)).
BGP_TEXT = [
    RULE, 'BGP-LS peers:', RULE,
    'Peer: 127.0.0.1:1790',
    '  State:        established, up 12.5 s',
    '  AS:           local 65000, peer 65000 (iBGP), SAFI 71',
    '  Router-ID:    192.0.2.254',
    '  Hold time:    90 s',
    '  Links:        2 advertised',
    '  Sent:         3 updates, 1 withdrawals, 0 notifications',
    '  Received:     0 notifications',
    '  Connects:     1',
    '  Last error:   (none)',
    RULE,
    'Peer: [2001:db8::1]:179',
    '  State:        connect',
    '  AS:           local 65000, peer 4200000000 (eBGP), SAFI 80',
    '  Router-ID:    (not known yet)',
    '  Hold time:    (not negotiated yet)',
    '  Links:        0 advertised',
    '  Sent:         0 updates, 0 withdrawals, 0 notifications',
    '  Received:     0 notifications',
    '  Connects:     3',
    '  Last error:   connect: Connection refused',
    RULE]
# A daemon's show statistics with a bgp-ls-peer configured (the node's counters cut short).
STATS_WITH_BGP = {
    'node': 'leaf1',
    'counters': {'rx_frames': 5, 'rx_errors': {'bad_checksum': 0}},
    'memory': {'bytes': 100},
    'daemon': {'tx_dropped': 0, 'rx_vlan_skipped': 0, 'netlink_resyncs': 1},
    'bgp': {'connects': 2, 'established': 1, 'messages_sent': 9, 'messages_received': 7, 'updates_sent': 4,
            'withdrawals_sent': 1, 'notifications_sent': 0, 'notifications_received': 1, 'rx_errors': 0,
            'links_advertised': 3, 'links_pending': 18446744073709551615},
    'interfaces': [{'port': 'eth0', 'counters': {'rx_frames': 5}}]}


def start_server(path, *extra, nofile=None):
    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    p = subprocess.Popen([SERVER, path, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=limit if nofile else None)
    line = p.stdout.readline()
    if line.strip() != b'ready':
        p.kill()
        _, err = p.communicate()
        raise RuntimeError('ctl_test_server did not start: %r %r' % (line, err))
    return p


def sanitizer_report(err):
    return 'ERROR: AddressSanitizer' in err or 'ERROR: LeakSanitizer' in err or 'runtime error:' in err


def stop_server(p):
    """Stop it; its stderr. It must exit 0 (a sanitizer report makes it exit otherwise)."""
    if p.poll() is None:
        p.terminate()
    try:
        _, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    err = err.decode(errors='replace')
    if p.returncode != 0 or sanitizer_report(err):
        raise AssertionError('ctl_test_server exited %s: %s' % (p.returncode, err))
    return err


def kill(p):
    p.kill()
    p.communicate()


def ctl(*args, timeout=20):
    p = subprocess.run([LSOECTL, *args], capture_output=True, timeout=timeout)
    err = p.stderr.decode(errors='replace')
    if sanitizer_report(err):
        raise AssertionError('lsoectl %s: %s' % (' '.join(args), err))
    return p.returncode, p.stdout.decode(errors='replace'), err


def raw(path, data, shut=False, timeout=10):
    """Send data, read until the server closes; the whole answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    out = b''
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except ConnectionResetError:
        pass
    s.close()
    return out


def read_lines(f, n, timeout=5.0):
    lines, end = [], time.time() + timeout
    while len(lines) < n:
        left = end - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([f], [], [], left)
        if not r:
            break
        line = f.readline()
        if not line:
            break
        lines.append(line.decode())
    return lines


class ServerCase(unittest.TestCase):
    """One ctl_test_server per test class, on a socket in a private directory."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='lsoectl-')
        cls.sock = os.path.join(cls.dir, 'lsoed.sock')
        cls.server = start_server(cls.sock)

    @classmethod
    def tearDownClass(cls):
        stop_server(cls.server)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def tearDown(self):
        self.assertIsNone(self.server.poll(), 'the server died')

    def show_json(self, what):
        rc, out, err = ctl('-s', self.sock, 'show', what, '--json')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.count('\n'), 1, 'one line, one object')
        return json.loads(out)

    def human(self, *args):
        rc, out, err = ctl('-s', self.sock, *args)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, '')
        return out


class Show(ServerCase):
    def test_neighbors_json(self):
        d = self.show_json('neighbors')
        self.assertEqual(list(d), ['neighbors'])
        ns = d['neighbors']
        self.assertEqual(len(ns), 3)
        for n in ns:
            for k in SESSION_KEYS:
                self.assertIn(k, n)
            self.assertIn(n['state'], ('opening', 'established'))
            self.assertEqual(sorted(n['encaps']), sorted(ENCAP_TYPES))
        est = [n for n in ns if n['state'] == 'established']
        self.assertEqual(len(est), 1)
        b = est[0]
        self.assertEqual((b['port'], b['peer_mac'], b['peer_id']),
                         ('eth0', '02:00:00:00:00:0b', '00:11:22:33:44:55:66:77:88:02'))
        self.assertEqual([(e['address'], e['prefix_len'], e['primary']) for e in b['encaps']['IPV4_ENCAP']],
                         [('192.0.2.0', 31, True)])
        self.assertEqual([(e['address'], e['prefix_len'], e['primary']) for e in b['encaps']['IPV6_ENCAP']],
                         [('2001:db8::b', 127, True), ('fe80::ff:fe00:b', 64, False)])
        self.assertEqual(b['uptime'], 312)
        opening = [n for n in ns if n['state'] == 'opening' and not n['held']]
        self.assertEqual([n['peer_mac'] for n in opening], ['02:00:00:00:00:0c'])
        self.assertEqual(opening[0]['peer_id'], '')
        held = [n for n in ns if n['held']]
        self.assertEqual([(n['peer_mac'], n['state']) for n in held], [('02:00:00:00:00:0d', 'opening')])
        # The peer's own addresses (flag Loopback), apart from its link addresses.
        self.assertEqual([n['loopbacks'] for n in ns], [[], [], [
            {'type': 'MPLS_IPV4_ENCAP', 'address': '10.0.0.1', 'prefix_len': 32, 'primary': False,
             'labels': [16001, 16002]}]])

    def test_links_json(self):
        d = self.show_json('links')
        self.assertEqual(list(d), ['links', 'incompatible'])
        for x in d['links']:
            self.assertEqual(tuple(x), LINK_KEYS)
            self.assertEqual(tuple(x['local']), LINK_END_KEYS)
            self.assertEqual(tuple(x['peer']), LINK_END_KEYS)
            self.assertEqual(x['local_id'], '00:11:22:33:44:55:66:77:88:01')
        # Sorted by port, type, then our address: whatever order the sessions came in.
        self.assertEqual([(x['port'], x['peer_mac'], x['type'], x['local']['address'], x['local']['prefix_len'],
                           x['peer']['address'], x['peer']['prefix_len']) for x in d['links']], [
            ('eth0', '02:00:00:00:00:0b', 'IPV4_ENCAP', '192.0.2.1', 31, '192.0.2.0', 31),
            ('eth0', '02:00:00:00:00:0b', 'IPV6_ENCAP', '2001:db8::a', 127, '2001:db8::b', 127),
            ('eth0', '02:00:00:00:00:0b', 'IPV6_ENCAP', 'fe80::ff:fe00:a', 64, 'fe80::ff:fe00:b', 64),
            ('eth0', '02:00:00:00:00:0b', 'MPLS_IPV4_ENCAP', '192.0.2.1', 31, '192.0.2.0', 31)])
        self.assertEqual(d['links'][0]['peer_id'], '00:11:22:33:44:55:66:77:88:02')
        self.assertEqual((d['links'][0]['local']['primary'], d['links'][0]['peer']['primary']), (True, True))
        mpls = d['links'][3]
        self.assertEqual((mpls['local']['labels'], mpls['peer']['labels']), ([16001, 16002], [17001]))
        self.assertEqual(d['incompatible'], [{'port': 'eth1', 'peer_mac': '02:00:00:00:00:0e',
                                              'peer_id': '00:11:22:33:44:55:66:77:88:05', 'type': 'IPV4_ENCAP'}])

    def test_links_human(self):
        lines = self.human('show', 'links').splitlines()
        rule = '-' * 79
        self.assertEqual(lines, [
            rule, 'LSOE links:', rule,
            'Interface:    eth0, via: LSOE',
            '  Peer:',
            '    MAC:          02:00:00:00:00:0b',
            '    ID:           00:11:22:33:44:55:66:77:88:02',
            '  Local ID:     00:11:22:33:44:55:66:77:88:01',
            '  Links:',
            '    IPv4:         192.0.2.1/31 (primary) <-> 192.0.2.0/31 (primary)',
            '    IPv6:         2001:db8::a/127 (primary) <-> 2001:db8::b/127 (primary)',
            '                  fe80::ff:fe00:a/64 <-> fe80::ff:fe00:b/64',
            '    MPLS-IPv4:    192.0.2.1/31 label 16001/16002 (primary)',   # too long for one line
            '                  <-> 192.0.2.0/31 label 17001',
            rule,
            'Interface:    eth1, via: LSOE',
            '  Peer:',
            '    MAC:          02:00:00:00:00:0e',
            '    ID:           00:11:22:33:44:55:66:77:88:05',
            '  Local ID:     00:11:22:33:44:55:66:77:88:01',
            '  Links:',
            '    IPv4:         no common subnet',
            rule])
        self.assertTrue(all(len(l) <= 79 for l in lines))

    def test_interfaces_json(self):
        d = self.show_json('interfaces')
        self.assertEqual(list(d), ['interfaces'])
        self.assertEqual([p['port'] for p in d['interfaces']], ['eth0', 'eth1'])
        for p in d['interfaces']:
            for k in PORT_KEYS:
                self.assertIn(k, p)
            self.assertEqual(sorted(p['announced']), sorted(ENCAP_TYPES))
            self.assertIn('rx_errors', p['counters'])
        eth0 = d['interfaces'][0]
        self.assertEqual((eth0['ifindex'], eth0['mac'], eth0['up'], eth0['mtu']), (2, '02:00:00:00:00:0a', True, 1500))
        self.assertEqual(eth0['announced']['IPV4_ENCAP'][0]['address'], '192.0.2.1')

    def test_statistics_json(self):
        d = self.show_json('statistics')
        self.assertEqual(sorted(d), ['counters', 'interfaces', 'memory', 'node'])
        self.assertEqual(d['node'], 'test-node')
        for k in ('rx_frames', 'tx_frames', 'rx_errors', 'rx_by_type', 'tx_by_type', 'sessions_down'):
            self.assertIn(k, d['counters'])
        self.assertEqual(d['counters']['alloc_failures'], 2 ** 64 - 1)   # 64 bits, exactly
        self.assertEqual(sorted(d['memory']), ['bytes', 'peak_bytes', 'ports', 'sessions', 'timers_armed'])
        self.assertEqual([(i['port'], sorted(i)) for i in d['interfaces']],
                         [('eth0', ['counters', 'port']), ('eth1', ['counters', 'port'])])

    def test_bgp_json(self):
        d = self.show_json('bgp')
        self.assertEqual(list(d), ['peers'])
        self.assertEqual(len(d['peers']), 2)
        for p in d['peers']:
            self.assertEqual(tuple(p), BGP_PEER_KEYS)
            self.assertIn(p['state'], BGP_STATES)
        a, b = d['peers']
        self.assertEqual(a, {'peer': '127.0.0.1:1790', 'state': 'established', 'uptime': 12.5, 'links_advertised': 2,
                             'updates_sent': 3, 'withdrawals_sent': 1, 'last_error': '', 'peer_as': 65000,
                             'local_as': 65000, 'safi': 71, 'hold_time': 90, 'router_id': '192.0.2.254',
                             'connects': 1, 'notifications_received': 0, 'notifications_sent': 0})
        self.assertEqual((b['state'], b['uptime'], b['router_id'], b['hold_time'], b['last_error']),
                         ('connect', 0, '', 0, 'connect: Connection refused'))

    def test_bgp_human(self):
        lines = self.human('show', 'bgp').splitlines()
        self.assertEqual(lines, BGP_TEXT)

    def test_bgp_rejects_dot_and_words(self):
        for args in (['show', 'bgp', '--dot'], ['show', 'bgp', 'now']):
            rc, out, err = ctl('-s', self.sock, *args)
            self.assertEqual((rc, out), (2, ''), args)

    def test_config_json(self):
        d = self.show_json('config')
        self.assertEqual(list(d), ['config'])
        c = d['config']
        self.assertEqual(c['name'], 'test-node')
        self.assertEqual(c['hello-interval'], '30')
        for k in ('control-socket', 'control-socket-mode', 'keepalive-receive-timeout', 'log-level'):
            self.assertIn(k, c)
        self.assertTrue(all(isinstance(v, str) for v in c.values()))

    def test_topology_json(self):
        d = self.show_json('topology')
        self.assertEqual(sorted(d), ['local_id', 'neighbors', 'node'])
        self.assertEqual(d['local_id'], '00:11:22:33:44:55:66:77:88:01')
        self.assertEqual(len(d['neighbors']), 3)

    def test_neighbors_human(self):
        out = self.human('show', 'neighbors')
        lines = out.splitlines()
        rule = '-' * 79
        self.assertEqual(lines[:3], [rule, 'LSOE neighbors:', rule])
        self.assertEqual(lines[-1], rule)
        for want in ('Interface:    eth0, via: LSOE, Time: 0 day, 00:05:12',
                     '  Peer:',
                     '    MAC:          02:00:00:00:00:0b',
                     '    ID:           00:11:22:33:44:55:66:77:88:02',
                     '    State:        established',
                     '    Attributes:   1, 2',
                     '  Encapsulations:',
                     '    IPv4:         192.0.2.0/31 (primary)',
                     '    IPv6:         2001:db8::b/127 (primary), fe80::ff:fe00:b/64',
                     '    MPLS-IPv6:    (none)',
                     '    MAC:          02:00:00:00:00:0c',
                     '    State:        opening',
                     '    MPLS-IPv4:    10.0.0.1/32 label 16001/16002 (loopback)'):
            self.assertIn(want, lines)
        self.assertTrue(any(l.startswith('    State:        held') for l in lines), out)
        # Loopbacks: one line per type for the held peer D, "(none)" for B and C.
        self.assertEqual(lines.count('  Loopbacks:    (none)'), 2)
        at = lines.index('  Loopbacks:')
        self.assertEqual(lines[at + 1:at + 3], ['    MPLS-IPv4:    10.0.0.1/32 label 16001/16002', rule])
        self.assertEqual(lines.count(rule), 2 + 3)

    def test_interfaces_human(self):
        lines = self.human('show', 'interfaces').splitlines()
        for want in ('LSOE interfaces:',
                     'Interface:    eth0, ifindex: 2',
                     '  MAC:          02:00:00:00:00:0a',
                     '  State:        up',
                     '  MTU:          1500',
                     '  Sessions:     1',
                     '    IPv4:         192.0.2.1/31 (primary)',
                     'Interface:    eth1, ifindex: 3',
                     '  State:        down',
                     '  MTU:          9000'):
            self.assertIn(want, lines)

    def test_statistics_human(self):
        lines = self.human('show', 'statistics').splitlines()
        self.assertIn('LSOE statistics: node test-node', lines)
        for want in ('  rx_frames                125',
                     '  alloc_failures           18446744073709551615',
                     '  rx_errors:',
                     '    bad_checksum           3',
                     'Interface:    eth0',
                     '  rx_frames                120',
                     'Interface:    eth1'):
            self.assertIn(want, lines)
        # rx_errors: the non-zero ones only
        self.assertNotIn('frame_short', '\n'.join(lines))
        # No bgp-ls-peer configured: no "bgp" object, no BGP-LS block.
        self.assertNotIn('bgp', self.show_json('statistics'))
        self.assertNotIn('BGP-LS export:', lines)

    def test_config_is_ini(self):
        out = self.human('show', 'config')
        self.assertTrue(out.startswith('[lsoed]\n'), out[:40])
        cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=None)
        cp.read_string(out)
        sect = cp['lsoed']
        want = self.show_json('config')['config']
        self.assertNotIn('report-rfc7752-url', sect)   # an alias: its key is there
        for k, v in want.items():
            if k == 'report-rfc7752-url':
                continue
            self.assertEqual(sect[k], v, k)
        self.assertIn('name = test-node', out.splitlines())

    def test_topology_dot(self):
        out = self.human('show', 'topology', '--dot')
        self.assertRegex(out.splitlines()[0], r'^(di)?graph \w+ \{$')
        self.assertEqual(out.splitlines()[-1], '}')
        self.assertEqual(out.count('{'), out.count('}'))
        for line in out.splitlines():
            self.assertEqual(line.replace('\\"', '').count('"') % 2, 0, line)
        for want in ('test-node', '00:11:22:33:44:55:66:77:88:01', '00:11:22:33:44:55:66:77:88:02',
                     '02:00:00:00:00:0b', '02:00:00:00:00:0c', '192.0.2.0/31', 'color=green', 'color=orange',
                     'color=red'):
            self.assertIn(want, out)
        self.assertEqual(out.count(' -- '), 3)     # one edge per session
        if shutil.which('dot'):
            p = subprocess.run(['dot', '-Tsvg'], input=out.encode(), capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)

    def test_topology_human(self):
        lines = self.human('show', 'topology').splitlines()
        self.assertIn('Node:         test-node, ID: 00:11:22:33:44:55:66:77:88:01', lines)
        self.assertTrue(any('00:11:22:33:44:55:66:77:88:02 (02:00:00:00:00:0b), established' in l for l in lines))

    def test_socket_option_forms(self):
        for args in (['-s', self.sock, 'show', 'config'], ['-s' + self.sock, 'show', 'config'],
                     ['--socket', self.sock, 'show', 'config'], ['--socket=' + self.sock, 'show', 'config'],
                     ['show', 'config', '-s', self.sock]):
            rc, out, err = ctl(*args)
            self.assertEqual(rc, 0, (args, err))
            self.assertTrue(out.startswith('[lsoed]'))


class Monitor(ServerCase):
    def test_monitor_json(self):
        p = subprocess.Popen([LSOECTL, '-s', self.sock, 'monitor', '--json'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            lines = read_lines(p.stdout, 4)
            self.assertEqual(len(lines), 4, lines)
            evs = [json.loads(l) for l in lines]
            self.assertEqual(sorted(e['event'] for e in evs), ['encaps', 'links', 'session_down', 'session_up'])
            for e in evs:
                for k in ('time', 'node', 'event', 'port', 'port_id', 'peer_mac', 'peer_id'):
                    self.assertIn(k, e)
                self.assertEqual(e['node'], 'test-node')
            time.sleep(0.3)
            self.assertIsNone(p.poll(), 'monitor keeps running')
        finally:
            kill(p)

    def test_monitor_human(self):
        p = subprocess.Popen([LSOECTL, '-s', self.sock, 'monitor'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            lines = read_lines(p.stdout, 4)
            self.assertEqual(len(lines), 4, lines)
            text = ''.join(lines)
            self.assertRegex(text, r'session_up +eth0 +02:00:00:00:00:0b +peer 00:11:22:33:44:55:66:77:88:02')
            self.assertRegex(text, r'encaps +eth0 +02:00:00:00:00:0b +IPv6: 2001:db8::b/127 \(primary\), '
                                   r'fe80::ff:fe00:b/64')
            self.assertRegex(text, r'session_down +eth0 +02:00:00:00:00:0b +reason keepalive_timeout')
            self.assertRegex(text, r'links +eth0 +02:00:00:00:00:0b +IPv6: 2001:db8::a/127 \(primary\) <-> '
                                   r'2001:db8::b/127 \(primary\), fe80::ff:fe00:a/64 <-> fe80::ff:fe00:b/64\n')
            self.assertIsNone(p.poll())
        finally:
            kill(p)

    def test_two_monitors_and_a_show(self):
        ps = [subprocess.Popen([LSOECTL, '-s', self.sock, 'monitor', '--json'], stdout=subprocess.PIPE)
              for _ in range(2)]
        try:
            rc, out, _ = ctl('-s', self.sock, 'show', 'neighbors', '--json')
            self.assertEqual(rc, 0)
            for p in ps:
                self.assertEqual(len(read_lines(p.stdout, 2)), 2)
        finally:
            for p in ps:
                kill(p)

    def test_slow_monitor_is_dropped(self):
        """A monitor that does not read is dropped past CTL_OUTPUT_MAX; the others go on."""
        slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        slow.connect(self.sock)
        slow.sendall(b'monitor\n')
        time.sleep(0.2)
        ans = json.loads(raw(self.sock, b'show flood\n'))
        self.assertGreater(ans['flooded'], 500)
        got, end = 0, time.time() + 10
        slow.settimeout(10)
        while time.time() < end:
            d = slow.recv(1 << 20)
            if not d:
                break
            got += len(d)
        else:
            self.fail('the slow monitor was not dropped')
        self.assertLess(got, 6 * 1024 * 1024)
        slow.close()
        self.assertTrue(raw(self.sock, b'show config\n').startswith(b'{"config":'))


class Protocol(ServerCase):
    """The server side, through raw sockets."""

    def assertError(self, answer, text=None):
        self.assertTrue(answer.endswith(b'\n'), answer)
        self.assertEqual(answer.count(b'\n'), 1)
        d = json.loads(answer)
        self.assertEqual(list(d), ['error'])
        if text:
            self.assertIn(text, d['error'])
        return d['error']

    def still_serving(self):
        self.assertTrue(raw(self.sock, b'show neighbors\n').startswith(b'{"neighbors":['))

    def test_unknown_request(self):
        e = self.assertError(raw(self.sock, b'frobnicate\n'), "unknown request 'frobnicate'")
        self.assertRegex(e, r'try: show neighbors\|links\|(bgp\|)?interfaces\|statistics\|config\|topology, monitor')
        self.still_serving()
        self.assertError(raw(self.sock, b'show nothing\n'), "'show nothing'")
        self.assertError(raw(self.sock, b'show\n'), 'unknown request')
        self.assertError(raw(self.sock, b'\x00\xff\x1b[2J\n'), 'unknown request')
        self.still_serving()

    def test_whitespace_and_cr(self):
        self.assertTrue(raw(self.sock, b'  show \t neighbors \r\n').startswith(b'{"neighbors":'))

    def test_no_final_newline(self):
        self.assertTrue(raw(self.sock, b'show config', shut=True).startswith(b'{"config":'))

    def test_oversized_request(self):
        self.assertError(raw(self.sock, b'x' * 2000), 'too long')
        self.still_serving()
        self.assertError(raw(self.sock, b'show ' + b'n' * 1100 + b'\n'), 'too long')
        self.still_serving()

    def test_too_many_clients(self):
        conns = []
        try:
            for _ in range(70):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock)
                conns.append(s)
            time.sleep(0.3)
            refused = 0
            for s in conns:
                s.setblocking(False)
                try:
                    d = s.recv(4096)
                except BlockingIOError:
                    continue
                if d:
                    self.assertError(d, 'too many clients')
                    refused += 1
            self.assertEqual(refused, 70 - 64)
            self.assertIsNone(self.server.poll())
        finally:
            for s in conns:
                s.close()
        time.sleep(0.2)
        self.still_serving()

    def test_client_gone_before_answer(self):
        for _ in range(20):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.sock)
            s.sendall(b'show big\n')
            s.close()
        self.still_serving()

    def test_big_answer_read_slowly(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock)
        s.sendall(b'show big\n')
        time.sleep(0.5)          # the answer waits in the server (EPOLLOUT)
        self.still_serving()     # meanwhile others are served
        out = b''
        s.settimeout(10)
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
            time.sleep(0.001)
        s.close()
        self.assertGreater(len(out), 1000000)
        self.assertEqual(out.count(b'\n'), 1)
        self.assertEqual(len(json.loads(out)['neighbors']), 3000)

    def test_answer_too_large(self):
        self.assertError(raw(self.sock, b'show huge\n'), 'answer too large')
        self.still_serving()

    def test_too_many_links(self):
        """show links collects at most what one answer could hold, then refuses."""
        e = self.assertError(raw(self.sock, b'show manylinks\n'), 'answer too large: more than ')
        self.assertIn('links', e)
        self.still_serving()

    def test_answers_are_valid_json(self):
        self.assertEqual(json.loads(raw(self.sock, b'show badutf8\n')), {'port': 'eth??(x'})
        self.assertError(raw(self.sock, b'show broken\n'), 'internal error')
        self.still_serving()

    def test_idle_client_is_dropped(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock)
        s.settimeout(15)
        t0 = time.time()
        d = s.recv(4096)
        self.assertError(d, 'no request within')
        self.assertGreater(time.time() - t0, 8)
        self.assertEqual(s.recv(4096), b'')
        s.close()


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='lsoectl-')
        self.sock = os.path.join(self.dir, 'lsoed.sock')

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_mode_and_unlink(self):
        p = start_server(self.sock)
        try:
            self.assertTrue(stat.S_ISSOCK(os.lstat(self.sock).st_mode))
            self.assertEqual(stat.S_IMODE(os.lstat(self.sock).st_mode), 0o660)
        finally:
            stop_server(p)
        self.assertFalse(os.path.exists(self.sock), 'ctl_close removes the socket')
        p = start_server(self.sock, '0600')
        try:
            self.assertEqual(stat.S_IMODE(os.lstat(self.sock).st_mode), 0o600)
        finally:
            stop_server(p)

    def test_stale_socket_replaced(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(self.sock)
        s.close()                       # a socket file nobody listens on
        p = start_server(self.sock)
        try:
            rc, out, err = ctl('-s', self.sock, 'show', 'config')
            self.assertEqual(rc, 0, err)
        finally:
            stop_server(p)

    def test_live_socket_not_stolen(self):
        p = start_server(self.sock)
        try:
            q = subprocess.run([SERVER, self.sock], capture_output=True, timeout=10)
            self.assertEqual(q.returncode, 1)
            self.assertIn('another process is listening', q.stderr.decode())
            rc, _, err = ctl('-s', self.sock, 'show', 'config')
            self.assertEqual(rc, 0, err)
        finally:
            stop_server(p)

    def test_reopen_under_load(self):
        """SIGHUP makes the server ctl_close and ctl_open from inside its event batch, as a
        reload does, while clients come and go: it must survive (and be clean under ASan)."""
        p = start_server(self.sock)
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                        s.settimeout(2)
                        s.connect(self.sock)
                        s.sendall(b'show big\n' if time.time() % 1 < 0.5 else b'monitor\n')
                        s.recv(1000)
                except OSError:
                    time.sleep(0.001)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        try:
            for t in threads:
                t.start()
            for _ in range(30):
                p.send_signal(signal.SIGHUP)
                time.sleep(0.02)
            stop.set()
            for t in threads:
                t.join(10)
            self.assertIsNone(p.poll(), 'the server died')
            # A SIGHUP still pending (a loaded machine) closes the listening socket and resets
            # what waits in its backlog: that is the reopen's doing, so retry until it settles.
            deadline = time.monotonic() + 10
            while True:
                rc, out, err = ctl('-s', self.sock, 'show', 'config')
                if rc == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.assertEqual(rc, 0, err)
            self.assertIsNone(p.poll(), 'the server died')
        finally:
            stop.set()
            stop_server(p)

    def test_out_of_descriptors(self):
        """With few descriptors, connections beyond them are refused, not left to spin the loop."""
        p = start_server(self.sock, nofile=24)
        conns = []
        try:
            for _ in range(40):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock)
                conns.append(s)
            time.sleep(0.3)
            texts = []
            for s in conns:
                s.setblocking(False)
                try:
                    d = s.recv(4096)
                except BlockingIOError:
                    continue
                if d:
                    texts.append(json.loads(d)['error'])
            self.assertIn('lsoed is out of file descriptors', texts)

            def cpu():
                with open('/proc/%d/stat' % p.pid) as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
            c0 = cpu()
            time.sleep(1)
            self.assertLess(cpu() - c0, 0.5, 'the server spins')
        finally:
            for s in conns:
                s.close()
        try:
            time.sleep(0.2)
            rc, _, err = ctl('-s', self.sock, 'show', 'config')
            self.assertEqual(rc, 0, err)
        finally:
            stop_server(p)

    def test_not_a_socket_refused(self):
        with open(self.sock, 'w') as f:
            f.write('precious\n')
        q = subprocess.run([SERVER, self.sock], capture_output=True, timeout=10)
        self.assertEqual(q.returncode, 1)
        self.assertIn('not a socket', q.stderr.decode())
        self.assertIn(self.sock, q.stderr.decode())
        with open(self.sock) as f:
            self.assertEqual(f.read(), 'precious\n')


class FakeDaemon(threading.Thread):
    """A Unix socket server answering every request with `answer` (None: nothing, keep open;
    b'': close at once)."""

    def __init__(self, path, answer):
        super().__init__(daemon=True)
        self.path, self.answer = path, answer
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(8)
        self.srv.settimeout(0.2)
        self.stop = False
        self.held = []

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
                c.recv(4096)
                if self.answer is None:
                    self.held.append(c)
                    continue
                c.sendall(self.answer)
            except OSError:
                pass
            c.close()

    def close(self):
        self.stop = True
        self.join(2)
        self.srv.close()
        for c in self.held:
            c.close()
        os.unlink(self.path)


class Errors(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='lsoectl-')
        self.sock = os.path.join(self.dir, 'fake.sock')

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fake(self, answer, *args):
        d = FakeDaemon(self.sock, answer)
        d.start()
        try:
            return ctl('-s', self.sock, *args)
        finally:
            d.close()

    def test_no_socket(self):
        path = os.path.join(self.dir, 'missing.sock')
        rc, out, err = ctl('-s', path, 'show', 'neighbors')
        self.assertEqual(rc, 2)
        self.assertIn(path, err)
        self.assertIn('not seem to be running', err)
        self.assertEqual(out, '')

    def test_refused(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(self.sock)
        s.close()
        rc, _, err = ctl('-s', self.sock, 'show', 'neighbors')
        self.assertEqual(rc, 2)
        self.assertIn(self.sock, err)
        self.assertIn('Connection refused', err)

    def test_not_a_socket(self):
        with open(self.sock, 'w'):
            pass
        rc, _, err = ctl('-s', self.sock, 'show', 'neighbors')
        self.assertEqual(rc, 2)
        self.assertIn(self.sock, err)

    def test_garbage(self):
        rc, out, err = self.fake(b'not json\n', 'show', 'neighbors')
        self.assertEqual(rc, 1)
        self.assertIn('not JSON', err)
        self.assertEqual(out, '')

    def test_garbage_json_too(self):
        rc, out, err = self.fake(b'not json\n', 'show', 'neighbors', '--json')
        self.assertEqual((rc, out), (1, ''))
        self.assertIn('not JSON', err)

    def test_garbage_monitor(self):
        rc, _, err = self.fake(b'{"time":1,"node":"x","event":"session_up"}\n\x01\x02garbage\n', 'monitor')
        self.assertEqual(rc, 1)
        self.assertIn('not valid', err)

    def test_not_an_object(self):
        rc, _, err = self.fake(b'[1,2,3]\n', 'show', 'config')
        self.assertEqual(rc, 1)
        self.assertIn('not a JSON object', err)

    def test_wrong_shape(self):
        rc, _, err = self.fake(b'{"neighbors":"many"}\n', 'show', 'neighbors')
        self.assertEqual(rc, 1)
        self.assertIn('unexpected answer', err)
        # wrong types inside are shown as '?', never a crash
        rc, out, err = self.fake(b'{"neighbors":[1,{"port":[],"encaps":7,"attributes":{"a":1}}]}\n',
                                 'show', 'neighbors')
        self.assertEqual(rc, 0, err)
        rc, out, err = self.fake(b'{"neighbors":[1,{"port":[]}],"node":{}}\n', 'show', 'topology', '--dot')
        self.assertEqual(rc, 0, err)
        rc, _, err = self.fake(b'{"links":{}}\n', 'show', 'links')
        self.assertEqual(rc, 1)
        self.assertIn('unexpected answer', err)
        rc, out, err = self.fake(b'{"links":[1,{"port":7,"type":[],"local":"x","peer":{"labels":[{}]}},{}],'
                                 b'"incompatible":[null,{"type":"NOT_A_TYPE"}]}\n', 'show', 'links')
        self.assertEqual(rc, 0, err)
        self.assertIn('    NOT_A_TYPE:   no common subnet', out.splitlines())
        rc, out, err = self.fake(b'{"neighbors":[{"loopbacks":[1,{"type":"IPV4_ENCAP"},{"type":{}}]}]}\n',
                                 'show', 'neighbors')
        self.assertEqual(rc, 0, err)
        self.assertIn('    IPv4:         ?/?', out.splitlines())

    def test_bgp_passthrough(self):
        """--json prints the daemon's line as it came, whatever it holds."""
        line = (b'{"peers":[{"peer":"127.0.0.1:1790","state":"established","uptime":12.5,"links_advertised":2,'
                b'"updates_sent":3,"withdrawals_sent":1,"last_error":"","peer_as":65000,"local_as":65000,"safi":71,'
                b'"hold_time":90,"router_id":"192.0.2.254","connects":1,"notifications_received":0,'
                b'"notifications_sent":0}],"future_key":{"x":[1,2]}}')
        rc, out, err = self.fake(line + b'\n', 'show', 'bgp', '--json')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, line.decode() + '\n')
        # The text of the same answer: docs/bgp-ls.md's example, line by line.
        rc, out, err = self.fake(line + b'\n', 'show', 'bgp')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines(), BGP_TEXT[:14])

    def test_bgp_no_peers(self):
        rc, out, err = self.fake(b'{"peers":[]}\n', 'show', 'bgp')
        self.assertEqual((rc, err), (0, ''))
        self.assertEqual(out.splitlines(), [RULE, 'BGP-LS peers:', RULE, 'No BGP-LS peer configured.', RULE])
        rc, out, err = self.fake(b'{"peers":[]}\n', 'show', 'bgp', '--json')
        self.assertEqual((rc, out), (0, '{"peers":[]}\n'))

    def test_bgp_states_and_sessions(self):
        """Every state; eBGP; a negotiated hold time of 0; a NOTIFICATION received."""
        for state in BGP_STATES:
            peer = {'peer': '[2001:db8::2]:1179', 'state': state, 'uptime': 3725.25 if state == 'established' else 0,
                    'links_advertised': 0, 'updates_sent': 0, 'withdrawals_sent': 0,
                    'last_error': 'received NOTIFICATION Cease/Administrative Shutdown', 'peer_as': 4200000000,
                    'local_as': 65001, 'safi': 80, 'hold_time': 0, 'router_id': '198.51.100.7' if state in (
                        'openconfirm', 'established') else '', 'connects': 4, 'notifications_received': 1,
                    'notifications_sent': 2}
            rc, out, err = self.fake(json.dumps({'peers': [peer]}).encode() + b'\n', 'show', 'bgp')
            self.assertEqual(rc, 0, err)
            lines = out.splitlines()
            self.assertIn('Peer: [2001:db8::2]:1179', lines)
            self.assertIn('  State:        ' + ('established, up 3725.2 s' if state == 'established' else state),
                          lines)
            self.assertIn('  AS:           local 65001, peer 4200000000 (eBGP), SAFI 80', lines)
            self.assertIn('  Hold time:    ' + ('0 s (no keepalives)' if state == 'established'
                                                else '(not negotiated yet)'), lines)
            self.assertIn('  Router-ID:    ' + ('198.51.100.7' if state in ('openconfirm', 'established')
                                                else '(not known yet)'), lines)
            self.assertIn('  Sent:         0 updates, 0 withdrawals, 2 notifications', lines)
            self.assertIn('  Received:     1 notifications', lines)
            self.assertIn('  Last error:   received NOTIFICATION Cease/Administrative Shutdown', lines)

    def test_bgp_hostile(self):
        """Missing keys and wrong types are shown as '?', never a crash; a wrong shape is an error."""
        for answer in (b'{"peers":"many"}', b'{"peers":{}}', b'{"peer":[]}', b'{}'):
            rc, out, err = self.fake(answer + b'\n', 'show', 'bgp')
            self.assertEqual((rc, out), (1, ''), answer)
            self.assertIn('unexpected answer', err)
            self.assertIn('"peers"', err)
        rc, out, err = self.fake(b'{"peers":[1,null,[],"x",{}]}\n', 'show', 'bgp')
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines.count('Peer: ?'), 5)
        self.assertEqual(lines.count(RULE), 2 + 5)
        for want in ('  State:        ?', '  AS:           local ?, peer ?, SAFI ?', '  Router-ID:    ?',
                     '  Hold time:    (not negotiated yet)', '  Links:        ? advertised',
                     '  Sent:         ? updates, ? withdrawals, ? notifications', '  Received:     ? notifications',
                     '  Connects:     ?', '  Last error:   ?'):
            self.assertEqual(lines.count(want), 5, want)
        rc, out, err = self.fake(json.dumps({'peers': [
            {'peer': 7, 'state': 'established', 'uptime': 'long', 'local_as': {}, 'peer_as': 65000, 'safi': [71],
             'hold_time': '90', 'router_id': 1, 'links_advertised': None, 'updates_sent': True, 'last_error': 5},
            {'peer': 'x', 'state': 'established', 'uptime': -1, 'hold_time': None},
            {'peer': 'y', 'state': 'established', 'uptime': 1e300, 'hold_time': 18446744073709551615,
             'links_advertised': 18446744073709551616, 'local_as': 4294967295, 'peer_as': 4294967295},
        ]}).encode() + b'\n', 'show', 'bgp')
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        for want in ('Peer: ?', '  State:        established, up ? s', '  AS:           local ?, peer 65000, SAFI ?',
                     '  Hold time:    ?', '  Router-ID:    ?', '  Links:        ? advertised',
                     '  Sent:         ? updates, ? withdrawals, ? notifications', '  Last error:   ?',
                     'Peer: x', 'Peer: y', '  Hold time:    18446744073709551615 s',
                     '  Links:        18446744073709551616 advertised',
                     '  AS:           local 4294967295, peer 4294967295 (iBGP), SAFI ?'):
            self.assertIn(want, lines)
        self.assertEqual(lines.count('  State:        established, up ? s'), 3)
        # An uptime no double holds is not shown as "inf".
        rc, out, err = self.fake(b'{"peers":[{"state":"established","uptime":1e999}]}\n', 'show', 'bgp')
        self.assertEqual(rc, 0, err)
        self.assertIn('  State:        established, up ? s', out.splitlines())

    def test_bgp_control_characters_escaped(self):
        rc, out, err = self.fake(json.dumps({'peers': [
            {'peer': '10.0.0.1\x1b[2J:179', 'state': 'idle\x07', 'last_error': 'connect: \x1b]0;owned\x07\u0085x',
             'router_id': '\n1.2.3.4', 'peer_as': 1, 'local_as': 1}]}).encode() + b'\n', 'show', 'bgp')
        self.assertEqual(rc, 0, err)
        self.assertFalse(any(ord(c) < 0x20 and c != '\n' or 0x7f <= ord(c) <= 0x9f for c in out), repr(out))
        lines = out.splitlines()
        for want in ('Peer: 10.0.0.1?[2J:179', '  State:        idle?', '  Last error:   connect: ?]0;owned??x',
                     '  Router-ID:    ?1.2.3.4'):
            self.assertIn(want, lines)

    def test_bgp_long_strings(self):
        long = 'a' * 5000
        rc, out, err = self.fake(json.dumps({'peers': [{'peer': long, 'state': long, 'last_error': long,
                                                        'router_id': long}]}).encode() + b'\n', 'show', 'bgp')
        self.assertEqual(rc, 0, err)
        self.assertTrue(all(len(l) < 2100 for l in out.splitlines()))

    def test_bgp_error_answer(self):
        rc, out, err = self.fake(b'{"error":"unknown: show bgp"}\n', 'show', 'bgp')
        self.assertEqual((rc, out), (1, ''))
        self.assertIn('lsoed: unknown: show bgp', err)

    def test_statistics_with_bgp(self):
        answer = json.dumps(STATS_WITH_BGP).encode()
        rc, out, err = self.fake(answer + b'\n', 'show', 'statistics', '--json')
        self.assertEqual((rc, out), (0, answer.decode() + '\n'), err)
        rc, out, err = self.fake(answer + b'\n', 'show', 'statistics')
        self.assertEqual((rc, err), (0, ''))
        lines = out.splitlines()
        at = lines.index('BGP-LS export:')
        self.assertEqual(lines[at - 4:at], ['Daemon:', '  tx_dropped               0', '  rx_vlan_skipped          0',
                                            '  netlink_resyncs          1'])
        want = ['  %-24s %s' % (k, STATS_WITH_BGP['bgp'][k]) for k in BGP_COUNTERS]
        self.assertEqual(lines[at + 1:at + 1 + len(want)], want)
        self.assertEqual(lines[at + 1 + len(want)], RULE)
        self.assertIn('  links_pending            18446744073709551615', lines)
        self.assertEqual(lines[at + 2 + len(want)], 'Interface:    eth0')
        # A per-reason map (should rx_errors become one) as the node's: the non-zero ones.
        stats = dict(STATS_WITH_BGP, bgp={'connects': 1, 'rx_errors': {'bad_marker': 2, 'bad_length': 0}})
        rc, out, err = self.fake(json.dumps(stats).encode() + b'\n', 'show', 'statistics')
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        at = lines.index('BGP-LS export:')
        self.assertEqual(lines[at + 1:at + 5], ['  connects                 1', '  rx_errors:',
                                                '    bad_marker             2', RULE])
        # Hostile: bgp of another type is left out; odd members are skipped, never a crash.
        for bgp in ('x', [1], None, 7):
            rc, out, err = self.fake(json.dumps(dict(STATS_WITH_BGP, bgp=bgp)).encode() + b'\n',
                                     'show', 'statistics')
            self.assertEqual(rc, 0, err)
            self.assertNotIn('BGP-LS export:', out)
        rc, out, err = self.fake(json.dumps(dict(STATS_WITH_BGP, bgp={'a': 's', 'b': [], 'c': None, 'd': {},
                                                                      '\x1b': 1})).encode() + b'\n',
                                 'show', 'statistics')
        self.assertEqual(rc, 0, err)
        self.assertIn('BGP-LS export:', out.splitlines())
        self.assertNotIn('\x1b', out)

    def test_no_links(self):
        rc, out, err = self.fake(b'{"links":[],"incompatible":[]}\n', 'show', 'links')
        self.assertEqual(rc, 0, err)
        rule = '-' * 79
        self.assertEqual(out.splitlines(), [rule, 'LSOE links:', rule, '(none)', rule])

    def test_deep_nesting(self):
        rc, _, err = self.fake(b'[' * 100000 + b']' * 100000 + b'\n', 'show', 'config')
        self.assertEqual(rc, 1)
        self.assertIn('nested', err)

    def test_control_characters_escaped(self):
        rc, out, err = self.fake(json.dumps({'config': {'name': 'evil\x1b[2J\nname'}}).encode() + b'\n',
                                 'show', 'config')
        self.assertEqual(rc, 0, err)
        self.assertNotIn('\x1b', out)
        self.assertIn('name = evil?[2J?name', out.splitlines())

    def test_error_answer(self):
        rc, out, err = self.fake(b'{"error":"boom"}\n', 'show', 'neighbors')
        self.assertEqual((rc, out), (1, ''))
        self.assertIn('lsoed: boom', err)
        rc, out, err = self.fake(b'{"error":"boom"}\n', 'show', 'neighbors', '--json')
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(out), {'error': 'boom'})
        rc, out, err = self.fake(b'{"error":"too many clients"}\n', 'monitor')
        self.assertEqual(rc, 1)
        self.assertIn('too many clients', err)

    def test_closed_without_answer(self):
        rc, _, err = self.fake(b'', 'show', 'neighbors')
        self.assertEqual(rc, 1)
        self.assertIn('without answering', err)

    def test_timeout(self):
        """show gives up after 5 s without an answer; monitor waits for events for ever."""
        d = FakeDaemon(self.sock, None)
        d.start()
        mon = subprocess.Popen([LSOECTL, '-s', self.sock, 'monitor'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        try:
            t0 = time.time()
            rc, _, err = ctl('-s', self.sock, 'show', 'neighbors')
            self.assertEqual(rc, 1)
            self.assertIn('within 5 s', err)
            self.assertLess(time.time() - t0, 9)
            time.sleep(0.5)
            self.assertIsNone(mon.poll(), 'monitor has no timeout')
        finally:
            kill(mon)
            d.close()

    def test_usage(self):
        rc, out, _ = ctl('--help')
        self.assertEqual(rc, 0)
        self.assertIn('show neighbors', out)
        self.assertIn('show links', out)
        self.assertIn('show bgp', out)
        rc, _, err = ctl('show', 'bananas')
        self.assertIn('neighbors, links, bgp, interfaces, statistics, config, topology', err)
        rc, _, err = ctl('show')
        self.assertIn('neighbors, links, bgp, interfaces, statistics, config or topology', err)
        for args in ([], ['show'], ['show', 'bananas'], ['frobnicate'], ['show', 'neighbors', '--dot'],
                     ['show', 'links', '--dot'], ['show', 'links', 'now'], ['show', 'bgp', '--dot'],
                     ['show', 'bgp', 'now'], ['show', 'bgp', 'bgp', 'bgp'],
                     ['show', 'topology', '--dot', '--json'], ['monitor', 'now'], ['-s'], ['--bogus', 'monitor']):
            rc, out, err = ctl(*args)
            self.assertEqual(rc, 2, args)
            self.assertIn('lsoectl', err)
            self.assertEqual(out, '')

    def test_default_path_named(self):
        rc, _, err = ctl('show', 'neighbors')
        if rc == 0:
            self.skipTest('an lsoed is running here')
        self.assertEqual(rc, 2)
        self.assertIn('/run/lsoed.sock', err)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--lsoectl', required=True)
    ap.add_argument('--server', required=True)
    a, rest = ap.parse_known_args()
    LSOECTL, SERVER = a.lsoectl, a.server
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
