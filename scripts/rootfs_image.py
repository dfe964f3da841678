#!/usr/bin/env python3
"""Packs a root file system folder as a one-layer image tarball in `docker save` format, which Jib reads as a
base image (`tar://...`) and `docker load` / `podman load` accept.

    rootfs_image.py ROOTFS OUT.tar NAME:TAG

The layer keeps numeric owners and modes; the config sets PATH and JAVA_HOME (found under usr/lib/jvm).
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def layer_bytes(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in sorted(os.listdir(rootfs)):
            tar.add(os.path.join(rootfs, entry), arcname=entry, recursive=True,
                    filter=lambda info: (setattr(info, "uname", ""), setattr(info, "gname", ""), info)[2])
    return buf.getvalue()


def java_home(rootfs):
    jvm = os.path.join(rootfs, "usr/lib/jvm")
    for name in sorted(os.listdir(jvm)) if os.path.isdir(jvm) else []:
        if os.path.exists(os.path.join(jvm, name, "bin/java")) and not os.path.islink(os.path.join(jvm, name)):
            return "/usr/lib/jvm/" + name
    sys.exit(f"error: {rootfs} has no Java under usr/lib/jvm")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rootfs, out, name = sys.argv[1:]
    layer = layer_bytes(rootfs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    home = java_home(rootfs)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": [f"PATH={home}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           f"JAVA_HOME={home}", "LANG=C.UTF-8"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "rootfs_image.py " + os.path.basename(rootfs.rstrip("/"))}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_name = diff_id[len("sha256:"):] + "/layer.tar"
    manifest = [{"Config": config_name, "RepoTags": [name], "Layers": [layer_name]}]
    with tarfile.open(out, "w") as tar:
        for path, data in ((config_name, config_bytes), (layer_name, layer),
                           ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    print(f"{out}: {name}, one layer of {len(layer) / 1e6:.0f} MB, JAVA_HOME={home}")


if __name__ == "__main__":
    main()
