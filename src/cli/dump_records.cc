#include "records.h"

namespace ramsift::cli {

std::unique_ptr<OpenedRecords> open_dump_records(const RecordsOptions& options, Context& context) {
  report(Error(ErrorCode::NotImplemented, "page_owner records from a dump: not yet (give a page_owner text file)")
             .in_file(options.inputs.empty() ? std::string() : options.inputs[0]));
  context.exit_code = kFailed;
  return nullptr;
}

}  // namespace ramsift::cli
