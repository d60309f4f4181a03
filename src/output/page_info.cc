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

namespace {

// One page as the schema's "page" object (docs/schema.json): numbers as
// numbers, addresses as "0x..." strings (64-bit values JSON cannot hold
// exactly), units in the keys.
void json_page(JsonWriter& j, const PageReport& r) {
  const PageInfo& p = r.page;
  auto opt = [&](const char* key, const std::optional<uint64_t>& v) {
    j.key(key);
    if (v)
      j.value(*v);
    else
      j.null();
  };
  auto opt_i = [&](const char* key, const std::optional<int32_t>& v) {
    j.key(key);
    if (v)
      j.value(static_cast<int64_t>(*v));
    else
      j.null();
  };
  auto text = [&](const char* key, const std::string& v) {
    j.key(key);
    if (v.empty())
      j.null();
    else
      j.value(v);
  };
  j.begin_object();
  j.key("page"), j.value(hex(p.page.value()));
  j.key("physical"), j.value(hex(p.phys.value()));
  j.key("pfn"), j.value(p.pfn);
  j.key("mapping"), j.value(hex(p.mapping));
  j.key("index"), j.value(p.index);
  j.key("count"), j.value(static_cast<uint64_t>(p.refcount));
  j.key("mapcount"), j.value(static_cast<int64_t>(p.mapcount));
  j.key("flags"), j.value(p.flags);
  j.key("flags_text"), j.value(p.flag_names);
  opt("node", p.node);
  opt("zone", p.zone);
  text("zone_name", p.zone_name);
  j.key("private"), j.value(hex(p.private_));
  j.key("buddy");
  if (p.buddy_head) {
    j.begin_object();
    j.key("head_pfn"), j.value(*p.buddy_head);
    j.key("order"), j.value(p.buddy_order);
    j.end_object();
  } else {
    j.null();
  }
  j.key("compound_head");
  if (p.compound_head || p.compound_head_page.value()) {
    j.begin_object();
    opt("pfn", p.compound_head);
    j.key("page"), j.value(hex(p.compound_head_page.value()));
    j.end_object();
  } else {
    j.null();
  }
  j.key("pageblock"), j.value(p.pageblock);
  text("pageblock_migratetype", p.pageblock_migratetype);
  j.key("page_ext");
  if (p.page_ext_flags) {
    j.begin_object();
    j.key("address"), j.value(hex(p.page_ext.value()));
    j.key("flags"), j.value(*p.page_ext_flags);
    j.end_object();
  } else {
    j.null();
  }
  // page_owner: the state ("allocated", "free", "never", or why there is no
  // story: "off", "unknown", "unreadable", "none"), and the record.
  j.key("page_owner");
  j.begin_object();
  std::string state, detail;
  if (!r.page_owner_unavailable.empty()) {
    size_t colon = r.page_owner_unavailable.find(':');
    state = r.page_owner_unavailable.substr(0, colon);
    if (colon != std::string::npos) detail = r.page_owner_unavailable.substr(colon + 2);
  } else if (!r.owner || !r.record) {
    state = "never";
    detail = "PAGE_EXT_OWNER clear: never allocated since boot";
  } else {
    state = r.allocated ? "allocated" : "free";
  }
  j.key("state"), j.value(state);
  text("detail", detail);
  j.key("record");
  if (state == "allocated" || state == "free") {
    const PageOwnerRecord& o = *r.record;
    j.begin_object();
    j.key("order"), j.value(o.order);
    j.key("gfp_mask"), j.value(static_cast<uint64_t>(o.gfp_mask));
    j.key("gfp_flags"), j.value(o.gfp_flags);
    opt_i("pid", o.pid);
    opt_i("tgid", o.tgid);
    j.key("comm"), j.value(o.comm);
    opt("ts_ns", o.ts_nsec);
    opt("stack_handle", o.stack_handle ? std::optional<uint64_t>(*o.stack_handle) : std::nullopt);
    opt("free_ts_ns", o.free_ts_nsec);
    opt_i("free_pid", o.free_pid);
    opt_i("free_tgid", o.free_tgid);
    opt("free_stack_handle", o.free_stack_handle ? std::optional<uint64_t>(*o.free_stack_handle) : std::nullopt);
    j.key("migrate_reason");
    if (o.last_migrate_reason)
      j.value(*o.last_migrate_reason);
    else
      j.null();
    j.key("memcg");
    if (o.memcg) {
      j.begin_object();
      j.key("name"), j.value(o.memcg->name);
      j.key("online"), j.value(o.memcg->online);
      j.key("via_objcg"), j.value(o.memcg->via_objcg);
      j.end_object();
    } else {
      j.null();
    }
    for (auto [key, stack] : {std::pair{"stack", &o.stack}, std::pair{"free_stack", &o.free_stack}}) {
      j.key(key);
      j.begin_array();
      for (const std::string& f : *stack) j.value(f);
      j.end_array();
    }
    j.end_object();
  } else {
    j.null();
  }
  j.end_object();
  j.key("problems");
  j.begin_array();
  for (const std::string& s : r.problems) j.value(s);
  j.end_array();
  j.end_object();
}

}  // namespace

void print_page_reports_json(const std::vector<PageReport>& reports, const std::vector<Error>& errors,
                             std::ostream& out) {
  JsonWriter j(out);
  j.begin_object();
  j.key("schema"), j.value("ramsift.page");
  j.key("version"), j.value(2);
  j.key("pages");
  j.begin_array();
  for (const PageReport& r : reports) json_page(j, r);
  j.end_array();
  j.key("errors");
  write_json_errors(j, errors);
  j.end_object();
  out << '\n';
}

void print_pages(const PagesReport& report, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::Json) return print_page_reports_json(report.pages, report.errors, out);
  for (size_t i = 0; i < report.pages.size(); ++i) {
    if (i) out << '\n';
    print_page_report(report.pages[i], format, out);
  }
}

void print_page_report(const PageReport& r, OutputFormat format, std::ostream& out) {
  const PageInfo& p = r.page;
  if (format == OutputFormat::Json) return print_page_reports_json({r}, {}, out);
  std::vector<std::pair<std::string, std::string>> facts = page_facts(r);
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
