#include "ramsift/arch/translate.h"

namespace ramsift {

const DirectMapping* Translator::fast_path_for(VirtAddr va) const {
  VirtAddr normalized = normalize(va);
  for (const DirectMapping& m : direct_) {
    if (m.contains(normalized)) return &m;
  }
  return nullptr;
}

std::string FastPathCheck::describe() const {
  std::string out = "va " + hex(va.value()) + ": ";
  if (!mapping)
    out += "no fast path";
  else
    out += mapping->name + " gives pa " + hex(fast->value());
  if (walk)
    out += ", page tables give pa " + hex(walk->pa.value());
  else
    out += ", page tables: " + walk.error().message();
  return out;
}

FastPathCheck check_fast_path(const PhysicalMemory& memory, const Translator& translator, VirtAddr va) {
  FastPathCheck check;
  check.va = translator.normalize(va);
  check.mapping = translator.fast_path_for(check.va);
  if (check.mapping) check.fast = check.mapping->translate(check.va);
  check.walk = translator.walk(memory, check.va);
  return check;
}

}  // namespace ramsift
