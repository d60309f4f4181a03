#include "ramsift/output/page_info.h"

#include <cstdio>

#include "ramsift/output/json.h"

namespace ramsift {

namespace {

std::string dec(uint64_t v) {
  return std::to_string(v);
}

// The facts after the kmem -p line, in print order.
std::vector<std::pair<std::string, std::string>> page_facts(const PageReport& r) {
  const PageInfo& p = r.page;
  std::vector<std::pair<std::string, std::string>> facts;
  auto add = [&](std::string k, std::string v) { facts.emplace_back(std::move(k), std::move(v)); };
  add("pfn", hex(p.pfn));
  add("flags", hex(p.flags) + (p.flag_names.empty() ? "" : " (" + p.flag_names + ")"));
  if (p.node) add("node", dec(*p.node));
  if (p.zone) add("zone", dec(*p.zone) + (p.zone_name.empty() ? "" : " (" + p.zone_name + ")"));
  add("mapcount", std::to_string(p.mapcount));
  add("private", hex(p.private_));
  if (p.buddy_head) add("buddy", "free, in the order-" + dec(p.buddy_order) + " block at pfn " + hex(*p.buddy_head));
  if (p.compound_head)
    add("compound_head", "pfn " + hex(*p.compound_head) + " (page " + hex(p.compound_head_page.value()) + ")");
  else if (p.compound_head_page.value())
    add("compound_head", "page " + hex(p.compound_head_page.value()) + " (not in any mem_map)");
  add("pageblock", hex(p.pageblock) + (p.pageblock_migratetype.empty() ? "" : " " + p.pageblock_migratetype));
  if (p.page_ext_flags)
    add("page_ext", hex(p.page_ext.value()) + ", flags " + hex(*p.page_ext_flags));
  else
    add("page_ext", "none");
  if (!r.page_owner_unavailable.empty()) {
    add("page_owner", r.page_owner_unavailable);
    return facts;
  }
  if (!r.owner || !r.record) {
    add("page_owner", "no owner recorded (PAGE_EXT_OWNER clear: never allocated since boot)");
    return facts;
  }
  const PageOwnerRecord& o = *r.record;
  add("page_owner", r.allocated ? "allocated" : "free (last owner's record below)");
  add("order", dec(o.order));
  add("gfp", kernel_hex(o.gfp_mask) + (o.gfp_flags.empty() ? "" : " (" + o.gfp_flags + ")"));
  if (o.pid) add("pid", std::to_string(*o.pid));
  if (o.tgid) add("tgid", std::to_string(*o.tgid) + (o.comm.empty() ? "" : " (" + o.comm + ")"));
  if (o.ts_nsec) add("ts", dec(*o.ts_nsec) + " ns");
  if (o.stack_handle) add("handle", dec(*o.stack_handle));
  if (o.free_ts_nsec) add("free_ts", dec(*o.free_ts_nsec) + " ns");
  if (o.free_pid) add("free_pid", std::to_string(*o.free_pid));
  if (o.free_tgid) add("free_tgid", std::to_string(*o.free_tgid));
  if (o.free_stack_handle) add("free_handle", dec(*o.free_stack_handle));
  if (o.last_migrate_reason) add("migrate_reason", *o.last_migrate_reason);
  if (o.memcg)
    add("memcg",
        std::string(o.memcg->via_objcg ? "(via objcg) " : "") + (o.memcg->online ? "" : "offline ") + o.memcg->name);
  return facts;
}

void text_stack(std::ostream& out, const char* title, const std::vector<std::string>& stack) {
  out << title << (stack.empty() ? " (none)\n" : "\n");
  for (const std::string& f : stack) out << "  " << f << '\n';
}

}  // namespace

void print_page_report(const PageReport& r, OutputFormat format, std::ostream& out) {
  const PageInfo& p = r.page;
  std::vector<std::pair<std::string, std::string>> facts = page_facts(r);
  if (format == OutputFormat::Json) {
    JsonWriter j(out);
    j.begin_object();
    j.key("page");
    j.value(hex(p.page.value()));
    j.key("physical");
    j.value(hex(p.phys.value()));
    j.key("mapping");
    j.value(hex(p.mapping));
    j.key("index");
    j.value(p.index);
    j.key("count");
    j.value(static_cast<uint64_t>(p.refcount));
    for (const auto& [k, v] : facts) {
      j.key(k);
      j.value(v);
    }
    if (r.record) {
      j.key("stack");
      j.begin_array();
      for (const std::string& f : r.record->stack) j.value(f);
      j.end_array();
      j.key("free_stack");
      j.begin_array();
      for (const std::string& f : r.record->free_stack) j.value(f);
      j.end_array();
    }
    j.key("problems");
    j.begin_array();
    for (const std::string& s : r.problems) j.value(s);
    j.end_array();
    j.end_object();
    out << '\n';
    return;
  }
  // crash's kmem -p: PAGE PHYSICAL MAPPING INDEX CNT FLAGS.
  char line[256];
  std::snprintf(line, sizeof line, "%16s  %16s  %16s  %8s  %3s  %s\n", "PAGE", "PHYSICAL", "MAPPING", "INDEX", "CNT",
                "FLAGS");
  out << line;
  std::snprintf(line, sizeof line, "%16llx  %16llx  %16llx  %8llx  %3u  %llx %s\n",
                static_cast<unsigned long long>(p.page.value()), static_cast<unsigned long long>(p.phys.value()),
                static_cast<unsigned long long>(p.mapping), static_cast<unsigned long long>(p.index), p.refcount,
                static_cast<unsigned long long>(p.flags), p.flag_names.c_str());
  out << line;
  for (const auto& [k, v] : facts) {
    std::string label = k;
    for (char& ch : label)
      if (ch == '_') ch = ' ';
    std::snprintf(line, sizeof line, "%-16s", label.c_str());
    out << line << v << '\n';
  }
  if (r.record) {
    text_stack(out, "allocation stack", r.record->stack);
    if (r.record->free_stack_handle) text_stack(out, "last free stack", r.record->free_stack);
  }
}

void print_stack_record(const StackRecordReport& r, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::Json) {
    JsonWriter j(out);
    j.begin_object();
    j.key("handle");
    j.value(static_cast<uint64_t>(r.handle));
    j.key("record");
    j.value(hex(r.record.value()));
    j.key("frames");
    j.begin_array();
    for (size_t i = 0; i < r.frames.size(); ++i) {
      j.begin_object();
      j.key("address");
      j.value(hex(r.frames[i]));
      j.key("symbol");
      j.value(i < r.symbols.size() ? r.symbols[i] : "");
      j.end_object();
    }
    j.end_array();
    j.end_object();
    out << '\n';
    return;
  }
  out << "handle " << r.handle << " (" << hex(r.handle) << "), struct stack_record at " << hex(r.record.value()) << ", "
      << r.frames.size() << " frames\n";
  for (size_t i = 0; i < r.frames.size(); ++i)
    out << "  " << hex(r.frames[i]) << "  " << (i < r.symbols.size() ? r.symbols[i] : "") << '\n';
}

}  // namespace ramsift
