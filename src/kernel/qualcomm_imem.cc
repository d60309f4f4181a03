#include "qualcomm_imem.h"

#include "ramsift/base/bytes.h"

namespace ramsift {

namespace {

constexpr uint32_t kImemKaslrMagic = 0xdead4ead;
constexpr uint64_t kImemKaslrOffset = 0x6d0;
constexpr uint64_t kRecordSize = 12;  // u32 magic, u64 offset

std::optional<ImemKaslr> record_at(const ByteReader& imem, uint64_t offset) {
  uint64_t end;
  if (add_overflows(offset, kRecordSize, &end) || end > imem.size()) return std::nullopt;
  auto magic = imem.u32(offset);
  if (!magic || *magic != kImemKaslrMagic) return std::nullopt;
  auto kaslr = imem.u64(offset + 4);
  if (!kaslr) return std::nullopt;
  return ImemKaslr{offset, *kaslr};
}

}  // namespace

std::optional<ImemKaslr> find_imem_kaslr(std::span<const std::byte> imem) {
  ByteReader r(imem, "IMEM");
  if (auto found = record_at(r, kImemKaslrOffset)) return found;
  for (uint64_t offset = 0; offset + kRecordSize <= r.size(); offset += 4)
    if (auto found = record_at(r, offset)) return found;
  return std::nullopt;
}

}  // namespace ramsift
