// DwarfTypes and VmlinuxElf on the kernel-shaped test inputs
// (data/types.h), compiled by every compiler and DWARF version at hand. The
// expected offsets come from the C compiler (data/expect.c).
#include "ramsift/kernel/dwarf_types.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "ramsift/kernel/symbols_subset.h"
#include "ramsift/kernel/vmlinux_elf.h"

using namespace ramsift;

extern "C" {
struct kernel_test_offset {
  const char* type;
  const char* member;
  unsigned long offset;
};
struct kernel_test_size {
  const char* type;
  unsigned long size;
};
struct kernel_test_bitfield {
  const char* type;
  const char* member;
  long bit_offset;
  long bit_size;
};
const kernel_test_offset* kernel_test_offsets(unsigned long* count);
const kernel_test_size* kernel_test_sizes(unsigned long* count);
const kernel_test_bitfield* kernel_test_bitfields(unsigned long* count);
}

namespace {

std::vector<std::string> variants() {
  std::vector<std::string> out;
  std::string all = RAMSIFT_KERNEL_TEST_VARIANTS;
  for (size_t start = 0; start <= all.size();) {
    size_t comma = all.find(',', start);
    if (comma == std::string::npos) comma = all.size();
    if (comma > start) out.push_back(all.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string elf_path(const std::string& variant) {
  return std::string(RAMSIFT_KERNEL_TEST_ELF_DIR) + "/kernel-types-" + variant + ".so";
}

std::vector<std::byte> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  for (size_t i = 0; i < chars.size(); ++i) bytes[i] = std::byte(static_cast<unsigned char>(chars[i]));
  return bytes;
}

DwarfTypes open_variant(const std::string& variant) {
  auto dwarf = DwarfTypes::open(elf_path(variant));
  if (!dwarf) FAIL(dwarf.error().to_string());
  return std::move(*dwarf);
}

// The bytes of a variable's initial value in the file, as a reader.
ByteReader initial_value(DwarfTypes& dwarf, const Variable& v) {
  auto bytes = dwarf.elf().bytes_at(v.address.value(), v.type.size);
  REQUIRE_MESSAGE(bytes, bytes.error().to_string());
  return ByteReader(*bytes, v.name);
}

std::string temp_file(const std::string& name, const std::vector<std::byte>& bytes) {
  std::string path = std::string(RAMSIFT_KERNEL_TEST_ELF_DIR) + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace

TEST_CASE("DWARF test inputs were built") {
  REQUIRE_FALSE(variants().empty());
  for (const std::string& v : variants()) {
    INFO(v);
    CHECK(std::ifstream(elf_path(v)).good());
  }
}

TEST_CASE("DwarfTypes: member offsets and sizes match the C compiler's") {
  unsigned long offset_count = 0, size_count = 0;
  const kernel_test_offset* offsets = kernel_test_offsets(&offset_count);
  const kernel_test_size* sizes = kernel_test_sizes(&size_count);
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    for (unsigned long i = 0; i < offset_count; ++i) {
      INFO((std::string(offsets[i].type) + "." + offsets[i].member));
      auto layout = dwarf.layout(offsets[i].type, "types.c");
      REQUIRE_MESSAGE(layout, layout.error().to_string());
      auto member = (*layout)->require(offsets[i].member);
      REQUIRE_MESSAGE(member, member.error().to_string());
      CHECK(member->offset == offsets[i].offset);
      CHECK(member->bit_offset == offsets[i].offset * 8);
      CHECK_FALSE(member->is_bitfield());
    }
    for (unsigned long i = 0; i < size_count; ++i) {
      INFO(std::string(sizes[i].type));
      auto type = dwarf.find_type(sizes[i].type, "types.c");
      REQUIRE_MESSAGE(type, type.error().to_string());
      CHECK(type->size == sizes[i].size);
      auto layout = dwarf.layout(sizes[i].type);
      REQUIRE(layout);
      CHECK((*layout)->size == sizes[i].size);
    }
  }
}

TEST_CASE("DwarfTypes: bitfields as LSB-first bit offsets, DW_AT_bit_offset and DW_AT_data_bit_offset alike") {
  unsigned long count = 0;
  const kernel_test_bitfield* fields = kernel_test_bitfields(&count);
  REQUIRE(count == 13);
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    for (unsigned long i = 0; i < count; ++i) {
      INFO((std::string(fields[i].type) + "." + fields[i].member));
      auto layout = dwarf.layout(fields[i].type);
      REQUIRE(layout);
      auto member = (*layout)->require(fields[i].member);
      REQUIRE_MESSAGE(member, member.error().to_string());
      CHECK(member->bit_offset == static_cast<uint64_t>(fields[i].bit_offset));
      if (member->type.size * 8 == static_cast<uint64_t>(fields[i].bit_size) && !member->is_bitfield()) {
        // `u32 full : 32`: clang writes a plain member, GCC a bitfield.
        CHECK(member->bit_offset % 8 == 0);
      } else {
        CHECK(member->is_bitfield());
        CHECK(member->bit_size == static_cast<uint32_t>(fields[i].bit_size));
      }
      CHECK(member->offset == member->bit_offset / 8);
    }
  }
}

TEST_CASE("DwarfTypes: the kernel's handle_parts, in numbers") {
  // What kernel-internals.md section 2.1 says for 6.1-6.7 with 4K pages;
  // the generic test above checks the same against the compiler.
  DwarfTypes dwarf = open_variant(variants().front());
  auto parts = dwarf.layout("union handle_parts", "lib/stackdepot.c,types.c");
  REQUIRE(parts);
  CHECK((*parts)->kind == TypeKind::Union);
  CHECK((*parts)->size == 4);
  CHECK((*parts)->member("pool_index")->bit_offset == 0);
  CHECK((*parts)->member("pool_index")->bit_size == 16);
  CHECK((*parts)->member("offset")->bit_offset == 16);
  CHECK((*parts)->member("offset")->bit_size == 10);
  CHECK((*parts)->member("valid")->bit_offset == 26);
  CHECK((*parts)->member("extra")->bit_offset == 27);
  CHECK((*parts)->member("extra")->bit_size == 5);
  CHECK((*parts)->member("handle")->type.typedef_name == "depot_stack_handle_t");
}

TEST_CASE("DwarfTypes: bitfield values read back from the ELF's initialised data") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    auto handle = dwarf.variable("sample_handle");
    REQUIRE_MESSAGE(handle, handle.error().to_string());
    ByteReader hb = initial_value(dwarf, *handle);
    auto parts = dwarf.layout(handle->type);
    REQUIRE(parts);
    CHECK(*(*parts)->member("pool_index")->read_unsigned(hb) == 0x1234);
    CHECK(*(*parts)->member("offset")->read_unsigned(hb) == 0x2a5);
    CHECK(*(*parts)->member("valid")->read_unsigned(hb) == 1);
    CHECK(*(*parts)->member("extra")->read_unsigned(hb) == 0x13);
    CHECK(*(*parts)->member("handle")->read_unsigned(hb) == (0x1234u | 0x2a5u << 16 | 1u << 26 | 0x13u << 27));

    auto bits = dwarf.variable("sample_bits");
    REQUIRE(bits);
    ByteReader bb = initial_value(dwarf, *bits);
    auto layout = dwarf.layout(bits->type);
    REQUIRE(layout);
    auto read = [&](const char* name) { return *(*layout)->member(name)->read_unsigned(bb); };
    CHECK(read("head") == 0x1111111111111111ull);
    CHECK(read("a") == 5);
    CHECK(read("b") == 0xabcdef1234ull);
    CHECK(read("c") == 0x1abcde);
    CHECK(read("d") == 0x55);
    CHECK(read("s") == 0x1d);  // -3 in 5 bits
    CHECK((*layout)->member("s")->type.is_signed);
    CHECK(read("flag") == 1);
    CHECK(read("tail") == 0x1a5);
    CHECK(read("full") == 0xdeadbeef);
  }
}

