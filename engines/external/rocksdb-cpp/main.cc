// lsmbench-rocksdb-cpp: RocksDB driven from C++, speaking the lsmbench external engine
// protocol, version 2 (engines/external/PROTOCOL.md): the document's workloads, YCSB A-F
// from the harness's sequence file, and the latency pass. It is the "no binding overhead"
// reference: the same keyspace (docs/keyspace.md), the same workloads, the same checks,
// with every store call a direct C++ call.
//
// Reads one JSON request from stdin, writes JSON lines to stdout, diagnostics to stderr.

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using json = nlohmann::json;

namespace {

constexpr int kProtocol = 2;

void emit(const json& message) {
  std::string line = message.dump();
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

void progress(const std::string& phase) { emit({{"type", "progress"}, {"phase", phase}}); }

// ---- The keyspace (docs/keyspace.md) ----

constexpr uint32_t kGolden = 0x9e3779b9u;

uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  x *= 0xc2b2ae35u;
  x ^= x >> 16;
  return x;
}

uint32_t deriveSeed(uint32_t seed, uint32_t stream) { return mix32(seed ^ ((stream + 1) * kGolden)); }

enum Stream : uint32_t { kValues = 1, kRandomWrites = 2, kRandomReads = 3, kRangeScan = 4, kPrefixScan = 5, kContains = 6 };

class Xoshiro128 {
 public:
  explicit Xoshiro128(uint32_t seed) {
    for (uint32_t k = 0; k < 4; k++) s_[k] = mix32(seed + (k + 1) * kGolden);
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  }
  uint32_t next() {
    const uint32_t result = rotl(s_[1] * 5, 7) * 9;
    const uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
    return result;
  }
  // floor(next() * n / 2^32), 1 <= n <= 2^32.
  uint64_t below(uint64_t n) { return (static_cast<uint64_t>(next()) * n) >> 32; }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t s_[4];
};

struct Scenario {
  uint64_t ops = 0;
  uint32_t keySize = 16;
  uint32_t valueSize = 100;
  uint32_t seed = 42;
  uint64_t scanLength = 1000;
  uint32_t prefixLength = 13;
  double missRatio = 0;
  uint64_t batch = 1;
  int repetitions = 5;
  int warmup = 1;
};

// Keys and values for indexes 0..count-1, in two flat buffers made before anything is timed.
struct Dataset {
  uint32_t keySize, valueSize;
  std::string keys, values;
  uint64_t keyCount;
  rocksdb::Slice key(uint64_t i) const { return rocksdb::Slice(keys.data() + i * keySize, keySize); }
  rocksdb::Slice value(uint64_t i) const { return rocksdb::Slice(values.data() + i * valueSize, valueSize); }
};

// Version v of value(i): version 0 is value(i); an update writes the next version (docs/keyspace.md).
std::string makeValue(uint32_t valueSeed, uint64_t i, uint32_t valueSize, uint32_t version = 0) {
  uint32_t seed = valueSeed ^ mix32(static_cast<uint32_t>(i));
  if (version != 0) seed ^= mix32(version + kGolden);
  Xoshiro128 rng(mix32(seed));
  std::string v(valueSize, '\0');
  for (uint32_t p = 0; p < valueSize;) {
    uint32_t word = rng.next();
    for (int b = 0; b < 4 && p < valueSize; b++, word >>= 8) v[p++] = static_cast<char>(word & 0xff);
  }
  return v;
}

Dataset makeDataset(const Scenario& sc, uint64_t keyCount, uint64_t valueCount) {
  Dataset d{sc.keySize, sc.valueSize, std::string(keyCount * sc.keySize, '0'), std::string(valueCount * sc.valueSize, '\0'), keyCount};
  for (uint64_t i = 0; i < keyCount; i++) {
    uint64_t v = i;
    char* k = d.keys.data() + i * sc.keySize;
    for (int p = static_cast<int>(sc.keySize) - 1; p >= 0; p--) {
      k[p] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  }
  const uint32_t valueSeed = deriveSeed(sc.seed, kValues);
  for (uint64_t i = 0; i < valueCount; i++) d.values.replace(i * sc.valueSize, sc.valueSize, makeValue(valueSeed, i, sc.valueSize));
  return d;
}

std::vector<uint32_t> permutation(uint64_t n, uint32_t streamSeed) {
  std::vector<uint32_t> order(n);
  for (uint64_t i = 0; i < n; i++) order[i] = static_cast<uint32_t>(i);
  Xoshiro128 rng(streamSeed);
  for (uint64_t i = n - 1; i > 0 && n > 1; i--) std::swap(order[i], order[rng.below(i + 1)]);
  return order;
}

// ---- Digests (PROTOCOL.md) ----

inline uint32_t step(uint32_t d, uint32_t x) { return d * 31u + x; }
inline uint32_t valueTerm(const rocksdb::Slice& v) {
  const size_t n = v.size();
  if (n == 0) return 1;
  const auto* b = reinterpret_cast<const uint8_t*>(v.data());
  return 1u + static_cast<uint32_t>(n) + b[0] + 3u * b[n >> 1] + 7u * b[n - 1];
}
inline uint32_t entryTerm(const rocksdb::Slice& k, const rocksdb::Slice& v) {
  const auto* kb = reinterpret_cast<const uint8_t*>(k.data());
  const size_t n = k.size();
  return 1u + (n > 0 ? kb[n - 1] : 0u) + 5u * (n > 1 ? kb[n - 2] : 0u) + 11u * (v.size() > 0 ? static_cast<uint8_t>(v[0]) : 0u);
}
constexpr uint32_t kMissing = 0x7fffffffu;
constexpr uint32_t kFnvOffset = 2166136261u;
inline uint32_t fnv(uint32_t h, const char* p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ static_cast<uint8_t>(p[i])) * 16777619u;
  return h;
}
inline uint32_t fnvU32(uint32_t h, uint32_t x) {
  for (int s = 0; s < 32; s += 8) h = (h ^ ((x >> s) & 0xff)) * 16777619u;
  return h;
}

// ---- The store ----

void check(const rocksdb::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}

struct Durability {
  std::string mode;
  rocksdb::WriteOptions write;
  std::string description;
};

Durability durabilityFor(const std::string& mode) {
  Durability d{mode, rocksdb::WriteOptions(), ""};
  if (mode == "none") {
    d.write.disableWAL = true;
    d.description = "WriteOptions.disableWAL=true; memtables flushed at close";
  } else if (mode == "os") {
    d.write.sync = false;
    d.description = "WAL on, WriteOptions.sync=false";
  } else if (mode == "fsync") {
    d.write.sync = true;
    d.description = "WAL on, WriteOptions.sync=true";
  } else {
    throw std::runtime_error("unknown durability mode '" + mode + "'");
  }
  return d;
}

struct EngineOptions {
  rocksdb::Options options;
  // No compression by default, as in the rocksdb adapter: the keyspace's values are random bytes.
  std::string compressionName = "none";
};

EngineOptions engineOptions(const json& given) {
  EngineOptions eo;
  eo.options.create_if_missing = true;
  eo.options.error_if_exists = true;
  eo.options.IncreaseParallelism(2);
  eo.options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  for (auto it = given.begin(); it != given.end(); ++it) {
    const std::string name = it.key();
    const std::string text = it.value().get<std::string>();
    if (name == "writeBufferSize") {
      eo.options.write_buffer_size = std::stoull(text);
    } else if (name == "blockCacheBytes") {
      table.block_cache = rocksdb::NewLRUCache(std::stoull(text));
    } else if (name == "compression") {
      eo.compressionName = text;
      if (text == "none") eo.options.compression = rocksdb::kNoCompression;
      else if (text == "snappy") eo.options.compression = rocksdb::kSnappyCompression;
      else if (text == "lz4") eo.options.compression = rocksdb::kLZ4Compression;
      else if (text == "zstd") eo.options.compression = rocksdb::kZSTD;
      else throw std::runtime_error("option compression must be none, snappy, lz4 or zstd, got '" + text + "'");
    } else {
      throw std::runtime_error("unknown option '" + name + "' (known: writeBufferSize, blockCacheBytes, compression)");
    }
  }
  eo.options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return eo;
}

class Store {
 public:
  Store(const std::string& path, const EngineOptions& eo, const Durability& d) : durability_(d) {
    rocksdb::DB* raw = nullptr;
    check(rocksdb::DB::Open(eo.options, path, &raw), "open");
    db_.reset(raw);
  }
  ~Store() { close(); }
  void close() {
    if (!db_) return;
    // Without a WAL the memtables are the only copy: flush them so a clean close keeps everything.
    if (durability_.write.disableWAL) check(db_->Flush(rocksdb::FlushOptions()), "flush at close");
    check(db_->Close(), "close");
    db_.reset();
  }
  rocksdb::DB* db() { return db_.get(); }
  const rocksdb::WriteOptions& wo() const { return durability_.write; }

