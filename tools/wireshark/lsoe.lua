-- lsoe.lua: Wireshark/tshark dissector for LSOE, Link State Over Ethernet (draft-ietf-lsvr-lsoe-01).
--
--   tshark -X lua_script:tools/wireshark/lsoe.lua -r capture.pcap -Y lsoe
--   or copy this file into the personal Lua plugin folder (see `tshark -G folders`).
--
-- Decodes the 8-octet datagram header, verifies the S-box checksum, reassembles PDUs that span
-- several datagrams (per source and destination MAC, in order, numbers 0..n with L on the last)
-- and decodes every PDU type of -01: HELLO, OPEN, KEEPALIVE, ACK, the four encapsulation PDUs and
-- VENDOR. Registered on EtherType 0x88B5 (the draft's local experimental value) and 0x8885 (the
-- value py-lsoed uses); "Decode As" can add others. Written for Wireshark 4.0 (Lua 5.2).

local lsoe = Proto("lsoe", "Link State Over Ethernet")

local ETHERTYPES = { 0x88B5, 0x8885 }
local HDR = 8                 -- datagram header octets
local MAX_PDU = 65535         -- PDU Length is 16 bits

-------------------------------------------------------------------------------------------------
-- Value strings

local PDU_TYPES = {
    [0] = "HELLO", [1] = "OPEN", [2] = "KEEPALIVE", [3] = "ACK",
    [4] = "IPV4_ENCAP", [5] = "IPV6_ENCAP", [6] = "MPLS_IPV4_ENCAP", [7] = "MPLS_IPV6_ENCAP",
    [255] = "VENDOR",
}
local ACKED_TYPES = { [1] = true, [4] = true, [5] = true, [6] = true, [7] = true, [255] = true }
local ERROR_TYPES = { [0] = "none", [1] = "warning", [2] = "restart", [3] = "hopeless" }
local ERROR_CODES = { [0] = "none", [1] = "Link Addressing Conflict", [2] = "Authorisation Failure in OPEN" }

local function type_name(t)
    return PDU_TYPES[t] or string.format("RESERVED(%d)", t)
end

-------------------------------------------------------------------------------------------------
-- Fields

