#!/usr/bin/env bash
# Installs ONNX Runtime's native library for the ML detectors: libonnxruntime.so.1 (CPU build) from
# the npm package onnxruntime-node 1.30.0 (bin/napi-v6/linux/x64/), into .tools/onnxruntime/.
# Microsoft.ML.OnnxRuntime is not in the NuGet copy these machines reach (DESIGN.md section 4).
# `npm pack` fetches the tarball without running the package's install script.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.30.0
dest=.tools/onnxruntime
library=$dest/libonnxruntime.so.1
expected=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23  # sha256 of that file

if [ -f "$library" ] && echo "$expected  $library" | sha256sum --check --status; then
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== fetching onnxruntime-node@$version (npm pack) for libonnxruntime.so.1"
(cd "$tmp" && npm pack "onnxruntime-node@$version" --silent >/dev/null)
tar -xzf "$tmp/onnxruntime-node-$version.tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
mkdir -p "$dest"
mv "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$library"
if ! echo "$expected  $library" | sha256sum --check --status; then
  echo "libonnxruntime.so.1 from onnxruntime-node@$version does not have the expected sha256" >&2
  rm -f "$library"
  exit 1
fi
echo "== installed $library"
