#include "records.h"

#include <iostream>

#include "ramsift/decode/page_owner_text.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift::cli {

namespace {

class TextRecords final : public OpenedRecords {
 public:
  explicit TextRecords(std::unique_ptr<PageOwnerTextInput> in) : in_(std::move(in)) {}
  PageOwnerSource& raw_source() override { return *in_; }
  std::string describe() const override { return "page_owner text " + in_->origin(); }

 private:
  std::unique_ptr<PageOwnerTextInput> in_;
};

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
  if (options.inputs.size() == 1 && (options.inputs[0] == "-" || looks_like_page_owner_text(options.inputs[0]))) {
    auto in = PageOwnerTextInput::open(options.inputs[0]);
    if (!in) {
      fail(context, in.error());
      return nullptr;
    }
    return std::make_unique<TextRecords>(std::move(*in));
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
  for (const std::string& line : summarize_errors(problems)) std::cerr << "ramsift: " << line << '\n';
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
