// Fuzz target: the whole dump pipeline — the kernel opener (KASLR and layout
// found in memory), the memory model, the page_owner walker, the stack depot,
// tasks and modules — on the bundled sample's real physical memory with
// fuzzer-chosen damage (tests/support/overlay_dump.h), the sample untouched.
//
// Input: up to 16 mutations of 8 bytes each:
//   0-3  which page: an index (mod the count) into the pages a clean run
//        of the same (bounded) pipeline reads
//   4-5  where in the page (mod 4096)
//   6    what: 0 xor the byte with [7]; 1 set it to [7]; 2 zero the aligned
//        u64; 3 set the aligned u64 to all ones; 4 drop the page (absent);
//        5 add [7] - 128 to the aligned u64 (a pointer moved)
//   7    the value
// The pipeline must neither crash nor hang (the sanitizers and libFuzzer's
// timeout watch); a walk that opened must report what it could not read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support/overlay_dump.h"
#include "support/sample_pipeline.h"

using namespace ramsift;

namespace {

constexpr uint64_t kPage = 4096;
// Records walked per input: the kernel opener, the model, the depot, tasks
// and modules run whole; the walk stops after the first kRecords records
// (about 0.1 s a run instead of 1.4 with the fuzzer's instrumentation).
constexpr size_t kRecords = 2000;

struct Sample {
  std::unique_ptr<Dump> dump;
  std::vector<uint64_t> pages;  // physical addresses of the pages the sample holds
  KernelOptions options;
};

const Sample& sample() {
  static const Sample sample = [] {
    Sample s;
    std::vector<std::string> inputs = {RAMSIFT_SAMPLE_DUMP};
    auto dump = open_dump(inputs, OpenOptions{});
    if (!dump) {
      fprintf(stderr, "pipeline_fuzz: %s\n", dump.error().to_string().c_str());
      abort();
    }
    s.dump = std::move(*dump);
    s.options = testing::sample_kernel_options(RAMSIFT_SOURCE_SYMBOLS);
    // The pages a clean run of the bounded pipeline reads: where damage
    // can change what it does.
    std::set<uint64_t> touched;
    testing::OverlayDump recorder(*s.dump);
    recorder.record_pages(&touched);
    (void)testing::run_pipeline(recorder, s.options, kRecords);
    for (uint64_t page : touched) s.pages.push_back(page * kPage);
    return s;
  }();
  return sample;
}

uint64_t le64(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Sample& s = sample();
  if (s.pages.empty()) return 0;
  testing::OverlayDump damaged(*s.dump);
  for (size_t i = 0; i + 8 <= size && i < 16 * 8; i += 8) {
    uint32_t which = 0;
    std::memcpy(&which, data + i, 4);
    const uint64_t page = s.pages[which % s.pages.size()];
    const uint64_t at = page + (data[i + 4] | data[i + 5] << 8) % kPage;
    const uint8_t value = data[i + 7];
    std::byte old{};
    (void)s.dump->read(PhysAddr(at), std::span<std::byte>(&old, 1));
    uint8_t word[8] = {};
    const uint64_t aligned = at & ~uint64_t{7};
    switch (data[i + 6] % 6) {
      case 0: damaged.set(PhysAddr(at), old ^ std::byte{value}); break;
      case 1: damaged.set(PhysAddr(at), std::byte{value}); break;
      case 2:
      case 3:
        for (int b = 0; b < 8; ++b)
          damaged.set(PhysAddr(aligned + b), data[i + 6] % 6 == 2 ? std::byte{0} : std::byte{0xff});
        break;
      case 4: damaged.drop(PhysAddr(page)); break;
      case 5: {
        (void)s.dump->read(PhysAddr(aligned), std::as_writable_bytes(std::span<uint8_t>(word)));
        uint64_t v = le64(word) + static_cast<uint64_t>(int64_t{value} - 128);
        for (int b = 0; b < 8; ++b) damaged.set(PhysAddr(aligned + b), std::byte(v >> (8 * b)));
        break;
      }
    }
  }
  testing::PipelineOutcome outcome = testing::run_pipeline(damaged, s.options, kRecords);
  if (!outcome.failed && damaged.empty() && !outcome.problems.empty()) __builtin_trap();  // the clean sample
  return 0;
}
