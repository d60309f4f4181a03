#include "ramsift/analysis/kernel_info.h"

#include "ramsift/base/units.h"
#include "ramsift/decode/memory_model.h"
#include "ramsift/decode/modules.h"
#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/stack_depot.h"

namespace ramsift {

KernelInfo gather_kernel_info(const Kernel& kernel) {
  KernelInfo info;
  auto add = [&](std::string key, std::string value) { info.facts.emplace_back(std::move(key), std::move(value)); };
  auto number = [&](std::string key, uint64_t value) { info.numbers.emplace_back(std::move(key), value); };
  auto add_number = [&](const std::string& key, uint64_t value) {  // a fact JSON prints as a number
    add(key, std::to_string(value));
    number(key, value);
  };
  const KernelLayout& l = kernel.layout();
  add("kernel", kernel.release());
  add("banner", kernel.banner().substr(0, kernel.banner().find('\n')));
  add("vmlinux", kernel.vmlinux_path());
  add("build_id", kernel.build_id().value_or("none"));
  add("kaslr_offset", hex(l.kaslr_offset));
  add("kaslr_found_by", std::string(kaslr_source_name(l.kaslr_source)) + ": " + l.kaslr_detail);
  add_number("page_size", kernel.page_size());
  add_number("va_bits", l.va_bits);
  kernel.arch().layout_facts(l, add);
  auto model = MemoryModel::open(kernel);
  if (!model) {
    info.problems.push_back(model.error());
  } else {
    add("memory_model", model->memory_model_name() + ", section " + std::to_string(model->section_size_bits()) +
                            " bits, " + std::to_string(model->nr_orders()) + " buddy orders, pageblock order " +
                            std::to_string(model->pageblock_order()));
    add("pfns", hex(model->min_low_pfn()) + "-" + hex(model->max_pfn()));
    number("min_pfn", model->min_low_pfn());
    number("max_pfn", model->max_pfn());
    if (auto nodes = kernel.read_variable("nr_online_nodes")) add_number("numa_nodes", *nodes);
    if (model->has_page_ext()) number("page_ext_size", model->page_ext_size());
    add("page_ext", model->has_page_ext() ? std::to_string(model->page_ext_size()) + " bytes per page" : "none");
    if (model->has_page_ext()) {
      if (auto names = KernelNames::read(kernel); !names) {
        info.problems.push_back(names.error());
      } else if (auto depot = StackDepot::open(kernel); !depot) {
        add("page_owner", "unknown: " + depot.error().message());
      } else {
        auto walker = PageOwnerWalker::open(kernel, *model, *names, *depot, {});
        if (!walker) {
          add("page_owner", "off: " + walker.error().message());
        } else {
          add("page_owner", "on, struct page_owner " + std::to_string(walker->layout().size) + " bytes at page_ext + " +
                                std::to_string(walker->page_owner_offset()));
          add("stack_depot", depot->layout().storage + ", " + std::to_string(depot->layout().pools_in_use) + " pools" +
                                 (depot->layout().index_plus_1 ? ", pool_index_plus_1" : ""));
          // What page_owner itself costs: the page_ext arrays of every
          // section that has one, and the depot's pools (DEPOT_POOL_ORDER 2).
          uint64_t ext_bytes = 0;
          for (uint64_t pfn = 0; pfn < model->max_pfn(); pfn += model->pages_per_section())
            if (auto ext = model->page_ext_address(pfn); ext && *ext)
              ext_bytes += model->pages_per_section() * model->page_ext_size();
          uint64_t depot_bytes = depot->layout().pools_in_use * (kernel.page_size() << 2);
          number("page_ext_bytes", ext_bytes);
          number("stack_depot_bytes", depot_bytes);
          add("page_owner_cost",
              human_size(ext_bytes) + " of page_ext, " + human_size(depot_bytes) + " of stack depot pools");
        }
      }
    }
  }
  ModuleList modules = read_modules(kernel);
  std::string list;
  // Each with its size as /proc/modules prints it: every region, init ones
  // included (module_total_size(); core_layout + init_layout before 6.4).
  for (const Module& m : modules.modules) {
    uint64_t size = 0;
    for (const ModuleRegion& r : m.regions) size += r.size;
    // And its base as /proc/modules prints it (module_addr: the text region).
    uint64_t base = m.regions.empty() ? 0 : m.regions.front().base.value();
    list += (list.empty() ? "" : " ") + m.name + " (" + std::to_string(size) + " at " + hex(base) + ")";
    info.modules.push_back({m.name, size, base});
  }
  add("modules", std::to_string(modules.modules.size()) + (list.empty() ? "" : ": " + list));
  for (const Error& e : modules.problems) info.problems.push_back(e);
  for (const std::string& n : kernel.notes()) {
    add("note", n);
    info.notes.push_back(n);
  }
  return info;
}

}  // namespace ramsift
