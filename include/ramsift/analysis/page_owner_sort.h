// The kernel's tools/mm/page_owner_sort.c, reimplemented so that for the
// same records and options it prints the same bytes (`ramsift top --compat
// page_owner_sort`). Records come from any PageOwnerSource: each is printed
// as the kernel's debugfs text first, and page_owner_sort's text rules
// (its regular expressions, its ts removal, its allocator guess) apply to
// that text, exactly as the C tool applies them to the file.
//
//   std::vector<PageOwnerSortArg> args = {{'m', ""}, {kPosCull, "pid,name"}};
//   RAMSIFT_TRY(auto sorter, PageOwnerSort::configure(PageOwnerSortVersion::V6_12, args));
//   std::string out;
//   sorter.run(source, out);
//
// Two versions of the tool differ in behaviour and both are kept:
//   V6_1  - tools/vm/page_owner_sort.c of 5.19-6.7 (free_ts, -f, -r, ft, cull f)
//   V6_12 - tools/mm/page_owner_sort.c of 6.8+ (ts digits cut from the text,
//           one single-letter sort option at most)
// Where the tool's bugs make its output wrong, ramsift does not copy them;
// docs/top.md lists each deviation and the tests prove each one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ramsift/base/error.h"
#include "ramsift/decode/page_owner_source.h"

namespace ramsift {

enum class PageOwnerSortVersion { V6_1, V6_12 };

// One command-line option, in the order given (page_owner_sort's meaning
// depends on the order). `flag` is the short option letter (a d f m n p r s
// t P) or one of these for the long options:
inline constexpr char kPosPid = '1', kPosTgid = '2', kPosName = '3', kPosCull = '4', kPosSort = '5';
struct PageOwnerSortArg {
  char flag;
  std::string value;
};

// page_owner_sort's short options: the letter, and what it does.
struct PageOwnerSortLetter {
  char flag;
  const char* help;
};
inline constexpr PageOwnerSortLetter kPageOwnerSortLetters[] = {
    {'a', "Sort by memory allocation time (page_owner_sort -a)"},
    {'m', "Sort by total memory (page_owner_sort -m)"},
    {'n', "Sort by task command name (page_owner_sort -n)"},
    {'p', "Sort by pid (page_owner_sort -p)"},
    {'P', "Sort by tgid (page_owner_sort -P)"},
    {'s', "Sort by the stack trace (page_owner_sort -s)"},
    {'t', "Sort by number of times a record is seen (page_owner_sort -t)"},
    {'r', "Sort by memory release time (page_owner_sort 5.19-6.7 -r; needs --compat page_owner_sort-6.1)"},
    {'f', "Drop released blocks (page_owner_sort 5.19-6.7 -f; needs --compat page_owner_sort-6.1)"},
    {'d', "Accepted for page_owner_sort compatibility; does nothing"},
};

class PageOwnerSort {
 public:
  // Checks the options as page_owner_sort's main() does; BadInput names the bad one.
  static Result<PageOwnerSort> configure(PageOwnerSortVersion version, const std::vector<PageOwnerSortArg>& args);
  PageOwnerSort(PageOwnerSort&&) noexcept;
  PageOwnerSort& operator=(PageOwnerSort&&) noexcept;
  ~PageOwnerSort();

  // Reads every record of `source` and appends what page_owner_sort writes to its output file.
  void run(PageOwnerSource& source, std::string& out) const;

  struct Config;

 private:
  explicit PageOwnerSort(std::unique_ptr<Config> config);
  std::unique_ptr<Config> config_;
};

}  // namespace ramsift
