#include "ramsift/kernel/kallsyms.h"

#include <doctest/doctest.h>

#include <cstring>
#include <map>

using namespace ramsift;

namespace {

// Lays out kallsyms tables in a fake kernel address space the way
// scripts/kallsyms.c does: token i is the single character i, except a few
// multi-character tokens, so names compress a little as in a real kernel.
struct FakeKernel {
  std::map<uint64_t, std::vector<std::byte>> regions;  // start -> bytes

  void put(uint64_t at, const std::vector<std::byte>& bytes) { regions[at] = bytes; }
  Result<size_t> read(VirtAddr va, std::span<std::byte> out) const {
    for (const auto& [start, bytes] : regions) {
      if (va.value() >= start && va.value() < start + bytes.size()) {
        size_t off = va.value() - start;
        size_t n = std::min(out.size(), bytes.size() - off);
        std::memcpy(out.data(), bytes.data() + off, n);
        return n;
      }
    }
    return fault("unmapped").at_address(va);
  }
};

template <class T>
void append(std::vector<std::byte>& v, T value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  v.insert(v.end(), p, p + sizeof(T));
}

struct Sym {
  char type;
  std::string name;
  uint64_t address;
};

// Builds the tables for syms (sorted by address) at fixed addresses.
KallsymsTables build(FakeKernel& k, const std::vector<Sym>& syms, uint64_t base, bool absolute_percpu) {
  const std::vector<std::string> multi = {"", "kmalloc", "__", "page_"};  // tokens 1..3
  std::vector<std::string> tokens(256);
  for (int i = 0; i < 256; ++i) tokens[i] = std::string(1, static_cast<char>(i));
  for (size_t i = 1; i < multi.size(); ++i) tokens[i] = multi[i];

  std::vector<std::byte> table, index;
  for (int i = 0; i < 256; ++i) {
    append<uint16_t>(index, static_cast<uint16_t>(table.size()));
    for (char c : tokens[i]) table.push_back(std::byte(c));
    table.push_back(std::byte{0});
  }
  std::vector<std::byte> names, offsets;
  for (const Sym& s : syms) {
    std::string full = std::string(1, s.type) + s.name;
    std::vector<uint8_t> enc;
    for (size_t p = 0; p < full.size();) {
      bool used = false;
      for (size_t t = 1; t < multi.size() && !used; ++t)
        if (full.compare(p, multi[t].size(), multi[t]) == 0) {
          enc.push_back(static_cast<uint8_t>(t));
          p += multi[t].size();
          used = true;
        }
      if (!used) enc.push_back(static_cast<uint8_t>(full[p++]));
    }
    if (enc.size() > 127) {
      names.push_back(std::byte(static_cast<uint8_t>((enc.size() & 0x7f) | 0x80)));
      names.push_back(std::byte(static_cast<uint8_t>(enc.size() >> 7)));
    } else {
      names.push_back(std::byte(static_cast<uint8_t>(enc.size())));
    }
    for (uint8_t b : enc) names.push_back(std::byte(b));
    int32_t off;
    if (!absolute_percpu)
      off = static_cast<int32_t>(s.address - base);
    else if (s.address < base)
      off = static_cast<int32_t>(s.address);  // absolute per-cpu
    else
      off = static_cast<int32_t>(base - 1 - s.address);
    append<int32_t>(offsets, off);
  }
  std::vector<std::byte> num, rel;
  append<uint32_t>(num, static_cast<uint32_t>(syms.size()));
  append<uint64_t>(rel, base);
  KallsymsTables t;
  t.num_syms = VirtAddr{0xffffffff82000000};
  t.names = VirtAddr{0xffffffff82100000};
  t.token_table = VirtAddr{0xffffffff82200000};
  t.token_index = VirtAddr{0xffffffff82300000};
  t.offsets = VirtAddr{0xffffffff82400000};
  t.relative_base = VirtAddr{0xffffffff82500000};
  names.resize(names.size() + 64 * 1024);  // the real table is followed by more .rodata
  table.resize(table.size() + 512);
  k.put(t.num_syms.value(), num);
  k.put(t.names.value(), names);
  k.put(t.token_table.value(), table);
  k.put(t.token_index.value(), index);
  k.put(t.offsets->value(), offsets);
  k.put(t.relative_base->value(), rel);
  return t;
}

const uint64_t kBase = 0xffffffff81000000;

std::vector<Sym> sample() {
  return {
      {'T', "_stext", kBase},
      {'T', "startup_64", kBase},  // alias of _stext
      {'t', "__kmalloc_node.part.0.constprop.0", kBase + 0x100},
      {'T', "alloc_pages", kBase + 0x180},
      {'T', "_etext", kBase + 0x1000},
      {'D', "page_owner_ops", kBase + 0x2000},
      {'T', "_sinittext", kBase + 0x3000},
      {'t', "init_page_owner", kBase + 0x3010},
      {'T', "_einittext", kBase + 0x3100},
      {'B', "_end", kBase + 0x4000},
  };
}

}  // namespace

