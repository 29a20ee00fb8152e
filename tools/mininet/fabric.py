#!/usr/bin/python3
"""Build a Clos fabric in Mininet, run lsoed in every node, and check LSOE end to end.

usage: tools/mininet/fabric.py --spines S --leaves L [--pods P [--supers K]]
                               [--keepalive-timeout T] [--report FILE] [--build DIR]
                               [--failures KINDS] [--seed N] [--kill NODE]
                               [--converge-timeout S] [--keep] [--debug] [--verbose]

--build DIR: where ports/linux/lsoed and lsoectl are (default: build/ or build-acceptance/ at
the top of the checkout, whichever lsoed was built last). docs/readme-mininet.md has the figures.

Needs root and Mininet (Debian: apt-get install mininet; the system /usr/bin/python3 has the
module, hence this shebang). No Open vSwitch and no controller: Mininet(topo, controller=None,
switch=None) with every link a veth pair between two hosts (a Linux bridge would drop the
01-80-C2-00-00-0E frames LSOE's HELLOs go to).

Layout
  two-tier (no --pods): spines s1..sS, leaves l1..lL; every leaf linked to every spine.
  three-tier (--pods P): in each pod p, spines p<p>s1..p<p>sS and leaves p<p>l1..p<p>lL, fully
  meshed; super-spines ss1..ssK (--supers, default S, a multiple of S) in S planes of K/S each:
  spine j of every pod is linked to every super-spine of plane j (with K = S: spine j to ss<j>).
  Nodes: S + L, or P(S + L) + K.  Links: S*L, or P*S*L + P*K.

Addressing (link k = 0, 1, ... in creation order: pod by pod leaf-spine links, then super links)
  interfaces  <node>-eth<n>, n from 0 in the order of the node's links
  MACs        02:4c:KK:KK:KK:00 at the upper end (spine, super-spine), ...:01 at the lower end
  IPv6 /127   2001:db8::<k+1>:0 (upper), 2001:db8::<k+1>:1 (lower)   -- every link
  IPv4 /31    links 0-127:   198.51.100.2k (upper), .2k+1 (lower)
              links 128-255: 192.0.2.2(k-128) (upper), .2(k-128)+1 (lower)
              links >= 256:  none (IPv6 only)
  local-id    4c:53:4f:45:00:TT:PP:PP:NN:NN  (TT tier 1 leaf, 2 spine, 3 super; PP pod; NN index)
  The address-change failure moves the lower end's /127 to 2001:db8:ffff::<k+1>:1 (a range no
  link uses) and, when the fabric has at most 128 links (192.0.2.0/24 then unused), its /31 to
  192.0.2.2k+1; then it puts the addresses back.
  Each node sets net.ipv6.conf.all.keep_addr_on_down = 1 (as routers do), so a link set down
  and up again keeps its static IPv6 address.

Every node has a private run directory (/tmp/lsoe-fabric/run-<pid>/<node>/: lsoed.conf,
lsoed.sock, lsoed.pid, lsoed.log). lsoed runs with hello-interval 1, keepalive-send-interval 0.5,
keepalive-receive-timeout T (default 3).

What is checked
  1. Convergence: every session open, counted once per link, open only when both ends report
     it established (polled with lsoectl show neighbors --json in every node).
  2. Every node sees exactly its physical neighbours: on each port one established session
     with the peer's MAC and local ID, announcing the peer's IPv4 /31 (Primary) and IPv6 /127
     (Primary) of that link plus the peer's own link-local address, and nothing else; and
     show interfaces lists exactly the node's links, up, one session each.
  3. Failures (--failures, default link_down,node_kill,address_change), one after the other,
     each on a fabric verified whole again before the next:
       link_down       ip link set down at one end. detected: neither end has the session
                       established; recovered: after ip link set up, both ends established.
       node_kill       SIGKILL a node's lsoed (a node of the tier with the most links).
                       detected: no neighbour has it established (keepalive timeout);
                       recovered: after a restart, all its sessions established at both ends.
       address_change  an address of one end changed. detected: the peer shows the new address
                       (and not the old); recovered: after the change is reverted, the peer
                       shows the original address again.
     detected_s counts from the fault, recovered_s from the repair (link up, restart, revert).
     lsoectl monitor --json runs on the ends concerned, and the session_down reasons it saw
     go into the report.
  4. Links: lsoectl show links --json in every node, against the wiring and the addresses
     configured (each end's /31, /127 and link-local, paired by docs/interpretations.md's rule: different
     addresses, each inside the other's prefix): every pair reported by both ends, mirrored,
     with both local IDs, and nothing else (no other pair, no incompatible type). Checked
     after convergence and again at the end; and with 2 after every failure, so a link view
     that does not come back fails the run.

Report (--report FILE, JSON): nodes, sessions_expected, sessions_open (at convergence),
sessions_open_end, links {physical, expected, seen, ok, seen_end} (the fabric's links; the address
pairs the wiring gives them; the pairs both ends reported at convergence; whether every link check
held; the pairs seen at the end), converged_s (first lsoed started -> every session seen open by the polling;
converged_event_s: to the last session's own "since" timestamp, without the polling delay), failures
[{kind, target, detected_s, recovered_s, detected, recovered, reasons, detected_event_s}], errors,
ok. detected_event_s (link_down, node_kill) is the last session_down event's own timestamp, from
the fault: what detected_s measures without the polling delay.
Exit status 0 if and only if ok; 77 when it cannot run here (not root, no Mininet); 130 on
interrupt. Everything is cleaned up on every path (daemons killed, Mininet stopped, run
directories removed, unless --keep); leftovers of earlier runs that died are removed first.
"""
import argparse
import concurrent.futures
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.path.join(tempfile.gettempdir(), 'lsoe-fabric')
SKIP = 77
KINDS = ('link_down', 'node_kill', 'address_change')
TIER = {'leaf': 1, 'spine': 2, 'super': 3}
# names of our interfaces, for the leftover cleanup in the root namespace
INTF_RE = re.compile(r'^(s|l|ss|p\d+[sl])\d+-eth\d+$')

