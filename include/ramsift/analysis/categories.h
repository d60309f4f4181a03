// What a page_owner record's memory is for (slab, page cache, GPU, binder,
// ...), by rules: a small text file of `CATEGORY PATTERN... [comm=PATTERN...]`
// lines (docs/categories.md). Two sets are built in, generated at build time
// from data/categories/*.rules: "generic" (the default) and "android".
//
//   RAMSIFT_TRY(CategoryRules rules, CategoryRules::load("android"));   // or a file path
//   std::string_view c = rules.classify(record.stack, record.comm);   // "binder", ... "other"
//
// Matching: the innermost frame that some rule matches decides; among the
// rules that match that frame (and whose comm= patterns, if any, match the
// record's comm), the first in the file wins. A rule with only comm=
// patterns is a fallback for records whose frames no rule matched. Nothing
// matched: "other". So the mechanism nearer the allocator (slab, vmalloc)
// wins over the use that led to it (an ioctl, a fault), and a user page
// faulted in during a driver's ioctl is "anon", not the driver's.
//
// To add a category: add a line to data/categories/<set>.rules and a stack
// to tests/unit/analysis/categories_test.cc.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/error.h"

namespace ramsift {

class CategoryRules {
 public:
  // Rules text; errors read "ORIGIN: line N: ...".
  static Result<CategoryRules> parse(std::string_view text, const std::string& origin);
  // A built-in set by name ("generic", "android") or, if `name_or_path`
  // names an existing file, that file.
  static Result<CategoryRules> load(const std::string& name_or_path);
  static std::vector<std::string_view> builtin_names();
  // The default set (data/categories/generic.rules).
  static const CategoryRules& generic();

  CategoryRules(CategoryRules&&) noexcept;
  CategoryRules& operator=(CategoryRules&&) noexcept;
  ~CategoryRules();

  // Frames innermost first, as page_owner prints them.
  std::string_view classify(std::span<const std::string> stack, std::string_view comm) const;
  // Every category the rules can return, in order of first appearance, "other" last.
  std::span<const std::string_view> names() const;
  // Where the rules came from: "generic" (built in) or the file's path.
  const std::string& origin() const;

  struct State;

 private:
  explicit CategoryRules(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Glob match: `*` any run of characters, `?` one character, all else literal.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ramsift
