// `ramsift page` address forms.
#include <doctest/doctest.h>

#include "ramsift/decode/page_info.h"

using namespace ramsift;

TEST_CASE("page address: every form") {
  auto check = [](std::string_view text, PageAddressKind kind, uint64_t value) {
    auto a = parse_page_address(text);
    REQUIRE(a);
    CHECK(a->kind == kind);
    CHECK(a->value == value);
  };
  check("4660", PageAddressKind::Pfn, 4660);
  check("0x1234", PageAddressKind::Pfn, 0x1234);
  check("pfn:17", PageAddressKind::Pfn, 17);
  check("pfn:0x11", PageAddressKind::Pfn, 0x11);
  check("pa:0x143d000", PageAddressKind::Phys, 0x143d000);
  check("va:0xffff9ece81250f40", PageAddressKind::Virt, 0xffff9ece81250f40);
  check("page:0xffffd84440050f40", PageAddressKind::StructPage, 0xffffd84440050f40);
}

TEST_CASE("page address: bad input names the text and the forms") {
  for (std::string_view bad :
       {"", "pfn:", "va:", "bogus", "pfn:12x", "-5", "pa:-1", "kva:0x10", "0x", " 12", "pfn:99999999999999999999999"}) {
    auto a = parse_page_address(bad);
    INFO(bad);
    REQUIRE(!a);
    CHECK(a.error().code() == ErrorCode::BadInput);
    CHECK(a.error().message().find("pfn:N") != std::string::npos);
  }
}
