// Kernel types and global variables from vmlinux DWARF, resolved lazily into
// plain structs that hot code reads without ever touching DWARF again.
//
//   RAMSIFT_TRY(DwarfTypes dwarf, DwarfTypes::open("vmlinux"));
//   RAMSIFT_TRY(auto owner, dwarf.layout("struct page_owner", "mm/page_owner.c"));
//   owner->size;                                      // 64 on 6.8+
//   RAMSIFT_TRY(Member ts, owner->require("free_ts_nsec"));
//   ts.offset;                                        // 24
//   RAMSIFT_TRY(auto parts, dwarf.layout("union handle_parts", "lib/stackdepot.c"));
//   parts->member("offset")->bit_offset;              // 16 (LSB-first, from the union start)
//   parts->member("offset")->bit_size;                // 10
//   RAMSIFT_TRY(auto page, dwarf.layout("struct page"));
//   page->member("lru.next");                         // through struct page's anonymous unions
//   RAMSIFT_TRY(Variable pools, dwarf.variable("stack_pools", "lib/stackdepot.c"));
//   pools.address;                                    // link-time VirtAddr (no KASLR)
//   pools.type.count;                                 // 8192 (DEPOT_MAX_POOLS); nullopt on 6.17+ (void **)
//   RAMSIFT_TRY(int64_t owner_bit, dwarf.enumerator("PAGE_EXT_OWNER"));
//
// Results are immutable and shared (std::shared_ptr<const TypeLayout>): look
// them up once into the decoder's own layout struct, then use the numbers.
//
// Types are followed through typedefs and qualifiers (const, volatile,
// restrict, _Atomic). A TypeRef is shallow: it names a struct, and
// layout(TypeRef) gives its members. Struct and union members held by value
// carry their layout, so member("lru.next") and anonymous members resolve
// without further lookups. Bitfields: bit_offset counts from the least
// significant bit of the first byte of the outermost struct (little-endian),
// whichever way the producer wrote it (DWARF 2-4 DW_AT_bit_offset counts from
// the most significant bit of a DW_AT_byte_size storage unit; DWARF 5
// DW_AT_data_bit_offset counts from the start). Big-endian ELF is refused.
// A bitfield as wide as its type (`u32 full : 32`) may come as a plain
// member (clang does that); bit_size is then 0 and offset is exact.
//
// Laziness -- how a lookup finds its DIE without indexing a several-hundred-MB
// .debug_info up front:
//   0. open() reads ELF headers only. The first lookup lists the compile
//      units: one header and one CU DIE (its DW_AT_name) each, a few thousand
//      in a vmlinux.
//   1. The `hint` names the source file(s) that define the thing, as a path
//      suffix on component boundaries ("mm/page_owner.c", "page_owner.c";
//      several separated by ','). Those CUs are searched first, and a
//      definition there wins over one elsewhere (names such as `struct
//      stack_record` could be reused by a driver).
//   2. Variables: the ELF symbol gives the address. A local symbol's STT_FILE
//      names its file, and a global symbol's neighbours in the same section
//      name the object file it was linked from; those CUs come next. A DIE
//      matches a variable only if its DW_OP_addr equals the symbol's
//      address, so a static of the same name in another file is never taken.
//      (.debug_aranges covers code only -- GCC emits no data ranges -- so it
//      cannot find a variable's CU.)
//   3. Every CU searched so far left its top-level definitions (struct,
//      union, enum and its enumerators, typedef, base type, variable) in an
//      index of first definitions: a later lookup of anything in those CUs
//      costs a hash lookup.
//   4. Otherwise the remaining CUs are searched in order, top-level DIEs
//      only, and the search stops at the first definition (DIEs with
//      DW_AT_declaration are skipped). No CU is indexed twice, so the total
//      work is bounded by one pass over the top-level DIEs.
// Resolved layouts, TypeRefs, enums and variables are cached in memory, keyed
// by DIE. There is no on-disk cache (a build-ID-keyed cache would skip the
// CU listing and the fallback scans; see bench/dwarf_load.cc for the costs).
// Function-scope statics (children of a DW_TAG_subprogram) and type units
// (.debug_types / DW_UT_type) are not searched: the kernel has neither for
// what we read.
//
// Thread-safety: every method of DwarfTypes may be called from any thread;
// calls are serialised on an internal mutex (libdwarf is not thread-safe).
// Returned layouts are immutable and may be shared freely, and outlive the
// DwarfTypes that made them.
//
// How to support a new kernel version:
//   1. Detect by evidence, never by version number: a member exists or not
//      (layout->member("pool_index_plus_1")), a variable exists or not
//      (dwarf.variable("stack_max_pools")), an enumerator exists or not.
//   2. Put the alternatives side by side in the decoder's layout lookup, the
//      newest first, each with its history in the fixed form:
//        // Renamed in Linux kernel commit 961c949b012f ("lib/stackdepot: rename slab to pool") (in v6.3).
//   3. Add the new shape to tests/unit/kernel/data/types.c (a struct that
//      mimics it) and assert the lookup in tests/unit/kernel/.
//   4. If the thing moved to another file, add that file to the hint
//      (hints only order the search; a wrong hint costs time, not results).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/address.h"
#include "ramsift/base/bytes.h"
#include "ramsift/base/error.h"
#include "ramsift/kernel/vmlinux_elf.h"

