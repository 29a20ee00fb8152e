#!/bin/bash
# package.deb: the Debian package, end to end. Builds the build's `package` target (or takes
# --deb FILE), installs the .deb with apt, and checks it from the installed paths only: the
# file list, a pair of installed lsoed in two network namespaces joined by veth (established,
# asked with the installed lsoectl), the installed lsoe-sim on the shipped clos-4x8 scenario,
# the man pages (man -w), the dissector in tshark's global plugins (tshark -G plugins, and a
# reference capture decoded by it without -X). Then it purges the package and checks that no
# file of `dpkg -L lsoe` (taken before) is left.
#
# Usage: deb_package.sh --build BUILD_DIR [--deb FILE] [--cmake CMAKE] [--data TESTDATA_DIR]
# Exit status: 0 pass, 1 fail, 77 skipped: not root, no apt-get/dpkg/dpkg-deb (or no
# dpkg-shlibdeps to build the package), no ip netns, or a package lsoe already on the machine
# (installed, or removed with its configuration kept): this test would replace and purge it.
# The machine is restored (daemons stopped, namespaces deleted, package purged) even on
# failure. Not to be run in parallel with tests that run tshark or apt (ctest: RUN_SERIAL).
set -u

BUILD="" DEB="" CMAKE=cmake DATA=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --deb) DEB=$2; shift 2 ;;
    --cmake) CMAKE=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "usage: $0 --build BUILD_DIR [--deb FILE] [--cmake CMAKE] [--data DIR]" >&2; exit 2 ;;
  esac
done
[ -n "$BUILD$DEB" ] || { echo "$0: need --build or --deb" >&2; exit 2; }

PKG=lsoe
T=/tmp/lsoe-pkgtest.$$            # every file of ours: $T.*
NS=lsoepkg$$                      # namespaces ${NS}a, ${NS}b
START=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=60)

skip() { echo "SKIP: $*"; exit 77; }
say() { echo "package.deb: $*"; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "not root (installs a package and uses network namespaces)"
for c in apt-get dpkg dpkg-deb dpkg-query; do
  command -v $c >/dev/null || skip "no $c (not a Debian system?)"
done
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "no ip netns"
if [ -z "$DEB" ]; then
  command -v dpkg-shlibdeps >/dev/null || skip "no dpkg-shlibdeps (package dpkg-dev) to build the package"
fi
# Never touch a package lsoe we did not install: any state but "not installed" is someone else's.
status=$(dpkg-query -W -f='${db:Status-Abbrev}' $PKG 2>/dev/null | tr -d ' ')
case "$status" in
  ""|un) ;;
  *) skip "package $PKG is already on this machine (dpkg status '$status'); this test would replace and purge it -- run 'apt-get remove --purge $PKG' first if it may go" ;;
esac

