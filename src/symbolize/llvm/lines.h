// The one place ramsift calls LLVM's symbolizer, behind a plain interface:
// LLVM 14's headers (llvm/Support/JSON.h) do not compile as C++20 with
// clang 14 and libstdc++ 12, so lines.cpp is built as C++17 in a library of
// its own (src/CMakeLists.txt) and this header uses nothing newer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ramsift::llvm_lines {

struct Frame {
  std::string function;  // "" when unknown
  std::string file;      // "" when unknown
  uint32_t line = 0;
};

struct Symbol {
  std::string name;
  uint64_t section_index = 0;
  uint64_t value = 0;
};

class Lines {
 public:
  Lines();
  ~Lines();
  // Inlined frames at address (innermost first; the last is the real
  // function). section_index: ~0 for a linked file, else the section of a
  // relocatable object. false and `error` set on failure.
  bool inlined(const std::string& path, uint64_t address, uint64_t section_index, std::vector<Frame>& out,
               std::string& error);
  // The defined symbols of an object file with their sections.
  static bool symbols(const std::string& path, std::vector<Symbol>& out, std::string& error);
  static constexpr uint64_t kNoSection = ~uint64_t{0};

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramsift::llvm_lines