namespace ramsift {

enum class TypeKind : uint8_t { Void, Base, Enum, Struct, Union, Pointer, Array, Function };
const char* type_kind_name(TypeKind kind);

// A type as a member, variable or array element uses it, typedefs and
// qualifiers followed.
struct TypeRef {
  TypeKind kind = TypeKind::Void;
  std::string name;          // "unsigned int", "page" (a struct's tag); "" when anonymous.
                             // Base types as the compiler wrote them: GCC "long unsigned int",
                             // clang "unsigned long" (find_type() accepts either).
  std::string typedef_name;  // the outermost typedef as written ("depot_stack_handle_t"), or ""
  uint64_t size = 0;         // bytes; pointer: the pointer size; array: count * stride; 0 if unknown
  bool is_signed = false;    // Base and Enum
  bool declaration = false;  // Struct/Union/Enum known only by a declaration here (opaque)
  // Array only: element count (nullopt for a flexible or unknown bound,
  // `entries[]`), and bytes from one element to the next.
  std::optional<uint64_t> count;
  uint64_t stride = 0;
  // Pointer: the pointee (kind Void for void *). Array: the element type.
  std::shared_ptr<const TypeRef> target;
  // Opaque handle for DwarfTypes::layout() / enumeration(); 0 when none.
  uint64_t die = 0;

  // "struct page *", "unsigned long [8192]", "depot_stack_handle_t".
  std::string to_string() const;
};

struct TypeLayout;

struct Member {
  std::string name;         // "" for an anonymous struct or union member
  uint64_t offset = 0;      // bytes from the start of the outermost struct; bitfields: bit_offset / 8
  uint64_t bit_offset = 0;  // bits from the start (LSB-first); offset * 8 when not a bitfield
  uint32_t bit_size = 0;    // 0 when not a bitfield
  TypeRef type;
  // The member's own layout when it is a struct or union held by value.
  std::shared_ptr<const TypeLayout> layout;

  bool is_bitfield() const { return bit_size != 0; }
  // The member's integer value from the bytes of the containing object
  // (`object` starts at the outermost struct). Bitfields are shifted and
  // masked; integers of 1, 2, 4 or 8 bytes read little-endian. Unsigned:
  // sign-extend yourself when type.is_signed.
  Result<uint64_t> read_unsigned(const ByteReader& object) const;
};

struct TypeLayout {
  TypeKind kind = TypeKind::Struct;  // Struct or Union
  std::string name;                  // tag; "" when anonymous
  uint64_t size = 0;
  std::vector<Member> members;  // declaration order; offsets from this struct's start

