#include "ramsift/symbolize/records_input.h"

#include "ramsift/decode/page_owner_text.h"
#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

namespace {

class TextRecords final : public RecordsInput {
 public:
  explicit TextRecords(std::unique_ptr<PageOwnerTextInput> in) : in_(std::move(in)) {}
  std::string describe() const override { return "page_owner text " + in_->origin(); }

 protected:
  PageOwnerSource& raw_source() override { return *in_; }

 private:
  std::unique_ptr<PageOwnerTextInput> in_;
};

class DumpInput final : public RecordsInput {
 public:
  DumpInput(std::unique_ptr<Dump> dump, std::unique_ptr<Kernel> kernel, std::unique_ptr<DumpRecords> records)
      : dump_(std::move(dump)), kernel_(std::move(kernel)), records_(std::move(records)) {}
  std::string describe() const override { return "dump of Linux " + kernel_->release(); }
  DumpRecords* dump() override { return records_.get(); }

 protected:
  PageOwnerSource& raw_source() override { return *records_; }

 private:
  // Declared in the order they depend on each other: destroyed in reverse.
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<DumpRecords> records_;
};

}  // namespace

class RecordsInput::Counting final : public PageOwnerSource {
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

RecordsInput::RecordsInput() = default;
RecordsInput::~RecordsInput() = default;

PageOwnerSource& RecordsInput::source() {
  if (!counting_) counting_ = std::make_unique<Counting>(raw_source());
  return *counting_;
}

uint64_t RecordsInput::returned() const {
  return counting_ ? counting_->returned_ : 0;
}

void RecordsInput::add_returned(uint64_t records) {
  source();  // the counter lives there
  counting_->returned_ += records;
}

RecordsVerdict RecordsInput::verdict() {
  RecordsVerdict v;
  const std::vector<Error>& problems = source().problems();
  v.lines = summarize_errors(problems);
  if (problems.empty()) return v;
  if (returned() == 0) {
    // Problems and not one record: a truncated or damaged dump, not a result
    // with parts missing.
    v.lines.push_back("no record could be read (" + std::to_string(problems.size()) + " problems above)");
    v.outcome = RecordsVerdict::Outcome::Nothing;
  } else {
    v.outcome = RecordsVerdict::Outcome::Partial;
  }
  return v;
}

Result<uint64_t> RecordsInput::page_size(std::optional<uint64_t> requested, bool* assumed) {
  if (assumed) *assumed = false;
  if (requested && (*requested < 4096 || *requested > (uint64_t{256} << 10) || (*requested & (*requested - 1))))
    return bad_input("--page-size " + std::to_string(*requested) +
                     ": the kernel's page size is a power of two from 4096 to 262144");
  if (DumpRecords* records = dump()) {
    const uint64_t own = records->kernel().page_size();
    if (requested && *requested != own)
      return bad_input("--page-size " + std::to_string(*requested) + " contradicts the dump's page size " +
                       std::to_string(own) + " (" + describe() + ")");
    return own;
  }
  if (requested) return *requested;
  if (assumed) *assumed = true;
  return uint64_t{4096};
}

Result<std::unique_ptr<Dump>> RecordsInput::open_dump_of(const RecordsRequest& request, const HostDump& host) {
  if (host) return host();
  RAMSIFT_TRY(OpenOptions open, parse_open_options(request.kernel));
  return open_dump(request.inputs, open);
}

Result<std::unique_ptr<Kernel>> RecordsInput::open_kernel_of(const Dump& dump, const RecordsRequest& request) {
  RAMSIFT_TRY(KernelOptions options, parse_kernel_options(request.kernel, request.symbol_dirs));
  return Kernel::open(dump, options);
}

Result<std::unique_ptr<RecordsInput>> RecordsInput::open(const RecordsRequest& request, const HostDump& host,
                                                         std::vector<Error>* dump_problems) {
  if (!host && request.inputs.size() == 1 &&
      (request.inputs[0] == "-" || looks_like_page_owner_text(request.inputs[0]))) {
    RAMSIFT_TRY(auto in, PageOwnerTextInput::open(request.inputs[0]));
    return std::unique_ptr<RecordsInput>(std::make_unique<TextRecords>(std::move(in)));
  }
  RAMSIFT_TRY(std::unique_ptr<Dump> dump, open_dump_of(request, host));
  if (dump_problems) *dump_problems = dump->problems();
  RAMSIFT_TRY(std::unique_ptr<Kernel> kernel, open_kernel_of(*dump, request));
  RAMSIFT_TRY(std::unique_ptr<DumpRecords> records, DumpRecords::open(*kernel, request.walk));
  records->set_threads(request.threads);
  return std::unique_ptr<RecordsInput>(
      std::make_unique<DumpInput>(std::move(dump), std::move(kernel), std::move(records)));
}

}  // namespace ramsift
