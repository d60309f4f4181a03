#include "ramsift/base/error.h"

#include <cctype>
#include <cstdio>
#include <unordered_map>

namespace ramsift {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::Fault: return "fault";
    case ErrorCode::NoData: return "no data";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::NotImplemented: return "not implemented";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::BadInput: return "bad input";
  }
  return "error";
}

std::string hex(uint64_t value) {
  return "0x" + hex_digits(value);
}

std::string hex_digits(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(value));
  return buf;
}

std::string Error::to_string() const {
  std::string out;
  if (!file_.empty()) out += file_ + ": ";
  if (offset_) out += "offset " + hex(*offset_) + ": ";
  if (virtual_) out += "virtual address " + hex(virtual_->value()) + ": ";
  if (physical_) out += "physical address " + hex(physical_->value()) + ": ";
  return out + message_;
}

namespace {

// The message with every number (0x... hex, or decimal) as '#'.
std::string class_of(const Error& e) {
  const std::string text = e.to_string();
  std::string out = std::string(error_code_name(e.code())) + ": ";
  for (size_t i = 0; i < text.size();) {
    const bool hex_number =
        text.compare(i, 2, "0x") == 0 && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 2]));
    if (hex_number || std::isdigit(static_cast<unsigned char>(text[i]))) {
      i += hex_number ? 2 : 0;
      while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i;
      out += '#';
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> summarize_errors(const std::vector<Error>& errors, size_t examples, size_t spread) {
  std::vector<std::string> lines;
  if (errors.size() <= spread) {
    for (const Error& e : errors) lines.push_back(e.to_string());
    return lines;
  }
  struct Class {
    std::string pattern;
    std::vector<size_t> first;  // indexes of its first `examples` errors
    uint64_t count = 0;
  };
  std::vector<Class> classes;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < errors.size(); ++i) {
    std::string pattern = class_of(errors[i]);
    auto [it, inserted] = index.try_emplace(pattern, classes.size());
    if (inserted) classes.push_back({std::move(pattern), {}, 0});
    Class& c = classes[it->second];
    if (c.first.size() < examples) c.first.push_back(i);
    ++c.count;
  }
  for (const Class& c : classes) {
    for (size_t i : c.first) lines.push_back(errors[i].to_string());
    if (c.count > c.first.size())
      lines.push_back("... and " + std::to_string(c.count - c.first.size()) + " more like it (" + c.pattern + ")");
  }
  return lines;
}

}  // namespace ramsift
