// Fuzz target: the debugfs page_owner text reader, its writer, and the two
// consumers of its records (ramsift top and the page_owner_sort emulation).
//
// Invariant checked: text the reader accepts without a problem prints back
// byte for byte (parse -> print is the identity).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ramsift/analysis/page_owner_sort.h"
#include "ramsift/analysis/top.h"
#include "ramsift/decode/page_owner_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ramsift;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  PageOwnerText parsed = parse_page_owner_text(text, "fuzz");
  if (parsed.problems.empty() && print_page_owner_text(parsed) != text) __builtin_trap();

  PageOwnerTextReader top_reader(text, "fuzz");
  TopOptions options;
  options.by = {GroupKey::Comm, GroupKey::Stack, GroupKey::Category, GroupKey::Allocator, GroupKey::Module};
  (void)compute_top(top_reader, options);

  for (auto version : {PageOwnerSortVersion::V6_1, PageOwnerSortVersion::V6_12}) {
    auto sorter = PageOwnerSort::configure(version, {{kPosCull, "st,p,n,ator"}, {kPosSort, "-at,T"}});
    if (!sorter) __builtin_trap();
    PageOwnerTextReader reader(text, "fuzz");
    std::string out;
    sorter->run(reader, out);
  }
  return 0;
}