  // "struct page_owner", "union handle_parts", "anonymous struct".
  std::string spelled() const;
  // A member by name or dotted path ("handle_parts.offset", "lru.next").
  // Names inside anonymous members are found as if they were direct members
  // (C11 semantics). Offsets are accumulated from this struct's start.
  std::optional<Member> member(std::string_view path) const;
  bool has_member(std::string_view path) const { return member(path).has_value(); }
  // member() or NotFound: "struct page_owner has no member free_ts_nsec".
  Result<Member> require(std::string_view path) const;
};

struct Enumerator {
  std::string name;
  int64_t value = 0;  // the bit pattern; cast to uint64_t for unsigned enums beyond INT64_MAX
};

struct EnumType {
  std::string name;  // tag; "" when anonymous
  uint64_t size = 0;
  bool is_signed = false;
  std::vector<Enumerator> values;  // declaration order

  std::optional<int64_t> value(std::string_view enumerator) const;
  // The first enumerator with this value.
  std::optional<std::string_view> name_of(int64_t value) const;
};

struct Variable {
  std::string name;
  VirtAddr address;  // link-time address from DW_OP_addr (KASLR offset not applied)
  TypeRef type;
  std::string compile_unit;  // DW_AT_name of the CU that defines it, "mm/page_owner.c"
};

class DwarfTypes {
 public:
  // NotFound "no DWARF (.debug_info) in <path>: stripped vmlinux? ..." for
  // a file without debug info; errors from VmlinuxElf::open otherwise.
  static Result<DwarfTypes> open(const std::string& path);
  static Result<DwarfTypes> open(std::shared_ptr<const VmlinuxElf> elf);

  DwarfTypes(DwarfTypes&&) noexcept;
  DwarfTypes& operator=(DwarfTypes&&) noexcept;
  ~DwarfTypes();

  const VmlinuxElf& elf() const;
  uint32_t pointer_size() const;  // from the ELF class: 8 or 4

  // `spelled`: "struct page", "union handle_parts", "enum migratetype", or a
  // typedef or base type name ("depot_stack_handle_t", "unsigned long").
  // `hint`: where to look first (file comment).
  Result<TypeRef> find_type(std::string_view spelled, std::string_view hint = {});
  // A struct or union, or a typedef of one.
  Result<std::shared_ptr<const TypeLayout>> layout(std::string_view spelled, std::string_view hint = {});
  Result<std::shared_ptr<const TypeLayout>> layout(const TypeRef& type);
  Result<std::shared_ptr<const EnumType>> enumeration(std::string_view spelled, std::string_view hint = {});
  Result<std::shared_ptr<const EnumType>> enumeration(const TypeRef& type);
  // An enumerator of any enum in the program: "PAGE_EXT_OWNER", "PG_buddy".
  // Scope::HintedUnits: only the units the hint names are searched when it
  // names some, for evidence by absence (an enumerator a kernel version
  // added, looked for in the file that uses it): otherwise absence costs
  // a walk of every unit (over a second on a 180 MB vmlinux).
  enum class Scope { Everywhere, HintedUnits };
  Result<int64_t> enumerator(std::string_view name, std::string_view hint = {}, Scope scope = Scope::Everywhere);
  // A global or file-scope static variable with a DWARF definition.
  Result<Variable> variable(std::string_view name, std::string_view hint = {});
  // Whether function `function` (its DWARF definition, or the abstract
  // instance of an inlined one) declares a local variable or parameter named
  // `local`: how a kernel's version of a function is told apart when its
  // output format is the same ("objcg" in print_page_owner_memcg()).
  Result<bool> function_has_local(std::string_view function, std::string_view local, std::string_view hint = {});

  // Counters for benchmarks and tests.
  struct Stats {
    size_t compile_units = 0;  // listed (0 until the first lookup)
    size_t compile_units_indexed = 0;
    size_t dies_visited = 0;  // top-level DIEs and enumerators read while indexing
    size_t layouts_resolved = 0;
  };
  Stats stats() const;

  // The compile units results came from so far (a layout, enum, type or
  // variable resolved from their DIEs), as byte ranges of .debug_info: unit
  // header to the next unit's header. What `extract --symbols` keeps.
  struct UnitRange {
    uint64_t begin = 0;
    uint64_t end = 0;
    std::string name;  // DW_AT_name of the unit
  };
  std::vector<UnitRange> used_units() const;

  struct Impl;

 private:
  explicit DwarfTypes(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramsift
