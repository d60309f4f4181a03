// Helpers shared by the raw and Qualcomm reader tests: a scratch directory,
// the test specs, a page-by-page comparison against SpecMemory and running
// the CLI binary.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"
#include "ramsift/dump/spec_memory.h"

namespace ramsift::raw_test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ramsift-rawtest-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

inline SpecMemory load_spec(const std::string& name) {
  auto spec = SpecMemory::parse(read_text(std::string(RAMSIFT_TEST_DATA) + "/" + name));
  REQUIRE(spec);
  return std::move(*spec);
}

inline Result<std::unique_ptr<Dump>> open_one(const std::string& input, const OpenOptions& options = {}) {
  std::vector<std::string> inputs{input};
  return open_dump(inputs, options);
}

// Every page of `spec` that is not excluded reads back identically from
// `dump`. Excluded pages are skipped: raw formats write them as zeros.
inline void check_same_pages(const SpecMemory& spec, const PhysicalMemory& dump) {
  uint64_t compared = 0;
  std::vector<std::byte> want(spec.page_size()), got(spec.page_size());
  for (const PhysRange& r : spec.ranges()) {
    for (uint64_t a = r.start.value(); a < r.end().value(); a += spec.page_size()) {
      if (spec.excluded(PhysAddr{a})) continue;
      REQUIRE(spec.read_exact(PhysAddr{a}, want));
      Status s = dump.read_exact(PhysAddr{a}, got);
      INFO("page at " << hex(a) << ": " << (s ? std::string("ok") : s.error().to_string()));
      REQUIRE(s);
      REQUIRE(want == got);
      ++compared;
    }
  }
  CHECK(compared > 0);
}

struct CliRun {
  int exit_code = -1;
  std::string err;
};

// Runs "ramsift ARGS" through the shell; args must be shell-safe.
inline CliRun run_cli(const std::string& args, const ScratchDir& scratch) {
  std::string err_path = scratch / "stderr.txt";
  std::string command = std::string(RAMSIFT_BINARY) + " " + args + " >/dev/null 2>" + err_path;
  int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = read_text(err_path);
  return run;
}

}  // namespace ramsift::raw_test