TEST_CASE("DwarfTypes: names inside anonymous structs and unions, and dotted paths") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    auto page = dwarf.layout("struct page", "mm/page_alloc.c,types.c");
    REQUIRE(page);
    auto lru = (*page)->require("lru");
    REQUIRE(lru);
    CHECK((*page)->member("lru.next")->offset == lru->offset);
    CHECK((*page)->member("lru.prev")->offset == lru->offset + 8);
    CHECK((*page)->member("buddy_list.prev")->offset == lru->offset + 8);
    CHECK((*page)->member("_mapcount.counter")->offset == (*page)->member("page_type")->offset);
    CHECK((*page)->member("lru.next")->type.kind == TypeKind::Pointer);
    CHECK((*page)->member("lru.next")->type.target->name == "list_head");
    CHECK_FALSE((*page)->has_member("lru.nope"));
    CHECK_FALSE((*page)->has_member("flags.x"));  // not a struct
    CHECK_FALSE((*page)->has_member(""));
    CHECK_FALSE((*page)->has_member("."));
    // The anonymous members are kept, unnamed, with their layouts.
    bool anonymous = false;
    for (const Member& m : (*page)->members) anonymous |= m.name.empty() && m.layout != nullptr;
    CHECK(anonymous);

    auto record = dwarf.layout("struct stack_record");
    REQUIRE(record);
    auto offset = (*record)->require("handle.offset");
    REQUIRE(offset);
    CHECK(offset->bit_offset == (*record)->member("handle")->offset * 8 + 16);
    CHECK((*record)->member("free_list.next")->offset == (*record)->member("entries")->offset);
    CHECK((*record)->member("count.refs.counter")->offset == (*record)->member("count")->offset);

    auto missing = (*record)->require("hash_list.nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == ErrorCode::NotFound);
    CHECK(missing.error().message() == "struct stack_record has no member hash_list.nope");
    auto owner = dwarf.layout("struct page_owner", "mm/page_owner.c");
    REQUIRE(owner);
    CHECK((*owner)->require("free_ts_nsecs").error().message() == "struct page_owner has no member free_ts_nsecs");
  }
}

