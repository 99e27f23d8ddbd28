#!/usr/bin/env python3
"""Crafts hostile layer tarballs for tests/integration/cve-layers.sh.

hostile-layers.py OUT SENTINEL [STORE BASE_BLOB BASE_DIFF_ID]
  OUT/<case>.tar[.gz]  the layer, as `sloika-build import` takes it
  OUT/<case>.oci/      an OCI layout holding it as a one-layer image
  with STORE, also writes each image into that sloika store (itself an
  OCI layout) tagged evil-<case>:latest, so a build unpacks it from there.
  Images get BASE_BLOB (a gzip layer, e.g. busybox) below the hostile one
  when it is given, so a RUN can attack what the layer left.
SENTINEL is the host directory the attacks aim at. Prints the case names.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

out, sentinel = sys.argv[1], sys.argv[2].rstrip("/")
store = sys.argv[3] if len(sys.argv) > 3 else None
base = (open(sys.argv[4], "rb").read(), sys.argv[5].split(":")[-1]) if len(sys.argv) > 5 else None
up = "../" * 40  # more than enough to climb to / from anywhere


def reg(name, data=b"PWNED\n", mode=0o644):
    i = tarfile.TarInfo(name)
    i.size, i.mode, i.mtime = len(data), mode, 1234567
    return i, data


def link(name, target, kind=tarfile.SYMTYPE):
    i = tarfile.TarInfo(name)
    i.type, i.linkname, i.mode, i.mtime = kind, target, 0o777, 1234567
    return i, None


def dev(name, major, minor):
    i = tarfile.TarInfo(name)
    i.type, i.devmajor, i.devminor, i.mode = tarfile.CHRTYPE, major, minor, 0o666
    return i, None


def tar_bytes(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return b.getvalue()


cases = {}
cases["dotdot"] = tar_bytes([reg("../" * n + "ESCAPED-dotdot") for n in (1, 2, 3, 4, 5, 40)]
                            + [reg("a/b/../../../ESCAPED-dotdot2")])
cases["absolute"] = tar_bytes([reg("/ESCAPED-absolute"), reg(sentinel + "/PWNED-abs")])
cases["symlink-abs-write"] = tar_bytes([link("link", sentinel), reg("link/PWNED")])
cases["symlink-rel-write"] = tar_bytes([link("up", up + sentinel.lstrip("/")), reg("up/PWNED")])
cases["symlink-dir-write"] = tar_bytes([link("d", sentinel), reg("d/sub/PWNED")])
cases["symlink-overwrite"] = tar_bytes([link("f", sentinel + "/file"), reg("f")])
cases["hardlink-rel"] = tar_bytes([link("hl", up + sentinel.lstrip("/") + "/file", tarfile.LNKTYPE)])
cases["hardlink-abs"] = tar_bytes([link("hl", sentinel + "/file", tarfile.LNKTYPE)])
cases["whiteout-out"] = tar_bytes([reg(up + sentinel.lstrip("/") + "/.wh.file", b"")])
cases["whiteout-sym"] = tar_bytes([link("s", sentinel), reg("s/.wh.file", b"")])
cases["whiteout-opaque-sym"] = tar_bytes([link("s", sentinel), reg("s/.wh..wh..opq", b"")])
cases["device"] = tar_bytes([dev("mem", 1, 1), dev("kmsg", 1, 11)])
cases["long-name"] = tar_bytes([reg("/".join(["n" * 200] * 25))])
cases["long-component"] = tar_bytes([reg("c" * 300)])
big = tar_bytes([reg("big", os.urandom(1 << 20))])
cases["truncated"] = big[:len(big) // 2]
# a header claiming 10 MiB, then 1 KiB and the end
hdr = tarfile.TarInfo("liar")
hdr.size, hdr.mtime = 10 << 20, 1234567
cases["size-lies"] = hdr.tobuf(tarfile.GNU_FORMAT) + b"x" * 1024 + b"\0" * 1024
# a header claiming 10 bytes of a 2 KiB file: the rest reads as headers
hdr.size = 10
cases["size-short"] = hdr.tobuf(tarfile.GNU_FORMAT) + os.urandom(2048) + b"\0" * 1024


def bomb():
    """96 MiB of zeros (past the applier's 64 MiB ratio threshold) in 96 KiB of gzip."""
    b = io.BytesIO()
    with gzip.GzipFile(fileobj=b, mode="wb", compresslevel=9, mtime=0) as g:
        i = tarfile.TarInfo("bomb")
        i.size, i.mtime = 96 << 20, 1234567
        g.write(i.tobuf(tarfile.GNU_FORMAT))
        z = b"\0" * (1 << 20)
        for _ in range(96):
            g.write(z)
        g.write(b"\0" * 1024)
    return b.getvalue()


def gz(data):
    return gzip.compress(data, 9, mtime=0)


os.makedirs(out, exist_ok=True)
layers = {}
for name, data in cases.items():
    with open(os.path.join(out, name + ".tar"), "wb") as f:
        f.write(data)
    layers[name] = (gz(data), hashlib.sha256(data).hexdigest())
b = bomb()
with open(os.path.join(out, "gzip-bomb.tar.gz"), "wb") as f:
    f.write(b)
layers["gzip-bomb"] = (b, hashlib.sha256(gzip.decompress(b)).hexdigest())
nested = gz(gz(tar_bytes([reg("f", b"x")])))
with open(os.path.join(out, "gzip-nested.tar.gz"), "wb") as f:
    f.write(nested)
layers["gzip-nested"] = (nested, hashlib.sha256(gzip.decompress(nested)).hexdigest())


def put(root, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


def image(root, blob, diff_id):
    below = [base] if base else []
    layers = [dict(put(root, b), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
              for b, _ in below + [(blob, diff_id)]]
    cfg = {"architecture": "amd64", "os": "linux",
           "config": {"Env": ["PATH=/bin"]},
           "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for _, d in below + [(blob, diff_id)]]}}
    c = dict(put(root, json.dumps(cfg, sort_keys=True).encode()),
             mediaType="application/vnd.oci.image.config.v1+json")
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": c, "layers": layers}
    return dict(put(root, json.dumps(m, sort_keys=True).encode()),
                mediaType="application/vnd.oci.image.manifest.v1+json")


def add_to_index(root, desc, ref):
    p = os.path.join(root, "index.json")
    try:
        with open(p) as f:
            idx = json.load(f)
    except FileNotFoundError:
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}
    idx["manifests"].append(dict(desc, annotations={"org.opencontainers.image.ref.name": ref}))
    with open(p + ".new", "w") as f:
        json.dump(idx, f)
    os.rename(p + ".new", p)


for name, (blob, diff_id) in layers.items():
    lay = os.path.join(out, name + ".oci")
    os.makedirs(lay, exist_ok=True)
    with open(os.path.join(lay, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    add_to_index(lay, image(lay, blob, diff_id), "latest")
    if store:
        add_to_index(store, image(store, blob, diff_id), "evil-%s:latest" % name)
    print(name)
