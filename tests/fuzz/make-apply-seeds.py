#!/usr/bin/env python3
"""Writes the seed layers of the fuzz-apply target into corpus/apply/.

Each seed is a small tar (some gzip or zstd compressed) that walks one
path of the applier: ordinary entries, whiteouts, and the attacks a
hostile image tries (names that climb out, writes through symlinks and
hardlinks the target already holds or the layer makes itself, devices,
over-long names, truncated streams, sizes that lie, a gzip bomb).
fuzz-apply plants "up" -> ../outside, "abs" -> <root>/outside,
"abscanary", "updir", "d/up" and a hardlink "hl" to the canary in each
fresh target, so the seeds name them. Deterministic: fixed mtimes.
"""
import gzip
import io
import os
import subprocess
import sys
import tarfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "apply")


def info(name, kind=tarfile.REGTYPE, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mtime = 1700000000
    ti.mode = kw.pop("mode", 0o755 if kind == tarfile.DIRTYPE else 0o644)
    for k, v in kw.items():
        setattr(ti, k, v)
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
    return ti, data


def tar(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
    b = buf.getvalue()
    # drop the record padding: content, then the two zero end blocks
    end = len(b)
    while end >= 512 and b[end - 512:end] == bytes(512):
        end -= 512
    return b[:end] + bytes(1024)


def gz(b):
    return gzip.compress(b, mtime=0)


def zst(b):
    return subprocess.run(["zstd", "-q", "-c"], input=b, stdout=subprocess.PIPE, check=True).stdout


D, F, L, H = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE

basic = tar([
    info("./", D),
    info("etc/", D),
    info("etc/hostname", F, b"box\n"),
    info("etc/passwd", F, b"root:x:0:0::/root:/bin/sh\n", mode=0o600, uid=0, gid=0),
    info("bin/", D),
    info("bin/sh", F, b"\x7fELF" + b"\0" * 60, mode=0o4755, uid=1000, gid=1000),
    info("bin/ash", H, linkname="bin/sh"),
    info("usr/bin/env", F, b"#!/bin/sh\n"),
    info("lib", L, linkname="usr/lib"),
    info("usr/lib/", D, mode=0o700),
    info("run/fifo", tarfile.FIFOTYPE),
    info("var/empty/", D, mode=0),
])
seeds = {
    "basic.tar": basic,
    "basic.tar.gz": gz(basic),
    "basic.tar.zst": zst(basic),
    "gnu-format.tar": tar([info("gnu/" + "n" * 150, F, b"long"), info("gnu/l", L, linkname="t" * 200)],
                          tarfile.GNU_FORMAT),
    "ustar.tar": tar([info("u/file", F, b"x")], tarfile.USTAR_FORMAT),
    "xattrs.tar": tar([info("x", F, b"x", pax_headers={"SCHILY.xattr.user.k": "v",
                                                          "SCHILY.xattr.security.capability": "\x01\0\0\x02",
                                                          "SCHILY.xattr.trusted.overlay.opaque": "y"})]),
    "whiteouts.tar": tar([
        info("a/", D), info("a/keep", F, b"k"), info("a/.wh..wh..opq", F),
        info(".wh.d", F), info("b/.wh.gone", F), info(".wh..wh.plnk/", D), info(".wh..wh.plnk/1", F, b"x"),
    ]),
    "replace.tar": tar([
        info("f", F, b"1"), info("f", D), info("f/g", F, b"2"), info("f", F, b"3"),
        info("s", L, linkname="f"), info("s", F, b"4"), info("d", F, b"file over dir"),
    ]),
    # attacks: each must be refused or stay inside the target
    "climb.tar": tar([info("../escape", F, b"x")]),
    "climb-deep.tar": tar([info("a/../../escape", F, b"x")]),
    "absolute.tar": tar([info("/abs/file", F, b"x"), info("//etc/../x", F, b"y")]),
    "through-planted-symlink.tar": tar([info("up/pwned", F, b"x")]),
    "through-absolute-symlink.tar": tar([info("abs/pwned", F, b"x")]),
    "onto-symlinked-file.tar": tar([info("abscanary", F, b"overwritten\n")]),
    "onto-planted-hardlink.tar": tar([info("hl", F, b"overwritten\n", mode=0o777)]),
    "own-symlink-then-write.tar": tar([info("x", L, linkname="../outside"), info("x/pwned", F, b"x")]),
    "own-abs-symlink-then-dir.tar": tar([info("y", L, linkname="/tmp"), info("y/z/", D)]),
    "hardlink-outside.tar": tar([info("h", H, linkname="../outside/canary")]),
    "hardlink-through-symlink.tar": tar([info("h", H, linkname="up/canary")]),
    "hardlink-planted.tar": tar([info("h", H, linkname="hl")]),
    "whiteout-through-symlink.tar": tar([info("up/.wh.canary", F), info("updir/.wh..wh..opq", F)]),
    "whiteout-climb.tar": tar([info(".wh...", F), info("a/.wh..", F), info("../.wh.outside", F)]),
    "whiteout-symlink-itself.tar": tar([info(".wh.up", F), info("d/.wh.up", F)]),
    "devices.tar": tar([info("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3),
                        info("dev/sda", tarfile.BLKTYPE, devmajor=8, devminor=0)]),
    "non-dir-root.tar": tar([info(".", F, b"x")]),
    "long-component.tar": tar([info("a/" + "c" * 300, F, b"x")]),
    "long-name.tar": tar([info("/".join(["dddddddd"] * 600), F, b"x")]),
    "empty.tar": b"\0" * 1024,
}
size_lie = bytearray(tar([info("lie", F, b"0123456789")]))
size_lie[124:136] = b"%011o\0" % 1000  # the size field, then fix the checksum
size_lie[148:156] = b" " * 8
size_lie[148:156] = b"%06o\0 " % sum(size_lie[:512])
seeds["size-lies.tar"] = bytes(size_lie)
seeds["truncated.tar"] = basic[:1300]
seeds["truncated.tar.gz"] = gz(basic)[:200]
seeds["gzip-in-gzip.tar.gz.gz"] = gz(gz(basic))
seeds["gzip-bomb.tar.gz"] = gz(tar([info("bomb", F, b"\1" * (5 << 20))]))
seeds["sparse-gnu.tar"] = (tar([info("sp", tarfile.GNUTYPE_SPARSE, b"")], tarfile.GNU_FORMAT))
seeds["not-a-tar"] = b"hello, I am not a layer\n"

os.makedirs(OUT, exist_ok=True)
for name, data in sorted(seeds.items()):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(seeds), OUT), file=sys.stderr)