  // Waits until no flush or compaction is running or pending.
  void settle() {
    const char* props[] = {"rocksdb.num-running-flushes", "rocksdb.num-running-compactions", "rocksdb.mem-table-flush-pending",
                           "rocksdb.compaction-pending"};
    for (;;) {
      bool busy = false;
      for (const char* p : props) {
        uint64_t v = 0;
        if (db_->GetIntProperty(p, &v) && v > 0) busy = true;
      }
      if (!busy) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  Durability durability_;
};

double nowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

json hello() {
  return {{"type", "hello"},
          {"protocol", kProtocol},
          {"name", "rocksdb-cpp"},
          {"storeVersion", "RocksDB " + std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." + std::to_string(ROCKSDB_PATCH) + " (C++, Debian librocksdb)"},
          {"durability", {"none", "os", "fsync"}},
          {"operations",
           {{"put", "native"}, {"get", "native"}, {"delete", "native"}, {"has", "emulated"}, {"batch", "native"}, {"range", "native"}, {"prefix", "emulated"}}},
          {"driving", "a C++ loop of synchronous RocksDB calls (Put or Delete per operation, Write per batch), Get into a PinnableSlice, one iterator per scan"}};
}

// One call of a timed part: an operation, a batch, or a scan. Keys and values are slices
// of buffers made before anything is timed.
enum class Op : uint8_t { kPut, kDelete, kBatch, kGet, kHas, kScan, kPrefix, kReadModifyWrite };

struct Call {
  Op op;
  rocksdb::Slice key;    // the key; a scan's start; a prefix
  rocksdb::Slice value;  // what a put or read-modify-write writes
  uint64_t count = 0;    // a range scan's entries; a batch's end in Plan::batched
  uint64_t first = 0;    // a batch's start in Plan::batched; a prefix's index in Plan::prefixEnds
  bool ycsb = false;     // a YCSB scan counts as one operation
};

struct Plan {
  std::vector<Call> calls;
  std::vector<Call> batched;          // the puts or deletes of the batches
  std::vector<std::string> prefixEnds;  // per prefix scan: the upper bound of its keys
  std::vector<std::string> versions;    // YCSB: the values of updates (reserved up front: slices point into them)
  bool mutates = false;
  uint64_t records = 0;  // what verify reads back: key(0..records-1)
};

// The calls of a workload's timed part (PROTOCOL.md), made before anything is timed.
Plan makePlan(const std::string& workload, const Scenario& sc, const Dataset& data, const json* sequence) {
  const uint64_t n = sc.ops;
  Plan plan;
  plan.records = n;
  const auto ascending = [n] {
    std::vector<uint32_t> order(n);
    for (uint64_t i = 0; i < n; i++) order[i] = static_cast<uint32_t>(i);
    return order;
  };
  if (workload == "sequential-writes" || workload == "random-writes" || workload == "deletions") {
    const bool deletes = workload == "deletions";
    const std::vector<uint32_t> order = workload == "random-writes" ? permutation(n, deriveSeed(sc.seed, kRandomWrites)) : ascending();
    std::vector<Call> ops;
    ops.reserve(n);
    for (const uint32_t i : order) ops.push_back(deletes ? Call{Op::kDelete, data.key(i), {}} : Call{Op::kPut, data.key(i), data.value(i)});
    if (sc.batch > 1) {
      plan.batched = std::move(ops);
      for (uint64_t b = 0; b < n; b += sc.batch) {
        Call call{Op::kBatch, {}, {}};
        call.first = b;
        call.count = std::min(n, b + sc.batch);
        plan.calls.push_back(call);
      }
    } else {
      plan.calls = std::move(ops);
    }
    plan.mutates = true;
  } else if (workload == "sequential-reads" || workload == "random-reads") {
    const std::vector<uint32_t> order = workload == "random-reads" ? permutation(n, deriveSeed(sc.seed, kRandomReads)) : ascending();
    for (const uint32_t i : order) plan.calls.push_back(Call{Op::kGet, data.key(i), {}});
  } else if (workload == "contains") {
    const uint64_t misses = static_cast<uint64_t>(std::llround(static_cast<double>(n) * sc.missRatio));
    const uint64_t present = n - misses;
    for (const uint32_t q : permutation(n, deriveSeed(sc.seed, kContains))) plan.calls.push_back(Call{Op::kHas, data.key(q < present ? q : n + (q - present)), {}});
  } else if (workload == "range-scan") {
    const uint64_t length = std::min(sc.scanLength, n);
    Xoshiro128 rng(deriveSeed(sc.seed, kRangeScan));
    for (uint64_t s = 0; s < (n + length - 1) / length; s++) {
      Call call{Op::kScan, data.key(rng.below(n - length + 1)), {}};
      call.count = length;
      plan.calls.push_back(call);
    }
  } else if (workload == "prefix-scan") {
    uint64_t groupSize = 1;
    for (uint32_t i = 0; i < sc.keySize - sc.prefixLength; i++) groupSize *= 10;
    const uint64_t groupCount = (n + groupSize - 1) / groupSize;
    Xoshiro128 rng(deriveSeed(sc.seed, kPrefixScan));
    for (uint64_t entries = 0; entries < n;) {
      const uint64_t g = rng.below(groupCount);
      entries += std::min(n, (g + 1) * groupSize) - g * groupSize;
      Call call{Op::kPrefix, rocksdb::Slice(data.key(g * groupSize).data(), sc.prefixLength), {}};
      call.first = plan.prefixEnds.size();
      // The upper bound of the prefix's keys: the prefix with its last byte raised (ASCII digits never overflow).
      std::string end = call.key.ToString();
      end.back() = static_cast<char>(end.back() + 1);
      plan.prefixEnds.push_back(end);
      plan.calls.push_back(call);
    }
  } else if (workload.rfind("ycsb-", 0) == 0) {
    if (sequence == nullptr) throw std::runtime_error("a YCSB request without a sequence file");
    const std::string file = sequence->at("file").get<std::string>();
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read the sequence file " + file);
    plan.records = sequence->at("records").get<uint64_t>();
    if (plan.records > data.keyCount) throw std::runtime_error("the sequence's records exceed the keys made");
    const uint64_t operations = sequence->at("operations").get<uint64_t>();
    plan.versions.reserve(operations);
    const uint32_t valueSeed = deriveSeed(sc.seed, kValues);
    char letter;
    uint64_t i, a;
    while (in >> letter >> i >> a) {
      if (i >= plan.records) throw std::runtime_error("the sequence names record " + std::to_string(i) + ", beyond its records");
      Call call{Op::kGet, data.key(i), {}};
      if (letter == 'u' || letter == 'm') {
        call.op = letter == 'u' ? Op::kPut : Op::kReadModifyWrite;
        plan.versions.push_back(makeValue(valueSeed, i, sc.valueSize, static_cast<uint32_t>(a)));
        call.value = plan.versions.back();
        plan.mutates = true;
      } else if (letter == 'i') {
        call.op = Op::kPut;
        call.value = data.value(i);
        plan.mutates = true;
      } else if (letter == 's') {
        call.op = Op::kScan;
        call.count = a;
        call.ycsb = true;
      } else if (letter != 'r') {
        throw std::runtime_error(std::string("unknown operation '") + letter + "' in the sequence file");
      }
      plan.calls.push_back(call);
    }
    if (plan.calls.size() != operations) throw std::runtime_error("the sequence file holds " + std::to_string(plan.calls.size()) + " operations, not " + std::to_string(operations));
  } else {
    throw std::runtime_error("unknown workload '" + workload + "'");
  }
  return plan;
}

int64_t nowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// What one clock read costs: the median of back-to-back reads.
int64_t timerCostNs() {
  std::vector<int64_t> costs(1001);
  for (auto& c : costs) {
    const int64_t t = nowNs();
    c = nowNs() - t;
  }
  std::nth_element(costs.begin(), costs.begin() + 500, costs.end());
  return costs[500];
}

int runJob(const json& request) {
  const std::string workload = request.at("workload").get<std::string>();
  const std::string dir = request.at("dir").get<std::string>();
  const json& js = request.at("scenario");
  Scenario sc;
  sc.ops = js.at("ops").get<uint64_t>();
  sc.keySize = js.at("keySize").get<uint32_t>();
  sc.valueSize = js.at("valueSize").get<uint32_t>();
  sc.seed = js.at("seed").get<uint32_t>();
  sc.scanLength = js.at("scanLength").get<uint64_t>();
  sc.prefixLength = js.at("prefixLength").get<uint32_t>();
  sc.missRatio = js.at("missRatio").get<double>();
  sc.batch = js.at("batch").get<uint64_t>();
  sc.repetitions = js.at("repetitions").get<int>();
  sc.warmup = js.at("warmup").get<int>();
  const double targetRate = js.contains("targetRate") && js.at("targetRate").is_number() ? js.at("targetRate").get<double>() : 0;
  const bool latency = request.value("latency", false);
  const json* sequence = request.contains("sequence") ? &request.at("sequence") : nullptr;
  const Durability durability = durabilityFor(request.at("durability").get<std::string>());
  const EngineOptions eo = engineOptions(request.value("options", json::object()));
  const uint64_t n = sc.ops;
  const bool loaded = workload != "sequential-writes" && workload != "random-writes";

  progress("preparing keys and values");
  const uint64_t misses = workload == "contains" ? static_cast<uint64_t>(std::llround(static_cast<double>(n) * sc.missRatio)) : 0;
  const uint64_t records = sequence != nullptr ? sequence->at("records").get<uint64_t>() : n;
  const Dataset data = makeDataset(sc, std::max(n + misses, records), records);
  const Plan plan = makePlan(workload, sc, data, sequence);

  const rocksdb::ReadOptions ro;
  rocksdb::PinnableSlice pinned;
  std::unique_ptr<Store> store;

  // Makes one call, folding its answers into `d`; returns the units it counts.
  const auto execute = [&](const Call& call, uint32_t& d) -> uint64_t {
    rocksdb::DB* db = store->db();
    const rocksdb::WriteOptions& wo = store->wo();
    switch (call.op) {
      case Op::kPut:
        check(db->Put(wo, call.key, call.value), "put");
        return 1;
      case Op::kDelete:
        check(db->Delete(wo, call.key), "delete");
        return 1;
      case Op::kBatch: {
        rocksdb::WriteBatch wb;
        for (uint64_t b = call.first; b < call.count; b++) {
          const Call& op = plan.batched[b];
          if (op.op == Op::kDelete) wb.Delete(op.key);
          else wb.Put(op.key, op.value);
        }
        check(db->Write(wo, &wb), "batch");
        return call.count - call.first;
      }
      case Op::kGet:
      case Op::kHas:
      case Op::kReadModifyWrite: {
        pinned.Reset();
        const rocksdb::Status s = db->Get(ro, db->DefaultColumnFamily(), call.key, &pinned);
        if (!s.ok() && !s.IsNotFound()) check(s, "get");
        if (call.op == Op::kHas) d = step(d, s.ok() ? 1u : 0u);
        else d = step(d, s.ok() ? valueTerm(pinned) : kMissing);
        if (call.op == Op::kReadModifyWrite) check(db->Put(wo, call.key, call.value), "put");
        return 1;
      }
      case Op::kScan:
      case Op::kPrefix: {
        uint64_t units = 0;
        rocksdb::ReadOptions sro;
        rocksdb::Slice upper;
        if (call.op == Op::kPrefix) {
          upper = rocksdb::Slice(plan.prefixEnds[call.first]);
          sro.iterate_upper_bound = &upper;
        }
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(sro));
        if (call.op == Op::kPrefix) {
          for (it->Seek(call.key); it->Valid() && it->key().starts_with(call.key); it->Next()) {
            d = step(d, entryTerm(it->key(), it->value()));
            units++;
          }
        } else {
          uint64_t left = call.count;
          for (it->Seek(call.key); left > 0 && it->Valid(); it->Next(), left--) {
            d = step(d, entryTerm(it->key(), it->value()));
            units++;
          }
        }
        check(it->status(), "scan");
        return call.ycsb ? 1 : units;
      }
    }
    return 0;
  };

  std::filesystem::create_directories(dir);
  int storeCounter = 0;
  std::string storePath;
  auto openStore = [&]() {
    if (store) {
      store->close();
      store.reset();
      std::filesystem::remove_all(storePath);
    }
    storePath = dir + "/store-" + std::to_string(storeCounter++);
    store = std::make_unique<Store>(storePath, eo, durability);
    if (loaded) {
      progress("loading " + std::to_string(n) + " keys");
      // The load is not timed: batches of 1,000 in the run's durability mode.
      rocksdb::WriteBatch wb;
      for (uint64_t i = 0; i < n; i++) {
        wb.Put(data.key(i), data.value(i));
        if (wb.Count() == 1000 || i + 1 == n) {
          check(store->db()->Write(store->wo(), &wb), "load");
          wb.Clear();
        }
      }
      store->settle();
    }
  };
  const auto settle = [&]() -> json {
    if (!plan.mutates) return nullptr;
    const double s0 = nowMs();
    store->settle();
    return nowMs() - s0;
  };

  const int total = sc.warmup + sc.repetitions;
  for (int r = 0; r < total; r++) {
    if (plan.mutates || !store) openStore();
    const bool warm = r < sc.warmup;
    progress(warm ? "warm-up " + std::to_string(r + 1) + "/" + std::to_string(sc.warmup)
                  : "repetition " + std::to_string(r + 1 - sc.warmup) + "/" + std::to_string(sc.repetitions));
    uint32_t digest = 0;
    uint64_t units = 0;
    const double t0 = nowMs();
    for (const Call& call : plan.calls) units += execute(call, digest);
    const double ms = nowMs() - t0;
    const json settleMs = settle();
    emit({{"type", "repetition"}, {"index", r}, {"warmup", warm}, {"ms", ms}, {"units", units}, {"digest", digest}, {"settleMs", settleMs}});
  }

  if (latency) {
    // The timed part once more, each call timed on its own (closed loop, or open loop at targetRate).
    if (plan.mutates) openStore();
    progress("latency pass");
    std::vector<int64_t> samples(plan.calls.size());
    uint32_t digest = 0;
    uint64_t units = 0;
    const int64_t start = nowNs();
    for (size_t c = 0; c < plan.calls.size(); c++) {
      int64_t t = nowNs();
      if (targetRate > 0) {
        const int64_t due = start + static_cast<int64_t>(static_cast<double>(c) * 1e9 / targetRate);
        while (t < due) t = nowNs();
        t = due;
      }
      units += execute(plan.calls[c], digest);
      samples[c] = nowNs() - t;
    }
    const json settleMs = settle();
    for (size_t at = 0; at < samples.size(); at += 10000)
      emit({{"type", "latency"}, {"ns", std::vector<int64_t>(samples.begin() + at, samples.begin() + std::min(samples.size(), at + 10000))}});
    emit({{"type", "latency-end"}, {"units", units}, {"digest", digest}, {"settleMs", settleMs}, {"timerNs", timerCostNs()}});
  }

  progress("verifying");
  rocksdb::DB* db = store->db();
  uint64_t found = 0;
  uint32_t getDigest = kFnvOffset;
  for (uint64_t i = 0; i < plan.records; i++) {
    pinned.Reset();
    const rocksdb::Status s = db->Get(ro, db->DefaultColumnFamily(), data.key(i), &pinned);
    if (s.ok()) {
      found++;
      getDigest = fnv(fnvU32(getDigest, static_cast<uint32_t>(pinned.size())), pinned.data(), pinned.size());
    } else if (s.IsNotFound()) {
      getDigest = fnvU32(getDigest, 0xffffffffu);
    } else {
      check(s, "verify get");
    }
  }
  uint64_t scanned = 0;
  uint32_t scanDigest = kFnvOffset;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key();
      const rocksdb::Slice v = it->value();
      scanDigest = fnvU32(scanDigest, static_cast<uint32_t>(k.size()));
      scanDigest = fnv(scanDigest, k.data(), k.size());
      scanDigest = fnvU32(scanDigest, static_cast<uint32_t>(v.size()));
      scanDigest = fnv(scanDigest, v.data(), v.size());
      scanned++;
    }
    check(it->status(), "verify scan");
  }
  emit({{"type", "verify"}, {"found", found}, {"getDigest", getDigest}, {"scanned", scanned}, {"scanDigest", scanDigest}});

