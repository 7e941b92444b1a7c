#!/usr/bin/env bash
# Builds the native C++ RocksDB engine (engines/external/rocksdb-cpp) against Debian's
# librocksdb-dev, installing it and nlohmann-json3-dev with apt when they are missing.
# Output: engines/external/rocksdb-cpp/build/lsmbench-rocksdb-cpp
set -euo pipefail
cd "$(dirname "$0")/.."
src=engines/external/rocksdb-cpp
out=$src/build
missing=()
[ -f /usr/include/rocksdb/db.h ] || missing+=(librocksdb-dev)
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
command -v g++ >/dev/null || missing+=(g++)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-native: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-native: need root to install ${missing[*]} (or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mkdir -p "$out"
g++ -std=c++17 -O2 -DNDEBUG -Wall -Wextra -o "$out/lsmbench-rocksdb-cpp.tmp" "$src/main.cc" -lrocksdb -lpthread
mv "$out/lsmbench-rocksdb-cpp.tmp" "$out/lsmbench-rocksdb-cpp"
echo "build-native: built $out/lsmbench-rocksdb-cpp"
