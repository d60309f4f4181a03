#include "ramsift/base/error.h"

#include <cstdio>

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
  if (address_) out += "address " + hex(*address_) + ": ";
  return out + message_;
}

}  // namespace ramsift
