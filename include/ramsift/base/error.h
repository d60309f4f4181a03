// One error type for every layer, and Result<T> shaped like std::expected.
//
//   Result<size_t> r = memory.read(pa, buf);
//   if (!r) return r.error().with_context("reading mem_section");
//   use(*r);
//
// An Error carries a code, the place it happened (file, offset, a physical
// and a virtual address, each typed and kept apart: a virtual address that
// translated to an absent physical page has both) and
// a chain of context prepended as it rises, so a message reads
// "DDRCS0_0.BIN: offset 0x1000: reading page: zstd: corrupt frame".
// NoData (an excluded or absent page) is kept apart from Corrupt: decoders
// skip and count the first and report the second.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ramsift/base/address.h"

namespace ramsift {

enum class ErrorCode {
  Fault,           // address not mapped / outside any range
  NoData,          // page known but not in the dump (excluded, filtered)
  Corrupt,         // bytes present but inconsistent
  NotImplemented,  // a format feature we do not read (yet)
  Io,              // the operating system failed us
  NotFound,        // a named thing (file, symbol, member) does not exist
  BadInput,        // the user's arguments make no sense
};

const char* error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& file() const { return file_; }
  std::optional<uint64_t> offset() const { return offset_; }
  std::optional<PhysAddr> physical() const { return physical_; }
  std::optional<VirtAddr> virtual_address() const { return virtual_; }
  // The virtual address when there is one, else the physical one (for
  // messages and tests that want "an address").
  std::optional<uint64_t> address() const {
    if (virtual_) return virtual_->value();
    if (physical_) return physical_->value();
    return std::nullopt;
  }

  // Builders; each returns a copy so they chain on temporaries.
  Error in_file(std::string file) && {
    if (file_.empty()) file_ = std::move(file);
    return std::move(*this);
  }
  Error at_offset(uint64_t offset) && {
    if (!offset_) offset_ = offset;
    return std::move(*this);
  }
  // The first of each kind is kept (the innermost, where it happened).
  Error at_address(PhysAddr address) && {
    if (!physical_) physical_ = address;
    return std::move(*this);
  }
  Error at_address(VirtAddr address) && {
    if (!virtual_) virtual_ = address;
    return std::move(*this);
  }
  // Prepends context: "context: message".
  Error with_context(const std::string& context) && {
    message_ = context + ": " + message_;
    return std::move(*this);
  }

  // "file: offset 0x10: message" (parts that are unknown are left out).
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string file_;
  std::optional<uint64_t> offset_;
  std::optional<PhysAddr> physical_;
  std::optional<VirtAddr> virtual_;
};

// Convenience constructors.
inline Error corrupt(std::string message) {
  return Error(ErrorCode::Corrupt, std::move(message));
}
inline Error no_data(std::string message) {
  return Error(ErrorCode::NoData, std::move(message));
}
inline Error fault(std::string message) {
  return Error(ErrorCode::Fault, std::move(message));
}
inline Error bad_input(std::string message) {
  return Error(ErrorCode::BadInput, std::move(message));
}
inline Error not_found(std::string message) {
  return Error(ErrorCode::NotFound, std::move(message));
}
inline Error io_error(std::string message) {
  return Error(ErrorCode::Io, std::move(message));
}
inline Error not_implemented(std::string message) {
  return Error(ErrorCode::NotImplemented, std::move(message));
}

// "0x1f00" formatting used in messages everywhere.
std::string hex(uint64_t value);

// Problems as lines to print, by class: a class is the errors whose code
// and message are the same but for their numbers (addresses, pfns,
// offsets). Up to `spread` errors in all are printed whole; past that each
// class prints its first `examples` and "... and N more like it". Order:
// each class where its first error came.
std::vector<std::string> summarize_errors(const std::vector<Error>& errors, size_t examples = 3, size_t spread = 10);
// The same digits without "0x" (crash's and ramparse's columns).
std::string hex_digits(uint64_t value);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  bool has_value() const { return !error_; }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace ramsift

// Early return on error: RAMSIFT_TRY(auto x, expr); or RAMSIFT_TRY_STATUS(expr);
#define RAMSIFT_CONCAT_INNER(a, b) a##b
#define RAMSIFT_CONCAT(a, b) RAMSIFT_CONCAT_INNER(a, b)
#define RAMSIFT_TRY_IMPL(tmp, decl, expr)  \
  auto tmp = (expr);                       \
  if (!tmp) return std::move(tmp).error(); \
  decl = std::move(*tmp)
#define RAMSIFT_TRY(decl, expr) RAMSIFT_TRY_IMPL(RAMSIFT_CONCAT(ramsift_try_, __LINE__), decl, expr)
#define RAMSIFT_TRY_STATUS(expr)                                     \
  do {                                                               \
    auto ramsift_status_ = (expr);                                   \
    if (!ramsift_status_) return std::move(ramsift_status_).error(); \
  } while (0)
