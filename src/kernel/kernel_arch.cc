#include "ramsift/kernel/kernel_arch.h"

namespace ramsift {

extern const KernelArch kArm64Kernel;   // arch_arm64.cc
extern const KernelArch kX86_64Kernel;  // arch_x86_64.cc

const KernelArch* kernel_arch(Arch arch) {
  // One row per architecture whose kernels ramsift reads.
  static const KernelArch* const kDescriptors[] = {&kArm64Kernel, &kX86_64Kernel};
  for (const KernelArch* d : kDescriptors)
    if (d->arch == arch) return d;
  return nullptr;
}

}  // namespace ramsift
