// StackDepot on every kernel generation and page size, from the DWARF the
// compilers write for data/stack_depot.c (DWARF 4 DW_AT_bit_offset from the
// most significant bit, DWARF 5 DW_AT_data_bit_offset), over fake kernel
// memory laid out by hand: three pools (the middle one NULL) and records
// good and bad.
#include "ramsift/decode/stack_depot.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/fake_memory.h"

using namespace ramsift;
using ramsift::testing::FakePhysicalMemory;

namespace {

// Where KASLR puts the test ELF's variables (their link addresses are small).
constexpr uint64_t kImage = 0xffffffc080000000;
// Pools are page_address()es in the direct map; the 6.17+ array is vmalloc'd.
constexpr uint64_t kPool0 = 0xffffff8000100000;
constexpr uint64_t kPool2 = 0xffffff8000380000;
constexpr uint64_t kPoolArray = 0xffffffc000a00000;
// refcount_t REFCOUNT_SATURATED: what a record saved without STACK_DEPOT_FLAG_GET holds.
constexpr uint32_t kSaturated = 0xc0000000;

std::vector<std::string> split(const std::string& all) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= all.size();) {
    size_t comma = all.find(',', start);
    if (comma == std::string::npos) comma = all.size();
    if (comma > start) out.push_back(all.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// What the kernel-internals table says each generation looks like.
struct Generation {
  int since;  // data/stack_depot.c's DEPOT_SINCE
  const char* storage;
  const char* counter;
  bool valid_bit, extra_bits, plus_1, refcount, pool_pointer;
  uint64_t size_offset, entries_offset, max_frames;
  // Index width for page shifts 12, 14, 16; the offset is always 2 + shift - 4.
  unsigned index_bits[3];
};

const Generation kGenerations[] = {
    {504, "stack_slabs", "depot_index", true, false, false, false, false, 12, 24, 256, {21, 19, 17}},
    {601, "stack_slabs", "depot_index", true, true, false, false, false, 12, 24, 256, {16, 14, 12}},
    {603, "stack_pools", "pool_index", true, true, false, false, false, 12, 24, 256, {16, 14, 12}},
    {608, "stack_pools", "pools_num", false, true, false, true, false, 20, 32, 64, {17, 15, 13}},
    {609, "stack_pools", "pools_num", false, true, true, true, false, 20, 32, 64, {17, 15, 13}},
    {617, "stack_pools (pointer)", "pools_num", false, true, true, true, true, 20, 32, 64, {17, 15, 13}},
};

// StackDepotTypes from a test ELF's DWARF, its variables moved as KASLR
// moves a kernel's (what Kernel::variable() does).
class ElfDepotTypes final : public StackDepotTypes {
 public:
  explicit ElfDepotTypes(DwarfTypes& dwarf) : dwarf_(&dwarf) {}
  Result<std::shared_ptr<const TypeLayout>> layout(std::string_view spelled) const override {
    return dwarf_->layout(spelled);
  }
  Result<Variable> variable(std::string_view name) const override {
    RAMSIFT_TRY(Variable v, dwarf_->variable(name));
    v.address = VirtAddr(v.address.value() + kImage);
    return v;
  }
  bool has_symbol(std::string_view name) const override { return dwarf_->elf().symbol(name).has_value(); }

 private:
  DwarfTypes* dwarf_;
};

// Kernel virtual memory, mapped 1:1 onto the fake's 4 KiB pages.
struct FakeKernelMemory {
  FakePhysicalMemory pages;

  void set_u32(uint64_t va, uint32_t value) {
    for (int i = 0; i < 4; ++i) pages.set_byte(PhysAddr(va + i), static_cast<std::byte>((value >> (8 * i)) & 0xff));
  }
  void set_u64(uint64_t va, uint64_t value) { pages.set_u64(PhysAddr(va), value); }
  KernelReader reader() const {
    return [this](VirtAddr va, std::span<std::byte> out) { return pages.read(PhysAddr(va.value()), out); };
  }
};

// One test ELF and the memory of a depot that has three pools, the middle
// one NULL, as the kernel would have left them.
struct DepotCase {
  const Generation& gen;
  unsigned page_shift;
  unsigned index_bits, offset_bits;
  DwarfTypes dwarf;
  ElfDepotTypes types{dwarf};
  FakeKernelMemory mem;

  DepotCase(const Generation& g, unsigned shift, DwarfTypes d)
      : gen(g),
        page_shift(shift),
        index_bits(g.index_bits[(shift - 12) / 2]),
        offset_bits(2 + shift - 4),
        dwarf(std::move(d)) {}

  uint64_t pool_size() const { return uint64_t{4} << page_shift; }  // DEPOT_POOL_ORDER 2

  // A handle as the kernel's depot_alloc_stack() builds it, from the
  // widths the table expects (not from what StackDepot found).
  uint32_t handle(uint32_t pool, uint64_t offset_bytes, uint32_t extra = 0) const {
    uint32_t h = (pool + (gen.plus_1 ? 1 : 0)) | static_cast<uint32_t>(offset_bytes >> 4) << index_bits;
    unsigned next = index_bits + offset_bits;
    if (gen.valid_bit) h |= 1u << next++;
    if (gen.extra_bits) h |= extra << next;
    return h;
  }

  uint64_t variable(const char* name) {
    auto v = types.variable(name);
    REQUIRE_MESSAGE(v, v.error().to_string());
    return v->address.value();
  }

  // The storage and counter: pools 0 and 2 in use, 1 NULL.
  void lay_out_pools(int32_t counter_value) {
    uint64_t array = variable(gen.storage == std::string("stack_slabs") ? "stack_slabs" : "stack_pools");
    if (gen.pool_pointer) {
      mem.set_u64(array, kPoolArray);  // static void **stack_pools
      array = kPoolArray;
    }
    mem.set_u64(array + 0, kPool0);
    mem.set_u64(array + 8, 0);
    mem.set_u64(array + 16, kPool2);
    mem.set_u32(variable(gen.counter), static_cast<uint32_t>(counter_value));
  }
  // pools_num counts pools; depot_index and pool_index name the last one.
  int32_t counter_for_three_pools() const { return gen.counter == std::string("pools_num") ? 3 : 2; }

  // A record as depot_alloc_stack() leaves it: its own handle (pool and
  // offset, no extra bits) right after size, in every generation.
  void put_record(uint64_t va, uint32_t own, const std::vector<uint64_t>& frames, uint32_t count = kSaturated,
                  std::optional<uint32_t> size = std::nullopt) {
    mem.set_u32(va + gen.size_offset, size.value_or(static_cast<uint32_t>(frames.size())));
    mem.set_u32(va + gen.size_offset + 4, own);
    if (gen.refcount) mem.set_u32(va + 28, count);
    for (size_t i = 0; i < frames.size(); ++i) mem.set_u64(va + gen.entries_offset + 8 * i, frames[i]);
  }
};

std::string elf_path(int since, unsigned shift, const std::string& variant) {
  return std::string(RAMSIFT_DEPOT_TEST_ELF_DIR) + "/stack-depot-" + std::to_string(since) + "-" +
         std::to_string(shift) + "-" + variant + ".so";
}

template <class T>
std::string error_of(const Result<T>& r) {
  return r ? std::string("(no error)") : r.error().to_string();
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void check_generation(const Generation& gen) {
  const auto variants = split(RAMSIFT_DEPOT_TEST_VARIANTS);
  REQUIRE_FALSE(variants.empty());
  for (const std::string& variant : variants) {
    for (unsigned shift : {12u, 14u, 16u}) {
      CAPTURE(variant);
      CAPTURE(shift);
      auto dwarf = DwarfTypes::open(elf_path(gen.since, shift, variant));
      REQUIRE_MESSAGE(dwarf, dwarf.error().to_string());
      DepotCase c(gen, shift, std::move(*dwarf));
      c.lay_out_pools(c.counter_for_three_pools());

      // Records good and bad, at offsets that exercise the offset field's
      // low and high bits.
      const uint64_t r1 = kPool0, r2 = kPool2 + 0x40, r_top = kPool2 + c.pool_size() - 128;
      const uint64_t r_freed = kPool0 + 0x200, r_absurd = kPool0 + 0x400;
      const uint64_t r_unmapped = kPool2 + c.pool_size() / 2;
      const std::vector<uint64_t> f1 = {0xffffffc0081234a0, 0xffffffc008abcd10, 0xffffffc008000c44};
      const std::vector<uint64_t> f2 = {0xffffffc008200010, 0xffffffc008200020};
      const std::vector<uint64_t> f_top = {0xffffffc008300030};
      const uint64_t r_other = kPool0 + 0x600;  // holds the handle of r_freed
      c.put_record(r1, c.handle(0, 0), f1);
      c.put_record(r2, c.handle(2, 0x40), f2);
      c.put_record(r_top, c.handle(2, c.pool_size() - 128), f_top);
      c.put_record(r_freed, c.handle(0, 0x200), f1, /*count=*/0);
      c.put_record(r_absurd, c.handle(0, 0x400), f1, kSaturated, /*size=*/1000);
      c.put_record(r_other, c.handle(0, 0x200), f2);

      auto depot = StackDepot::open(c.types, shift, c.mem.reader());
      REQUIRE_MESSAGE(depot, depot.error().to_string());
      const StackDepotLayout& l = depot->layout();
      CHECK(l.storage == gen.storage);
      CHECK(l.index_bits == c.index_bits);
      CHECK(l.index_shift == 0);
      CHECK(l.offset_bits == c.offset_bits);
      CHECK(l.offset_shift == c.index_bits);
      CHECK(l.index_plus_1 == gen.plus_1);
      CHECK(l.record_size_offset == gen.size_offset);
      CHECK(l.record_entries_offset == gen.entries_offset);
      CHECK(l.record_count_offset.has_value() == gen.refcount);
      CHECK(l.max_frames == gen.max_frames);
      CHECK(l.pools_in_use == 3);

      // Good handles. The extra bits (KMSAN's, never page_owner's) are masked.
      // On 6.8 the first record's handle is 0, which page_owner skips: it is
      // reachable only with extra bits set.
      const uint32_t h1 = c.handle(0, 0, gen.since == 608 ? 0x11 : 0);
      const uint32_t h2 = c.handle(2, 0x40, gen.extra_bits ? 0x1f : 0);
      const uint32_t h_top = c.handle(2, c.pool_size() - 128);
      if (gen.since == 608) CHECK(c.handle(0, 0) == 0);
      auto a1 = depot->fetch(h1);
      REQUIRE_MESSAGE(a1, a1.error().to_string());
      CHECK(std::vector<uint64_t>(a1->begin(), a1->end()) == f1);
      auto a2 = depot->fetch(h2);
      REQUIRE_MESSAGE(a2, a2.error().to_string());
      CHECK(std::vector<uint64_t>(a2->begin(), a2->end()) == f2);
      auto a_top = depot->fetch(h_top);
      REQUIRE_MESSAGE(a_top, a_top.error().to_string());
      CHECK(std::vector<uint64_t>(a_top->begin(), a_top->end()) == f_top);
      auto where = depot->record_address(h2);
      REQUIRE(where);
      CHECK(where->value() == r2);
      auto none = depot->fetch(0);
      REQUIRE(none);
      CHECK(none->empty());

      // Cached: the second fetch is the same frames, read nowhere.
      CHECK(depot->handles_decoded() == 3);
      const uint64_t reads = c.mem.pages.reads();
      auto again = depot->fetch(h1);
      REQUIRE(again);
      CHECK(again->data() == a1->data());
      CHECK(c.mem.pages.reads() == reads);

      // Bad handles: each a Corrupt error naming the handle and why.
      auto beyond = depot->fetch(c.handle(3, 0x40));
      CHECK(mentions(error_of(beyond), "pool 3 beyond the 3 in use"));
      auto null_pool = depot->fetch(c.handle(1, 0x40));
      CHECK(mentions(error_of(null_pool), "pool 1 is NULL"));
      auto absurd = depot->fetch(c.handle(0, 0x400));
      CHECK(mentions(error_of(absurd), "claims 1000 frames"));
      auto other = depot->fetch(c.handle(0, 0x600));
      CHECK(mentions(error_of(other), "not this stack's record"));
      auto freed = depot->fetch(c.handle(0, 0x200));
      if (gen.refcount) {
        CHECK(mentions(error_of(freed), "is freed (count 0)"));
      } else {
        CHECK(freed);  // no refcount before 6.8: a freed record cannot be told
      }
      if (gen.plus_1) {
        // Pool index 0 with an offset: 0 means "no pool" since 6.9.
        uint32_t no_pool = static_cast<uint32_t>(0x40 >> 4) << c.index_bits;
        CHECK(mentions(error_of(depot->fetch(no_pool)), "pool index 0 (no pool)"));
      }
      for (const auto* bad : {&beyond, &null_pool, &absurd, &other})
        if (!*bad) CHECK((*bad).error().code() == ErrorCode::Corrupt);
      // A record whose page is not in the dump: the read's error, with the address.
      auto unmapped = depot->fetch(c.handle(2, c.pool_size() / 2));
      REQUIRE_FALSE(unmapped);
      CHECK(unmapped.error().code() == ErrorCode::Fault);
      // The count is read first, else the record's own handle.
      CHECK(unmapped.error().address() == r_unmapped + (gen.refcount ? 28 : gen.size_offset + 4));
      // Bad handles are not cached: they stay errors and count nothing.
      CHECK(depot->handles_decoded() == (gen.refcount ? 3u : 4u));

      // Opening fails cleanly when the counter or the page size is wrong.
      auto wrong_page = StackDepot::open(c.types, shift == 16 ? 12 : shift + 2, c.mem.reader());
      CHECK(mentions(error_of(wrong_page), "does not fit a"));
      c.mem.set_u32(c.variable(gen.counter), 9000);
      CHECK(mentions(error_of(StackDepot::open(c.types, shift, c.mem.reader())),
                     std::to_string(9000 + (c.counter_for_three_pools() == 3 ? 0 : 1)) + " stack depot pools"));
      c.mem.set_u32(c.variable(gen.counter), static_cast<uint32_t>(-5));
      CHECK(mentions(error_of(StackDepot::open(c.types, shift, c.mem.reader())), "stack depot pools, not between"));
      if (gen.pool_pointer) {
        c.lay_out_pools(c.counter_for_three_pools());
        c.mem.set_u64(c.variable("stack_pools"), 0xffffffc000f00000);  // points nowhere in the dump
        auto lost = StackDepot::open(c.types, shift, c.mem.reader());
        REQUIRE_FALSE(lost);
        CHECK(lost.error().code() == ErrorCode::Fault);
      }
    }
  }
}

}  // namespace

TEST_CASE("stack depot 5.4-6.0: slabindex, offset, valid, stack_slabs[], depot_index") {
  check_generation(kGenerations[0]);
}
TEST_CASE("stack depot 6.1-6.2: + extra bits") {
  check_generation(kGenerations[1]);
}
TEST_CASE("stack depot 6.3-6.7: pool_index, stack_pools[], pool_index") {
  check_generation(kGenerations[2]);
}
TEST_CASE("stack depot 6.8: no valid bit, pools_num, refcounted records") {
  check_generation(kGenerations[3]);
}
TEST_CASE("stack depot 6.9-6.16: pool_index_plus_1") {
  check_generation(kGenerations[4]);
}
TEST_CASE("stack depot 6.17+: stack_pools is a pointer") {
  check_generation(kGenerations[5]);
}

namespace {

// Layouts made up in code, for shapes no compiler writes.
class MadeUpTypes final : public StackDepotTypes {
 public:
  TypeLayout parts{TypeKind::Union, "handle_parts", 4, {}};
  TypeLayout record{TypeKind::Struct, "stack_record", 0, {}};
  std::vector<Variable> variables;

  // A 6.9+ depot for 4 KiB pages: pool_index_plus_1:17, offset:10, extra:5.
  MadeUpTypes() {
    parts.members = {bitfield("pool_index_plus_1", 0, 17), bitfield("offset", 17, 10), bitfield("extra", 27, 5)};
    record.members = {plain("size", 20, 4), plain("count", 28, 4), plain("entries", 32, 8 * 64)};
    record.members.back().type.kind = TypeKind::Array;
    record.members.back().type.count = 64;
    variables = {variable("stack_pools", 0xffffffc080001000, TypeKind::Array, 8 * 8192, 8192),
                 variable("pools_num", 0xffffffc080000ff0, TypeKind::Base, 4, std::nullopt)};
  }
  static Member bitfield(std::string name, uint64_t bit_offset, uint32_t bit_size) {
    Member m;
    m.name = std::move(name);
    m.offset = bit_offset / 8;
    m.bit_offset = bit_offset;
    m.bit_size = bit_size;
    m.type.kind = TypeKind::Base;
    m.type.size = 4;
    return m;
  }
  static Member plain(std::string name, uint64_t offset, uint64_t size) {
    Member m = bitfield(std::move(name), offset * 8, 0);
    m.type.size = size;
    return m;
  }
  static Variable variable(std::string name, uint64_t address, TypeKind kind, uint64_t size,
                           std::optional<uint64_t> count) {
    Variable v;
    v.name = std::move(name);
    v.address = VirtAddr(address);
    v.type.kind = kind;
    v.type.size = size;
    v.type.count = count;
    return v;
  }
  void replace(std::vector<Member>& members, Member m) {
    for (Member& old : members)
      if (old.name == m.name) old = m;
  }

  Result<std::shared_ptr<const TypeLayout>> layout(std::string_view spelled) const override {
    if (spelled == "union handle_parts") return std::make_shared<const TypeLayout>(parts);
    if (spelled == "struct stack_record") return std::make_shared<const TypeLayout>(record);
    return not_found(std::string(spelled));
  }
  Result<Variable> variable(std::string_view name) const override {
    for (const Variable& v : variables)
      if (v.name == name) return v;
    return not_found("no variable " + std::string(name));
  }
  bool has_symbol(std::string_view name) const override { return variable(name).has_value(); }
};

}  // namespace

TEST_CASE("stack depot: made-up layouts, good and broken") {
  MadeUpTypes types;
  FakeKernelMemory mem;
  mem.set_u32(0xffffffc080000ff0, 1);           // pools_num
  mem.set_u64(0xffffffc080001000, kPool0);      // stack_pools[0]
  mem.set_u32(kPool0 + 0x30 + 20, 1);           // size
  mem.set_u32(kPool0 + 0x30 + 28, kSaturated);  // count
  mem.set_u64(kPool0 + 0x30 + 32, 0xffffffc008001234);
  const uint32_t handle = 1 | (0x30 >> 4) << 17;

  SUBCASE("good") {
    auto depot = StackDepot::open(types, 12, mem.reader());
    REQUIRE_MESSAGE(depot, depot.error().to_string());
    auto frames = depot->fetch(handle);
    REQUIRE_MESSAGE(frames, frames.error().to_string());
    CHECK(std::vector<uint64_t>(frames->begin(), frames->end()) == std::vector<uint64_t>{0xffffffc008001234});
  }
  SUBCASE("short reads are continued") {
    // A reader that hands out one byte at a time, as a PhysicalMemory may at a page edge.
    KernelReader inner = mem.reader();
    KernelReader trickle = [&inner](VirtAddr va, std::span<std::byte> out) { return inner(va, out.first(1)); };
    auto depot = StackDepot::open(types, 12, trickle);
    REQUIRE_MESSAGE(depot, depot.error().to_string());
    auto frames = depot->fetch(handle);
    REQUIRE_MESSAGE(frames, frames.error().to_string());
    CHECK(frames->size() == 1);
  }
  SUBCASE("index not a bitfield") {
    types.replace(types.parts.members, MadeUpTypes::plain("pool_index_plus_1", 0, 4));
    CHECK(mentions(error_of(StackDepot::open(types, 12, mem.reader())), "is not a bitfield of a 32-bit handle"));
  }
  SUBCASE("offset past bit 31") {
    types.replace(types.parts.members, MadeUpTypes::bitfield("offset", 30, 10));
    CHECK(mentions(error_of(StackDepot::open(types, 12, mem.reader())), "is not a bitfield of a 32-bit handle"));
  }
  SUBCASE("no index member") {
    types.parts.members.erase(types.parts.members.begin());
    CHECK(
        mentions(error_of(StackDepot::open(types, 12, mem.reader())), "no pool_index_plus_1, pool_index or slabindex"));
  }
  SUBCASE("entries bound absurd") {
    types.record.members.back().type.count = uint64_t{1} << 40;
    CHECK(mentions(error_of(StackDepot::open(types, 12, mem.reader())), "entries has 1099511627776 elements"));
  }
  SUBCASE("no storage") {
    types.variables.erase(types.variables.begin());
    CHECK(mentions(error_of(StackDepot::open(types, 12, mem.reader())), "neither stack_pools nor stack_slabs"));
  }
  SUBCASE("counter not an int") {
    types.variables.back().type.size = 8;
    CHECK(mentions(error_of(StackDepot::open(types, 12, mem.reader())), "pools_num is"));
  }
}
