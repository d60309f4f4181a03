// The one checked reader for untrusted bytes (dump headers, ELF, kernel data).
//
//   ByteReader r(file_bytes, "vmcore");
//   RAMSIFT_TRY(uint16_t machine, r.u16(0x12));
//   RAMSIFT_TRY(ByteReader notes, r.sub(note_off, note_size));
//
// Every read is bounds- and overflow-checked and fails with a Corrupt error
// naming the origin and the absolute offset, never reading past the end.
// Offsets are relative to the reader; errors report them relative to the
// start of the origin (a sub-reader remembers where it starts).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "ramsift/base/error.h"

namespace ramsift {

enum class Endian { Little, Big };

// a + b, or nullopt-like failure when it overflows.
inline bool add_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_add_overflow(a, b, out);
}
inline bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(std::span<const std::byte> bytes, std::string_view origin, uint64_t base_offset = 0,
             Endian endian = Endian::Little)
      : bytes_(bytes), origin_(origin), base_(base_offset), endian_(endian) {}

  size_t size() const { return bytes_.size(); }
  std::span<const std::byte> bytes() const { return bytes_; }
  std::string_view origin() const { return origin_; }
  uint64_t base_offset() const { return base_; }
  Endian endian() const { return endian_; }
  void set_endian(Endian e) { endian_ = e; }

  // [offset, offset + length) as a reader of its own.
  Result<ByteReader> sub(uint64_t offset, uint64_t length) const {
    RAMSIFT_TRY_STATUS(check(offset, length));
    return ByteReader(bytes_.subspan(offset, length), origin_, base_ + offset, endian_);
  }
  Result<std::span<const std::byte>> span(uint64_t offset, uint64_t length) const {
    RAMSIFT_TRY_STATUS(check(offset, length));
    return bytes_.subspan(offset, length);
  }

  template <class T>
  Result<T> read(uint64_t offset) const {
    static_assert(std::is_integral_v<T>);
    RAMSIFT_TRY_STATUS(check(offset, sizeof(T)));
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    bool swap = (endian_ == Endian::Big) == (std::endian::native == std::endian::little);
    if (swap && sizeof(T) > 1) value = byteswap(value);
    return value;
  }
  Result<uint8_t> u8(uint64_t offset) const { return read<uint8_t>(offset); }
  Result<uint16_t> u16(uint64_t offset) const { return read<uint16_t>(offset); }
  Result<uint32_t> u32(uint64_t offset) const { return read<uint32_t>(offset); }
  Result<uint64_t> u64(uint64_t offset) const { return read<uint64_t>(offset); }
  Result<int32_t> i32(uint64_t offset) const { return read<int32_t>(offset); }
  Result<int64_t> i64(uint64_t offset) const { return read<int64_t>(offset); }

  // A fixed-size char field, cut at the first NUL.
  Result<std::string> fixed_string(uint64_t offset, uint64_t length) const {
    RAMSIFT_TRY(auto s, span(offset, length));
    std::string_view text(reinterpret_cast<const char*>(s.data()), s.size());
    return std::string(text.substr(0, text.find('\0')));
  }

  // The error every out-of-bounds read produces.
  Error out_of_bounds(uint64_t offset, uint64_t length) const {
    return corrupt("need " + std::to_string(length) + " bytes, only " +
                   std::to_string(offset < bytes_.size() ? bytes_.size() - offset : 0) + " left (truncated?)")
        .in_file(std::string(origin_))
        .at_offset(base_ + offset);
  }

 private:
  template <class T>
  static T byteswap(T v) {
    using U = std::make_unsigned_t<T>;
    U u = static_cast<U>(v);
    if constexpr (sizeof(T) == 2) u = __builtin_bswap16(u);
    if constexpr (sizeof(T) == 4) u = __builtin_bswap32(u);
    if constexpr (sizeof(T) == 8) u = __builtin_bswap64(u);
    return static_cast<T>(u);
  }
  Status check(uint64_t offset, uint64_t length) const {
    uint64_t end;
    if (add_overflows(offset, length, &end) || end > bytes_.size()) return out_of_bounds(offset, length);
    return {};
  }

  std::span<const std::byte> bytes_;
  std::string_view origin_;
  uint64_t base_ = 0;
  Endian endian_ = Endian::Little;
};

// The bytes of one kernel struct read from a dump, and its fixed-size
// fields at the offsets DWARF gave (little-endian, as every kernel ramsift
// reads). The one way the decoders read fields: a field that lies past the
// bytes (a layout that disagrees with the buffer) reads as 0 *and is
// counted*, so the caller refuses the record instead of printing a 0 it
// never read; strings are copied bounded, never through a cast.
//
//   StructFields owner(bytes);
//   uint16_t order = owner.get<uint16_t>(layout.order);
//   std::string comm = owner.cstring(layout.comm, 16);
//   if (owner.short_reads()) return corrupt("struct page_owner: ...");
class StructFields {
 public:
  explicit StructFields(std::span<const std::byte> bytes) : bytes_(bytes) {}

  template <class T>
  T get(uint64_t offset) const {
    static_assert(std::is_trivially_copyable_v<T>);
    T v{};
    if (offset > bytes_.size() || sizeof(T) > bytes_.size() - offset) {
      ++short_reads_;
      return v;
    }
    std::memcpy(&v, bytes_.data() + offset, sizeof(T));
    return v;
  }
  // Up to `max` bytes at `offset`, to the first NUL.
  std::string cstring(uint64_t offset, uint64_t max) const {
    if (offset > bytes_.size() || max > bytes_.size() - offset) {
      ++short_reads_;
      return {};
    }
    std::string_view text(reinterpret_cast<const char*>(bytes_.data() + offset), max);
    return std::string(text.substr(0, text.find('\0')));
  }
  // The same into `out`, reusing its storage.
  void cstring_into(uint64_t offset, uint64_t max, std::string& out) const {
    if (offset > bytes_.size() || max > bytes_.size() - offset) {
      ++short_reads_;
      out.clear();
      return;
    }
    std::string_view text(reinterpret_cast<const char*>(bytes_.data() + offset), max);
    out.assign(text.substr(0, text.find('\0')));
  }
  // Fields asked for that lay past the bytes.
  uint32_t short_reads() const { return short_reads_; }
  size_t size() const { return bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
  mutable uint32_t short_reads_ = 0;
};

}  // namespace ramsift