  json stats = {{"durability", durability.mode}, {"writeOptions", durability.description}, {"compression", eo.compressionName}};
  std::vector<uint64_t> levels;
  uint64_t files = 0;
  for (int l = 0; l < 7; l++) {
    std::string v;
    db->GetProperty("rocksdb.num-files-at-level" + std::to_string(l), &v);
    files += std::stoull(v.empty() ? "0" : v);
    stats["filesAtLevel" + std::to_string(l)] = std::stoull(v.empty() ? "0" : v);
  }
  stats["files"] = files;
  for (const auto& [name, prop] : std::vector<std::pair<std::string, std::string>>{{"estimatedKeys", "rocksdb.estimate-num-keys"},
                                                                                    {"sstBytes", "rocksdb.total-sst-files-size"},
                                                                                    {"liveDataBytes", "rocksdb.estimate-live-data-size"}}) {
    uint64_t v = 0;
    if (db->GetIntProperty(prop, &v)) stats[name] = v;
  }
  store->close();
  emit({{"type", "stats"}, {"stats", stats}});
  emit({{"type", "done"}});
  return 0;
}

}  // namespace

int main() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  emit(hello());
  try {
    const json request = json::parse(input);
    const std::string type = request.at("type").get<std::string>();
    // describe comes in version 1's form, whatever the engine speaks: hello has answered it.
    if (type == "describe") return 0;
    if (type != "run") throw std::runtime_error("unknown request type '" + type + "'");
    if (request.at("protocol").get<int>() != kProtocol) throw std::runtime_error("this engine speaks protocol " + std::to_string(kProtocol));
    return runJob(request);
  } catch (const std::exception& e) {
    emit({{"type", "error"}, {"message", e.what()}});
    std::fprintf(stderr, "lsmbench-rocksdb-cpp: %s\n", e.what());
    return 1;
  }
}