TEST_CASE("DwarfTypes: typedefs and qualifiers are followed") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    auto handle = dwarf.find_type("depot_stack_handle_t");
    REQUIRE(handle);
    CHECK(handle->kind == TypeKind::Base);
    CHECK(handle->name == "unsigned int");
    CHECK(handle->typedef_name == "depot_stack_handle_t");
    CHECK(handle->size == 4);
    CHECK_FALSE(handle->is_signed);
    auto cv = dwarf.find_type("cv_handle_t");
    REQUIRE(cv);
    CHECK(cv->name == "unsigned int");
    CHECK(cv->typedef_name == "cv_handle_t");
    // GCC says "long unsigned int", clang "unsigned long": either finds it.
    for (const char* spelling : {"long unsigned int", "unsigned long", "unsigned long int"}) {
      INFO(spelling);
      auto unsigned_long = dwarf.find_type(spelling);
      REQUIRE_MESSAGE(unsigned_long, unsigned_long.error().to_string());
      CHECK(unsigned_long->size == 8);
      CHECK_FALSE(unsigned_long->is_signed);
    }
    CHECK(dwarf.find_type("int")->is_signed);
    CHECK(dwarf.find_type("signed int")->name == "int");
    CHECK(dwarf.find_type("char")->size == 1);
    auto owner_t = dwarf.layout("page_owner_t");
    REQUIRE(owner_t);
    CHECK((*owner_t)->name == "page_owner");
    auto owner = dwarf.layout("struct page_owner");
    REQUIRE(owner);
    CHECK(owner_t->get() == owner->get());  // one cached layout
    auto pid = (*owner)->require("pid");
    REQUIRE(pid);
    CHECK(pid->type.typedef_name == "pid_t");
    CHECK(pid->type.is_signed);
    CHECK(pid->type.to_string() == "pid_t");
    auto pointer = dwarf.variable("owner_pointer");
    REQUIRE(pointer);
    CHECK(pointer->type.kind == TypeKind::Pointer);
    CHECK(pointer->type.size == dwarf.pointer_size());
    CHECK(pointer->type.target->typedef_name == "page_owner_t");
    CHECK(pointer->type.target->kind == TypeKind::Struct);
    auto through = dwarf.layout(*pointer->type.target);
    REQUIRE(through);
    CHECK(through->get() == owner->get());
    auto not_struct = dwarf.layout("depot_stack_handle_t");
    REQUIRE_FALSE(not_struct);
    CHECK(not_struct.error().code() == ErrorCode::BadInput);
  }
}

