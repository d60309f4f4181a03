#include "ramsift/symbolize/page_owner_chain.h"

namespace ramsift {

Result<PageOwnerChain> PageOwnerChain::open(const Kernel& kernel, const PageOwnerWalkOptions& options) {
  PageOwnerChain c;
  c.kernel = &kernel;
  RAMSIFT_TRY(MemoryModel model, MemoryModel::open(kernel));
  c.model = std::make_unique<MemoryModel>(std::move(model));
  RAMSIFT_TRY(KernelNames names, KernelNames::read(kernel));
  c.names = std::make_unique<KernelNames>(std::move(names));
  auto depot = StackDepot::open(kernel);
  if (!depot) {
    c.no_walker = std::move(depot).error();
    return c;
  }
  c.depot = std::make_unique<StackDepot>(std::move(*depot));
  auto walker = PageOwnerWalker::open(kernel, *c.model, *c.names, *c.depot, options);
  if (!walker) {
    c.no_walker = std::move(walker).error();
    return c;
  }
  c.walker = std::make_unique<PageOwnerWalker>(std::move(*walker));
  return c;
}

}  // namespace ramsift
