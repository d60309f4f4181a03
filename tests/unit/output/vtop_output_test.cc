// ramsift vtop output: the text block per address (entries per level, the
// large page, the failing entry), JSON and CSV, and the fast-path verdict.
#include <doctest/doctest.h>

#include <sstream>

#include "ramsift/output/vtop.h"

using namespace ramsift;

namespace {

// A 2 MiB kernel image page the fast path agrees with, and an address whose
// walk stops at a PTE that is not present.
std::vector<VtopEntry> entries() {
  VtopEntry image;
  image.input = "_text";
  image.va = VirtAddr(0xffffffff8bc00010);
  image.translation = Translation{PhysAddr(0x26a00010), uint64_t{2} << 20};
  image.steps = {{"PGD", PhysAddr(0x2740a000), 0x1ff, PhysAddr(0x2740aff8), 0x2740b067},
                 {"PUD", PhysAddr(0x2740b000), 0x1fe, PhysAddr(0x2740bff0), 0x2740c063},
                 {"PMD", PhysAddr(0x2740c000), 0x5e, PhysAddr(0x2740c2f0), 0x26a001e1}};
  image.fast_path = "kernel image";
  image.fast_pa = PhysAddr(0x26a00010);
  VtopEntry hole;
  hole.input = "ffffffffc012a000";
  hole.va = VirtAddr(0xffffffffc012a000);
  hole.error = "va 0xffffffffc012a000: PTE entry 0x0 not present";
  hole.steps = {{"PGD", PhysAddr(0x2740a000), 0x1ff, PhysAddr(0x2740aff8), 0x2740b067},
                {"PTE", PhysAddr(0x20f7a000), 0x12a, PhysAddr(0x20f7a950), 0}};
  return {image, hole};
}

}  // namespace

TEST_CASE("output: vtop text shows each level, the large page and the failing entry") {
  std::ostringstream out;
  print_vtop(entries(), OutputFormat::Text, out);
  std::string s = out.str();
  CHECK(s.find("ffffffff8bc00010  26a00010          2 MiB      kernel image 26a00010 (agrees)\n") != std::string::npos);
  CHECK(s.find("  PMD            2740c000     5e          2740c2f0          26a001e1  2 MiB page at 26a00000\n") !=
        std::string::npos);
  CHECK(s.find("ffffffffc012a000  (not mapped)      -          none\n") != std::string::npos);
  CHECK(s.find("  PTE            20f7a000    12a          20f7a950                 0  va 0xffffffffc012a000: PTE "
               "entry 0x0 not present\n") != std::string::npos);
}

TEST_CASE("output: vtop verdicts, CSV and JSON") {
  std::vector<VtopEntry> e = entries();
  CHECK(e[0].fast_path_verdict() == "agrees");
  CHECK(e[1].fast_path_verdict() == "");
  e[0].fast_pa = PhysAddr(0x26a01010);
  CHECK(e[0].fast_path_verdict() == "DISAGREES");
  e[1].fast_path = "direct map";
  e[1].fast_pa = PhysAddr(0x1000);
  CHECK(e[1].fast_path_verdict() == "walk failed");

  std::ostringstream csv;
  print_vtop(entries(), OutputFormat::Csv, csv);
  CHECK(csv.str() ==
        "virtual,physical,page_size,fast_path,fast_path_physical,fast_path_agrees,levels,error\n"
        "0xffffffff8bc00010,0x26a00010,2097152,kernel image,0x26a00010,yes,"
        "PGD:2740aff8=2740b067 PUD:2740bff0=2740c063 PMD:2740c2f0=26a001e1,\n"
        "0xffffffffc012a000,,,,,,PGD:2740aff8=2740b067 PTE:20f7a950=0,"
        "va 0xffffffffc012a000: PTE entry 0x0 not present\n");

  std::ostringstream json;
  print_vtop(entries(), OutputFormat::Json, json);
  std::string j = json.str();
  CHECK(j.find("\"physical\": \"0x26a00010\"") != std::string::npos);
  CHECK(j.find("\"page_size\": 2097152") != std::string::npos);
  CHECK(j.find("\"fast_path_agrees\": true") != std::string::npos);
  CHECK(j.find("\"physical\": null") != std::string::npos);
  CHECK(j.find("\"entry_address\": \"0x20f7a950\"") != std::string::npos);
  CHECK(j.find("\"error\": \"va 0xffffffffc012a000: PTE entry 0x0 not present\"") != std::string::npos);
}