TEST_CASE("kallsyms: names, types, sizes and aliases as %pS sees them") {
  FakeKernel k;
  KallsymsTables t = build(k, sample(), kBase, false);
  auto syms = Kallsyms::decode(t, [&](VirtAddr a, std::span<std::byte> o) { return k.read(a, o); });
  REQUIRE(syms);
  REQUIRE(syms->symbols().size() == sample().size());
  CHECK(syms->symbols()[2].name == "__kmalloc_node.part.0.constprop.0");
  CHECK(syms->symbols()[2].type == 't');
  CHECK_FALSE(syms->absolute_percpu());
  CHECK(syms->has_data_symbols());

  auto hit = syms->lookup(kBase + 0x11c);
  REQUIRE(hit);
  CHECK(hit->symbol->name == "__kmalloc_node.part.0.constprop.0");
  CHECK(hit->offset == 0x1c);
  CHECK(hit->size == 0x80);  // distance to the next symbol, not an ELF size
  auto alias = syms->lookup(kBase + 4);
  REQUIRE(alias);
  CHECK(alias->symbol->name == "_stext");  // the first of the aliases
  auto init = syms->lookup(kBase + 0x3020);
  REQUIRE(init);
  CHECK(init->symbol->name == "init_page_owner");
  CHECK(init->size == 0xf0);
  CHECK_FALSE(syms->lookup(kBase - 1));       // below the image
  CHECK_FALSE(syms->lookup(kBase + 0x4001));  // past _end
  CHECK(syms->address_of("alloc_pages") == kBase + 0x180);
  CHECK_FALSE(syms->address_of("no_such_symbol"));
}

TEST_CASE("kallsyms: absolute per-cpu offsets and big symbols") {
  std::vector<Sym> syms = sample();
  syms.insert(syms.begin(), {'A', "fixed_percpu_data", 0});
  syms.insert(syms.begin() + 4, {'t', std::string(200, 'x'), kBase + 0x140});
  FakeKernel k;
  KallsymsTables t = build(k, syms, kBase, true);
  auto decoded = Kallsyms::decode(t, [&](VirtAddr a, std::span<std::byte> o) { return k.read(a, o); });
  REQUIRE(decoded);
  CHECK(decoded->absolute_percpu());
  CHECK(decoded->symbols()[0].address == 0);
  CHECK(decoded->address_of(std::string(200, 'x')) == kBase + 0x140);
  CHECK(decoded->address_of("alloc_pages") == kBase + 0x180);
  decoded->relocate(0x1a000000);
  CHECK(decoded->address_of("alloc_pages") == kBase + 0x180 + 0x1a000000);
}

TEST_CASE("kallsyms: garbage tables fail with a named error, never a crash") {
  FakeKernel k;
  KallsymsTables t = build(k, sample(), kBase, false);
  auto reader = [&](VirtAddr a, std::span<std::byte> o) { return k.read(a, o); };
  SUBCASE("count absurd") {
    std::vector<std::byte> num;
    append<uint32_t>(num, 0xffffffffu);
    k.put(t.num_syms.value(), num);
    auto r = Kallsyms::decode(t, reader);
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("kallsyms_num_syms") != std::string::npos);
  }
  SUBCASE("names table unmapped") {
    k.regions.erase(t.names.value());
    auto r = Kallsyms::decode(t, reader);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::Fault);
    CHECK(r.error().message().find("kallsyms_names") != std::string::npos);
  }
  SUBCASE("unsorted addresses") {
    std::vector<Sym> bad = sample();
    std::swap(bad[2].address, bad[3].address);
    FakeKernel k2;
    KallsymsTables t2 = build(k2, bad, kBase, false);
    auto r = Kallsyms::decode(t2, [&](VirtAddr a, std::span<std::byte> o) { return k2.read(a, o); });
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::Corrupt);
  }
}
