#include "records.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "ramsift/base/mapped_file.h"
#include "ramsift/decode/page_owner_text.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift::cli {

namespace {

class TextRecords final : public OpenedRecords {
 public:
  TextRecords(MappedFile file) : file_(std::move(file)), reader_(as_text(file_), file_.path()) {}
  PageOwnerSource& raw_source() override { return reader_; }
  std::string describe() const override { return "page_owner text " + file_.path(); }

 private:
  MappedFile file_;
  PageOwnerTextReader reader_;
};

// A page_owner text on standard input (`adb shell cat
// /sys/kernel/debug/page_owner | ramsift top -`): read whole, then parsed
// like a file.
class StdinRecords final : public OpenedRecords {
 public:
  explicit StdinRecords(std::string text) : text_(std::move(text)), reader_(text_, "<stdin>") {}
  PageOwnerSource& raw_source() override { return reader_; }
  std::string describe() const override { return "page_owner text <stdin>"; }

 private:
  std::string text_;
  PageOwnerTextReader reader_;
};

// A page_owner text file starts with a record (or is empty); no dump format
// starts with these bytes.
bool looks_like_page_owner_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char head[16] = {};
  in.read(head, sizeof head);
  std::string_view got(head, static_cast<size_t>(in.gcount()));
  return got.empty() || std::string_view("Page allocated v").starts_with(got) || got.starts_with("Page allocated v");
}

}  // namespace

void add_records_options(CLI::App& command, RecordsOptions& options, const char* positional) {
  command
      .add_option(positional, options.inputs,
                  "page_owner text (a copy of /sys/kernel/debug/page_owner), or a dump: a file (all parts of a split "
                  "dump), a Qualcomm ramdump directory, or FILE@ADDR[,FILE@ADDR...]")
      ->required();
  add_kernel_options(command, options.kernel);
}

std::unique_ptr<OpenedRecords> open_records(const RecordsOptions& options, Context& context) {
  if (context.host_dump) return open_dump_records(options, context);
  if (options.inputs.size() == 1 && options.inputs[0] == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (text.empty()) {
      report(bad_input("empty input: no page_owner records").in_file("<stdin>"));
      context.exit_code = kFailed;
      return nullptr;
    }
    return std::make_unique<StdinRecords>(std::move(text));
  }
  if (options.inputs.size() == 1 && looks_like_page_owner_text(options.inputs[0])) {
    auto file = MappedFile::open(options.inputs[0]);
    if (file && file->size() == 0)
      file = bad_input("empty file: no page_owner records (a copy of /sys/kernel/debug/page_owner, or a dump)")
                 .in_file(options.inputs[0]);
    if (!file) {
      report(file.error());
      context.exit_code = kFailed;
      return nullptr;
    }
    return std::make_unique<TextRecords>(std::move(*file));
  }
  return open_dump_records(options, context);
}

void add_page_size_option(CLI::App& command, std::optional<uint64_t>& page_size) {
  command.add_option("--page-size", page_size,
                     "Bytes per page for sizes of a page_owner text (default 4096); a dump's own page size is used "
                     "for dumps");
}

std::optional<uint64_t> page_size_for(OpenedRecords& records, std::optional<uint64_t> requested, Context& context) {
  auto refuse = [&](const std::string& why) -> std::optional<uint64_t> {
    report(bad_input(why));
    context.exit_code = kFailed;
    return std::nullopt;
  };
  if (requested && (*requested < 4096 || *requested > (uint64_t{256} << 10) || (*requested & (*requested - 1))))
    return refuse("--page-size " + std::to_string(*requested) +
                  ": the kernel's page size is a power of two from 4096 to 262144");
  if (DumpRecords* dump = dump_records_of(records)) {
    uint64_t own = dump->kernel().page_size();
    if (requested && *requested != own)
      return refuse("--page-size " + std::to_string(*requested) + " contradicts the dump's page size " +
                    std::to_string(own) + " (" + records.describe() + ")");
    return own;
  }
  if (requested) return requested;
  if (!context.quiet)
    std::cerr << "ramsift: note: sizes assume 4096-byte pages: a page_owner text does not say its page size "
                 "(--page-size)\n";
  return uint64_t{4096};
}

void walk_over(const PfnRange& range, PageOwnerWalkOptions& walk) {
  walk.first_pfn = range.first;
  walk.end_pfn = range.last == UINT64_MAX ? range.last : range.last + 1;
}

class OpenedRecords::Counting final : public PageOwnerSource {
 public:
  explicit Counting(PageOwnerSource& inner) : inner_(inner) {}
  bool next(PageOwnerRecord& record) override {
    if (!inner_.next(record)) return false;
    ++returned_;
    return true;
  }
  PageOwnerTextFormat text_format() const override { return inner_.text_format(); }
  const std::vector<Error>& problems() const override { return inner_.problems(); }
  uint64_t returned_ = 0;

 private:
  PageOwnerSource& inner_;
};

OpenedRecords::OpenedRecords() = default;
OpenedRecords::~OpenedRecords() = default;

PageOwnerSource& OpenedRecords::source() {
  if (!counting_) counting_ = std::make_unique<Counting>(raw_source());
  return *counting_;
}

uint64_t OpenedRecords::returned() const {
  return counting_ ? counting_->returned_ : 0;
}

void finish_records(OpenedRecords& records, Context& context) {
  const std::vector<Error>& problems = records.source().problems();
  for (const Error& e : problems) report(e);
  if (problems.empty()) return;
  // Problems and not one record: nothing usable (a truncated or damaged
  // dump), not a result with parts missing.
  if (records.returned() == 0) {
    std::cerr << "ramsift: no record could be read (" << problems.size() << " problems above)\n";
    context.exit_code = kFailed;
  } else if (context.exit_code == kOk) {
    context.exit_code = kPartial;
  }
}

}  // namespace ramsift::cli
