// A starter lsmbench external engine in C++17, standard library only.
//
// It speaks protocol 2 of engines/external/PROTOCOL.md in full: every workload (the
// document's eight and YCSB A-F), batches, the latency pass (closed and open loop), and
// the digests the harness checks. The store is a std::map: a starter to copy, with your
// store in place of the Store class, not a store worth measuring. It honours durability
// `none` only: it keeps everything in memory and writes one snapshot file when it closes
// a store.
//
// Build: g++ -std=c++17 -O2 -o engine engine.cc  (scripts/build-native.sh does it)
// Run:   lsmbench run --engine external:engines/external/examples/cpp/build/lsmbench-cpp-starter

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

// ---- A small JSON reader, for the one request ---------------------------------------

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;

  const Json* find(const std::string& name) const {
    for (const auto& f : fields)
      if (f.first == name) return &f.second;
    return nullptr;
  }
  const Json& at(const std::string& name) const {
    const Json* j = find(name);
    if (j == nullptr) throw std::runtime_error("the request has no field '" + name + "'");
    return *j;
  }
  uint64_t u64() const {
    if (kind != kNumber || number < 0 || number != std::floor(number)) throw std::runtime_error("expected a whole number");
    return static_cast<uint64_t>(number);
  }
  const std::string& str() const {
    if (kind != kString) throw std::runtime_error("expected a string");
    return text;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse() {
    Json j = value();
    space();
    if (p_ != s_.size()) fail("trailing characters");
    return j;
  }

 private:
  [[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("bad JSON request: ") + what); }
  void space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\t')) p_++;
  }
  bool eat(char c) {
    space();
    if (p_ < s_.size() && s_[p_] == c) return ++p_, true;
    return false;
  }
  bool word(const char* w) {
    const std::string ws(w);
    if (s_.compare(p_, ws.size(), ws) != 0) return false;
    p_ += ws.size();
    return true;
  }
  Json value() {
    space();
    if (p_ >= s_.size()) fail("unexpected end");
    Json j;
    const char c = s_[p_];
    if (c == '{') {
      j.kind = Json::kObject;
      p_++;
      if (eat('}')) return j;
      do {
        space();
        std::string name = string();
        if (!eat(':')) fail("expected ':'");
        j.fields.emplace_back(std::move(name), value());
      } while (eat(','));
      if (!eat('}')) fail("expected '}'");
    } else if (c == '[') {
      j.kind = Json::kArray;
      p_++;
      if (eat(']')) return j;
      do j.items.push_back(value());
      while (eat(','));
      if (!eat(']')) fail("expected ']'");
    } else if (c == '"') {
      j.kind = Json::kString;
      j.text = string();
    } else if (word("true")) {
      j.kind = Json::kBool;
      j.boolean = true;
    } else if (word("false")) {
      j.kind = Json::kBool;
    } else if (word("null")) {
      j.kind = Json::kNull;
    } else {
      size_t used = 0;
      j.kind = Json::kNumber;
      try {
        j.number = std::stod(s_.substr(p_, 40), &used);
      } catch (const std::exception&) {
        fail("expected a value");
      }
      p_ += used;
    }
    return j;
  }
  void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  uint32_t hex4() {
    if (p_ + 4 > s_.size()) fail("short \\u escape");
    const uint32_t cp = static_cast<uint32_t>(std::stoul(s_.substr(p_, 4), nullptr, 16));
    p_ += 4;
    return cp;
  }
  std::string string() {
    if (p_ >= s_.size() || s_[p_] != '"') fail("expected a string");
    p_++;
    std::string out;
    while (p_ < s_.size() && s_[p_] != '"') {
      char c = s_[p_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= s_.size()) fail("unfinished escape");
      c = s_[p_++];
      switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && word("\\u")) cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
          utf8(out, cp);
          break;
        }
        default: out += c;  // " \ /
      }
    }
    if (p_ >= s_.size()) fail("unfinished string");
    p_++;
    return out;
  }
  const std::string& s_;
  size_t p_ = 0;
};

// ---- Writing JSON lines -------------------------------------------------------------

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void emit(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void progress(const std::string& phase) { emit("{\"type\":\"progress\",\"phase\":" + quote(phase) + "}"); }

// ---- The keyspace (docs/keyspace.md) --------------------------------------------------

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
  uint64_t below(uint64_t n) { return (static_cast<uint64_t>(next()) * n) >> 32; }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t s_[4];
};

