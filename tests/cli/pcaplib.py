"""Minimal classic-pcap reading and writing for the tests (stdlib only)."""
import struct

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D


def read(path):
    """Returns (header_bytes, [(ts_sec, ts_frac, frame_bytes)])."""
    b = open(path, 'rb').read()
    magic = struct.unpack_from('<I', b, 0)[0]
    assert magic in (MAGIC_US, MAGIC_NS), 'not a little-endian pcap'
    frames, off = [], 24
    while off < len(b):
        ts, tf, incl, _orig = struct.unpack_from('<IIII', b, off)
        off += 16
        frames.append((ts, tf, b[off:off + incl]))
        off += incl
    return b[:24], frames


def write(path, header, frames):
    out = bytearray(header)
    for ts, tf, f in frames:
        out += struct.pack('<IIII', ts, tf, len(f), len(f)) + f
    open(path, 'wb').write(out)


def pad60(frames):
    return [(ts, tf, f + bytes(max(0, 60 - len(f)))) for ts, tf, f in frames]