local F = {
    -- datagram header
    version         = ProtoField.uint8("lsoe.version", "Version", base.DEC),
    last            = ProtoField.bool("lsoe.last", "Last datagram (L)", 8, nil, 0x80),
    fragment        = ProtoField.uint8("lsoe.fragment", "Datagram number", base.DEC, nil, 0x7F),
    length          = ProtoField.uint16("lsoe.length", "Datagram length", base.DEC),
    checksum        = ProtoField.uint32("lsoe.checksum", "Checksum", base.HEX),
    checksum_calc   = ProtoField.uint32("lsoe.checksum_calculated", "Calculated checksum", base.HEX),
    checksum_ok     = ProtoField.bool("lsoe.checksum_ok", "Checksum OK"),
    payload         = ProtoField.bytes("lsoe.payload", "Datagram payload (PDU slice)"),
    padding         = ProtoField.bytes("lsoe.padding", "Padding after the datagram (ignored)"),
    -- reassembly
    reassembled_in  = ProtoField.framenum("lsoe.reassembled_in", "Reassembled in frame", base.NONE),
    datagrams       = ProtoField.uint8("lsoe.reassembled.count", "Datagrams in this PDU", base.DEC),
    reasm_length    = ProtoField.uint32("lsoe.reassembled.length", "Reassembled PDU length", base.DEC),
    datagram_frame  = ProtoField.framenum("lsoe.reassembled.frame", "Datagram in frame", base.NONE),
    -- common PDU header
    pdu             = ProtoField.none("lsoe.pdu", "PDU"),
    pdu_type        = ProtoField.uint8("lsoe.pdu.type", "PDU type", base.DEC, PDU_TYPES),
    pdu_length      = ProtoField.uint16("lsoe.pdu.length", "PDU length", base.DEC),
    pdu_body        = ProtoField.bytes("lsoe.pdu.body", "Undecoded PDU body"),
    pdu_trailing    = ProtoField.bytes("lsoe.pdu.trailing", "Octets beyond the PDU length"),
    -- OPEN
    open_nonce      = ProtoField.uint32("lsoe.open.nonce", "Nonce", base.HEX),
    open_local_id   = ProtoField.bytes("lsoe.open.local_id", "Local ID", base.COLON),
    open_attr_count = ProtoField.uint8("lsoe.open.attr_count", "Attribute count", base.DEC),
    open_attribute  = ProtoField.uint8("lsoe.open.attribute", "Attribute", base.DEC_HEX),
    open_auth_len   = ProtoField.uint16("lsoe.open.auth_length", "Authentication length", base.DEC),
    open_auth_data  = ProtoField.bytes("lsoe.open.auth_data", "Authentication data"),
    -- ACK
    ack_type        = ProtoField.uint8("lsoe.ack.type", "Acknowledged PDU type", base.DEC, PDU_TYPES),
    ack_error_type  = ProtoField.uint16("lsoe.ack.error_type", "Error type", base.DEC, ERROR_TYPES, 0xF000),
    ack_error_code  = ProtoField.uint16("lsoe.ack.error_code", "Error code", base.DEC, ERROR_CODES, 0x0FFF),
    ack_error_hint  = ProtoField.uint16("lsoe.ack.error_hint", "Error hint", base.DEC_HEX),
    -- encapsulations
    encap_count     = ProtoField.uint16("lsoe.encap.count", "Count", base.DEC),
    encap_entry     = ProtoField.none("lsoe.encap.entry", "Entry"),
    encap_flags     = ProtoField.uint8("lsoe.encap.flags", "Flags", base.HEX),
    encap_primary   = ProtoField.bool("lsoe.encap.flags.primary", "Primary", 8, nil, 0x80),
    encap_loopback  = ProtoField.bool("lsoe.encap.flags.loopback", "Loopback", 8, nil, 0x40),
    encap_reserved  = ProtoField.uint8("lsoe.encap.flags.reserved", "Reserved", base.HEX, nil, 0x3F),
    encap_label_cnt = ProtoField.uint8("lsoe.encap.label_count", "Label count", base.DEC),
    encap_label_ent = ProtoField.uint24("lsoe.encap.label_entry", "Label stack entry", base.HEX),
    encap_label     = ProtoField.uint24("lsoe.encap.label", "Label", base.DEC, nil, 0xFFFFF0),
    encap_label_tc  = ProtoField.uint24("lsoe.encap.label.tc", "Traffic class (Exp)", base.DEC, nil, 0x00000E),
    encap_label_s   = ProtoField.bool("lsoe.encap.label.s", "Bottom of stack (S)", 24, nil, 0x000001),
    -- Addresses: typed fields per family (subnet filters: lsoe.encap.ipv6 == 2001:db8::/32) and
    -- lsoe.encap.address, the canonical text of either family, hidden like ip.addr. (Wireshark 4.0
    -- registers two fields of different types under one abbreviation, but its display-filter
    -- compiler then parses values as one type only and mis-compares the other, so one typed name
    -- for both families is not usable.)
    encap_addr4     = ProtoField.ipv4("lsoe.encap.ipv4", "IPv4 address"),
    encap_addr6     = ProtoField.ipv6("lsoe.encap.ipv6", "IPv6 address"),
    encap_address   = ProtoField.string("lsoe.encap.address", "Address"),
    encap_plen      = ProtoField.uint8("lsoe.encap.prefix_len", "Prefix length", base.DEC),
    -- VENDOR
    vendor_ent      = ProtoField.uint32("lsoe.vendor.enterprise", "Enterprise number", base.DEC),
    vendor_type     = ProtoField.uint8("lsoe.vendor.type", "Enterprise type", base.DEC),
    vendor_data     = ProtoField.bytes("lsoe.vendor.data", "Enterprise data"),
}
do
    local list = {}
    for _, f in pairs(F) do list[#list + 1] = f end
    lsoe.fields = list
end

-------------------------------------------------------------------------------------------------
-- Expert infos

local G, S = expert.group, expert.severity
local E = {
    cksum_bad      = ProtoExpert.new("lsoe.checksum.bad", "Bad checksum", G.CHECKSUM, S.ERROR),
    cksum_good     = ProtoExpert.new("lsoe.checksum.good", "Checksum good", G.CHECKSUM, S.CHAT),
    cksum_unverif  = ProtoExpert.new("lsoe.checksum.unverified", "Checksum not verified", G.CHECKSUM, S.WARN),
    version        = ProtoExpert.new("lsoe.version.unknown", "Unknown LSOE version", G.PROTOCOL, S.WARN),
    short          = ProtoExpert.new("lsoe.short", "Datagram shorter than its 8-octet header", G.MALFORMED, S.ERROR),
    dlen_bad       = ProtoExpert.new("lsoe.length.bad", "Bad datagram length", G.MALFORMED, S.ERROR),
    fragment       = ProtoExpert.new("lsoe.fragment.info", "Fragment of a PDU", G.SEQUENCE, S.CHAT),
    reasm_error    = ProtoExpert.new("lsoe.reassembly.error", "Reassembly error", G.SEQUENCE, S.WARN),
    pdu_short      = ProtoExpert.new("lsoe.pdu.short", "PDU shorter than its header", G.MALFORMED, S.ERROR),
    pdu_len_bad    = ProtoExpert.new("lsoe.pdu.length.bad", "PDU length does not match", G.MALFORMED, S.ERROR),
    pdu_type       = ProtoExpert.new("lsoe.pdu.type.reserved", "Reserved PDU type", G.UNDECODED, S.WARN),
    pdu_malformed  = ProtoExpert.new("lsoe.pdu.malformed", "Malformed PDU", G.MALFORMED, S.ERROR),
    ack_type       = ProtoExpert.new("lsoe.ack.type.bad", "ACK of a PDU type that is not acknowledged", G.PROTOCOL, S.WARN),
    ack_nonzero    = ProtoExpert.new("lsoe.ack.nonzero", "Error type 0 with non-zero code or hint", G.PROTOCOL, S.WARN),
    ack_error      = ProtoExpert.new("lsoe.ack.error", "ACK reports an error", G.RESPONSE_CODE, S.NOTE),
    ack_etype_res  = ProtoExpert.new("lsoe.ack.error_type.reserved", "Reserved error type", G.PROTOCOL, S.WARN),
    plen_range     = ProtoExpert.new("lsoe.encap.prefix_len.bad", "Prefix length out of range", G.PROTOCOL, S.ERROR),
    flags_reserved = ProtoExpert.new("lsoe.encap.flags.reserved_set", "Reserved flag bits set", G.PROTOCOL, S.NOTE),
    multi_primary  = ProtoExpert.new("lsoe.encap.multiple_primary", "More than one Primary entry", G.PROTOCOL, S.NOTE),
    internal       = ProtoExpert.new("lsoe.internal", "Dissector error", G.MALFORMED, S.ERROR),
}
do
    local list = {}
    for _, e in pairs(E) do list[#list + 1] = e end
    lsoe.experts = list
end

-------------------------------------------------------------------------------------------------
-- Checksum (digest 2.5): the draft's S-box (Skipjack F-table) summed into four lanes by octet
-- index mod 4, combined with 8-bit shifts, folded twice to 32 bits. The checksum field (octets
-- 4..7) counts as zero. Lua 5.2 numbers are doubles: every intermediate is < 2^48, exact.

local SBOX = {
    0xa3,0xd7,0x09,0x83,0xf8,0x48,0xf6,0xf4,0xb3,0x21,0x15,0x78,0x99,0xb1,0xaf,0xf9,
    0xe7,0x2d,0x4d,0x8a,0xce,0x4c,0xca,0x2e,0x52,0x95,0xd9,0x1e,0x4e,0x38,0x44,0x28,
    0x0a,0xdf,0x02,0xa0,0x17,0xf1,0x60,0x68,0x12,0xb7,0x7a,0xc3,0xe9,0xfa,0x3d,0x53,
    0x96,0x84,0x6b,0xba,0xf2,0x63,0x9a,0x19,0x7c,0xae,0xe5,0xf5,0xf7,0x16,0x6a,0xa2,
    0x39,0xb6,0x7b,0x0f,0xc1,0x93,0x81,0x1b,0xee,0xb4,0x1a,0xea,0xd0,0x91,0x2f,0xb8,
    0x55,0xb9,0xda,0x85,0x3f,0x41,0xbf,0xe0,0x5a,0x58,0x80,0x5f,0x66,0x0b,0xd8,0x90,
    0x35,0xd5,0xc0,0xa7,0x33,0x06,0x65,0x69,0x45,0x00,0x94,0x56,0x6d,0x98,0x9b,0x76,
    0x97,0xfc,0xb2,0xc2,0xb0,0xfe,0xdb,0x20,0xe1,0xeb,0xd6,0xe4,0xdd,0x47,0x4a,0x1d,
    0x42,0xed,0x9e,0x6e,0x49,0x3c,0xcd,0x43,0x27,0xd2,0x07,0xd4,0xde,0xc7,0x67,0x18,
    0x89,0xcb,0x30,0x1f,0x8d,0xc6,0x8f,0xaa,0xc8,0x74,0xdc,0xc9,0x5d,0x5c,0x31,0xa4,
    0x70,0x88,0x61,0x2c,0x9f,0x0d,0x2b,0x87,0x50,0x82,0x54,0x64,0x26,0x7d,0x03,0x40,
    0x34,0x4b,0x1c,0x73,0xd1,0xc4,0xfd,0x3b,0xcc,0xfb,0x7f,0xab,0xe6,0x3e,0x5b,0xa5,
    0xad,0x04,0x23,0x9c,0x14,0x51,0x22,0xf0,0x29,0x79,0x71,0x7e,0xff,0x8c,0x0e,0xe2,
    0x0c,0xef,0xbc,0x72,0x75,0x6f,0x37,0xa1,0xec,0xd3,0x8e,0x62,0x8b,0x86,0x10,0xe8,
    0x08,0x77,0x11,0xbe,0x92,0x4f,0x24,0xc5,0x32,0x36,0x9d,0xcf,0xf3,0xa6,0xbb,0xac,
    0x5e,0x6c,0xa9,0x13,0x57,0x25,0xb5,0xe3,0xbd,0xa8,0x3a,0x01,0x05,0x59,0x2a,0x46,
}
-- Re-index by octet value (0..255) instead of Lua's 1-based position.
do
    local t = {}
    for i = 1, 256 do t[i - 1] = SBOX[i] end
    SBOX = t
end

local sbyte = string.byte
local TWO32 = 4294967296

-- s: the datagram as a Lua string (Datagram Length octets). Returns the 32-bit checksum.
local function lsoe_checksum(s)
    local n = #s
    local lane = { 0, 0, 0, 0 }
    -- Octets 1..4 of the Lua string are offsets 0..3; offsets 4..7 (the checksum) count as 0.
    for i = 1, math.min(n, 4) do lane[i] = lane[i] + SBOX[sbyte(s, i)] end
    for i = 5, math.min(n, 8) do lane[i - 4] = lane[i - 4] + SBOX[0] end
    local a0, a1, a2, a3 = lane[1], lane[2], lane[3], lane[4]
    local i = 9
    while i + 3 <= n do
        local b0, b1, b2, b3 = sbyte(s, i, i + 3)
        a0 = a0 + SBOX[b0]; a1 = a1 + SBOX[b1]; a2 = a2 + SBOX[b2]; a3 = a3 + SBOX[b3]
        i = i + 4
    end
    -- Remaining 0..3 octets: offset i-1 is a multiple of 4 here, so lanes 0, 1, 2 in order.
    if i <= n then a0 = a0 + SBOX[sbyte(s, i)] end
    if i + 1 <= n then a1 = a1 + SBOX[sbyte(s, i + 1)] end
    if i + 2 <= n then a2 = a2 + SBOX[sbyte(s, i + 2)] end
    local r = a0 * 16777216 + a1 * 65536 + a2 * 256 + a3
    r = math.floor(r / TWO32) + r % TWO32
    r = math.floor(r / TWO32) + r % TWO32
    return r % TWO32
end

-------------------------------------------------------------------------------------------------
-- Reassembly state.
--
-- Frames are first dissected in capture order (pinfo.visited false); that pass decides, once and
-- for all, what each datagram frame is, and stores it in `frames` keyed by frame number. Every
-- later dissection of the frame (tshark -2, clicks in the GUI, filters) reads the stored result,
-- so the display never depends on the order of re-dissection.
--
--   frames[n] = { kind = "single" }                           one-datagram PDU
--             | { kind = "fragment", group = g }              not the last datagram of a PDU
--             | { kind = "complete", group = g }              last datagram; g.data is the PDU
--             | { kind = "orphan", reason = "..." }           out-of-sequence datagram, dropped
--   g = { frames = {n0, n1, ...}, lens = {...}, data = string, reassembled_in = n,
--         discarded = "why", first_type = t, size = octets }
--
-- Partial PDUs are keyed by (source MAC, destination MAC): a sender never interleaves slices of
-- two PDUs to one peer (digest 2.4), and keying on the destination too keeps PDUs it sends to
-- two peers on a shared segment apart.

local frames, partial

-- Like the project's reassembler (core/reasm.c) and py-lsoed: a partial PDU whose first datagram
-- is older than the timeout is discarded. Changing the preference re-dissects the capture.
lsoe.prefs.reassembly_timeout = Pref.uint("Reassembly timeout (ms)", 1000,
    "A partial PDU is discarded when this long has passed since its first datagram (0: never)")

local function reset_state()
    frames = {}
    partial = {}
end
reset_state()
lsoe.init = reset_state    -- called by Wireshark before each (re)load of a capture

local function reassembly_step(pinfo, num, last, slice)
    local fn = pinfo.number
    local key = tostring(pinfo.dl_src) .. ">" .. tostring(pinfo.dl_dst)
    local p = partial[key]
    local now = pinfo.abs_ts
    local timeout = lsoe.prefs.reassembly_timeout / 1000
    local expired = false
    if p and timeout > 0 and now - p.started >= timeout then
        p.discarded = string.format("reassembly timeout (%d ms) expired before frame %d",
            lsoe.prefs.reassembly_timeout, fn)
        partial[key] = nil
        p = nil
        expired = true
    end

    if num == 0 then
        if p then
            p.discarded = string.format("superseded by a new PDU (datagram 0) in frame %d", fn)
            partial[key] = nil
        end
        if last then return { kind = "single" } end
        local g = { frames = { fn }, parts = { slice }, lens = { #slice }, size = #slice, next = 1,
                    started = now }
        if #slice >= 1 then g.first_type = sbyte(slice, 1) end
        partial[key] = g
        return { kind = "fragment", group = g, num = 0 }
    end

    if not p then
        if expired then
            return { kind = "orphan", num = num,
                     reason = string.format("datagram %d after its partial PDU expired (reassembly timeout)", num) }
        end
        return { kind = "orphan", num = num,
                 reason = string.format("datagram %d without the earlier datagrams of its PDU", num) }
    end
    if p.next ~= num then
        p.discarded = string.format("datagram %d arrived in frame %d where %d was expected", num, fn, p.next)
        partial[key] = nil
        return { kind = "orphan", num = num,
                 reason = string.format("out of sequence: expected datagram %d, got %d (PDU discarded)", p.next, num) }
    end
    if p.size + #slice > MAX_PDU then
        p.discarded = string.format("exceeds %d octets at frame %d", MAX_PDU, fn)
        partial[key] = nil
        return { kind = "orphan", num = num,
                 reason = string.format("reassembled PDU would exceed %d octets (PDU discarded)", MAX_PDU) }
    end
    p.frames[#p.frames + 1] = fn
    p.parts[#p.parts + 1] = slice
    p.lens[#p.lens + 1] = #slice
    p.size = p.size + #slice
    if not last then
        p.next = num + 1
        return { kind = "fragment", group = p, num = num }
    end
    partial[key] = nil
    p.data = table.concat(p.parts)
    p.parts = nil
    p.reassembled_in = fn
    return { kind = "complete", group = p, num = num }
end

-------------------------------------------------------------------------------------------------
-- PDU decoding. Every decoder gets the PDU's Tvb, the PDU subtree and `stop`, the end of the PDU
-- (min of PDU Length and the octets present). It checks lengths before every read, flags what is
-- wrong with an expert info and returns a summary for the Info column.

-- Set when a PDU decoder flags a problem, so the Info column can say so.
local pdu_problem = false

-- Adds a malformed-PDU expert info to item (optionally over a range) and notes it.
local function malformed(item, e, text, range)
    pdu_problem = true
    if range then item:add_tvb_expert_info(e, range, text) else item:add_proto_expert_info(e, text) end
end

local function ipv4_text(r) return tostring(r:ipv4()) end
local function ipv6_text(r) return tostring(r:ipv6()) end

local function need(pt, tvb, off, n, stop, what)
    if off + n <= stop then return true end
    local avail = stop - off
    if avail > 0 then
        malformed(pt, E.pdu_malformed,
            string.format("Truncated %s: needs %d octets at offset %d, %d left", what, n, off, avail), tvb(off, avail))
    else
        malformed(pt, E.pdu_malformed,
            string.format("Truncated %s: needs %d octets at offset %d, none left", what, n, off))
    end
    return false
end

local function dissect_empty(tvb, pt, stop, name)
    if stop > 3 then
        pt:add(F.pdu_body, tvb(3, stop - 3))
        malformed(pt, E.pdu_malformed, name .. " must be exactly 3 octets")
    end
    return name
end

local function dissect_open(tvb, pt, stop)
    if not need(pt, tvb, 3, 15, stop, "OPEN (nonce, local ID, attribute count)") then return "OPEN (malformed)" end
    local nonce = tvb(3, 4):uint()
    pt:add(F.open_nonce, tvb(3, 4))
    pt:add(F.open_local_id, tvb(7, 10))
    local id = tostring(tvb(7, 10):bytes()):lower():gsub("(..)", "%1:"):sub(1, -2)
    local n = tvb(17, 1):uint()
    local ai = pt:add(F.open_attr_count, tvb(17, 1))
    local off = 18
    local attrs = {}
    if not need(pt, tvb, off, n, stop, "attribute list") then return "OPEN (malformed)" end
    for k = 0, n - 1 do
        ai:add(F.open_attribute, tvb(off + k, 1))
        attrs[#attrs + 1] = tostring(tvb(off + k, 1):uint())
    end
    off = off + n
    if not need(pt, tvb, off, 2, stop, "authentication length") then return "OPEN (malformed)" end
    local m = tvb(off, 2):uint()
    pt:add(F.open_auth_len, tvb(off, 2))
    off = off + 2
    if m > 0 then
        if not need(pt, tvb, off, m, stop, "authentication data") then return "OPEN (malformed)" end
        pt:add(F.open_auth_data, tvb(off, m))
        off = off + m
    end
    if off < stop then
        pt:add(F.pdu_body, tvb(off, stop - off))
        malformed(pt, E.pdu_malformed,
            string.format("OPEN length must be 20 + attributes (%d) + auth length (%d) = %d", n, m, 20 + n + m))
    end
    return string.format("OPEN nonce 0x%08x id %s attrs [%s] auth %d", nonce, id, table.concat(attrs, ","), m)
end

local function dissect_ack(tvb, pt, stop)
    if not need(pt, tvb, 3, 5, stop, "ACK") then return "ACK (malformed)" end
    local acked = tvb(3, 1):uint()
    local w = tvb(4, 2):uint()
    local etype, code = math.floor(w / 4096), w % 4096
    local hint = tvb(6, 2):uint()
    local ti = pt:add(F.ack_type, tvb(3, 1))
    if not ACKED_TYPES[acked] then
        malformed(ti, E.ack_type, "PDU type " .. type_name(acked) .. " is never acknowledged")
    end
    local ei = pt:add(F.ack_error_type, tvb(4, 2))
    pt:add(F.ack_error_code, tvb(4, 2))
    pt:add(F.ack_error_hint, tvb(6, 2))
    if etype == 0 and (code ~= 0 or hint ~= 0) then
        malformed(ei, E.ack_nonzero, "Error type 0 with non-zero code or hint")
    elseif etype >= 4 then
        ei:add_proto_expert_info(E.ack_etype_res, string.format("Reserved error type %d", etype))
    end
    if etype ~= 0 then
        ei:add_proto_expert_info(E.ack_error, string.format("ACK of %s reports error type %d (%s), code %d (%s), hint %d",
            type_name(acked), etype, ERROR_TYPES[etype] or "reserved", code, ERROR_CODES[code] or "unknown", hint))
    end
    if stop > 8 then
        pt:add(F.pdu_body, tvb(8, stop - 8))
        malformed(pt, E.pdu_malformed, "ACK must be exactly 8 octets")
    end
    return string.format("ACK of %s etype %d (%s) code %d hint %d", type_name(acked), etype,
        ERROR_TYPES[etype] or "reserved", code, hint)
end

-- Types 4..7: { address octets, labelled? }
local ENCAP = { [4] = { 4, false }, [5] = { 16, false }, [6] = { 4, true }, [7] = { 16, true } }

local function dissect_encap(tvb, pt, stop, ptype)
    local name = type_name(ptype)
    local alen, mpls = ENCAP[ptype][1], ENCAP[ptype][2]
    local maxplen = alen * 8
    if not need(pt, tvb, 3, 2, stop, "entry count") then return name .. " (malformed)" end
    local count = tvb(3, 2):uint()
    local ci = pt:add(F.encap_count, tvb(3, 2))
    local off = 5
    local texts, primaries = {}, 0
    local done = 0
    for k = 1, count do
        -- size of this entry: flags, [label count, labels], address, prefix length
        local size = 1 + alen + 1
        local nlabels = 0
        if mpls then
            if off + 2 > stop then
                need(pt, tvb, off, 2, stop, string.format("entry %d", k))
                break
            end
            nlabels = tvb(off + 1, 1):uint()
            size = size + 1 + 3 * nlabels
        end
        if not need(pt, tvb, off, size, stop, string.format("entry %d of %d", k, count)) then break end
        local et = pt:add(F.encap_entry, tvb(off, size))
        local flags = tvb(off, 1):uint()
        local fi = et:add(F.encap_flags, tvb(off, 1))
        fi:add(F.encap_primary, tvb(off, 1))
        fi:add(F.encap_loopback, tvb(off, 1))
        fi:add(F.encap_reserved, tvb(off, 1))
        if flags % 64 ~= 0 then fi:add_proto_expert_info(E.flags_reserved) end
        local primary, loopback = flags >= 128, (flags % 128) >= 64
        if primary then primaries = primaries + 1 end
        local p = off + 1
        local labels = {}
        if mpls then
            local li = et:add(F.encap_label_cnt, tvb(p, 1))
            p = p + 1
            for _ = 1, nlabels do
                local v = tvb(p, 3):uint()
                local label, tc, s = math.floor(v / 16), math.floor(v / 2) % 8, v % 2
                local le = li:add(F.encap_label_ent, tvb(p, 3))
                le:set_text(string.format("Label stack entry: label %d, TC %d, S %d", label, tc, s))
                le:add(F.encap_label, tvb(p, 3))
                le:add(F.encap_label_tc, tvb(p, 3))
                le:add(F.encap_label_s, tvb(p, 3))
                labels[#labels + 1] = tostring(label)
                p = p + 3
            end
        end
        local addr
        if alen == 4 then
            et:add(F.encap_addr4, tvb(p, 4)); addr = ipv4_text(tvb(p, 4))
        else
            et:add(F.encap_addr6, tvb(p, 16)); addr = ipv6_text(tvb(p, 16))
        end
        et:add(F.encap_address, tvb(p, alen), addr):set_hidden()
        p = p + alen
        local plen = tvb(p, 1):uint()
        local pi = et:add(F.encap_plen, tvb(p, 1))
        if plen > maxplen then
            malformed(pi, E.plen_range, string.format("Prefix length %d exceeds %d", plen, maxplen))
        end
        local text = addr .. "/" .. plen
        if #labels > 0 then text = text .. " label " .. table.concat(labels, ",") end
        local fl = {}
        if primary then fl[#fl + 1] = "primary" end
        if loopback then fl[#fl + 1] = "loopback" end
        if #fl > 0 then text = text .. " [" .. table.concat(fl, ",") .. "]" end
        et:set_text(string.format("Entry %d: %s", k, text))
        texts[#texts + 1] = text
        off = off + size
        done = k
    end
    if done < count then
        malformed(ci, E.pdu_malformed,
            string.format("Count says %d entries, the PDU holds %d", count, done))
    elseif off < stop then
        pt:add(F.pdu_body, tvb(off, stop - off))
        malformed(pt, E.pdu_malformed,
            string.format("%d octets after the %d entries", stop - off, count))
    end
    if primaries > 1 then
        ci:add_proto_expert_info(E.multi_primary, string.format("%d entries are marked Primary", primaries))
    end
    local shown = {}
    for k = 1, math.min(#texts, 8) do shown[k] = texts[k] end
    local more = (#texts > 8) and string.format(", ... (%d more)", #texts - 8) or ""
    if count == 0 then return name .. " count 0" end
    return string.format("%s count %d: %s%s", name, count, table.concat(shown, ", "), more)
end

local function dissect_vendor(tvb, pt, stop)
    if not need(pt, tvb, 3, 5, stop, "VENDOR (enterprise number and type)") then return "VENDOR (malformed)" end
    pt:add(F.vendor_ent, tvb(3, 4))
    pt:add(F.vendor_type, tvb(7, 1))
    local dlen = stop - 8
    if dlen > 0 then pt:add(F.vendor_data, tvb(8, dlen)) end
    return string.format("VENDOR enterprise %d type %d data %d octets", tvb(3, 4):uint(), tvb(7, 1):uint(), dlen)
end

-- tvb: the PDU's octets (nil when there are none).
local function dissect_pdu(tvb, pinfo, tree)
    local len = tvb and tvb:len() or 0
    if len < 3 then
        local item = (len > 0) and tree:add(F.pdu, tvb(0, len)) or tree:add(F.pdu)
        item:set_text("PDU (truncated)")
        item:add_proto_expert_info(E.pdu_short, string.format("PDU of %d octets, shorter than its 3-octet header", len))
        return "PDU (malformed: " .. len .. " octets)"
    end
    pdu_problem = false
    local ptype = tvb(0, 1):uint()
    local plen = tvb(1, 2):uint()
    local pt = tree:add(F.pdu, tvb(0, len))
    pt:set_text("PDU: " .. type_name(ptype))
    pt:add(F.pdu_type, tvb(0, 1))
    local li = pt:add(F.pdu_length, tvb(1, 2))
    local stop = len
    if plen < 3 then
        li:add_proto_expert_info(E.pdu_len_bad, string.format("PDU length %d is less than 3", plen))
    elseif plen > len then
        li:add_proto_expert_info(E.pdu_len_bad,
            string.format("PDU length %d exceeds the %d octets received", plen, len))
    elseif plen < len then
        li:add_proto_expert_info(E.pdu_len_bad,
            string.format("PDU length %d is less than the %d octets received", plen, len))
        pt:add(F.pdu_trailing, tvb(plen, len - plen))
        stop = plen
    end

    local ok, summary = pcall(function()
        if ptype == 0 then return dissect_empty(tvb, pt, stop, "HELLO")
        elseif ptype == 2 then return dissect_empty(tvb, pt, stop, "KEEPALIVE")
        elseif ptype == 1 then return dissect_open(tvb, pt, stop)
        elseif ptype == 3 then return dissect_ack(tvb, pt, stop)
        elseif ENCAP[ptype] then return dissect_encap(tvb, pt, stop, ptype)
        elseif ptype == 255 then return dissect_vendor(tvb, pt, stop)
        end
        pt:add_proto_expert_info(E.pdu_type, string.format("PDU type %d is reserved in -01", ptype))
        if stop > 3 then pt:add(F.pdu_body, tvb(3, stop - 3)) end
        return type_name(ptype)
    end)
    if not ok then
        pt:add_proto_expert_info(E.internal, "Dissector error: " .. tostring(summary))
        summary = type_name(ptype) .. " (dissector error)"
    end
    if plen ~= len then
        summary = summary .. " [bad PDU length]"
    elseif pdu_problem then
        summary = summary .. " [malformed]"
    end
    return summary
end

-------------------------------------------------------------------------------------------------
-- Datagram

local function dissect_datagram(tvb, pinfo, tree)
    local avail = tvb:len()
    pinfo.cols.protocol = "LSOE"
    local root = tree:add(lsoe, tvb(0, math.min(avail, HDR)))
    if avail < HDR then
        root:add_proto_expert_info(E.short, string.format("%d octets, shorter than the 8-octet header", avail))
        pinfo.cols.info = "LSOE datagram too short"
        return avail
    end
    local version = tvb(0, 1):uint()
    local num = tvb(1, 1):uint() % 128
    local last = tvb(1, 1):uint() >= 128
    local dlen = tvb(2, 2):uint()
    local cksum = tvb(4, 4):uint()

    local vi = root:add(F.version, tvb(0, 1))
    root:add(F.last, tvb(1, 1))
    root:add(F.fragment, tvb(1, 1))
    local li = root:add(F.length, tvb(2, 2))
    local ci = root:add(F.checksum, tvb(4, 4))

    if dlen < HDR or dlen > avail then
        if dlen < HDR then
            li:add_proto_expert_info(E.dlen_bad, string.format("Datagram length %d is less than the header (8)", dlen))
        else
            li:add_proto_expert_info(E.dlen_bad,
                string.format("Datagram length %d exceeds the %d octets present", dlen, avail))
        end
        ci:add_proto_expert_info(E.cksum_unverif, "Checksum not verified: bad datagram length")
        if avail > HDR then root:add(F.payload, tvb(HDR, avail - HDR)) end
        root:set_len(avail)
        pinfo.cols.info = string.format("LSOE datagram with bad length %d", dlen)
        return avail
    end
    root:set_len(dlen)
    if avail > dlen then
        -- Ethernet pads short frames to 60 octets; the Datagram Length says where LSOE ends.
        -- (A Lua dissector cannot shrink the Tvb for Wireshark's own trailer display.)
        root:add(F.padding, tvb(dlen, avail - dlen))
    end
    root:append_text(string.format(", v%d, datagram %d%s, length %d", version, num, last and " (last)" or "", dlen))

    -- checksum over the Datagram Length octets, field zeroed
    local calc = lsoe_checksum(tvb:raw(0, dlen))
    local good = (calc == cksum)
    ci:append_text(good and " [correct]" or string.format(" [incorrect, should be 0x%08x]", calc))
    local ki = root:add(F.checksum_calc, tvb(4, 4), calc); ki:set_generated()
    local oi = root:add(F.checksum_ok, tvb(4, 4), good); oi:set_generated()
    if good then
        ci:add_proto_expert_info(E.cksum_good)
    else
        ci:add_proto_expert_info(E.cksum_bad,
            string.format("Bad checksum 0x%08x, calculated 0x%08x", cksum, calc))
    end

    if version ~= 0 then
        vi:add_proto_expert_info(E.version, string.format("Version %d (only 0 is defined)", version))
        if dlen > HDR then root:add(F.payload, tvb(HDR, dlen - HDR)) end
        pinfo.cols.info = string.format("LSOE version %d datagram (not decoded)", version)
        return dlen
    end

    -- Reassembly: decided once, on the first (in-order) dissection of the frame.
    local st = frames[pinfo.number]
    if not st then
        st = reassembly_step(pinfo, num, last, tvb:raw(HDR, dlen - HDR))
        frames[pinfo.number] = st
    end

    local bad = good and "" or " [BAD CHECKSUM]"
    if st.kind == "single" then
        local ptvb = (dlen > HDR) and tvb(HDR, dlen - HDR):tvb() or nil
        local summary = dissect_pdu(ptvb, pinfo, root)
        pinfo.cols.info = summary .. bad
        return dlen
    end

    if dlen > HDR then root:add(F.payload, tvb(HDR, dlen - HDR)) end

    if st.kind == "orphan" then
        root:add_proto_expert_info(E.reasm_error, st.reason)
        pinfo.cols.info = string.format("Fragment %d of a PDU, not reassembled: %s%s", num, st.reason, bad)
        return dlen
    end

    local g = st.group
    if st.kind == "fragment" then
        local tname = g.first_type and type_name(g.first_type) or "?"
        local info = string.format("Fragment %d of a PDU (%s)", num, tname)
        root:add_proto_expert_info(E.fragment, info)
        if g.reassembled_in then
            local ri = root:add(F.reassembled_in, tvb(0, 0), g.reassembled_in); ri:set_generated()
            info = info .. string.format(" [reassembled in #%d]", g.reassembled_in)
        elseif g.discarded then
            root:add_proto_expert_info(E.reasm_error, "PDU never completed: " .. g.discarded)
            info = info .. " [never completed]"
        end
        pinfo.cols.info = info .. bad
        return dlen
    end

    -- complete: the PDU from all datagrams, shown on its own data source
    local ri = root:add(F.datagrams, tvb(0, 0), #g.frames); ri:set_generated()
    ri:set_text(string.format("[%d datagrams, reassembled PDU: %d octets]", #g.frames, #g.data))
    local rl = ri:add(F.reasm_length, tvb(0, 0), #g.data); rl:set_generated()
    for k, f in ipairs(g.frames) do
        local fi = ri:add(F.datagram_frame, tvb(0, 0), f)
        fi:set_text(string.format("Datagram %d: frame %d, payload %d octets", k - 1, f, g.lens[k]))
        fi:set_generated()
    end
    local rtvb = ByteArray.new(g.data, true):tvb("Reassembled PDU")
    local summary = dissect_pdu(rtvb, pinfo, root)
    pinfo.cols.info = summary .. string.format(" [reassembled from %d datagrams]", #g.frames) .. bad
    return dlen
end

function lsoe.dissector(tvb, pinfo, tree)
    local ok, ret = pcall(dissect_datagram, tvb, pinfo, tree)
    if ok then return ret end
    -- Should not happen: every read is bounds-checked. Never let a Lua error escape.
    local item = tree:add(lsoe, tvb())
    item:add_proto_expert_info(E.internal, "Dissector error: " .. tostring(ret))
    return tvb:len()
end

local ethertype_table = DissectorTable.get("ethertype")
for _, et in ipairs(ETHERTYPES) do ethertype_table:add(et, lsoe) end