TEST_CASE("DwarfTypes: arrays: element type, count, stride") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    auto arrays = dwarf.layout("struct arrays");
    REQUIRE(arrays);
    const TypeRef grid = (*arrays)->member("grid")->type;
    CHECK(grid.kind == TypeKind::Array);
    CHECK(grid.count == 3u);
    CHECK(grid.stride == 20);
    CHECK(grid.size == 60);
    CHECK(grid.target->kind == TypeKind::Array);
    CHECK(grid.target->count == 5u);
    CHECK(grid.target->stride == 4);
    CHECK(grid.target->target->name == "int");
    CHECK(grid.to_string() == "int [5] [3]");
    const TypeRef heads = (*arrays)->member("heads")->type;
    CHECK(heads.count == 2u);
    CHECK(heads.stride == 16);
    CHECK(heads.target->kind == TypeKind::Struct);
    CHECK((*arrays)->member("name")->type.size == 16);
    CHECK((*arrays)->member("zero")->type.count.value_or(99) == 0);

    auto old = dwarf.layout("struct stack_record_v1");
    REQUIRE(old);
    const TypeRef entries = (*old)->member("entries")->type;
    CHECK(entries.kind == TypeKind::Array);
    CHECK_FALSE(entries.count.has_value());  // flexible
    CHECK(entries.stride == 8);

    auto pools = dwarf.variable("stack_pools", "lib/stackdepot.c");
    REQUIRE_MESSAGE(pools, pools.error().to_string());
    CHECK(pools->type.kind == TypeKind::Array);
    CHECK(pools->type.count == 8192u);
    CHECK(pools->type.stride == 8);
    CHECK(pools->type.target->kind == TypeKind::Pointer);
    CHECK(pools->type.target->target->kind == TypeKind::Void);
    CHECK(pools->type.to_string() == "void * [8192]");
  }
}

TEST_CASE("DwarfTypes: a function's locals, in nested blocks and as parameters") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    CHECK(dwarf.function_has_local("memcg_with_objcg", "objcg").value_or(false));
    CHECK(dwarf.function_has_local("memcg_with_objcg", "data").value_or(false));
    CHECK_FALSE(dwarf.function_has_local("memcg_without_objcg", "objcg").value_or(true));
    CHECK(dwarf.function_has_local("memcg_without_objcg", "memcg").value_or(false));
    CHECK_FALSE(dwarf.function_has_local("no_such_function", "objcg").has_value());
  }
}

