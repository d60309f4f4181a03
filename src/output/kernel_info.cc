#include "ramsift/output/kernel_info.h"

#include <cstdio>
#include <sstream>

#include "ramsift/decode/memory_model.h"
#include "ramsift/decode/modules.h"
#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/stack_depot.h"
#include "ramsift/output/json.h"

namespace ramsift {

KernelInfo gather_kernel_info(const Kernel& kernel) {
  KernelInfo info;
  auto add = [&](std::string key, std::string value) { info.facts.emplace_back(std::move(key), std::move(value)); };
  const KernelLayout& l = kernel.layout();
  add("kernel", kernel.release());
  add("banner", kernel.banner().substr(0, kernel.banner().find('\n')));
  add("vmlinux", kernel.vmlinux_path());
  add("build_id", kernel.build_id().value_or("none"));
  add("kaslr_offset", hex(l.kaslr_offset));
  add("kaslr_found_by", std::string(kaslr_source_name(l.kaslr_source)) + ": " + l.kaslr_detail);
  add("page_size", std::to_string(kernel.page_size()));
  add("va_bits", std::to_string(l.va_bits));
  if (l.arch == "arm64") {
    add("phys_offset", hex(l.phys_offset));
    add("kimage_voffset", hex(l.kimage_voffset));
    add("page_offset", hex(l.direct_map.value()));
    add("swapper_pg_dir", "pa " + hex(l.page_table_root.value()));
  } else {
    add("paging", l.va_bits == 57 ? "5-level" : "4-level");
    add("phys_base", hex(l.phys_offset));
    add("direct_map", hex(l.direct_map.value()));
    add("init_top_pgt", "pa " + hex(l.page_table_root.value()));
  }
  auto model = MemoryModel::open(kernel);
  if (!model) {
    info.problems.push_back(model.error());
  } else {
    add("memory_model", model->memory_model_name() + ", section " + std::to_string(model->section_size_bits()) +
                            " bits, " + std::to_string(model->nr_orders()) + " buddy orders, pageblock order " +
                            std::to_string(model->pageblock_order()));
    add("pfns", hex(model->min_low_pfn()) + "-" + hex(model->max_pfn()));
    if (auto nodes = kernel.read_variable("nr_online_nodes")) add("numa_nodes", std::to_string(*nodes));
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
  }
  add("modules", std::to_string(modules.modules.size()) + (list.empty() ? "" : ": " + list));
  for (const Error& e : modules.problems) info.problems.push_back(e);
  for (const std::string& n : kernel.notes()) add("note", n);
  return info;
}

void print_dump_and_kernel_info(const Dump& dump, const KernelInfo& kernel, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::Text: {
      print_dump_info(dump, format, out);
      for (const auto& [key, value] : kernel.facts) {
        std::string label = key;
        for (char& ch : label)
          if (ch == '_') ch = ' ';
        char buf[24];
        std::snprintf(buf, sizeof buf, "%-16s", label.c_str());
        out << buf << value << '\n';
      }
      break;
    }
    case OutputFormat::Json: {
      out << "{\"dump\": ";
      print_dump_info(dump, format, out);
      out << ", \"kernel\": ";
      JsonWriter j(out);
      j.begin_object();
      for (const auto& [key, value] : kernel.facts) {
        j.key(key);
        j.value(value);
      }
      j.end_object();
      out << "}\n";
      break;
    }
    case OutputFormat::Csv:
      out << "key,value\n";
      for (const auto& [key, value] : kernel.facts) {
        write_csv_field(out, key);
        out << ',';
        write_csv_field(out, value);
        out << '\n';
      }
      break;
  }
}

}  // namespace ramsift
