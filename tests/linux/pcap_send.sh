#!/bin/bash
# linux.pcap_send: lsoe-pcap-send replays B's side of ref-basic.pcap from one network
# namespace into another over a veth pair; a packet-socket receiver (afpacket_recv.py)
# on the other end must see every one of B's 22 frames, as captured (padded to 60
# octets), in order, at the capture's timing within a tolerance.
#
# Usage: pcap_send.sh --send LSOE_PCAP_SEND --data TESTDATA_DIR [--python PYTHON3]
# Exit status: 0 pass, 1 fail, 77 skipped (not root, or no network namespaces).
# LSOE_NETNS_TOLERANCE_MS overrides the timing tolerance (default 20 ms per frame,
# generous for a loaded CI machine; an idle one stays well under 1 ms).
set -u

SEND="" DATA="" PY=python3
while [ $# -gt 0 ]; do
  case "$1" in
    --send) SEND=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --python) PY=$2; shift 2 ;;
    *) echo "usage: $0 --send LSOE_PCAP_SEND --data DIR [--python PYTHON3]" >&2; exit 2 ;;
  esac
done
[ -x "$SEND" ] && [ -d "$DATA" ] || { echo "$0: need --send and --data" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
CAPTURE=$DATA/ref-basic.pcap
SKIP_MAC=02:00:00:00:00:0a   # A: its frames stay home; B's go out
TOL_MS=${LSOE_NETNS_TOLERANCE_MS:-20}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (network namespaces and packet sockets need it)"
command -v ip >/dev/null || skip "no ip(8)"
ip netns list >/dev/null 2>&1 || skip "ip netns is not available"

NS_A=lsoe-ps-$$-a NS_B=lsoe-ps-$$-b
VETH_A=lpsa$$ VETH_B=lpsb$$
TMP=$(mktemp -d)
RECV_PID=""
cleanup() {
  [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null && wait "$RECV_PID" 2>/dev/null
  ip netns del "$NS_A" 2>/dev/null
  ip netns del "$NS_B" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$NS_A" 2>"$TMP/err" || skip "cannot create a network namespace: $(cat "$TMP/err")"
ip netns add "$NS_B" || exit 1
# A's namespace sends as B (B's MAC), B's namespace receives as A.
ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B" || exit 1
ip -n "$NS_A" link set "$VETH_A" address 02:00:00:00:00:0b up || exit 1
ip -n "$NS_B" link set "$VETH_B" address 02:00:00:00:00:0a up || exit 1

ip netns exec "$NS_B" "$PY" "$HERE/afpacket_recv.py" "$VETH_B" --ethertype 0x8885 --count 22 --seconds 20 \
  --ready "$TMP/ready" >"$TMP/recv.json" &
RECV_PID=$!
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
[ -e "$TMP/ready" ] || { echo "FAIL: the receiver did not start"; exit 1; }

echo "+ lsoe-pcap-send -i $VETH_A --skip-src $SKIP_MAC $CAPTURE   (in $NS_A)"
ip netns exec "$NS_A" "$SEND" -i "$VETH_A" --skip-src "$SKIP_MAC" "$CAPTURE"
rc=$?
[ $rc = 0 ] || { echo "FAIL: lsoe-pcap-send exited $rc"; exit 1; }
wait "$RECV_PID"
rc=$?
RECV_PID=""
[ $rc = 0 ] || { echo "FAIL: the receiver exited $rc"; exit 1; }

# What arrived against what the capture says B sent.
"$PY" - "$CAPTURE" "$TMP/recv.json" "$SKIP_MAC" "$TOL_MS" <<'PYEOF'
import json, struct, sys
capture, recv, skip, tol_ms = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

def frames(path):
    d = open(path, "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    scale = {0xa1b2c3d4: 1e-6, 0xa1b23c4d: 1e-9}[magic]
    off, out = 24, []
    while off + 16 <= len(d):
        sec, frac, caplen, _ = struct.unpack("<IIII", d[off:off + 16])
        off += 16
        out.append((sec + frac * scale, d[off:off + caplen]))
        off += caplen
    return out

mac = lambda b: ":".join(f"{x:02x}" for x in b)
cap = frames(capture)
t0 = cap[0][0]
want = [(t - t0, mac(f[6:12]), mac(f[0:6]), max(60, len(f))) for t, f in cap if mac(f[6:12]) != skip]
got = json.load(open(recv))["frames"]
fail = []
if len(got) != len(want):
    fail.append(f"{len(got)} frames arrived, {len(want)} expected")
for i, (w, g) in enumerate(zip(want, got)):
    if (g["src"], g["dst"], g["length"]) != w[1:]:
        fail.append(f"frame {i + 1}: {g['src']} > {g['dst']} length {g['length']}, "
                    f"expected {w[1]} > {w[2]} length {w[3]}")
n = min(len(want), len(got))
if n:
    diffs = sorted(g["time"] - w[0] for w, g in zip(want, got))
    base = diffs[len(diffs) // 2]  # the receiver's clock against the capture's: the median offset
    errs = [(g["time"] - w[0] - base) * 1e3 for w, g in zip(want, got)]
    worst = max(range(n), key=lambda i: abs(errs[i]))
    span_c = want[n - 1][0] - want[0][0]
    span_r = got[n - 1]["time"] - got[0]["time"]
    print(f"{n} frames; span {span_r:.6f} s received, {span_c:.6f} s in the capture; "
          f"worst timing error {errs[worst]:+.3f} ms (frame {worst + 1}), tolerance {tol_ms:g} ms")
    if abs(errs[worst]) > tol_ms:
        fail.append(f"frame {worst + 1} arrived {errs[worst]:+.3f} ms off the capture's timing")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PYEOF