TEST_CASE("DwarfTypes: enums and enumerators across the program") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    CHECK(*dwarf.enumerator("PAGE_EXT_OWNER") == 0);
    CHECK(*dwarf.enumerator("PAGE_EXT_OWNER_ALLOCATED") == 1);
    CHECK(*dwarf.enumerator("MIGRATE_TYPES", "mm/page_alloc.c") == 6);
    CHECK(*dwarf.enumerator("MIGRATE_HIGHATOMIC") == 3);
    CHECK(*dwarf.enumerator("PG_buddy") == 20);
    CHECK(*dwarf.enumerator("PG_high") == 128);
    CHECK(*dwarf.enumerator("SV_MINUS_ONE") == -1);
    CHECK(*dwarf.enumerator("SV_MIN") == INT32_MIN);
    CHECK(*dwarf.enumerator("SV_BIG") == 200);
    CHECK(*dwarf.enumerator("OTHER_ONLY_VALUE") == 42);  // only in other.c
    auto migrate = dwarf.enumeration("enum migratetype");
    REQUIRE(migrate);
    CHECK((*migrate)->values.size() == 8);
    CHECK((*migrate)->name_of(3) == "MIGRATE_PCPTYPES");
    CHECK((*migrate)->value("MIGRATE_CMA") == 4);
    CHECK((*migrate)->size == 4);
    auto flag = dwarf.variable("ext_flag");
    REQUIRE(flag);
    CHECK(flag->type.kind == TypeKind::Enum);
    auto via_type = dwarf.enumeration(flag->type);
    REQUIRE(via_type);
    CHECK((*via_type)->name == "page_ext_flags");
    auto missing = dwarf.enumerator("PAGE_EXT_NOPE");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == ErrorCode::NotFound);
  }
}

TEST_CASE("DwarfTypes: global and static variables: address, type, compile unit") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    auto ext_size = dwarf.variable("page_ext_size", "mm/page_ext.c");
    REQUIRE_MESSAGE(ext_size, ext_size.error().to_string());
    CHECK(ext_size->address.value() == dwarf.elf().symbol("page_ext_size")->address);
    CHECK(ext_size->type.kind == TypeKind::Base);
    CHECK(ext_size->type.size == 8);
    CHECK_FALSE(ext_size->type.is_signed);
    CHECK(ext_size->compile_unit.ends_with("types.c"));
    CHECK(*initial_value(dwarf, *ext_size).u64(0) == 8);

    auto index = dwarf.variable("pool_index");
    REQUIRE(index);
    CHECK(*initial_value(dwarf, *index).u32(0) == 3);

    auto sections = dwarf.variable("mem_section");
    REQUIRE(sections);
    CHECK(sections->type.to_string() == "struct mem_section * *");
    auto section = dwarf.layout(*sections->type.target->target);
    REQUIRE(section);
    CHECK((*section)->member("page_ext")->offset == 16);

    auto ops = dwarf.variable("page_owner_ops", "mm/page_owner.c");
    REQUIRE(ops);
    auto ops_layout = dwarf.layout(ops->type);
    REQUIRE(ops_layout);
    ByteReader value = initial_value(dwarf, *ops);
    CHECK(*(*ops_layout)->member("offset")->read_unsigned(value) == 8);
    CHECK(*(*ops_layout)->member("size")->read_unsigned(value) == (*dwarf.layout("struct page_owner"))->size);
    CHECK(*(*ops_layout)->member("need_shared_flags")->read_unsigned(value) == 1);

    auto missing = dwarf.variable("no_such_variable");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == ErrorCode::NotFound);
    CHECK(missing.error().to_string().find("variable no_such_variable") != std::string::npos);
    CHECK(missing.error().file() == elf_path(variant));
  }
}

TEST_CASE("DwarfTypes: the hint picks between same-named statics and structs") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    DwarfTypes dwarf = open_variant(variant);
    std::vector<ElfSymbol> symbols = dwarf.elf().symbols_named("shared_name");
    REQUIRE(symbols.size() == 2);
    for (const ElfSymbol& s : symbols) {
      std::string hint = s.file;  // "types.c" or "other.c"
      auto v = dwarf.variable("shared_name", hint);
      REQUIRE_MESSAGE(v, v.error().to_string());
      CHECK(v->address.value() == s.address);
      CHECK(v->compile_unit.ends_with(hint));
      CHECK(*initial_value(dwarf, *v).u32(0) == (hint == "types.c" ? 1u : 2u));
    }
    auto here = dwarf.layout("struct conflict", "types.c");
    auto there = dwarf.layout("struct conflict", "other.c");
    REQUIRE(here);
    REQUIRE(there);
    CHECK((*here)->size == 4);
    CHECK((*there)->size == 16);
    CHECK((*there)->has_member("y"));
  }
}