std::string makeKey(uint64_t i, uint32_t keySize) {
  std::string k(keySize, '0');
  for (int p = static_cast<int>(keySize) - 1; p >= 0; p--, i /= 10) k[p] = static_cast<char>('0' + i % 10);
  return k;
}

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

std::vector<uint64_t> permutation(uint64_t n, uint32_t streamSeed) {
  std::vector<uint64_t> order(n);
  for (uint64_t i = 0; i < n; i++) order[i] = i;
  Xoshiro128 rng(streamSeed);
  for (uint64_t i = n; i-- > 1;) std::swap(order[i], order[rng.below(i + 1)]);
  return order;
}

// ---- Digests (PROTOCOL.md) --------------------------------------------------------------

constexpr uint32_t kMissing = 0x7fffffffu;
constexpr uint32_t kFnvOffset = 2166136261u;

uint32_t step(uint32_t d, uint32_t x) { return d * 31u + x; }

uint32_t valueTerm(const std::string* v) {
  if (v == nullptr) return kMissing;
  const size_t n = v->size();
  if (n == 0) return 1;
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>((*v)[k])); };
  return 1u + static_cast<uint32_t>(n) + b(0) + 3u * b(n / 2) + 7u * b(n - 1);
}

uint32_t entryTerm(const std::string& k, const std::string& v) {
  const auto byte = [](const std::string& s, size_t at) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at])); };
  const size_t n = k.size();
  return 1u + (n > 0 ? byte(k, n - 1) : 0u) + 5u * (n > 1 ? byte(k, n - 2) : 0u) + 11u * (v.empty() ? 0u : byte(v, 0));
}

uint32_t fnv(uint32_t h, const std::string& bytes) {
  for (const unsigned char b : bytes) h = (h ^ b) * 16777619u;
  return h;
}

std::string u32le(uint32_t x) {
  std::string s(4, '\0');
  for (int k = 0; k < 4; k++) s[k] = static_cast<char>((x >> (8 * k)) & 0xff);
  return s;
}

// ---- The store: replace this class with yours ----------------------------------------

