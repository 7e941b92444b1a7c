#!/usr/bin/env bash
# Builds the native external engines: the C++ starter (engines/external/examples/cpp,
# standard library only) and the C++ RocksDB engine (engines/external/rocksdb-cpp) against
# Debian's librocksdb-dev, installing g++, librocksdb-dev and nlohmann-json3-dev with apt
# when they are missing.
# Output: engines/external/examples/cpp/build/lsmbench-cpp-starter
#         engines/external/rocksdb-cpp/build/lsmbench-rocksdb-cpp
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v g++ >/dev/null || missing+=(g++)
[ -f /usr/include/rocksdb/db.h ] || missing+=(librocksdb-dev)
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
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

# build SOURCE OUTPUT [LIBS...]: compile to a temporary name, then rename, so a failed
# build never leaves a half-written executable where the tests look for one.
build() {
  local src=$1 out=$2
  shift 2
  mkdir -p "$(dirname "$out")"
  g++ -std=c++17 -O2 -DNDEBUG -Wall -Wextra -o "$out.tmp" "$src" "$@"
  mv "$out.tmp" "$out"
  echo "build-native: built $out"
}
build engines/external/examples/cpp/engine.cc engines/external/examples/cpp/build/lsmbench-cpp-starter
build engines/external/rocksdb-cpp/main.cc engines/external/rocksdb-cpp/build/lsmbench-rocksdb-cpp -lrocksdb -lpthread
