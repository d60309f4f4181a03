// write_symbols_subset() on the DWARF test inputs (data/types.c and
// data/other.c, two compile units): only the units results came from are
// kept, and every lookup made before gives the same answer from the subset.
#include "ramsift/kernel/symbols_subset.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ramsift/kernel/dwarf_types.h"
#include "ramsift/kernel/vmlinux_elf.h"

using namespace ramsift;

extern "C" {
struct kernel_test_offset {
  const char* type;
  const char* member;
  unsigned long offset;
};
const kernel_test_offset* kernel_test_offsets(unsigned long* count);
}

namespace {

std::vector<std::string> subset_variants() {
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

std::string variant_path(const std::string& variant) {
  return std::string(RAMSIFT_KERNEL_TEST_ELF_DIR) + "/kernel-types-" + variant + ".so";
}

}  // namespace

TEST_CASE("symbols subset: the units read, and the same answers from them") {
  unsigned long count = 0;
  const kernel_test_offset* offsets = kernel_test_offsets(&count);
  REQUIRE(count > 0);
  for (const std::string& variant : subset_variants()) {
    INFO(variant);
    auto dwarf = DwarfTypes::open(variant_path(variant));
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
