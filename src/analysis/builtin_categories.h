// The rules files of data/categories/, embedded at build time
// (cmake/EmbedText.cmake writes builtin_categories.cc).
#pragma once

#include <cstddef>

namespace ramsift::detail {

struct BuiltinText {
  const char* name;  // file name without ".rules"
  const char* text;
};
extern const BuiltinText kBuiltinCategoryRules[];
extern const size_t kBuiltinCategoryRulesCount;

}  // namespace ramsift::detail
