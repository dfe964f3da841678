#!/usr/bin/env bash
# Builds the asyncrl container image with Jib, to a tarball, without a Docker daemon:
#
#   scripts/build-image.sh [--cuda] [--base IMAGE] [--check]
#
#   --base IMAGE  the base image: a registry reference (e.g. eclipse-temurin:17-jre) or tar://FILE (an image
#                 tarball in `docker save` format). Without it, a Debian bookworm base with OpenJDK 17's JRE is
#                 made here with debootstrap (needs root and a Debian mirror) into target/image/base.tar, once.
#   --cuda        the CUDA flavour: PyTorch's CUDA 12.4 natives (run it with the NVIDIA container toolkit).
#   --check       unpacks the built image and runs `asyncrl --version` and a short training inside it (chroot;
#                 needs root): the image works without a container runtime on this machine.
#
# Writes cli/target/image/asyncrl-image.tar, tagged asyncrl:<version> (asyncrl:<version>-cuda); load it with
# `docker load -i` or `podman load -i`, or push it with `crane push` / `skopeo copy docker-archive:...`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cuda=0 base="" check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) cuda=1 ;;
    --base) base="${2:?--base needs an image}"; shift ;;
    --check) check=1 ;;
    *) echo "usage: scripts/build-image.sh [--cuda] [--base IMAGE] [--check]" >&2; exit 2 ;;
  esac
  shift
done
work="$root/target/image"
mkdir -p "$work"
if [ -z "$base" ]; then
  if [ ! -f "$work/base.tar" ]; then
    command -v debootstrap >/dev/null || { echo "error: no --base given and no debootstrap to make one (apt-get install debootstrap)" >&2; exit 2; }
    [ "$(id -u)" = 0 ] || { echo "error: making the base image needs root (debootstrap); or give --base" >&2; exit 2; }
    rm -rf "$work/rootfs"
    echo "making the base image: Debian bookworm + OpenJDK 17 JRE (debootstrap, a few minutes once)..." >&2
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,libgomp1,ca-certificates bookworm \
      "$work/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$work/debootstrap.log"
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
      "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/man"
    python3 "$root/scripts/rootfs_image.py" "$work/rootfs" "$work/base.tar" asyncrl-base:bookworm-jre17
    rm -rf "$work/rootfs"
  fi
  base="tar://$work/base.tar"
fi
version="$(python3 -c 'import sys, xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).getroot().find("{http://maven.apache.org/POM/4.0.0}version").text)' "$root/pom.xml")"
name="asyncrl:$version"
profiles=(-Pimage)
if [ "$cuda" = 1 ]; then
  name="$name-cuda"
  profiles=(-Pimage,cuda)
fi
echo "building $name on $base..." >&2
(cd "$root" && mvn -B -q "${profiles[@]}" -DskipTests package -Dimage.base="$base" -Dimage.name="$name")
# The build under cli/target is now of this flavour; ./asyncrl rebuilds when it wants the other one.
if [ "$cuda" = 1 ]; then echo cuda; else echo cpu; fi > "$root/cli/target/flavour"
image="$root/cli/target/image/asyncrl-image.tar"
echo "$image: $name ($(du -h "$image" | cut -f1))"
if [ "$check" = 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "error: --check needs root (chroot)" >&2; exit 2; }
  fs="$work/check-rootfs"
  rm -rf "$fs" && mkdir -p "$fs"
  python3 - "$image" "$fs" <<'PY'
import json, sys, tarfile
image, out = sys.argv[1:]
with tarfile.open(image) as tar:
    manifest = json.load(tar.extractfile("manifest.json"))[0]
    for layer in manifest["Layers"]:
        with tarfile.open(fileobj=tar.extractfile(layer), mode="r:*") as lt:
            lt.extractall(out, numeric_owner=True)
    config = json.load(tar.extractfile(manifest["Config"]))["config"]
with open(out + "/.image-env", "w") as f:
    f.write("\n".join("export " + e.split("=", 1)[0] + "='" + e.split("=", 1)[1] + "'" for e in config.get("Env", [])))
print("entrypoint:", config.get("Entrypoint"))
PY
  mkdir -p "$fs/proc" "$fs/work" "$fs/tmp"
  cp "$root/configs/quickstart.yaml" "$fs/work/"
  mount -t proc proc "$fs/proc"
  trap 'umount "$fs/proc" 2>/dev/null || true' EXIT
  chroot "$fs" /bin/sh -c '. /.image-env && cd /work && asyncrl --version \
    && asyncrl train quickstart.yaml --set trainer.steps=20 --set output_dir=/work/runs'
  test -f "$fs/work/runs/quickstart/metrics.jsonl" && test "$(wc -l < "$fs/work/runs/quickstart/metrics.jsonl")" = 20
  echo "check passed: the image ran asyncrl --version and trained 20 steps"
fi
