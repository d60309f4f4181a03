// ramsift diff output: JSON is one document with schema and version, CSV has
// a header row and one row per changed key; the CLI's exit codes.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ramsift/output/diff.h"

using namespace ramsift;

namespace {

DiffResult small_diff() {
  DiffResult r;
  r.by = DiffKey::Comm;
  r.before.records = r.before.matched_records = 2;
  r.before.pages = r.before.matched_pages = 3;
  r.after.records = r.after.matched_records = 2;
  r.after.pages = r.after.matched_pages = 5;
  DiffEntry grew;
  grew.key = "a,b";
  grew.before_pages = 1, grew.after_pages = 5, grew.before_records = 1, grew.after_records = 2;
  DiffEntry gone;
  gone.key = "x";
  gone.before_pages = 2, gone.before_records = 1;
  r.entries = {grew, gone};
  r.grew_count = r.vanished_count = 1;
  r.grew_pages = 4, r.shrank_pages = 2;
  return r;
}

std::string run_cli(const std::string& args, int& status) {
  std::string out = "/tmp/ramsift-diff-cli-" + std::to_string(getpid());
  int s = std::system((std::string(RAMSIFT_BINARY) + " " + args + " > " + out + " 2>&1").c_str());
  status = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(out.c_str());
  return text.str();
}

}  // namespace

TEST_CASE("output: diff: signed sizes") {
  CHECK(signed_size(0) == "0 B");
  CHECK(signed_size(4096) == "+4 KiB");
  CHECK(signed_size(-8192) == "-8 KiB");
}

TEST_CASE("output: diff: text, JSON and CSV") {
  DiffResult r = small_diff();
  std::ostringstream text, json, csv;
  print_diff(r, OutputFormat::Text, 4096, text);
  print_diff(r, OutputFormat::Json, 4096, json);
  print_diff(r, OutputFormat::Csv, 4096, csv);
  CHECK(text.str() ==
        "before: 2 records, 3 pages (12 KiB)\n"
        "after:  2 records, 5 pages (20 KiB)\n"
        "change: +2 pages (+8 KiB); by comm: 1 grew (0 new, +4 pages), 1 shrank (1 vanished, -2 pages), 0 "
        "unchanged\n"
        "BEFORE  AFTER  DELTA     SIZE  CHANGE    COMM\n"
        "     1      5     +4  +16 KiB  grew      a,b\n"
        "     2      0     -2   -8 KiB  vanished  x\n");
  CHECK(csv.str() ==
        "change,before_pages,after_pages,delta_pages,delta_bytes,before_records,after_records,comm\n"
        "grew,1,5,4,16384,1,2,\"a,b\"\n"
        "vanished,2,0,-2,-8192,1,0,x\n");
  std::string j = json.str();
  CHECK(j.find("\"schema\": \"ramsift.diff\"") != std::string::npos);
  CHECK(j.find("\"version\": 1") != std::string::npos);
  CHECK(j.find("\"delta_bytes\": -8192") != std::string::npos);
  CHECK(j.find("\"comm\": \"a,b\"") != std::string::npos);
}

TEST_CASE("output: ramsift diff and flamegraph: exit codes, errors name the file and line") {
  std::string data = std::string(RAMSIFT_TEST_DATA) + "/page_owner/";
  std::string both = data + "synthetic-diff-before.txt " + data + "synthetic-diff-after.txt";
  int status = -1;
  std::string out = run_cli("diff " + both + " --by module --format csv --page-size 4096", status);
  CHECK(status == 0);
  CHECK(
      out.starts_with("change,before_pages,after_pages,delta_pages,delta_bytes,before_records,after_records,"
                      "module\n"));
  CHECK(out.find("grew,2,6,4,16384,2,3,drv\n") != std::string::npos);
  CHECK(out.find("vanished,1,0,-1,-4096,1,0,oldmod\n") != std::string::npos);
  // top's keys, one at a time: pid is one; a word that is none is refused.
  out = run_cli("diff " + both + " --by pid --format csv --page-size 4096", status);
  CHECK(status == 0);
  CHECK(out.find(",after_records,pid\n") != std::string::npos);
  run_cli("diff " + both + " --by nonsense", status);
  CHECK(status == 2);
  out = run_cli("diff " + data + "synthetic-diff-before.txt /nonexistent/after.txt", status);
  CHECK(status == 2);
  CHECK(out.find("/nonexistent/after.txt") != std::string::npos);

  std::string rules = "/tmp/ramsift-bad-rules-" + std::to_string(getpid());
  {
    std::ofstream r(rules);
    r << "# fine\ngpu kgsl_*\nbroken\n";
  }
  for (std::string command : {"top " + data + "synthetic-diff-after.txt", "diff " + both,
                              "flamegraph " + data + "synthetic-diff-after.txt"}) {
    CAPTURE(command);
    out = run_cli(command + " --categories " + rules, status);
    CHECK(status == 2);
    CHECK(out == "ramsift: " + rules + ": line 3: category \"broken\" has no patterns\n");
  }
  std::remove(rules.c_str());
  out = run_cli("flamegraph " + data + "synthetic-diff-after.txt --folded --function '^drv_'", status);
  CHECK(status == 0);
  CHECK(out ==
        "do_one_initcall;0xffffffffc0b07000;drv_alloc_buf [drv];__alloc_pages_noprof;get_page_from_freelist;"
        "post_alloc_hook 6\n");
  run_cli("flamegraph " + data + "synthetic-diff-after.txt -o /nonexistent/dir/x.svg", status);
  CHECK(status == 2);
}
