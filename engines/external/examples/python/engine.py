#!/usr/bin/env python3
"""A starter lsmbench external engine in Python, standard library only.

It speaks protocol 2 of engines/external/PROTOCOL.md in full: every workload (the
document's eight and YCSB A-F), batches, the latency pass (closed and open loop), and
the digests the harness checks. The store is a dict plus a sorted list of its keys: a
starter to copy, with your store in place of the Store class, not a store worth
measuring. It honours durability `none` only: it keeps everything in memory and writes
one snapshot file when it closes a store.

Run it: lsmbench run --engine external:engines/external/examples/python/engine.py
"""
import bisect
import json
import math
import os
import platform
import shutil
import struct
import sys
import time

MASK = 0xFFFFFFFF
GOLDEN = 0x9E3779B9
MISSING = 0x7FFFFFFF
FNV_OFFSET = 2166136261


def emit(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


# ---- The keyspace (docs/keyspace.md) ----------------------------------------------


def mix32(x):
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & MASK
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & MASK
    return x ^ (x >> 16)


def derive_seed(seed, stream):
    return mix32(seed ^ (((stream + 1) * GOLDEN) & MASK))


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK


class Xoshiro128:
    """xoshiro128** 1.0, seeded as docs/keyspace.md says."""

    def __init__(self, seed):
        self.s = [mix32((seed + (k + 1) * GOLDEN) & MASK) for k in range(4)]
        if not any(self.s):
            self.s[0] = 1

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 9) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def below(self, n):
        return (self.next() * n) >> 32


def make_key(i, key_size):
    return b"%0*d" % (key_size, i)


def make_value(value_seed, i, value_size, version=0):
    seed = value_seed ^ mix32(i & MASK)
    if version:
        seed ^= mix32((version + GOLDEN) & MASK)
    rng = Xoshiro128(mix32(seed))
    words = (value_size + 3) // 4
    return struct.pack("<%dI" % words, *[rng.next() for _ in range(words)])[:value_size]


def permutation(n, stream_seed):
    order = list(range(n))
    rng = Xoshiro128(stream_seed)
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


# ---- Digests (PROTOCOL.md) ---------------------------------------------------------


def step(d, x):
    return (d * 31 + x) & MASK


