# cmake -DPCAP=capture.pcap -DOUT=bench_data.c -P embed_capture.cmake
#
# Finds the first LSOE PDU in a classic pcap file that spans exactly two datagrams
# (number 0 without L, then number 1 with L, from the same source MAC, EtherType
# 0x8885 or 0x88B5, untagged) and writes both frames as C arrays (see bench_data.h).
# Plain CMake, so the build needs no extra tool; the benchmark checks the frames
# (checksums, 123 entries) when it starts.
if(NOT PCAP OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DPCAP=file.pcap -DOUT=file.c -P embed_capture.cmake")
endif()

file(READ "${PCAP}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
if(size LESS 24)
  message(FATAL_ERROR "${PCAP}: too short for a pcap file")
endif()

string(SUBSTRING "${hex}" 0 8 magic)
if(magic STREQUAL "d4c3b2a1" OR magic STREQUAL "4d3cb2a1")
  set(le TRUE)
elseif(magic STREQUAL "a1b2c3d4" OR magic STREQUAL "a1b23c4d")
  set(le FALSE)
else()
  message(FATAL_ERROR "${PCAP}: not a classic pcap file (magic ${magic})")
endif()

# octets(OFF N VAR): N octets at octet offset OFF as lowercase hex.
function(octets off n var)
  math(EXPR h "${off} * 2")
  math(EXPR l "${n} * 2")
  string(SUBSTRING "${hex}" ${h} ${l} x)
  set(${var} "${x}" PARENT_SCOPE)
endfunction()

# u32(OFF VAR): a 32-bit header field in the file's byte order.
function(u32 off var)
  octets(${off} 4 x)
  if(le)
    string(REGEX REPLACE "^(..)(..)(..)(..)$" "\\4\\3\\2\\1" x "${x}")
  endif()
  math(EXPR v "0x${x}")
  set(${var} ${v} PARENT_SCOPE)
endfunction()

u32(20 linktype)
if(NOT linktype EQUAL 1)
  message(FATAL_ERROR "${PCAP}: link type ${linktype}, expected 1 (Ethernet)")
endif()

set(off 24)
set(found FALSE)
unset(f0)
while(off LESS size)
  math(EXPR caplen_off "${off} + 8")
  u32(${caplen_off} caplen)
  math(EXPR data "${off} + 16")
  math(EXPR off "${data} + ${caplen}")
  if(off GREATER size)
    message(FATAL_ERROR "${PCAP}: truncated record at octet ${data}")
  endif()
  if(caplen LESS 22)
    continue()
  endif()
  math(EXPR p "${data} + 12")
  octets(${p} 2 ethertype)
  if(NOT (ethertype STREQUAL "8885" OR ethertype STREQUAL "88b5"))
    continue()
  endif()
  math(EXPR p "${data} + 6")
  octets(${p} 6 src)
  math(EXPR p "${data} + 15")
  octets(${p} 1 number)   # L bit and datagram number
  if(number STREQUAL "00")
    set(f0 ${data})
    set(f0_len ${caplen})
    set(f0_src ${src})
  elseif(DEFINED f0 AND src STREQUAL f0_src)
    if(number STREQUAL "81")
      set(f1 ${data})
      set(f1_len ${caplen})
      set(found TRUE)
      break()
    endif()
    unset(f0)   # anything else from that source ends the candidate PDU
  endif()
endwhile()
if(NOT found)
  message(FATAL_ERROR "${PCAP}: no PDU spanning exactly two datagrams")
endif()

# c_array(OFF N VAR): the octets as a C initialiser, 12 per line.
function(c_array off n var)
  octets(${off} ${n} x)
  string(REGEX REPLACE "(..)" "0x\\1, " x "${x}")
  string(REPEAT "0x.., " 12 twelve)   # CMake regexes have no {n}
  string(REGEX REPLACE "(${twelve})" "\\1\n\t" x "${x}")
  string(REPLACE " \n" "\n" x "${x}")
  string(REGEX REPLACE "[ \t\n]+$" "" x "${x}")
  set(${var} "\t${x}" PARENT_SCOPE)
endfunction()

c_array(${f0} ${f0_len} body0)
c_array(${f1} ${f1_len} body1)
get_filename_component(name "${PCAP}" NAME)
file(WRITE "${OUT}.tmp" "/* Generated from ${name} by embed_capture.cmake: do not edit. */
#include \"bench_data.h\"

const char lsoe_bench_big_source[] = \"${name}\";

const uint8_t lsoe_bench_big_frame0[${f0_len}] = {
${body0}
};
const size_t lsoe_bench_big_frame0_len = ${f0_len};

const uint8_t lsoe_bench_big_frame1[${f1_len}] = {
${body1}
};
const size_t lsoe_bench_big_frame1_len = ${f1_len};
")
file(RENAME "${OUT}.tmp" "${OUT}")