TEST_CASE("DwarfTypes: lookups are lazy: a hinted lookup indexes only its compile unit") {
  DwarfTypes dwarf = open_variant(variants().front());
  CHECK(dwarf.stats().compile_units == 0);
  auto owner = dwarf.layout("struct page_owner", "types.c");
  REQUIRE(owner);
  DwarfTypes::Stats after = dwarf.stats();
  CHECK(after.compile_units == 2);
  CHECK(after.compile_units_indexed == 1);
  // other.c is reached only by the fallback scan.
  CHECK(*dwarf.enumerator("OTHER_ONLY_VALUE") == 42);
  CHECK(dwarf.stats().compile_units_indexed == 2);
  size_t visited = dwarf.stats().dies_visited;
  // From here on, everything is in the index: no DIE is read again.
  CHECK(dwarf.layout("struct page"));
  CHECK(*dwarf.enumerator("PG_buddy") == 20);
  CHECK(dwarf.stats().dies_visited == visited);
}

TEST_CASE("DwarfTypes: missing and opaque types are named in the error") {
  DwarfTypes dwarf = open_variant(variants().front());
  auto nope = dwarf.layout("struct nope", "types.c");
  REQUIRE_FALSE(nope);
  CHECK(nope.error().code() == ErrorCode::NotFound);
  CHECK(nope.error().message().find("no definition of struct nope") != std::string::npos);
  CHECK(nope.error().file() == elf_path(variants().front()));
  auto nope_t = dwarf.find_type("nope_t");
  REQUIRE_FALSE(nope_t);
  CHECK(nope_t.error().message().find("no definition of type nope_t") != std::string::npos);
  // struct address_space is only ever declared.
  auto page = dwarf.layout("struct page");
  REQUIRE(page);
  const TypeRef mapping = (*page)->member("mapping")->type;
  REQUIRE(mapping.kind == TypeKind::Pointer);
  CHECK(mapping.target->declaration);
  CHECK(mapping.target->name == "address_space");
  auto opaque = dwarf.layout(*mapping.target);
  REQUIRE_FALSE(opaque);
  CHECK(opaque.error().message().find("struct address_space") != std::string::npos);
}

TEST_CASE("DwarfTypes: concurrent lookups on one instance agree") {
  DwarfTypes dwarf = open_variant(variants().front());
  std::vector<std::thread> threads;
  std::vector<uint64_t> offsets(4);
  for (size_t t = 0; t < offsets.size(); ++t)
    threads.emplace_back([&, t] {
      auto owner = dwarf.layout("struct page_owner");
      auto page = dwarf.layout("struct page");
      if (owner && page) offsets[t] = (*owner)->member("free_ts_nsec")->offset + (*page)->member("lru.prev")->offset;
    });
  for (std::thread& t : threads) t.join();
  for (uint64_t o : offsets) CHECK(o == offsets[0]);
  CHECK(offsets[0] != 0);
}