def value_term(v):
    if v is None:
        return MISSING
    n = len(v)
    return 1 if n == 0 else (1 + n + v[0] + 3 * v[n // 2] + 7 * v[n - 1]) & MASK


def entry_term(k, v):
    n = len(k)
    last = k[n - 1] if n > 0 else 0
    before = k[n - 2] if n > 1 else 0
    return (1 + last + 5 * before + 11 * (v[0] if v else 0)) & MASK


def fnv(h, data):
    for b in data:
        h = ((h ^ b) * 16777619) & MASK
    return h


def u32le(x):
    return struct.pack("<I", x)


# ---- The store: replace this class with yours --------------------------------------


class Store:
    """A dict and a sorted list of its keys, rebuilt only when a scan needs it."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.data = {}
        self.keys = []
        self.keys_sorted = True

    def put(self, k, v):
        if k not in self.data and self.keys_sorted:
            if not self.keys or self.keys[-1] < k:
                self.keys.append(k)
            else:
                self.keys_sorted = False
        self.data[k] = v

    def get(self, k):
        return self.data.get(k)

    def delete(self, k):
        if self.data.pop(k, None) is not None:
            self.keys_sorted = False

    def has(self, k):
        return k in self.data

    def batch(self, ops):
        # Applied in one go: nothing can observe half a batch in this process.
        for k, v in ops:
            if v is None:
                self.delete(k)
            else:
                self.put(k, v)

    def sorted_keys(self):
        if not self.keys_sorted:
            self.keys = sorted(self.data)
            self.keys_sorted = True
        return self.keys

    def scan(self, start, limit):
        """Up to `limit` entries from `start` upward, in key order."""
        keys = self.sorted_keys()
        at = bisect.bisect_left(keys, start)
        for k in keys[at : at + limit]:
            yield k, self.data[k]

    def scan_prefix(self, prefix):
        keys = self.sorted_keys()
        at = bisect.bisect_left(keys, prefix)
        while at < len(keys) and keys[at].startswith(prefix):
            yield keys[at], self.data[keys[at]]
            at += 1

    def settle(self):
        pass  # no background work

    def close(self):
        # Durability `none`: what was acknowledged survives a clean close, in this snapshot.
        with open(os.path.join(self.path, "snapshot"), "wb") as f:
            for k in self.sorted_keys():
                v = self.data[k]
                f.write(u32le(len(k)) + k + u32le(len(v)) + v)


# ---- Calls: every workload as a list of calls made before the timed part -----------

GET, PUT, DELETE, HAS, BATCH, SCAN, PREFIX, RMW = range(8)


def execute(store, call, d):
    """Makes one call; returns the digest with its answers folded in, and its units."""
    op = call[0]
    if op == GET:
        return step(d, value_term(store.get(call[1]))), 1
    if op == PUT:
        store.put(call[1], call[2])
        return d, 1
    if op == DELETE:
        store.delete(call[1])
        return d, 1
    if op == HAS:
        return step(d, 1 if store.has(call[1]) else 0), 1
    if op == BATCH:
        store.batch(call[1])
        return d, len(call[1])
    if op == RMW:
        d = step(d, value_term(store.get(call[1])))
        store.put(call[1], call[2])
        return d, 1
    visited = 0
    entries = store.scan(call[1], call[2]) if op == SCAN else store.scan_prefix(call[1])
    for k, v in entries:
        d = step(d, entry_term(k, v))
        visited += 1
    # A YCSB scan is one operation; a range or prefix scan counts the entries it visits.
    return d, (1 if call[3] else visited)


def plan(workload, sc, sequence):
    """The calls of the timed part, whether it writes, and the records `verify` reads back."""
    n, ks, vs, seed = sc["ops"], sc["keySize"], sc["valueSize"], sc["seed"]
    value_seed = derive_seed(seed, 1)
    key = lambda i: make_key(i, ks)
    value = lambda i, version=0: make_value(value_seed, i, vs, version)
    batch = sc["batch"]

    if workload in ("sequential-writes", "random-writes", "deletions"):
        order = permutation(n, derive_seed(seed, 2)) if workload == "random-writes" else range(n)
        if workload == "deletions":
            ops = [(key(i), None) for i in order]
        else:
            ops = [(key(i), value(i)) for i in order]
        if batch > 1:
            calls = [(BATCH, ops[b : b + batch]) for b in range(0, n, batch)]
        elif workload == "deletions":
            calls = [(DELETE, k) for k, _ in ops]
        else:
            calls = [(PUT, k, v) for k, v in ops]
        return calls, True, n
    if workload in ("sequential-reads", "random-reads"):
        order = permutation(n, derive_seed(seed, 3)) if workload == "random-reads" else range(n)
        return [(GET, key(i)) for i in order], False, n
    if workload == "contains":
        misses = math.floor(n * sc["missRatio"] + 0.5)  # round half up, as JavaScript's Math.round
        present = n - misses
        order = permutation(n, derive_seed(seed, 6))
        return [(HAS, key(q if q < present else n + (q - present))) for q in order], False, n
    if workload == "range-scan":
        length = min(sc["scanLength"], n)
        rng = Xoshiro128(derive_seed(seed, 4))
        return [(SCAN, key(rng.below(n - length + 1)), length, False) for _ in range(-(-n // length))], False, n
    if workload == "prefix-scan":
        group = 10 ** (ks - sc["prefixLength"])
        groups = -(-n // group)
        rng = Xoshiro128(derive_seed(seed, 5))
        calls, entries = [], 0
        while entries < n:
            g = rng.below(groups)
            entries += min(n, (g + 1) * group) - g * group
            calls.append((PREFIX, key(g * group)[: sc["prefixLength"]], 0, False))
        return calls, False, n
    if workload.startswith("ycsb-"):
        calls, writes = [], False
        with open(sequence["file"]) as f:
            for line in f:
                letter, i, a = line.split()
                i, a = int(i), int(a)
                if letter == "r":
                    calls.append((GET, key(i)))
                elif letter == "u" or letter == "i":
                    calls.append((PUT, key(i), value(i, a)))
                    writes = True
                elif letter == "s":
                    calls.append((SCAN, key(i), a, True))
                elif letter == "m":
                    calls.append((RMW, key(i), value(i, a)))
                    writes = True
                else:
                    raise ValueError("unknown operation %r in the sequence file" % letter)
        if len(calls) != sequence["operations"]:
            raise ValueError("the sequence file has %d operations, not %d" % (len(calls), sequence["operations"]))
        return calls, writes, sequence["records"]
    raise ValueError("unknown workload '%s'" % workload)


# ---- The run ----------------------------------------------------------------------


def hello():
    return {
        "type": "hello",
        "protocol": 2,
        "name": "python-starter",
        "storeVersion": "python-starter 1 (Python %s)" % platform.python_version(),
        "durability": ["none"],
        "operations": {"put": "native", "get": "native", "delete": "native", "has": "native",
                       "batch": "emulated", "range": "native", "prefix": "emulated"},
        "driving": "a Python loop over a dict and a sorted key list (a starter, not a store)",
    }


def timer_cost_ns():
    clock = time.perf_counter_ns
    costs = []
    for _ in range(1001):
        t = clock()
        costs.append(clock() - t)
    return sorted(costs)[len(costs) // 2]


def run(request):
    workload, sc = request["workload"], request["scenario"]
    if request.get("options"):
        raise ValueError("unknown option '%s' (this engine takes none)" % next(iter(request["options"])))
    n = sc["ops"]
    emit({"type": "progress", "phase": "preparing keys and values"})
    calls, writes, records = plan(workload, sc, request.get("sequence"))
    loaded = workload not in ("sequential-writes", "random-writes")
    value_seed = derive_seed(sc["seed"], 1)
    stores = [0]
    store = None

    def fresh_store():
        nonlocal store
        if store is not None:  # the harness measures the last store's size: remove the others
            store.close()
            shutil.rmtree(store.path)
        store = Store(os.path.join(request["dir"], "store-%d" % stores[0]))
        stores[0] += 1
        if loaded:
            emit({"type": "progress", "phase": "loading %d keys" % n})
            for i in range(n):
                store.put(make_key(i, sc["keySize"]), make_value(value_seed, i, sc["valueSize"]))
            store.settle()

    def settle_ms():
        if not writes:
            return None
        t0 = time.perf_counter_ns()
        store.settle()
        return (time.perf_counter_ns() - t0) / 1e6

    clock = time.perf_counter_ns
    total = sc["warmup"] + sc["repetitions"]
    for r in range(total):
        if writes or store is None:
            fresh_store()
        emit({"type": "progress", "phase": "repetition %d/%d" % (r + 1, total)})
        d, units = 0, 0
        t0 = clock()
        for call in calls:
            d, u = execute(store, call, d)
            units += u
        ms = (clock() - t0) / 1e6
        emit({"type": "repetition", "index": r, "warmup": r < sc["warmup"], "ms": ms,
              "units": units, "digest": d, "settleMs": settle_ms()})

    if request.get("latency"):
        if writes:
            fresh_store()
        emit({"type": "progress", "phase": "latency pass"})
        rate = sc.get("targetRate")
        samples, d, units = [], 0, 0
        start = clock()
        for c, call in enumerate(calls):
            if rate:
                due = start + int(c * 1e9 / rate)
                while clock() < due:
                    pass
                t = due
            else:
                t = clock()
            d, u = execute(store, call, d)
            samples.append(clock() - t)
            units += u
        settle = settle_ms()
        for at in range(0, len(samples), 10000):
            emit({"type": "latency", "ns": samples[at : at + 10000]})
        emit({"type": "latency-end", "units": units, "digest": d, "settleMs": settle, "timerNs": timer_cost_ns()})

    emit({"type": "progress", "phase": "verifying"})
    found, get_digest = 0, FNV_OFFSET
    for i in range(records):
        v = store.get(make_key(i, sc["keySize"]))
        if v is None:
            get_digest = fnv(get_digest, b"\xff\xff\xff\xff")
        else:
            found += 1
            get_digest = fnv(fnv(get_digest, u32le(len(v))), v)
    scanned, scan_digest = 0, FNV_OFFSET
    for k in store.sorted_keys():
        v = store.data[k]
        scan_digest = fnv(fnv(fnv(fnv(scan_digest, u32le(len(k))), k), u32le(len(v))), v)
        scanned += 1
    emit({"type": "verify", "found": found, "getDigest": get_digest, "scanned": scanned, "scanDigest": scan_digest})
    emit({"type": "stats", "stats": {"entries": len(store.data), "durability": request["durability"]}})
    store.close()
    emit({"type": "done"})


def main():
    request = json.loads(sys.stdin.read())
    emit(hello())
    if request["type"] == "describe":
        return 0
    try:
        if request["type"] != "run":
            raise ValueError("unknown request type '%s'" % request["type"])
        if request["protocol"] != 2:
            raise ValueError("this engine speaks protocol 2, not %s" % request["protocol"])
        run(request)
        return 0
    except Exception as err:  # one line for the harness, the rest on stderr
        emit({"type": "error", "message": "%s: %s" % (type(err).__name__, err)})
        print("python-starter: %s: %s" % (type(err).__name__, err), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
