// Where a command's page_owner records come from, opened one way for every
// caller (the CLI, the crash extension, tests): a debugfs text file (what
// page_owner_sort users hold, or "-" for stdin) or a dump with its kernel
// and the page_owner walk (dump_records.h). One opening chain: dump, kernel,
// memory model, names, stack depot, symbolizer, walker.
//
//   RecordsRequest req;  req.inputs = {"DDRCS0_0.BIN", ...};  req.kernel.vmlinux = "vmlinux";
//   std::vector<Error> dump_problems;                   // not fatal: exit 1
//   RAMSIFT_TRY(auto in, RecordsInput::open(req, {}, &dump_problems));
//   PageOwnerRecord r;
//   while (in->source().next(r)) ...
//   RecordsVerdict v = in->verdict();                    // the source's problems, summarized
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/page_owner_source.h"
#include "ramsift/dump/dump.h"
#include "ramsift/kernel/kernel.h"
#include "ramsift/kernel/kernel_options.h"

namespace ramsift {

class DumpRecords;

struct RecordsRequest {
  // One input: a page_owner text file ("-": stdin), or a dump (several files
  // for a split dump, a Qualcomm directory, FILE@ADDR lists).
  std::vector<std::string> inputs;
  KernelOptionsText kernel;              // --vmlinux, --modules, overrides (dumps only)
  PageOwnerWalkOptions walk;             // dumps only: pfn range, --freed
  unsigned threads = 0;                  // dumps only: walker threads, 0 every core
  std::vector<std::string> symbol_dirs;  // where vmlinux files are looked for
};

// The memory a host program holds (the crash extension: crash's readmem);
// the request's inputs then only name the dump in messages.
using HostDump = std::function<Result<std::unique_ptr<Dump>>()>;

// After the records were read: the problems, one line per class
// (summarize_errors), and what they make of the result.
struct RecordsVerdict {
  enum class Outcome { Whole, Partial, Nothing };  // exit 0, 1, 2
  Outcome outcome = Outcome::Whole;
  std::vector<std::string> lines;
};

class RecordsInput {
 public:
  // A text when the one input is "-" or reads as page_owner text; else a dump.
  // *dump_problems (when given) gets the dump's non-fatal problems as soon as
  // it opens, so a kernel that then fails to open still has them said.
  static Result<std::unique_ptr<RecordsInput>> open(const RecordsRequest& request, const HostDump& host = {},
                                                    std::vector<Error>* dump_problems = nullptr);
  // The dump and its kernel, opened the same way (for commands that read
  // more than page_owner: page, vtop, ps, info).
  static Result<std::unique_ptr<Dump>> open_dump_of(const RecordsRequest& request, const HostDump& host = {});
  static Result<std::unique_ptr<Kernel>> open_kernel_of(const Dump& dump, const RecordsRequest& request);

  RecordsInput();
  virtual ~RecordsInput();
  RecordsInput(const RecordsInput&) = delete;
  RecordsInput& operator=(const RecordsInput&) = delete;

  // The records, counted as they are read.
  PageOwnerSource& source();
  uint64_t returned() const;
  // Records read past source() (list_page_owner's chunks), counted too.
  void add_returned(uint64_t records);
  // "page_owner text FILE" or "dump of Linux RELEASE".
  virtual std::string describe() const = 0;
  // The dump side (kernel, walker, stats), or null for a text.
  virtual DumpRecords* dump() { return nullptr; }
  // The source's problems after the records were read: 0 records with
  // problems is nothing usable, some records with problems a partial result.
  RecordsVerdict verdict();
  // The bytes per page sizes are computed with: a dump's own page size (a
  // `requested` one that contradicts it is BadInput); for a text, `requested`,
  // else 4096 with *assumed set (the text does not say). A size that is no
  // power of two from 4096 to 262144 (the kernel's PAGE_SIZE choices) is
  // BadInput.
  Result<uint64_t> page_size(std::optional<uint64_t> requested, bool* assumed = nullptr);

 protected:
  virtual PageOwnerSource& raw_source() = 0;

 private:
  class Counting;
  std::unique_ptr<Counting> counting_;
};

}  // namespace ramsift
