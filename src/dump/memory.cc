#include "ramsift/dump/memory.h"

namespace ramsift {

Status PhysicalMemory::read_exact(PhysAddr addr, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    Result<size_t> n = read(addr + done, out.subspan(done));
    if (!n) return std::move(n).error().at_address(addr + done);
    if (*n == 0) return fault("read returned no bytes").at_address(addr + done);
    done += *n;
  }
  return {};
}

}  // namespace ramsift