TEST_CASE("VmlinuxElf: symbols, build ID, linux_banner") {
  for (const std::string& variant : variants()) {
    INFO(variant);
    auto elf = VmlinuxElf::open(elf_path(variant));
    REQUIRE_MESSAGE(elf, elf.error().to_string());
    CHECK(elf->is_64bit());
    CHECK(elf->little_endian());
    REQUIRE(elf->build_id());
    CHECK(elf->build_id()->size() == 40);
    CHECK(elf->build_id()->find_first_not_of("0123456789abcdef") == std::string::npos);
    auto banner = elf->linux_banner();
    REQUIRE_MESSAGE(banner, banner.error().to_string());
    CHECK(*banner == "Linux version 6.8.0-ramsift-test (ramsift@tests) #1 SMP PREEMPT\n");

    auto ext = elf->symbol("page_ext_size");
    REQUIRE(ext);
    CHECK(ext->global);
    CHECK(ext->kind == ElfSymbol::Kind::Object);
    CHECK(ext->size == 8);
    CHECK(ext->file.empty());
    CHECK(elf->symbol_at(ext->address + 5)->name == "page_ext_size");
    std::vector<std::string> near = elf->files_near(ext->address);
    REQUIRE_FALSE(near.empty());
    CHECK(near.front() == "types.c");

    auto pools = elf->symbol("stack_pools");
    REQUIRE(pools);
    CHECK_FALSE(pools->global);
    CHECK(pools->file == "types.c");
    CHECK(elf->symbol("read_other")->kind == ElfSymbol::Kind::Function);
    CHECK_FALSE(elf->symbol("no_such_symbol"));
    CHECK_FALSE(elf->symbol_at(0));
    CHECK(elf->symbol_count() > 10);
    // .bss has no file bytes.
    auto bss = elf->bytes_at(pools->address, 8);
    REQUIRE_FALSE(bss);
    CHECK(bss.error().code() == ErrorCode::Fault);
  }
}

TEST_CASE("VmlinuxElf and DwarfTypes: a stripped vmlinux") {
  std::string path = std::string(RAMSIFT_KERNEL_TEST_ELF_DIR) + "/kernel-types-stripped.so";
  auto elf = VmlinuxElf::open(path);
  REQUIRE_MESSAGE(elf, elf.error().to_string());
  CHECK(elf->linux_banner()->starts_with("Linux version 6.8.0"));
  CHECK(elf->symbol("page_ext_size"));
  auto dwarf = DwarfTypes::open(path);
  REQUIRE_FALSE(dwarf);
  CHECK(dwarf.error().code() == ErrorCode::NotFound);
  CHECK(dwarf.error().to_string() == path +
                                         ": no DWARF (.debug_info): a stripped vmlinux? Use the one with debug info "
                                         "(the -dbg or -debuginfo package)");
}

TEST_CASE("VmlinuxElf: empty, text, truncated and missing files are refused by name") {
  std::string empty = temp_file("empty.bin", {});
  auto e = DwarfTypes::open(empty);
  REQUIRE_FALSE(e);
  CHECK(e.error().code() == ErrorCode::BadInput);
  CHECK(e.error().to_string() == empty + ": not an ELF file (empty)");

  std::string text = "this is not an ELF file, just text";
  std::vector<std::byte> text_bytes(text.size());
  for (size_t i = 0; i < text.size(); ++i) text_bytes[i] = std::byte(static_cast<unsigned char>(text[i]));
  std::string text_path = temp_file("text.bin", text_bytes);
  auto t = DwarfTypes::open(text_path);
  REQUIRE_FALSE(t);
  CHECK(t.error().code() == ErrorCode::BadInput);
  CHECK(t.error().to_string() == text_path + ": not an ELF file (no \\x7fELF magic)");

  auto missing = DwarfTypes::open("/nonexistent/vmlinux");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::Io);
  CHECK(missing.error().file() == "/nonexistent/vmlinux");

  std::vector<std::byte> whole = file_bytes(elf_path(variants().front()));
  REQUIRE(whole.size() > 4096);
  for (size_t cut : {size_t{4}, size_t{20}, size_t{63}, size_t{64}, size_t{200}, whole.size() / 2, whole.size() - 1}) {
    INFO("cut at " << cut);
    std::vector<std::byte> part(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    auto in_memory = VmlinuxElf::open_memory(part, "truncated");
    if (!in_memory) {
      CHECK(in_memory.error().file() == "truncated");
      continue;
    }
    auto dwarf = DwarfTypes::open(std::make_shared<const VmlinuxElf>(std::move(*in_memory)));
    if (dwarf) (void)dwarf->layout("struct page");  // an error or a layout, never a crash
  }
}