class Store {
 public:
  explicit Store(std::string path) : path_(std::move(path)) { std::filesystem::create_directories(path_); }
  void put(const std::string& k, const std::string& v) { map_[k] = v; }
  const std::string* get(const std::string& k) const {
    const auto it = map_.find(k);
    return it == map_.end() ? nullptr : &it->second;
  }
  void remove(const std::string& k) { map_.erase(k); }
  bool has(const std::string& k) const { return map_.count(k) > 0; }
  // Up to `limit` entries from `start` upward (limit 0: every key that begins with `prefix`).
  template <class Visit>
  void scan(const std::string& start, uint64_t limit, const std::string& prefix, Visit visit) const {
    for (auto it = map_.lower_bound(start); it != map_.end(); ++it) {
      if (limit == 0 ? it->first.compare(0, prefix.size(), prefix) != 0 : limit-- == 0) break;
      visit(it->first, it->second);
    }
  }
  void settle() {}  // no background work
  // Durability `none`: what was acknowledged survives a clean close, in this snapshot.
  void close() {
    std::ofstream out(path_ + "/snapshot", std::ios::binary);
    for (const auto& [k, v] : map_) out << u32le(static_cast<uint32_t>(k.size())) << k << u32le(static_cast<uint32_t>(v.size())) << v;
  }
  const std::map<std::string, std::string>& entries() const { return map_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::map<std::string, std::string> map_;
};

// ---- Calls: every workload as a list of calls made before the timed part -------------

enum class Op { kGet, kPut, kDelete, kHas, kBatch, kScan, kPrefix, kReadModifyWrite };

struct Call {
  Op op;
  std::string key;    // the key; a scan's start; a prefix
  std::string value;  // what a put or read-modify-write writes
  uint64_t limit = 0;       // a range scan's entries
  size_t batchBegin = 0, batchEnd = 0;  // a batch: these entries of Plan::batched
  bool ycsb = false;        // a YCSB scan counts as one operation
};

struct Plan {
  std::vector<Call> calls;
  std::vector<Call> batched;  // the puts and deletes of the batches
  bool writes = false;
  uint64_t records = 0;  // what verify reads back: key(0..records-1)
};

// Makes one call, folding its answers into `d`; returns the units it counts.
uint64_t execute(Store& store, const Plan& plan, const Call& call, uint32_t& d) {
  switch (call.op) {
    case Op::kGet:
      d = step(d, valueTerm(store.get(call.key)));
      return 1;
    case Op::kPut:
      store.put(call.key, call.value);
      return 1;
    case Op::kDelete:
      store.remove(call.key);
      return 1;
    case Op::kHas:
      d = step(d, store.has(call.key) ? 1u : 0u);
      return 1;
    case Op::kBatch:
      // Applied in one go: nothing can observe half a batch in this process.
      for (size_t b = call.batchBegin; b < call.batchEnd; b++) {
        const Call& op = plan.batched[b];
        if (op.op == Op::kDelete) store.remove(op.key);
        else store.put(op.key, op.value);
      }
      return call.batchEnd - call.batchBegin;
    case Op::kReadModifyWrite:
      d = step(d, valueTerm(store.get(call.key)));
      store.put(call.key, call.value);
      return 1;
    case Op::kScan:
    case Op::kPrefix: {
      uint64_t visited = 0;
      store.scan(call.key, call.op == Op::kScan ? call.limit : 0, call.key, [&](const std::string& k, const std::string& v) {
        d = step(d, entryTerm(k, v));
        visited++;
      });
      return call.ycsb ? 1 : visited;
    }
  }
  return 0;
}

struct Scenario {
  uint64_t ops, scanLength, batch;
  uint32_t keySize, valueSize, seed, prefixLength;
  double missRatio;
  int repetitions, warmup;
  double targetRate;  // 0: closed loop
};

Plan makePlan(const std::string& workload, const Scenario& sc, const Json* sequence) {
  const uint64_t n = sc.ops;
  const uint32_t valueSeed = deriveSeed(sc.seed, 1);
  const auto key = [&](uint64_t i) { return makeKey(i, sc.keySize); };
  Plan plan;
  plan.records = n;
  const auto ascending = [&] {
    std::vector<uint64_t> order(n);
    for (uint64_t i = 0; i < n; i++) order[i] = i;
    return order;
  };
  if (workload == "sequential-writes" || workload == "random-writes" || workload == "deletions") {
    const bool deletes = workload == "deletions";
    const std::vector<uint64_t> order = workload == "random-writes" ? permutation(n, deriveSeed(sc.seed, 2)) : ascending();
    std::vector<Call> ops;
    for (const uint64_t i : order) ops.push_back(deletes ? Call{Op::kDelete, key(i), ""} : Call{Op::kPut, key(i), makeValue(valueSeed, i, sc.valueSize)});
    if (sc.batch > 1) {
      plan.batched = std::move(ops);
      for (size_t b = 0; b < n; b += sc.batch) {
        Call call{Op::kBatch, "", ""};
        call.batchBegin = b;
        call.batchEnd = std::min<size_t>(n, b + sc.batch);
        plan.calls.push_back(call);
      }
    } else {
      plan.calls = std::move(ops);
    }
    plan.writes = true;
  } else if (workload == "sequential-reads" || workload == "random-reads") {
    const std::vector<uint64_t> order = workload == "random-reads" ? permutation(n, deriveSeed(sc.seed, 3)) : ascending();
    for (const uint64_t i : order) plan.calls.push_back(Call{Op::kGet, key(i), ""});
  } else if (workload == "contains") {
    const uint64_t misses = static_cast<uint64_t>(std::floor(static_cast<double>(n) * sc.missRatio + 0.5));
    const uint64_t present = n - misses;
    for (const uint64_t q : permutation(n, deriveSeed(sc.seed, 6))) plan.calls.push_back(Call{Op::kHas, key(q < present ? q : n + (q - present)), ""});
  } else if (workload == "range-scan") {
    const uint64_t length = std::min(sc.scanLength, n);
    Xoshiro128 rng(deriveSeed(sc.seed, 4));
    for (uint64_t s = 0; s < (n + length - 1) / length; s++) {
      Call call{Op::kScan, key(rng.below(n - length + 1)), ""};
      call.limit = length;
      plan.calls.push_back(call);
    }
  } else if (workload == "prefix-scan") {
    uint64_t group = 1;
    for (uint32_t d = sc.prefixLength; d < sc.keySize; d++) group *= 10;
    const uint64_t groups = (n + group - 1) / group;
    Xoshiro128 rng(deriveSeed(sc.seed, 5));
    for (uint64_t entries = 0; entries < n;) {
      const uint64_t g = rng.below(groups);
      entries += std::min(n, (g + 1) * group) - g * group;
      plan.calls.push_back(Call{Op::kPrefix, key(g * group).substr(0, sc.prefixLength), ""});
    }
  } else if (workload.rfind("ycsb-", 0) == 0) {
    if (sequence == nullptr) throw std::runtime_error("a YCSB request without a sequence file");
    std::ifstream in(sequence->at("file").str());
    if (!in) throw std::runtime_error("cannot read the sequence file " + sequence->at("file").str());
    char letter;
    uint64_t i, a;
    while (in >> letter >> i >> a) {
      Call call{Op::kGet, key(i), ""};
      switch (letter) {
        case 'r': break;
        case 'u':
        case 'i':
          call.op = Op::kPut;
          call.value = makeValue(valueSeed, i, sc.valueSize, static_cast<uint32_t>(a));
          plan.writes = true;
          break;
        case 's':
          call.op = Op::kScan;
          call.limit = a;
          call.ycsb = true;
          break;
        case 'm':
          call.op = Op::kReadModifyWrite;
          call.value = makeValue(valueSeed, i, sc.valueSize, static_cast<uint32_t>(a));
          plan.writes = true;
          break;
        default: throw std::runtime_error(std::string("unknown operation '") + letter + "' in the sequence file");
      }
      plan.calls.push_back(std::move(call));
    }
    if (plan.calls.size() != sequence->at("operations").u64()) throw std::runtime_error("the sequence file does not hold the operations the request says");
    plan.records = sequence->at("records").u64();
  } else {
    throw std::runtime_error("unknown workload '" + workload + "'");
  }
  return plan;
}

// ---- The run ----------------------------------------------------------------------------

std::string hello() {
  return "{\"type\":\"hello\",\"protocol\":2,\"name\":\"cpp-starter\",\"storeVersion\":\"cpp-starter 1 (std::map, C++ " + std::to_string(__cplusplus) +
         ")\",\"durability\":[\"none\"],"
         "\"operations\":{\"put\":\"native\",\"get\":\"native\",\"delete\":\"native\",\"has\":\"native\",\"batch\":\"emulated\",\"range\":\"native\",\"prefix\":\"emulated\"},"
         "\"driving\":\"a C++ loop over a std::map (a starter, not a store)\"}";
}

using Clock = std::chrono::steady_clock;
int64_t nowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

int64_t timerCostNs() {
  std::vector<int64_t> costs(1001);
  for (auto& c : costs) {
    const int64_t t = nowNs();
    c = nowNs() - t;
  }
  std::nth_element(costs.begin(), costs.begin() + 500, costs.end());
  return costs[500];
}

void run(const Json& request) {
  const std::string workload = request.at("workload").str();
  const std::string dir = request.at("dir").str();
  const Json& js = request.at("scenario");
  const Json* rate = js.find("targetRate");
  Scenario sc{js.at("ops").u64(), js.at("scanLength").u64(), js.at("batch").u64(),
              static_cast<uint32_t>(js.at("keySize").u64()), static_cast<uint32_t>(js.at("valueSize").u64()), static_cast<uint32_t>(js.at("seed").u64()),
              static_cast<uint32_t>(js.at("prefixLength").u64()), js.at("missRatio").number,
              static_cast<int>(js.at("repetitions").u64()), static_cast<int>(js.at("warmup").u64()),
              rate != nullptr && rate->kind == Json::kNumber ? rate->number : 0};
  if (const Json* options = request.find("options"); options != nullptr && !options->fields.empty())
    throw std::runtime_error("unknown option '" + options->fields[0].first + "' (this engine takes none)");
  const bool latency = request.find("latency") != nullptr && request.at("latency").boolean;

  progress("preparing keys and values");
  const Plan plan = makePlan(workload, sc, request.find("sequence"));
  const bool loaded = workload != "sequential-writes" && workload != "random-writes";
  const uint32_t valueSeed = deriveSeed(sc.seed, 1);
  std::unique_ptr<Store> store;
  int stores = 0;
  const auto freshStore = [&] {
    if (store) {  // the harness measures the last store's size: remove the others
      store->close();
      std::filesystem::remove_all(store->path());
    }
    store = std::make_unique<Store>(dir + "/store-" + std::to_string(stores++));
    if (!loaded) return;
    progress("loading " + std::to_string(sc.ops) + " keys");
    for (uint64_t i = 0; i < sc.ops; i++) store->put(makeKey(i, sc.keySize), makeValue(valueSeed, i, sc.valueSize));
    store->settle();
  };
  const auto settleMs = [&]() -> std::string {
    if (!plan.writes) return "null";
    const int64_t t0 = nowNs();
    store->settle();
    return number(static_cast<double>(nowNs() - t0) / 1e6);
  };

  const int total = sc.warmup + sc.repetitions;
  for (int r = 0; r < total; r++) {
    if (plan.writes || !store) freshStore();
    progress("repetition " + std::to_string(r + 1) + "/" + std::to_string(total));
    uint32_t d = 0;
    uint64_t units = 0;
    const int64_t t0 = nowNs();
    for (const Call& call : plan.calls) units += execute(*store, plan, call, d);
    const double ms = static_cast<double>(nowNs() - t0) / 1e6;
    emit("{\"type\":\"repetition\",\"index\":" + std::to_string(r) + ",\"warmup\":" + (r < sc.warmup ? "true" : "false") + ",\"ms\":" + number(ms) +
         ",\"units\":" + std::to_string(units) + ",\"digest\":" + std::to_string(d) + ",\"settleMs\":" + settleMs() + "}");
  }

  if (latency) {
    if (plan.writes) freshStore();
    progress("latency pass");
    std::vector<int64_t> samples(plan.calls.size());
    uint32_t d = 0;
    uint64_t units = 0;
    const int64_t start = nowNs();
    for (size_t c = 0; c < plan.calls.size(); c++) {
      int64_t t = nowNs();
      if (sc.targetRate > 0) {
        const int64_t due = start + static_cast<int64_t>(static_cast<double>(c) * 1e9 / sc.targetRate);
        while (t < due) t = nowNs();
        t = due;
      }
      units += execute(*store, plan, plan.calls[c], d);
      samples[c] = nowNs() - t;
    }
    const std::string settle = settleMs();
    for (size_t at = 0; at < samples.size(); at += 10000) {
      std::string line = "{\"type\":\"latency\",\"ns\":[";
      for (size_t c = at; c < std::min(samples.size(), at + 10000); c++) line += (c == at ? "" : ",") + std::to_string(samples[c]);
      emit(line + "]}");
    }
    emit("{\"type\":\"latency-end\",\"units\":" + std::to_string(units) + ",\"digest\":" + std::to_string(d) + ",\"settleMs\":" + settle +
         ",\"timerNs\":" + std::to_string(timerCostNs()) + "}");
  }

  progress("verifying");
  uint64_t found = 0;
  uint32_t getDigest = kFnvOffset;
  for (uint64_t i = 0; i < plan.records; i++) {
    const std::string* v = store->get(makeKey(i, sc.keySize));
    if (v == nullptr) {
      getDigest = fnv(getDigest, std::string(4, '\xff'));
    } else {
      found++;
      getDigest = fnv(fnv(getDigest, u32le(static_cast<uint32_t>(v->size()))), *v);
    }
  }
  uint64_t scanned = 0;
  uint32_t scanDigest = kFnvOffset;
  for (const auto& [k, v] : store->entries()) {
    scanDigest = fnv(fnv(fnv(fnv(scanDigest, u32le(static_cast<uint32_t>(k.size()))), k), u32le(static_cast<uint32_t>(v.size()))), v);
    scanned++;
  }
  emit("{\"type\":\"verify\",\"found\":" + std::to_string(found) + ",\"getDigest\":" + std::to_string(getDigest) + ",\"scanned\":" + std::to_string(scanned) +
       ",\"scanDigest\":" + std::to_string(scanDigest) + "}");
  emit("{\"type\":\"stats\",\"stats\":{\"entries\":" + std::to_string(store->entries().size()) + ",\"durability\":" + quote(request.at("durability").str()) + "}}");
  store->close();
  emit("{\"type\":\"done\"}");
}

}  // namespace

int main() {
  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  emit(hello());
  try {
    const Json request = JsonParser(input).parse();
    const std::string type = request.at("type").str();
    if (type == "describe") return 0;
    if (type != "run") throw std::runtime_error("unknown request type '" + type + "'");
    if (request.at("protocol").u64() != 2) throw std::runtime_error("this engine speaks protocol 2");
    run(request);
    return 0;
  } catch (const std::exception& e) {
    emit("{\"type\":\"error\",\"message\":" + quote(e.what()) + "}");
    std::fprintf(stderr, "cpp-starter: %s\n", e.what());
    return 1;
  }
}
