#include "ramsift/decode/page_owner_stacks.h"

namespace ramsift {

Result<OwnerStacks> read_page_owner_stacks(const Kernel& kernel, const StackDepot& depot, size_t limit) {
  constexpr std::string_view hint = "mm/page_owner.c";
  auto list = kernel.variable("stack_list", hint);
  if (!list) return not_found("this kernel has no page_owner_stacks (no stack_list: Linux 6.9 added it)");
  RAMSIFT_TRY(auto stack, kernel.dwarf().layout("struct stack", hint));
  RAMSIFT_TRY(Member record_member, stack->require("stack_record"));
  RAMSIFT_TRY(Member next_member, stack->require("next"));
  if (!depot.layout().record_count_offset)
    return corrupt("struct stack_record has no count member, yet the kernel has stack_list");
  OwnerStacks out;
  if (auto t = kernel.read_variable("page_owner_pages_threshold", hint)) out.threshold = *t;
  RAMSIFT_TRY(uint64_t node, kernel.read_u64(list->address));
  for (size_t n = 0; node; ++n) {
    if (n >= limit) {
      out.problems.push_back(corrupt("stack_list does not end after " + std::to_string(limit) + " stacks"));
      break;
    }
    auto record = kernel.read_u64(VirtAddr(node + record_member.offset));
    auto next = kernel.read_u64(VirtAddr(node + next_member.offset));
    if (!record || !next) {
      out.problems.push_back(corrupt("stack_list node at " + hex(node) + " is unreadable"));
      break;
    }
    if (*record) {
      OwnerStack s;
      s.record = VirtAddr(*record);
      auto count = kernel.read_u32(s.record + *depot.layout().record_count_offset);
      auto size = kernel.read_u32(s.record + depot.layout().record_size_offset);
      if (!count || !size || *size > depot.layout().max_frames) {
        out.problems.push_back(corrupt("stack record at " + hex(*record) + " is unreadable or implausible"));
      } else {
        s.base_pages = static_cast<int64_t>(static_cast<int32_t>(*count)) - 1;
        std::vector<std::byte> bytes(uint64_t{*size} * 8);
        if (kernel.read(s.record + depot.layout().record_entries_offset, bytes)) {
          ByteReader r(bytes, "stack_record");
          for (uint32_t i = 0; i < *size; ++i) s.frames.push_back(r.u64(i * 8).value_or(0));
          out.stacks.push_back(std::move(s));
        } else {
          out.problems.push_back(no_data("stack record entries at " + hex(*record) + " are not in the dump"));
        }
      }
    }
    node = *next;
  }
  return out;
}

}  // namespace ramsift
