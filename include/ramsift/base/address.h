// Strong address types.
//
// A physical and a virtual address are different things; mixing them up is
// the classic dump-analyzer bug, so the compiler rejects it:
//
//   PhysAddr pa{0x80000000};
//   VirtAddr va{0xffffffc008000000};
//   pa + 0x1000;          // PhysAddr
//   pa - PhysAddr{0x1000} // uint64_t distance
//   pa == va;             // does not compile
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace ramsift {

template <class Tag>
class Address {
 public:
  constexpr Address() = default;
  constexpr explicit Address(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }

  constexpr Address operator+(uint64_t delta) const { return Address(value_ + delta); }
  constexpr Address operator-(uint64_t delta) const { return Address(value_ - delta); }
  constexpr uint64_t operator-(Address other) const { return value_ - other.value_; }
  constexpr Address& operator+=(uint64_t delta) {
    value_ += delta;
    return *this;
  }
  constexpr auto operator<=>(const Address&) const = default;

 private:
  uint64_t value_ = 0;
};

struct PhysTag {};
struct VirtTag {};
using PhysAddr = Address<PhysTag>;
using VirtAddr = Address<VirtTag>;

}  // namespace ramsift

template <class Tag>
struct std::hash<ramsift::Address<Tag>> {
  size_t operator()(ramsift::Address<Tag> a) const noexcept { return std::hash<uint64_t>{}(a.value()); }
};
