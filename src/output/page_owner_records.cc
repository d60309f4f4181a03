#include "ramsift/output/page_owner_records.h"

#include <sstream>

#include "ramsift/decode/page_owner_text.h"
#include "ramsift/output/json.h"

namespace ramsift {

namespace {

constexpr size_t kFlushAt = 1 << 20;

std::string join_frames(const std::vector<std::string>& frames) {
  std::string out;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i) out += " <- ";
    out += frames[i];
  }
  return out;
}

void json_record(std::ostream& os, const PageOwnerRecord& r) {
  JsonWriter j(os, false);
  j.begin_object();
  j.key("schema");
  j.value(kRecordSchemaVersion);
  j.key("pfn");
  j.value(r.pfn);
  j.key("order");
  j.value(r.order);
  j.key("pages");
  j.value(r.pages());
  j.key("gfp_mask");
  j.value(r.gfp_mask);
  j.key("gfp_flags");
  j.value(r.gfp_flags);
  auto opt_int = [&](const char* k, const std::optional<int32_t>& v) {
    j.key(k);
    if (v)
      j.value(static_cast<int64_t>(*v));
    else
      j.null();
  };
  auto opt_u64 = [&](const char* k, const std::optional<uint64_t>& v) {
    j.key(k);
    if (v)
      j.value(*v);
    else
      j.null();
  };
  opt_int("pid", r.pid);
  opt_int("tgid", r.tgid);
  j.key("comm");
  j.value(r.comm);
  opt_u64("ts_nsec", r.ts_nsec);
  opt_u64("free_ts_nsec", r.free_ts_nsec);
  j.key("page_migratetype");
  j.value(r.page_migratetype);
  j.key("pageblock");
  j.value(r.pageblock);
  j.key("pageblock_migratetype");
  j.value(r.pageblock_migratetype);
  j.key("page_flags");
  j.value(r.page_flags);
  j.key("page_flags_text");
  j.value(r.page_flags_text);
  j.key("stack_handle");
  if (r.stack_handle)
    j.value(static_cast<uint64_t>(*r.stack_handle));
  else
    j.null();
  j.key("stack");
  j.begin_array();
  for (const std::string& f : r.stack) j.value(f);
  j.end_array();
  j.key("last_migrate_reason");
  if (r.last_migrate_reason)
    j.value(*r.last_migrate_reason);
  else
    j.null();
  j.key("slab_cache_page");
  j.value(r.slab_cache_page);
  j.key("memcg");
  if (r.memcg) {
    j.begin_object();
    j.key("name");
    j.value(r.memcg->name);
    j.key("online");
    j.value(r.memcg->online);
    j.key("via_objcg");
    j.value(r.memcg->via_objcg);
    j.end_object();
  } else {
    j.null();
  }
  j.key("freed");
  j.value(r.freed);
  if (r.free_stack_handle) {
    j.key("free_stack_handle");
    j.value(static_cast<uint64_t>(*r.free_stack_handle));
    opt_int("free_pid", r.free_pid);
    opt_int("free_tgid", r.free_tgid);
    j.key("free_stack");
    j.begin_array();
    for (const std::string& f : r.free_stack) j.value(f);
    j.end_array();
  }
  j.end_object();
}

}  // namespace

RecordWriter::RecordWriter(std::ostream& out, OutputFormat format, const PageOwnerTextFormat& text_format)
    : out_(out), format_(format), text_format_(text_format) {}

RecordWriter::~RecordWriter() {
  finish();
}

void RecordWriter::flush_if_full() {
  if (buffer_.size() < kFlushAt) return;
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

void RecordWriter::format(std::string& out, const PageOwnerRecord& r) const {
  switch (format_) {
    case OutputFormat::Text:
      if (r.freed)
        append_freed_page_owner_record(out, r, text_format_);
      else
        append_page_owner_record(out, r, text_format_);
      break;
    case OutputFormat::Json: {
      std::ostringstream os;
      json_record(os, r);
      out += os.str();
      out += '\n';
      break;
    }
    case OutputFormat::Csv: {
      std::ostringstream os;
      os << r.pfn << ',' << r.order << ',' << r.pages() << ',' << r.gfp_mask << ',';
      write_csv_field(os, r.gfp_flags);
      os << ',';
      if (r.pid) os << *r.pid;
      os << ',';
      if (r.tgid) os << *r.tgid;
      os << ',';
      write_csv_field(os, r.comm);
      os << ',';
      if (r.ts_nsec) os << *r.ts_nsec;
      os << ',';
      if (r.free_ts_nsec) os << *r.free_ts_nsec;
      os << ',';
      write_csv_field(os, r.page_migratetype);
      os << ',';
      write_csv_field(os, r.pageblock_migratetype);
      os << ',' << r.page_flags << ',';
      if (r.stack_handle) os << *r.stack_handle;
      os << ',';
      write_csv_field(os, join_frames(r.stack));
      os << ',';
      write_csv_field(os, r.last_migrate_reason.value_or(""));
      os << ',';
      write_csv_field(os, r.memcg ? r.memcg->name : "");
      os << ',' << (r.freed ? 1 : 0) << '\n';
      out += os.str();
      break;
    }
  }
}

void RecordWriter::header() {
  if (header_done_ || format_ != OutputFormat::Csv) return;
  buffer_ +=
      "pfn,order,pages,gfp_mask,gfp_flags,pid,tgid,comm,ts_nsec,free_ts_nsec,page_migratetype,"
      "pageblock_migratetype,page_flags,stack_handle,stack,last_migrate_reason,memcg,freed\n";
  header_done_ = true;
}

void RecordWriter::write(const PageOwnerRecord& r) {
  header();
  format(buffer_, r);
  flush_if_full();
}

void RecordWriter::write_formatted(std::string_view text, uint64_t records) {
  if (!records) return;
  header();
  buffer_ += text;
  flush_if_full();
}

void RecordWriter::finish() {
  if (!buffer_.empty()) out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
  out_.flush();
}

}  // namespace ramsift
