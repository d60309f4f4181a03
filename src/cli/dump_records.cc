// open_records() for dumps: the dump, its kernel, and the page_owner walk.
#include "ramsift/symbolize/dump_records.h"

#include "records.h"

namespace ramsift::cli {

namespace {

class DumpOpenedRecords final : public OpenedRecords {
 public:
  std::unique_ptr<Dump> dump;
  std::unique_ptr<Kernel> kernel;
  std::unique_ptr<DumpRecords> records;

  PageOwnerSource& raw_source() override { return *records; }
  std::string describe() const override { return "dump of Linux " + kernel->release(); }
};

}  // namespace

std::unique_ptr<OpenedRecords> open_dump_records(const RecordsOptions& options, Context& context) {
  DumpOptions dump_options;
  dump_options.inputs = options.inputs;
  dump_options.kernel = options.kernel;
  auto opened = std::make_unique<DumpOpenedRecords>();
  opened->dump = open_or_report(dump_options, context);
  if (!opened->dump) return nullptr;
  opened->kernel = open_kernel(*opened->dump, options.kernel, context);
  if (!opened->kernel) return nullptr;
  auto records = DumpRecords::open(*opened->kernel, options.walk);
  if (!records) {
    report(records.error());
    context.exit_code = kFailed;
    return nullptr;
  }
  opened->records = std::move(*records);
  return opened;
}

DumpRecords* dump_records_of(OpenedRecords& records) {
  auto* d = dynamic_cast<DumpOpenedRecords*>(&records);
  return d ? d->records.get() : nullptr;
}

}  // namespace ramsift::cli