INSTALLED=0
cleanup() {
  local rc=$?
  for p in $(cat $T.pids 2>/dev/null); do kill "$p" 2>/dev/null; done
  sleep 0.2
  for p in $(cat $T.pids 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  for n in a b; do ip netns del ${NS}$n 2>/dev/null; done
  if [ $INSTALLED = 1 ]; then
    apt-get remove --purge "${APT_OPTS[@]}" $PKG > $T.purge-on-exit.log 2>&1 ||
      { echo "cleanup: apt-get remove --purge $PKG failed:"; tail -5 $T.purge-on-exit.log; rc=1; }
  fi
  [ $rc = 0 ] || for f in $T.*.log; do [ -s "$f" ] && { echo "---- $f"; tail -20 "$f"; }; done
  rm -rf $T.*
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the package ----------------------------------------------------------------------------
if [ -z "$DEB" ]; then
  "$CMAKE" --build "$BUILD" --target package > $T.build.log 2>&1 ||
    fail "cmake --build $BUILD --target package failed: $(tail -3 $T.build.log | tr '\n' ' ')"
  DEB=$(sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' $T.build.log | tail -1)
  [ -f "$DEB" ] || fail "no .deb named in the package target's output"
fi
DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
name=$(dpkg-deb -f "$DEB" Package); ver=$(dpkg-deb -f "$DEB" Version); arch=$(dpkg-deb -f "$DEB" Architecture)
[ "$name" = $PKG ] || fail "the package is named '$name', not $PKG"
[ "$(basename "$DEB")" = "${PKG}_${ver}_${arch}.deb" ] || fail "file name $(basename "$DEB"), not ${PKG}_${ver}_${arch}.deb"
deps=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libpcap libyajl libinih libmnl; do
  printf '%s' "$deps" | grep -q "$lib" || fail "Depends lacks $lib (dpkg-shlibdeps): '$deps'"
done
printf '%s' "$deps" | grep -q curl && fail "libcurl is dlopen()ed: it must not be in Depends: '$deps'"
dpkg-deb -f "$DEB" Suggests | grep -q libcurl4 || fail "Suggests lacks libcurl4"

# ---- install ----------------------------------------------------------------------------------
INSTALLED=1   # from here on, purge on exit (a failed install may leave it half-configured)
apt-get install "${APT_OPTS[@]}" "$DEB" > $T.install.log 2>&1 ||
  fail "apt-get install $DEB failed: $(tail -3 $T.install.log | tr '\n' ' ')"
dpkg-query -W -f='${db:Status-Abbrev}' $PKG | grep -q '^ii' || fail "$PKG not installed after apt-get install"
dpkg -L $PKG > $T.files
has() { grep -qx "$1" $T.files || fail "$PKG does not install $1"; }
has /usr/sbin/lsoed
for p in lsoectl lsoe-dump lsoe-sim lsoe-pcap-send lsoe-flood; do has /usr/bin/$p; done
has /lib/systemd/system/lsoed.service
has /etc/lsoed.conf
has /usr/share/man/man5/lsoed.conf.5.gz
# Every program has its manual page (gzipped).
for p in $(grep -E '^/usr/s?bin/.' $T.files); do
  grep -qE "^/usr/share/man/man[18]/$(basename "$p")\.[18]\.gz$" $T.files || fail "no manual page for $p"
done
has /usr/share/doc/$PKG/copyright
has /usr/share/doc/$PKG/changelog.gz
has /usr/share/lsoe/sim-scenarios/clos-4x8.json
has /usr/share/lsoe/sim-scenarios/README.md
LUA=$(grep '/wireshark/plugins/lsoe\.lua$' $T.files | head -1)
[ -n "$LUA" ] || fail "$PKG installs no wireshark/plugins/lsoe.lua"
grep -q '^ExecStart=/usr/sbin/lsoed ' /lib/systemd/system/lsoed.service ||
  fail "the unit does not run /usr/sbin/lsoed: $(grep ExecStart /lib/systemd/system/lsoed.service)"
dpkg-query -W -f='${Conffiles}\n' $PKG | grep -q '^ */etc/lsoed.conf ' || fail "/etc/lsoed.conf is not a conffile"
# Debian paths only: nothing under /usr/local, no uncompressed man page.
grep -q '^/usr/local' $T.files && fail "$PKG installs under /usr/local: $(grep '^/usr/local' $T.files | head -3)"
grep -E '^/usr/share/man/man[0-9]/.*\.[0-9]$' $T.files && fail "uncompressed man pages"
say "installed $(basename "$DEB") ($(grep -c . $T.files) paths), Depends: $deps"

# ---- the installed daemon, a pair in two namespaces -------------------------------------------------
ip netns add ${NS}a && ip netns add ${NS}b || fail "ip netns add"
ip link add lpk$$a type veth peer name lpk$$b || fail "ip link add veth"
ip link set lpk$$a netns ${NS}a; ip link set lpk$$b netns ${NS}b
ip -n ${NS}a link set lpk$$a name eth0; ip -n ${NS}b link set lpk$$b name eth0
ip -n ${NS}a link set eth0 address 02:00:00:00:00:0a; ip -n ${NS}b link set eth0 address 02:00:00:00:00:0b
for n in a b; do ip -n ${NS}$n link set lo up; ip -n ${NS}$n link set eth0 up; done
ip -n ${NS}a addr add 192.0.2.1/31 dev eth0; ip -n ${NS}b addr add 192.0.2.0/31 dev eth0
i=0
for n in a b; do
  i=$((i + 1))
  cat > $T.$n.conf <<CONF
[lsoed]
# written by tests/package/deb_package.sh
local-id = 00:00:00:00:00:00:00:00:00:0$i
hello-interval = 1
control-socket = $T.$n.sock
CONF
  ip netns exec ${NS}$n /usr/sbin/lsoed -f -c $T.$n.conf > $T.lsoed-$n.log 2>&1 &
  echo $! >> $T.pids
done
ok=""
for _ in $(seq 1 50); do
  a=$(ip netns exec ${NS}a /usr/bin/lsoectl -s $T.a.sock show neighbors --json 2>/dev/null)
  b=$(ip netns exec ${NS}b /usr/bin/lsoectl -s $T.b.sock show neighbors --json 2>/dev/null)
  if printf '%s' "$a" | grep -q "\"established\"" && printf "%s" "$b" | grep -q "\"established\""; then
    ok=1
    # The addresses follow the session up by a round trip: wait for them too, not just the state.
    printf '%s' "$a" | grep -q '192.0.2.0' && break
  fi
  sleep 0.1
done
[ -n "$ok" ] || fail "the installed lsoed pair did not establish within 5 s: a: $a b: $b"
printf '%s' "$a" | grep -q '192.0.2.0' || fail "a does not see b's address 192.0.2.0 within 5 s: $a"
say "installed lsoed pair established (lsoectl show neighbors --json)"
for p in $(cat $T.pids); do kill "$p" 2>/dev/null; done
for p in $(cat $T.pids); do wait "$p" 2>/dev/null; done
rm -f $T.pids
for n in a b; do ip netns del ${NS}$n; done

# ---- the simulator, the man pages, the dissector ----------------------------------------------------
/usr/bin/lsoe-sim run /usr/share/lsoe/sim-scenarios/clos-4x8.json > $T.sim.log 2>&1 ||
  fail "lsoe-sim run /usr/share/lsoe/sim-scenarios/clos-4x8.json: $(tail -3 $T.sim.log | tr '\n' ' ')"
grep -q 'expectations: [1-9][0-9]* passed, 0 failed' $T.sim.log || fail "clos-4x8: $(tail -2 $T.sim.log | tr '\n' ' ')"
say "installed lsoe-sim: clos-4x8 $(grep '^expectations' $T.sim.log)"
if command -v man >/dev/null; then
  for page in lsoed lsoectl lsoed.conf lsoe-sim lsoe-dump; do
    w=$(man -w $page 2>/dev/null) || fail "man -w $page finds no page"
    grep -qx "$w" $T.files || fail "man -w $page gives $w, not the package's"
  done
  say "man -w: lsoed(8), lsoectl(8), lsoed.conf(5), lsoe-sim(1), lsoe-dump(1) from the package"
else
  say "no man(1): man page lookup not checked"
fi
if command -v tshark >/dev/null; then
  tshark -G plugins 2>/dev/null | grep -q "lsoe\.lua.*$LUA" ||
    fail "tshark -G plugins does not list $LUA"
  if [ -n "$DATA" ] && [ -f "$DATA/ref-basic.pcap" ]; then
    # Decoded by the global copy alone (no -X): 44 frames, 8 HELLO.
    hellos=$(tshark -r "$DATA/ref-basic.pcap" -Y 'lsoe.pdu.type == 0' -T fields -e frame.number 2>$T.tshark.log | grep -c .)
    [ "$hellos" = 8 ] || fail "tshark with the installed dissector finds $hellos HELLOs in ref-basic.pcap, not 8: $(head -3 $T.tshark.log)"
    grep -qi 'lua' $T.tshark.log && fail "tshark reports a Lua problem: $(head -3 $T.tshark.log)"
  fi
  say "tshark loads $LUA by itself (tshark -G plugins)"
else
  say "no tshark: the dissector's global folder not checked"
fi

# ---- purge -----------------------------------------------------------------------------------------------
apt-get remove --purge "${APT_OPTS[@]}" $PKG > $T.purge.log 2>&1 ||
  fail "apt-get remove --purge $PKG failed: $(tail -3 $T.purge.log | tr '\n' ' ')"
INSTALLED=0
[ -z "$(dpkg-query -W -f='${db:Status-Abbrev}' $PKG 2>/dev/null | tr -d ' ' | grep -v '^un$')" ] ||
  fail "$PKG still known to dpkg after purge: $(dpkg-query -W -f='${db:Status-Abbrev}' $PKG)"
# Files and symbolic links to files; directories (/lib is one, a link to usr/lib) may stay.
left=$(while read -r f; do { [ -f "$f" ] || [ -L "$f" ]; } && [ ! -d "$f" ] && echo "$f"; done < $T.files)
[ -z "$left" ] || fail "files left after purge: $(echo "$left" | tr "\n" " " | head -c 300)"
say "purged: none of the $(grep -c . $T.files) paths of dpkg -L is left; $(( $(date +%s) - START )) s"
