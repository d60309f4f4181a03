#include "ramsift/base/error.h"

#include <doctest/doctest.h>

namespace ramsift {

TEST_CASE("summarize_errors: a few are printed whole, many by class with the first few") {
  std::vector<Error> few = {corrupt("pfn 0x10: bad"), fault("va 0xffff0000: not mapped")};
  CHECK(summarize_errors(few) == std::vector<std::string>{"pfn 0x10: bad", "va 0xffff0000: not mapped"});

  // A truncated DDR file: thousands of unreadable struct pages, one class,
  // and one problem of another kind in between.
  std::vector<Error> many;
  for (uint64_t pfn = 0x80000; pfn < 0x80000 + 5000; ++pfn)
    many.push_back(Error(ErrorCode::NoData, "pfn " + hex(pfn) + ": struct page not in the dump").in_file("DDRCS1.BIN"));
  many.insert(many.begin() + 2, corrupt("stack handle 0x1234: record at 0xffff1000 holds no frames"));
  std::vector<std::string> lines = summarize_errors(many);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "DDRCS1.BIN: pfn 0x80000: struct page not in the dump");
  CHECK(lines[1] == "DDRCS1.BIN: pfn 0x80001: struct page not in the dump");
  CHECK(lines[2] == "DDRCS1.BIN: pfn 0x80002: struct page not in the dump");
  CHECK(lines[3].starts_with("... and 4997 more like it (no data: DDRCS#.BIN: pfn #: struct page"));
  CHECK(lines[4] == "stack handle 0x1234: record at 0xffff1000 holds no frames");
  // Classes keep the order their first error came in; every error is counted.
  CHECK(summarize_errors(many, 1).size() == 3);
}

}  // namespace ramsift

namespace ramsift {

TEST_CASE("Error keeps a physical and a virtual address apart") {
  Error e = no_data("excluded page").at_address(PhysAddr{0x4000'1000}).at_address(VirtAddr{0xffff'0000'0040'1000});
  REQUIRE(e.physical());
  REQUIRE(e.virtual_address());
  CHECK(e.physical()->value() == 0x4000'1000);
  CHECK(e.virtual_address()->value() == 0xffff'0000'0040'1000);
  // "an address" is the virtual one when there is one.
  CHECK(e.address() == 0xffff'0000'0040'1000);
  CHECK(e.to_string() == "virtual address 0xffff000000401000: physical address 0x40001000: excluded page");
  // The innermost of each kind is kept as the error rises.
  Error risen = std::move(e).at_address(PhysAddr{0x9000}).at_address(VirtAddr{0x1});
  CHECK(risen.physical()->value() == 0x4000'1000);
  CHECK(risen.virtual_address()->value() == 0xffff'0000'0040'1000);
  Error phys_only = fault("not in any range").at_address(PhysAddr{0x2000});
  CHECK(!phys_only.virtual_address());
  CHECK(phys_only.address() == 0x2000);
  CHECK(phys_only.to_string() == "physical address 0x2000: not in any range");
  CHECK(!corrupt("x").address());
}

}  // namespace ramsift
