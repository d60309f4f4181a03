// The plain layout structs: lookups on resolved data, no DWARF here.
#include <string>

#include "ramsift/kernel/dwarf_types.h"

namespace ramsift {

const char* type_kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::Void: return "void";
    case TypeKind::Base: return "base";
    case TypeKind::Enum: return "enum";
    case TypeKind::Struct: return "struct";
    case TypeKind::Union: return "union";
    case TypeKind::Pointer: return "pointer";
    case TypeKind::Array: return "array";
    case TypeKind::Function: return "function";
  }
  return "?";
}

std::string TypeRef::to_string() const {
  if (!typedef_name.empty()) return typedef_name;
  switch (kind) {
    case TypeKind::Void: return "void";
    case TypeKind::Base: return name;
    case TypeKind::Function: return "function";
    case TypeKind::Enum:
    case TypeKind::Struct:
    case TypeKind::Union: return std::string(type_kind_name(kind)) + " " + (name.empty() ? "<anonymous>" : name);
    case TypeKind::Pointer: return (target ? target->to_string() : "void") + " *";
    case TypeKind::Array:
      return (target ? target->to_string() : "?") + " [" + (count ? std::to_string(*count) : "") + "]";
  }
  return "?";
}

Result<uint64_t> Member::read_unsigned(const ByteReader& object) const {
  if (!is_bitfield()) {
    switch (type.size) {
      case 1: {
        RAMSIFT_TRY(uint8_t v, object.u8(offset));
        return uint64_t{v};
      }
      case 2: {
        RAMSIFT_TRY(uint16_t v, object.u16(offset));
        return uint64_t{v};
      }
      case 4: {
        RAMSIFT_TRY(uint32_t v, object.u32(offset));
        return uint64_t{v};
      }
      case 8: return object.u64(offset);
      default: return bad_input("member " + name + " is not an integer of 1, 2, 4 or 8 bytes: " + type.to_string());
    }
  }
  if (bit_size > 64) return bad_input("bitfield " + name + " is wider than 64 bits");
  // The bytes that hold the field, least significant first (little-endian).
  uint64_t first = bit_offset / 8;
  unsigned shift = static_cast<unsigned>(bit_offset % 8);
  uint64_t count = (shift + bit_size + 7) / 8;  // at most 9
  RAMSIFT_TRY(auto bytes, object.span(first, count));
  uint64_t value = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t byte = std::to_integer<uint64_t>(bytes[i]);
    int64_t at = static_cast<int64_t>(8 * i) - shift;  // where this byte's bit 0 lands
    if (at < 0)
      value |= byte >> -at;
    else if (at < 64)
      value |= byte << at;
  }
  return bit_size == 64 ? value : value & ((uint64_t{1} << bit_size) - 1);
}

std::string TypeLayout::spelled() const {
  return std::string(type_kind_name(kind)) + " " + (name.empty() ? "<anonymous>" : name);
}

namespace {

// `name` among the direct members, then inside anonymous members, with the
// offset made relative to `layout`'s start.
std::optional<Member> find_direct(const TypeLayout& layout, std::string_view name) {
  for (const Member& m : layout.members)
    if (!m.name.empty() && m.name == name) return m;
  for (const Member& m : layout.members) {
    if (!m.name.empty() || !m.layout) continue;
    if (auto inner = find_direct(*m.layout, name)) {
      inner->offset += m.offset;
      inner->bit_offset += m.offset * 8;
      return inner;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Member> TypeLayout::member(std::string_view path) const {
  size_t dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  if (head.empty()) return std::nullopt;
  std::optional<Member> found = find_direct(*this, head);
  if (!found || dot == std::string_view::npos) return found;
  if (!found->layout) return std::nullopt;
  std::optional<Member> inner = found->layout->member(path.substr(dot + 1));
  if (!inner) return std::nullopt;
  inner->offset += found->offset;
  inner->bit_offset += found->offset * 8;
  return inner;
}

Result<Member> TypeLayout::require(std::string_view path) const {
  if (auto m = member(path)) return *m;
  return not_found(spelled() + " has no member " + std::string(path));
}

std::optional<int64_t> EnumType::value(std::string_view enumerator) const {
  for (const Enumerator& e : values)
    if (e.name == enumerator) return e.value;
  return std::nullopt;
}

std::optional<std::string_view> EnumType::name_of(int64_t v) const {
  for (const Enumerator& e : values)
    if (e.value == v) return std::string_view(e.name);
  return std::nullopt;
}

}  // namespace ramsift