TEST_CASE("DwarfTypes: damaged DWARF gives errors, not crashes") {
  std::vector<std::byte> whole = file_bytes(elf_path("gcc-dwarf5"));
  // Overwrite a stretch of the file at several places with a pattern; every
  // lookup must return an answer or an error.
  for (size_t start = 0x1000; start + 64 < whole.size(); start += whole.size() / 23) {
    INFO("damaged at " << start);
    std::vector<std::byte> bytes = whole;
    for (size_t i = start; i < start + 64; ++i) bytes[i] = std::byte(static_cast<unsigned char>(i * 37 + 11));
    auto elf = VmlinuxElf::open_memory(std::move(bytes), "damaged");
    if (!elf) continue;
    auto dwarf = DwarfTypes::open(std::make_shared<const VmlinuxElf>(std::move(*elf)));
    if (!dwarf) continue;
    (void)dwarf->layout("struct page");
    (void)dwarf->layout("union handle_parts");
    (void)dwarf->variable("stack_pools");
    (void)dwarf->enumerator("OTHER_ONLY_VALUE");
  }
}

// write_symbols_subset() (symbols_subset.h) on the same inputs: types.c and
// other.c are two compile units; only the ones results came from are kept.
TEST_CASE("symbols subset: the units read, and the same answers from them") {
  unsigned long count = 0;
  const kernel_test_offset* offsets = kernel_test_offsets(&count);
  REQUIRE(count > 0);
  for (const std::string& variant : variants()) {
    INFO(variant);
    auto dwarf = DwarfTypes::open(elf_path(variant));
    REQUIRE_MESSAGE(dwarf, dwarf.error().to_string());
    std::string out = std::string(RAMSIFT_KERNEL_TEST_ELF_DIR) + "/subset-" + variant + ".elf";
    // Nothing read yet: nothing to keep.
    CHECK(write_symbols_subset(*dwarf, out).error().code() == ErrorCode::BadInput);

    for (unsigned long i = 0; i < count; ++i) REQUIRE(dwarf->layout(offsets[i].type, "types.c"));
    auto banner = dwarf->elf().bytes_at(dwarf->elf().symbol("page_ext_size")->address, 8);
    auto made = write_symbols_subset(*dwarf, out);
    if (variant.find("zlib") != std::string::npos) {
      // SHF_COMPRESSED .debug_info: said, not written wrong.
      REQUIRE_FALSE(made);
      CHECK(made.error().code() == ErrorCode::NotImplemented);
      continue;
    }
    REQUIRE_MESSAGE(made, made.error().to_string());
    CHECK(made->units == 1);  // types.c only: other.c was never asked
    CHECK(made->units_total == 2);
    CHECK(made->debug_info_bytes > 0);

    auto sub = DwarfTypes::open(out);
    REQUIRE_MESSAGE(sub, sub.error().to_string());
    CHECK(sub->elf().build_id() == dwarf->elf().build_id());
    CHECK(sub->elf().symbol_count() == dwarf->elf().symbol_count());
    for (unsigned long i = 0; i < count; ++i) {
      INFO((std::string(offsets[i].type) + "." + offsets[i].member));
      auto layout = sub->layout(offsets[i].type, "types.c");
      REQUIRE_MESSAGE(layout, layout.error().to_string());
      auto member = (*layout)->require(offsets[i].member);
      REQUIRE_MESSAGE(member, member.error().to_string());
      CHECK(member->offset == offsets[i].offset);
    }
    // The bytes read are kept; the unit never read is gone.
    if (banner) {
      auto again = sub->elf().bytes_at(sub->elf().symbol("page_ext_size")->address, 8);
      REQUIRE(again);
      CHECK(std::equal(banner->begin(), banner->end(), again->begin(), again->end()));
    }
    auto other = sub->enumerator("OTHER_ONLY_VALUE");
    REQUIRE_FALSE(other);
    CHECK(other.error().code() == ErrorCode::NotFound);
    CHECK(dwarf->enumerator("OTHER_ONLY_VALUE").value() == 42);
  }
}