LSOED = LSOECTL = None
VERBOSE = False


def log(msg):
    try:
        print(msg, flush=True)
    except OSError:       # stdout gone (| head, a closed terminal): carry on, and clean up
        sys.stdout = open(os.devnull, 'w')


def vlog(msg):
    if VERBOSE:
        log('  . ' + msg)


class Interrupted(Exception):
    pass


# ---- the topology ---------------------------------------------------------------------------

class FNode:
    def __init__(self, name, tier, pod, idx):
        self.name, self.tier, self.pod, self.idx = name, tier, pod, idx
        self.lid = '4c:53:4f:45:00:%02x:%02x:%02x:%02x:%02x' % (TIER[tier], pod >> 8, pod & 0xff, idx >> 8, idx & 0xff)
        self.ports = []        # (intf name, FLink)
        self.host = self.proc = None
        self.dir = self.sock = self.conf = self.log = self.pidfile = None
        self.lladdr = {}       # intf -> its IPv6 link-local address

    def intf(self):
        return '%s-eth%d' % (self.name, len(self.ports))


class FLink:
    def __init__(self, k, upper, lower):
        self.k, self.upper, self.lower = k, upper, lower
        self.uintf, self.lintf = upper.intf(), lower.intf()
        upper.ports.append((self.uintf, self))
        lower.ports.append((self.lintf, self))
        mac = '02:4c:%02x:%02x:%02x' % ((k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff)
        self.umac, self.lmac = mac + ':00', mac + ':01'
        v6 = int(ipaddress.IPv6Address('2001:db8::')) + ((k + 1) << 16)
        self.uv6, self.lv6 = str(ipaddress.IPv6Address(v6)), str(ipaddress.IPv6Address(v6 + 1))
        if k < 128:
            self.uv4, self.lv4 = '198.51.100.%d' % (2 * k), '198.51.100.%d' % (2 * k + 1)
        elif k < 256:
            self.uv4, self.lv4 = '192.0.2.%d' % (2 * (k - 128)), '192.0.2.%d' % (2 * (k - 128) + 1)
        else:
            self.uv4 = self.lv4 = None

    def name(self):
        return '%s--%s' % (self.upper.name, self.lower.name)

    def end(self, node):
        """(our intf, peer node, peer intf, peer mac, peer v4, peer v6) seen from node."""
        if node is self.upper:
            return self.uintf, self.lower, self.lintf, self.lmac, self.lv4, self.lv6
        return self.lintf, self.upper, self.uintf, self.umac, self.uv4, self.uv6


class Fabric:
    def __init__(self, spines, leaves, pods=0, supers=None):
        self.nodes, self.links = [], []
        self.spines, self.leaves, self.pods = spines, leaves, pods
        self.supers = supers if pods else 0

        def link(u, lo):
            self.links.append(FLink(len(self.links), u, lo))
        if not pods:
            sp = [self.add('s%d' % j, 'spine', 0, j) for j in range(1, spines + 1)]
            lf = [self.add('l%d' % i, 'leaf', 0, i) for i in range(1, leaves + 1)]
            for leaf in lf:
                for spine in sp:
                    link(spine, leaf)
            return
        ss = [self.add('ss%d' % m, 'super', 0, m) for m in range(1, self.supers + 1)]
        per_plane = self.supers // spines
        pod_spines = []
        for p in range(1, pods + 1):
            sp = [self.add('p%ds%d' % (p, j), 'spine', p, j) for j in range(1, spines + 1)]
            lf = [self.add('p%dl%d' % (p, i), 'leaf', p, i) for i in range(1, leaves + 1)]
            for leaf in lf:
                for spine in sp:
                    link(spine, leaf)
            pod_spines.append(sp)
        for sp in pod_spines:
            for j, spine in enumerate(sp):
                for sup in ss[j * per_plane:(j + 1) * per_plane]:
                    link(sup, spine)

    def add(self, name, tier, pod, idx):
        n = FNode(name, tier, pod, idx)
        self.nodes.append(n)
        return n

    def describe(self):
        if self.pods:
            return ('three-tier Clos: %d pods of %d spines x %d leaves, %d super-spines in %d planes'
                    % (self.pods, self.spines, self.leaves, self.supers, self.spines))
        return 'two-tier Clos: %d spines x %d leaves' % (self.spines, self.leaves)


# ---- running things in the nodes ------------------------------------------------------------

def nexec(node, *args, timeout=15):
    """Run a command in node's network namespace (mnexec -a: attach to the host shell's)."""
    return subprocess.run(['mnexec', '-a', str(node.host.pid), *args], capture_output=True, text=True,
                          timeout=timeout)


def ctl(node, *args):
    """lsoectl ... --json in node; the parsed answer, or None."""
    try:
        p = nexec(node, LSOECTL, '-s', node.sock, *args, '--json', timeout=10)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        return None
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError:
        return None


POOL = None


def snapshot(nodes):
    """{node name: neighbours list or None}, every node asked in parallel."""
    res = POOL.map(lambda n: (n.name, (ctl(n, 'show', 'neighbors') or {}).get('neighbors')), nodes)
    return dict(res)


def established(snap, node, intf, peer):
    for e in snap.get(node.name) or []:
        if e.get('port') == intf and e.get('state') == 'established' and e.get('peer_id') == peer.lid:
            return e
    return None


def link_open(snap, lk):
    return bool(established(snap, lk.upper, lk.uintf, lk.lower) and
                established(snap, lk.lower, lk.lintf, lk.upper))


def link_gone(snap, lk):
    """Neither end has the session established (and both answered)."""
    if snap.get(lk.upper.name) is None or snap.get(lk.lower.name) is None:
        return False
    return not established(snap, lk.upper, lk.uintf, lk.lower) and not established(snap, lk.lower, lk.lintf, lk.upper)


def wait_until(pred, timeout, step=0.01, t0=None):
    """Poll pred until true; the seconds from t0 (default: now) until it was, or None on timeout."""
    start = time.monotonic()
    t0 = start if t0 is None else t0
    while True:
        if pred():
            return time.monotonic() - t0
        if time.monotonic() - start > timeout:
            return None
        time.sleep(step)


def addr_list(entry, typ):
    return [(a['address'], a['prefix_len'], a['primary'], a['loopback'], tuple(a['labels']))
            for a in entry['encaps'][typ]]


def norm(a):
    return str(ipaddress.ip_address(a))


def check_node(fab, node, neigh, ifs):
    """Every discrepancy between what node reports and its physical links, as strings."""
    errs = []
    if neigh is None:
        return ['%s: lsoectl show neighbors failed' % node.name]
    expect = {}
    for intf, lk in node.ports:
        _, peer, pintf, pmac, pv4, pv6 = lk.end(node)
        if lk.k in fab.moved:
            pv4, pv6 = fab.moved[lk.k] if peer is lk.lower else (pv4, pv6)
        expect[(intf, pmac)] = (peer, pintf, pv4, pv6)
    seen = set()
    for e in neigh:
        key = (e.get('port'), e.get('peer_mac'))
        what = '%s %s %s' % (node.name, key[0], key[1])
        if key not in expect:
            errs.append('%s: not a physical neighbour (peer id %s, %s)' % (what, e.get('peer_id'), e.get('state')))
            continue
        if key in seen:
            errs.append('%s: listed twice' % what)
        seen.add(key)
        peer, pintf, pv4, pv6 = expect[key]
        if e.get('state') != 'established':
            errs.append('%s: state %s' % (what, e.get('state')))
        if e.get('peer_id') != peer.lid:
            errs.append('%s: peer id %s, expected %s (%s)' % (what, e.get('peer_id'), peer.lid, peer.name))
        v4 = addr_list(e, 'IPV4_ENCAP')
        want4 = [(pv4, 31, True, False, ())] if pv4 else []
        if v4 != want4:
            errs.append('%s: IPv4 %s, expected %s' % (what, v4, want4))
        v6 = addr_list(e, 'IPV6_ENCAP')
        glob = [a for a in v6 if not a[0].startswith('fe80:')]
        ll = [a for a in v6 if a[0].startswith('fe80:')]
        want6 = [(norm(pv6), 127, True, False, ())]
        if [(norm(a[0]),) + a[1:] for a in glob] != want6:
            errs.append('%s: IPv6 %s, expected %s' % (what, glob, want6))
        wantll = [(peer.lladdr.get(pintf), 64, False, False, ())]
        if ll != wantll:
            errs.append('%s: IPv6 link-local %s, expected %s' % (what, ll, wantll))
        for t in ('MPLS_IPV4_ENCAP', 'MPLS_IPV6_ENCAP'):
            if e['encaps'][t]:
                errs.append('%s: %s not empty: %s' % (what, t, e['encaps'][t]))
    for key in expect:
        if key not in seen:
            errs.append('%s %s: no session with %s (%s)' % (node.name, key[0], expect[key][0].name, key[1]))
    if ifs is None:
        errs.append('%s: lsoectl show interfaces failed' % node.name)
    else:
        got = sorted((i.get('port'), i.get('up'), i.get('sessions')) for i in ifs)
        want = sorted((intf, True, 1) for intf, _ in node.ports)
        if got != want:
            errs.append('%s: interfaces %s, expected %s' % (node.name, got, want))
    return errs


# ---- the link view: lsoectl show links against the wiring ------------------------------------

def end_addrs(fab, lk, node):
    """{type: [(address, prefix_len)]} node's end of lk announces now (link-local included)."""
    upper = node is lk.upper
    v4, v6 = (lk.uv4, lk.uv6) if upper else (lk.lv4, lk.lv6)
    if not upper and lk.k in fab.moved:
        v4, v6 = fab.moved[lk.k]
    intf = lk.uintf if upper else lk.lintf
    out = {'IPV4_ENCAP': [(v4, 31)] if v4 else [], 'IPV6_ENCAP': [(norm(v6), 127)]}
    if node.lladdr.get(intf):
        out['IPV6_ENCAP'].append((norm(node.lladdr[intf]), 64))
    return out


def agree(a, b):
    """The draft's "same subnet", as docs/interpretations.md states it: different addresses, each inside the
    other's prefix. Written here again on purpose: an oracle shares no code with what it checks."""
    ia, ib = ipaddress.ip_interface('%s/%d' % a), ipaddress.ip_interface('%s/%d' % b)
    return ia.ip != ib.ip and ia.ip in ib.network and ib.ip in ia.network


def expected_pairs(fab, lk):
    """{(type, upper address, upper plen, lower address, lower plen)} the wiring and addresses give lk."""
    u, lo = end_addrs(fab, lk, lk.upper), end_addrs(fab, lk, lk.lower)
    return {(t, a[0], a[1], b[0], b[1]) for t in u for a in u[t] for b in lo[t] if agree(a, b)}


def link_key(node, x):
    return (x.get('type'), norm(x['local']['address']), x['local']['prefix_len'], norm(x['peer']['address']),
            x['peer']['prefix_len'])


def check_links(fab, views):
    """(expected, seen, errors): every pair the wiring gives, how many both ends report mirrored, with
    both local IDs; anything else reported (a pair the addresses do not give, an incompatible type) is
    an error. views: {node name: show links answer or None}."""
    errs, expected, seen = [], 0, 0
    got = {}      # (node, port, peer mac) -> {pair key}
    for n in fab.nodes:
        v = views.get(n.name)
        if v is None:
            errs.append('%s: lsoectl show links failed' % n.name)
            continue
        for x in v.get('links', []):
            if x.get('local_id') != n.lid:
                errs.append('%s %s: local_id %s, expected %s' % (n.name, x.get('port'), x.get('local_id'), n.lid))
            got.setdefault((n.name, x.get('port'), x.get('peer_mac')), {})[link_key(n, x)] = x.get('peer_id')
        for x in v.get('incompatible', []):
            errs.append('%s %s: %s incompatible with %s' % (n.name, x.get('port'), x.get('type'), x.get('peer_mac')))
    for lk in fab.links:
        want = expected_pairs(fab, lk)
        expected += len(want)
        up = got.pop((lk.upper.name, lk.uintf, lk.lmac), {})
        low = got.pop((lk.lower.name, lk.lintf, lk.umac), {})
        for t, ua, ul, la, ll in want:
            ok_u = up.pop((t, ua, ul, la, ll), None) == lk.lower.lid
            ok_l = low.pop((t, la, ll, ua, ul), None) == lk.upper.lid
            if ok_u and ok_l:
                seen += 1
            else:
                errs.append('%s: %s %s/%d <-> %s/%d not reported by %s' % (
                    lk.name(), t, ua, ul, la, ll, ' and '.join(
                        n for n, ok in ((lk.upper.name, ok_u), (lk.lower.name, ok_l)) if not ok)))
        for node, rest in ((lk.upper, up), (lk.lower, low)):
            for k in rest:
                errs.append('%s %s: %s %s/%d <-> %s/%d: a pair the addresses do not give' % ((node.name, lk.name()) + k))
    for (n, port, mac), rest in got.items():
        errs.append('%s %s: links with %s, not a physical neighbour: %s' % (n, port, mac, sorted(rest)))
    return expected, seen, errs


def links_snapshot(nodes):
    return dict(POOL.map(lambda n: (n.name, ctl(n, 'show', 'links')), nodes))


def check_fabric(fab, nodes=None):
    nodes = nodes or fab.nodes

    def one(n):
        neigh = (ctl(n, 'show', 'neighbors') or {}).get('neighbors')
        ifs = (ctl(n, 'show', 'interfaces') or {}).get('interfaces')
        return check_node(fab, n, neigh, ifs)
    errs = [e for errs in POOL.map(one, nodes) for e in errs]
    if not errs:
        errs = check_links(fab, links_snapshot(fab.nodes))[2]
    return errs


def wait_fabric_ok(fab, timeout):
    """Wait until check_fabric finds nothing; (seconds or None, last errors)."""
    last = ['not checked']

    def ok():
        last[:] = check_fabric(fab)
        return not last
    return wait_until(ok, timeout, 0.2), last


class Monitor:
    """lsoectl monitor --json in a node, its session_down events kept."""

    def __init__(self, node):
        self.node, self.events = node, []
        self.p = subprocess.Popen(['mnexec', '-a', str(node.host.pid), LSOECTL, '-s', node.sock, 'monitor', '--json'],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        for line in self.p.stdout:
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue
            if e.get('event') == 'session_down':
                self.events.append(e)

    def stop(self):
        self.p.kill()
        self.p.wait()
        self.t.join(1)

    def downs(self, peer_macs):
        return [(self.node.name, e) for e in self.events if e.get('peer_mac') in peer_macs]


# ---- the run ---------------------------------------------------------------------------------

class Run:
    def __init__(self, args, fab):
        self.a, self.fab = args, fab
        self.net = None
        self.dir = None
        self.monitors = []
        fab.moved = {}

    # -- setup

    def make_dirs(self):
        os.makedirs(BASE, exist_ok=True)
        self.dir = os.path.join(BASE, 'run-%d' % os.getpid())
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        with open(os.path.join(self.dir, 'owner'), 'w') as f:
            f.write('%d\n' % os.getpid())
        for n in self.fab.nodes:
            n.dir = os.path.join(self.dir, n.name)
            os.makedirs(n.dir)
            n.sock, n.conf = os.path.join(n.dir, 'lsoed.sock'), os.path.join(n.dir, 'lsoed.conf')
            n.log, n.pidfile = os.path.join(n.dir, 'lsoed.log'), os.path.join(n.dir, 'lsoed.pid')
            with open(n.conf, 'w') as f:
                f.write('[lsoed]\n# written by tools/mininet/fabric.py\n'
                        'name = %s\nlocal-id = %s\n'
                        'hello-interval = 1\nkeepalive-send-interval = 0.5\nkeepalive-receive-timeout = %s\n'
                        'include-ports = %s-eth*\n'
                        'control-socket = %s\npidfile = %s\nlog-level = %s\n'
                        % (n.name, n.lid, self.a.keepalive_timeout, n.name, n.sock, n.pidfile,
                           'debug' if self.a.debug else 'info'))

    def build_net(self):
        from mininet.net import Mininet
        from mininet.topo import Topo
        fab = self.fab

        class FabricTopo(Topo):
            def build(self):
                for n in fab.nodes:
                    self.addHost(n.name, ip=None)
                for lk in fab.links:
                    self.addLink(lk.upper.name, lk.lower.name, intfName1=lk.uintf, intfName2=lk.lintf,
                                 addr1=lk.umac, addr2=lk.lmac)
        self.net = Mininet(topo=FabricTopo(), controller=None, switch=None, build=False, autoSetMacs=False)
        self.net.build()
        self.net.start()
        with open(os.path.join(self.dir, 'shells'), 'w') as f:
            for h in self.net.hosts:
                f.write('%d\n' % h.pid)
        for n in fab.nodes:
            n.host = self.net.get(n.name)
        # addresses, one ip -batch per node
        def setup(n):
            lines = []
            for intf, lk in n.ports:
                v4, v6 = (lk.uv4, lk.uv6) if n is lk.upper else (lk.lv4, lk.lv6)
                if v4:
                    lines.append('addr add %s/31 dev %s' % (v4, intf))
                lines.append('addr add %s/127 dev %s nodad' % (v6, intf))
            batch = os.path.join(n.dir, 'addrs.ip')
            with open(batch, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            for cmd in (['sysctl', '-q', '-w', 'net.ipv6.conf.all.keep_addr_on_down=1'], ['ip', '-batch', batch]):
                p = nexec(n, *cmd)
                if p.returncode != 0:
                    raise RuntimeError('%s: %s: %s' % (n.name, ' '.join(cmd), p.stderr.strip()))
        list(POOL.map(setup, fab.nodes))

    def read_lladdrs(self):
        def one(n):
            p = nexec(n, 'ip', '-j', '-6', 'addr', 'show', 'scope', 'link')
            for i in json.loads(p.stdout or '[]'):
                for a in i.get('addr_info', []):
                    if a.get('family') == 'inet6' and a['local'].startswith('fe80:'):
                        n.lladdr[i['ifname']] = a['local']
        list(POOL.map(one, self.fab.nodes))

    def start(self, n):
        logf = open(n.log, 'a')
        cmd = [LSOED, '-f', '-c', n.conf] + (['-d'] if self.a.debug else [])
        n.proc = n.host.popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        logf.close()

    # -- convergence

    def converge(self, report):
        fab = self.fab
        t0 = time.monotonic()
        for n in fab.nodes:
            self.start(n)
        started = time.monotonic() - t0
        vlog('started %d daemons in %.3f s' % (len(fab.nodes), started))
        counts, last = [0], [{}]

        def all_open():
            dead = [n.name for n in fab.nodes if n.proc.poll() is not None]
            if dead:
                raise RuntimeError('lsoed exited in %s' % ', '.join(dead))
            last[0] = snap = snapshot(fab.nodes)
            counts[0] = sum(link_open(snap, lk) for lk in fab.links)
            return counts[0] == len(fab.links)
        took = wait_until(all_open, self.a.converge_timeout, 0.05)
        report['sessions_open'] = counts[0]
        report['daemons_started_s'] = round(started, 3)
        if took is None:
            missing = [lk.name() for lk in fab.links if not link_open(last[0], lk)]
            report['errors'].append('not converged within %s s: %d of %d sessions open; not open: %s%s'
                                    % (self.a.converge_timeout, counts[0], len(fab.links), ', '.join(missing[:10]),
                                       ' ...' if len(missing) > 10 else ''))
            log(report['errors'][-1])
            return False
        report['converged_s'] = round(time.monotonic() - t0, 3)
        # the sessions' own "since" (CLOCK_MONOTONIC, as time.monotonic()): the last one up, without
        # the polling delay
        since = [e['since'] for lk in fab.links for n, i, p in ((lk.upper, lk.uintf, lk.lower),
                                                                 (lk.lower, lk.lintf, lk.upper))
                 for e in [established(last[0], n, i, p)] if e and 'since' in e]
        if len(since) == 2 * len(fab.links):
            report['converged_event_s'] = round(max(since) - t0, 4)
        log('converged: %d/%d sessions open %.3f s after starting the first lsoed (last session up at %s s; '
            'all %d started in %.3f s)' % (counts[0], len(fab.links), report['converged_s'],
                                           report.get('converged_event_s'), len(fab.nodes), started))
        self.read_lladdrs()
        took, errs = wait_fabric_ok(fab, 15)
        if took is None:
            report['errors'] += errs
            log('neighbour check FAILED:\n  ' + '\n  '.join(errs[:20]))
            return False
        report['verified_s'] = round(time.monotonic() - t0, 3)
        log('neighbours: every node sees exactly its physical neighbours by MAC and local ID, with their '
            '/31 and /127, and every link pair (checked %.3f s after start)' % report['verified_s'])
        return self.links(report, 'seen')

    def links(self, report, key):
        """show links in every node against the wiring: report['links'][key] pairs seen of those expected."""
        expected, seen, errs = check_links(self.fab, links_snapshot(self.fab.nodes))
        r = report['links']
        r['expected'], r[key] = expected, seen
        r['ok'] = bool(r['ok'] is not False and not errs and seen == expected)
        log('links: %d of %d address pairs reported at both ends (%s)' % (seen, expected, key))
        if errs:
            report['errors'] += errs[:20]
            log('link check FAILED:\n  ' + '\n  '.join(errs[:20]))
        return not errs

    # -- failures

    def watch(self, nodes):
        self.monitors = [Monitor(n) for n in nodes]
        time.sleep(0.2)   # let them subscribe

    def unwatch(self, res, peer_macs, t0, expect):
        """Stop the monitors; the session_down reasons they saw into res, and, when each of the
        expect sessions reported its first session_down, detected_event_s: the last of those
        first events' daemon timestamps (CLOCK_MONOTONIC, as time.monotonic()) from t0."""
        downs = []
        for m in self.monitors:
            m.stop()
            downs += m.downs(peer_macs)
        self.monitors = []
        res['reasons'] = sorted('%s %s: %s' % (n, e['port'], e['reason']) for n, e in downs)
        first = {}
        for n, e in downs:
            key = (n, e['port'], e['peer_mac'])
            first[key] = min(first.get(key, e['time']), e['time'])
        if expect and len(first) == expect:
            res['detected_event_s'] = round(max(first.values()) - t0, 4)

    def fail_link_down(self, rnd):
        lk = rnd.choice(self.fab.links)
        res = {'kind': 'link_down', 'target': '%s (%s down at %s)' % (lk.name(), lk.uintf, lk.upper.name)}
        ends = [lk.upper, lk.lower]
        self.watch(ends)
        t0 = time.monotonic()
        nexec(lk.upper, 'ip', 'link', 'set', lk.uintf, 'down')
        res['detected_s'] = wait_until(lambda: link_gone(snapshot(ends), lk), 10, 0.005, t0)
        t1 = time.monotonic()
        nexec(lk.upper, 'ip', 'link', 'set', lk.uintf, 'up')
        res['recovered_s'] = wait_until(lambda: link_open(snapshot(ends), lk), 20, 0.005, t1)
        if res['detected_s'] is None:
            res['recovered_s'] = None
        self.unwatch(res, {lk.umac, lk.lmac}, t0, 2)
        return res

    def fail_node_kill(self, rnd):
        top = max(len(n.ports) for n in self.fab.nodes)
        victim = rnd.choice([n for n in self.fab.nodes if len(n.ports) == top])
        if self.a.kill:
            victim = [n for n in self.fab.nodes if n.name == self.a.kill][0]
        peers = [(lk, lk.end(victim)[1]) for _, lk in victim.ports]
        res = {'kind': 'node_kill', 'target': '%s (%d neighbours)' % (victim.name, len(peers))}
        self.watch([p for _, p in peers])
        t0 = time.monotonic()
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()

        def gone():
            snap = snapshot([p for _, p in peers])
            return all(snap.get(p.name) is not None and not established(snap, p, lk.end(p)[0], victim)
                       for lk, p in peers)
        res['detected_s'] = wait_until(gone, 3 * float(self.a.keepalive_timeout) + 10, 0.01, t0)
        t1 = time.monotonic()
        self.start(victim)
        both = [victim] + [p for _, p in peers]
        res['recovered_s'] = wait_until(lambda: all(link_open(s, lk) for s in [snapshot(both)] for lk, _ in peers),
                                        30, 0.01, t1)
        if res['detected_s'] is None:
            res['recovered_s'] = None
        self.unwatch(res, {lk.end(p)[3] for lk, p in peers}, t0, len(peers))
        return res

    def fail_address_change(self, rnd):
        lk = rnd.choice(self.fab.links)
        n, peer, intf = lk.lower, lk.upper, lk.lintf
        old4, old6 = lk.lv4, lk.lv6
        new6 = str(ipaddress.IPv6Address(int(ipaddress.IPv6Address('2001:db8:ffff::')) + ((lk.k + 1) << 16) + 1))
        new4 = '192.0.2.%d' % (2 * lk.k + 1) if old4 and len(self.fab.links) <= 128 else old4
        res = {'kind': 'address_change', 'target': '%s: %s %s -> %s' % (
            n.name, intf, ', '.join(a for a in (old4, old6) if a),
            ', '.join(a for a in (new4 if new4 != old4 else None, new6) if a))}

        def move(frm4, to4, frm6, to6):
            cmds = []
            if frm4 != to4:
                cmds += ['addr del %s/31 dev %s' % (frm4, intf), 'addr add %s/31 dev %s' % (to4, intf)]
            cmds += ['addr del %s/127 dev %s' % (frm6, intf), 'addr add %s/127 dev %s nodad' % (to6, intf)]
            p = subprocess.run(['mnexec', '-a', str(n.host.pid), 'ip', '-batch', '-'], input='\n'.join(cmds) + '\n',
                               capture_output=True, text=True, timeout=10)
            if p.returncode != 0:
                raise RuntimeError('%s: ip -batch: %s' % (n.name, p.stderr.strip()))

        def shows(v4, v6, not4, not6):
            e = established(snapshot([peer]), peer, lk.uintf, n)
            if not e:
                return False
            a4 = {x['address'] for x in e['encaps']['IPV4_ENCAP']}
            a6 = {norm(x['address']) for x in e['encaps']['IPV6_ENCAP']}
            return ((not v4 or v4 in a4) and norm(v6) in a6 and (not not4 or not4 == v4 or not4 not in a4)
                    and norm(not6) not in a6)
        self.watch([peer])
        t0 = time.monotonic()
        move(old4, new4, old6, new6)
        self.fab.moved[lk.k] = (new4, new6)
        res['detected_s'] = wait_until(lambda: shows(new4, new6, old4, old6), 10, 0.005, t0)
        t1 = time.monotonic()
        move(new4, old4, new6, old6)
        del self.fab.moved[lk.k]
        res['recovered_s'] = wait_until(lambda: shows(old4, old6, new4, new6), 10, 0.005, t1)
        if res['detected_s'] is None:
            res['recovered_s'] = None
        self.unwatch(res, {lk.lmac}, t0, 0)
        return res

    def failures(self, report):
        rnd = random.Random(self.a.seed)
        ok = True
        for kind in self.a.failures:
            res = getattr(self, 'fail_' + kind)(rnd)
            res['detected'] = res['detected_s'] is not None
            res['recovered'] = res['recovered_s'] is not None
            for k in ('detected_s', 'recovered_s'):
                if res[k] is not None:
                    res[k] = round(res[k], 3)
            report['failures'].append(res)
            log('%-15s %s: detected %s%s, recovered %s%s' % (
                kind, res['target'], fmt(res['detected_s']),
                ' (last session_down event at %.3f s)' % res['detected_event_s'] if 'detected_event_s' in res else '',
                fmt(res['recovered_s']),
                ('  [session_down: %s]' % summary(res['reasons'])) if res['reasons'] else ''))
            if not (res['detected'] and res['recovered']):
                report['errors'].append('%s %s: %s' % (kind, res['target'], 'not recovered' if res['detected']
                                                       else 'not detected'))
                ok = False
            took, errs = wait_fabric_ok(self.fab, 30)
            if took is None:
                report['errors'].append('after %s: fabric not whole again: %s' % (kind, '; '.join(errs[:10])))
                log('after %s the fabric is not whole again:\n  %s' % (kind, '\n  '.join(errs[:20])))
                return False
        return ok

    # -- teardown

    def cleanup(self):
        for m in self.monitors:
            try:
                m.stop()
            except Exception:
                pass
        for n in self.fab.nodes:
            if n.proc and n.proc.poll() is None:
                n.proc.kill()
            if n.proc:
                try:
                    n.proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        if self.net:
            if any(getattr(h, 'waiting', False) for h in self.net.hosts):
                for h in self.net.hosts:       # a shell was interrupted mid-command: just end them
                    h.terminate()
            else:
                try:
                    self.net.stop()
                except Exception as e:
                    log('mininet stop: %s' % e)
                    for h in self.net.hosts:
                        h.terminate()
        if self.dir and not self.a.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif self.dir:
            open(os.path.join(self.dir, 'kept'), 'w').close()
            log('run directory kept: %s' % self.dir)

    def tail_logs(self, nodes, lines=12):
        for n in nodes:
            try:
                with open(n.log) as f:
                    t = f.readlines()[-lines:]
                log('--- %s (%s)\n%s' % (n.name, n.log, ''.join(t).rstrip()))
            except OSError:
                pass


def summary(reasons):
    """'l1 l1-eth0: keepalive_timeout', ... -> 'keepalive_timeout at l1, l2' (or a count when many)."""
    by = {}
    for r in reasons:
        where, why = r.rsplit(': ', 1)
        by.setdefault(why, []).append(where.split()[0])
    return '; '.join('%s at %s' % (why, ', '.join(ns) if len(ns) <= 4 else '%d nodes' % len(ns))
                     for why, ns in sorted(by.items()))


def fmt(s):
    return 'NOT (timed out)' if s is None else '%.3f s' % s


# ---- leftovers of earlier runs -----------------------------------------------------------------

def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace')
    except OSError:
        return ''


def clean_leftovers():
    """mn -c for our own runs only: daemons and Mininet shells of runs whose fabric.py is gone,
    their run directories, and our interfaces left in the root namespace."""
    if os.path.isdir(BASE):
        for d in os.listdir(BASE):
            path = os.path.join(BASE, d)
            try:
                with open(os.path.join(path, 'owner')) as f:
                    owner = int(f.read())
            except (OSError, ValueError):
                owner = None
            if owner and 'fabric.py' in cmdline(owner):
                continue                  # a run still going: leave it alone
            killed = 0
            for node in (os.listdir(path) if os.path.isdir(path) else []):
                pf = os.path.join(path, node, 'lsoed.pid')
                try:
                    pid = int(open(pf).read())
                except (OSError, ValueError):
                    continue
                if 'lsoed' in cmdline(pid) and os.path.join(path, node) in cmdline(pid):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            try:
                shells = [int(x) for x in open(os.path.join(path, 'shells')).read().split()]
            except (OSError, ValueError):
                shells = []
            for pid in shells:
                if 'mininet:' in cmdline(pid):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            if os.path.exists(os.path.join(path, 'kept')):
                continue                  # kept on purpose (--keep): its daemons are gone already
            shutil.rmtree(path, ignore_errors=True)
            log('cleanup: removed %s (%d leftover processes killed)' % (path, killed))
    p = subprocess.run(['ip', '-o', 'link', 'show'], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        name = line.split(':')[1].strip().split('@')[0]
        if INTF_RE.match(name):
            subprocess.run(['ip', 'link', 'del', name], capture_output=True)
            log('cleanup: deleted leftover interface %s' % name)


# ---- main ----------------------------------------------------------------------------------------

def find_build(build):
    """lsoed and lsoectl of --build DIR; by default of build/ or build-acceptance/ at the top of
    the checkout, whichever has the more recently built lsoed."""
    cands = [build] if build else [os.path.join(TOP, 'build'), os.path.join(TOP, 'build-acceptance')]
    found = []
    for c in cands:
        d, c2 = os.path.join(c, 'ports', 'linux', 'lsoed'), os.path.join(c, 'ports', 'linux', 'lsoectl')
        if os.access(d, os.X_OK) and os.access(c2, os.X_OK):
            found.append((os.path.getmtime(d), os.path.abspath(d), os.path.abspath(c2)))
    if not found:
        sys.exit('fabric.py: no ports/linux/lsoed and lsoectl under %s (build first, or give --build DIR)'
                 % ' or '.join(cands))
    return max(found)[1:]


def positive_duration(s):
    """A keepalive-receive-timeout as lsoed.conf writes it (seconds, up to 9 decimals)."""
    try:
        v = float(s)
    except ValueError:
        v = -1
    if not 0.5 < v <= 86400:
        raise argparse.ArgumentTypeError('must be a duration in seconds above 0.5 (the keepalive send interval)')
    return ('%.9f' % v).rstrip('0').rstrip('.')


def main():
    global LSOED, LSOECTL, VERBOSE, POOL
    ap = argparse.ArgumentParser(description='LSOE on a Mininet Clos fabric (see the top of this file).')
    ap.add_argument('--spines', type=int, required=True, help='spines (per pod with --pods)')
    ap.add_argument('--leaves', type=int, required=True, help='leaves (per pod with --pods)')
    ap.add_argument('--pods', type=int, default=0, help='three-tier: this many pods under super-spines')
    ap.add_argument('--supers', type=int, help='super-spines with --pods, a multiple of --spines (default: --spines)')
    ap.add_argument('--keepalive-timeout', type=positive_duration, default='3',
                    help='keepalive-receive-timeout of every lsoed, seconds (default 3)')
    ap.add_argument('--report', help='write the JSON report here')
    ap.add_argument('--build', help='build directory with ports/linux/lsoed and lsoectl (default: build/ or '
                                    'build-acceptance/ at the top of the checkout, the more recently built)')
    ap.add_argument('--failures', default=','.join(KINDS),
                    help='failures to inject, in order, comma-separated (default %s; repeats allowed)'
                    % ','.join(KINDS))
    ap.add_argument('--seed', type=int, default=1, help='picks the failed link and node (default 1)')
    ap.add_argument('--kill', help='the node whose lsoed node_kill kills (default: one of the most linked)')
    ap.add_argument('--converge-timeout', type=float, help='seconds to wait for every session (default 30 + links/4)')
    ap.add_argument('--keep', action='store_true', help='keep the run directory (configs, logs)')
    ap.add_argument('--debug', action='store_true', help='lsoed at log level debug (every transition)')
    ap.add_argument('--verbose', '-v', action='store_true')
    a = ap.parse_args()
    VERBOSE = a.verbose

    def on_signal(signum, frame):
        raise Interrupted(signal.Signals(signum).name)
    # SIGINT too: a background job may have inherited it ignored
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    a.failures = [k.strip() for k in a.failures.split(',') if k.strip()]
    for k in a.failures:
        if k not in KINDS:
            ap.error('unknown failure %r (known: %s)' % (k, ', '.join(KINDS)))
    if a.spines < 1 or a.leaves < 1 or a.pods < 0:
        ap.error('--spines and --leaves must be at least 1, --pods at least 0')
    if a.supers is None:
        a.supers = a.spines
    if a.pods and (a.supers < 1 or a.supers % a.spines):
        ap.error('--supers must be a positive multiple of --spines')
    if a.kill and not a.failures.count('node_kill'):
        ap.error('--kill without node_kill in --failures')

    if os.geteuid() != 0:
        print('fabric.py: skipped: needs root (Mininet)', file=sys.stderr)
        return SKIP
    try:
        __import__("mininet.net")
        from mininet.log import setLogLevel
    except ImportError:
        print('fabric.py: skipped: no Mininet for %s (apt-get install mininet)' % sys.executable, file=sys.stderr)
        return SKIP
    if not shutil.which('mnexec'):
        print('fabric.py: skipped: no mnexec (apt-get install mininet)', file=sys.stderr)
        return SKIP
    setLogLevel('info' if a.verbose else 'warning')
    LSOED, LSOECTL = find_build(a.build)

    fab = Fabric(a.spines, a.leaves, a.pods, a.supers)
    if a.kill and a.kill not in [n.name for n in fab.nodes]:
        ap.error('--kill %s: no such node' % a.kill)
    if a.converge_timeout is None:
        a.converge_timeout = 30 + len(fab.links) / 4
    # "links" is the link view (issue 11): the number of physical links is its "physical".
    report = {'nodes': len(fab.nodes), 'sessions_expected': len(fab.links),
              'sessions_open': 0, 'sessions_open_end': 0, 'converged_s': None,
              'links': {'physical': len(fab.links), 'expected': 0, 'seen': 0, 'ok': None, 'seen_end': None},
              'failures': [], 'errors': [],
              'ok': False, 'topology': {'spines': a.spines, 'leaves': a.leaves, 'pods': a.pods,
                                        'supers': a.supers if a.pods else 0},
              'keepalive_receive_timeout_s': float(a.keepalive_timeout), 'command': ' '.join(sys.argv)}
    POOL = concurrent.futures.ThreadPoolExecutor(max_workers=min(32, len(fab.nodes)))
    log('%s: %d nodes, %d links (lsoed %s)' % (fab.describe(), len(fab.nodes), len(fab.links), LSOED))

    clean_leftovers()
    run = Run(a, fab)
    rc = 1
    try:
        run.make_dirs()
        t = time.monotonic()
        run.build_net()
        log('mininet: %d hosts, %d veth links, addresses set in %.1f s' % (len(fab.nodes), len(fab.links),
                                                                           time.monotonic() - t))
        ok = run.converge(report)
        if ok:
            ok = run.failures(report)
            snap = snapshot(fab.nodes)
            report['sessions_open_end'] = sum(link_open(snap, lk) for lk in fab.links)
            ok = ok and report['sessions_open_end'] == len(fab.links)
            ok = run.links(report, 'seen_end') and ok
        report['ok'] = bool(ok and report['sessions_open'] == report['sessions_expected'] and report['links']['ok'] and
                            len(report['failures']) == len(a.failures) and
                            all(f['detected'] and f['recovered'] for f in report['failures']))
        rc = 0 if report['ok'] else 1
    except (KeyboardInterrupt, Interrupted) as e:
        report['errors'].append('interrupted (%s)' % (e or 'SIGINT'))
        log('interrupted: cleaning up')
        rc = 130
    except Exception as e:
        report['errors'].append('%s: %s' % (type(e).__name__, e))
        log('error: %s: %s' % (type(e).__name__, e))
        rc = 1
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        if rc == 1:    # the logs of the nodes the errors name, before they go
            names = {n.name for n in fab.nodes}
            bad = {w for e in report['errors'] for w in re.split(r'[\s:(),\-]+', e) if w in names}
            run.tail_logs([n for n in fab.nodes if n.name in bad][:6])
        run.cleanup()
        POOL.shutdown(wait=True)
    if a.report:
        with open(a.report, 'w') as f:
            json.dump(report, f, indent=1)
            f.write('\n')
    det = ', '.join('%s %s/%s' % (f['kind'], f['detected_s'], f['recovered_s']) for f in report['failures'])
    log('%s: %d/%d sessions, converged %s s, failures (detected/recovered s): %s' % (
        'OK' if report['ok'] else 'FAILED', report['sessions_open'], report['sessions_expected'],
        report['converged_s'], det or 'none'))
    return rc


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (KeyboardInterrupt, Interrupted):   # before anything was set up
        sys.exit(130)
