// Qualcomm ramdump directories: DDRCS<n>_<m>.BIN per range (range n, part m
// when max_file_size splits it), load.cmm and/or dump_info.txt in the forms
// QPST writes (see src/dump/qualcomm.h), and optionally an IMEM file.
// Excluded pages become zeros (raw_image.h): the format cannot exclude.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "raw_image.h"

namespace ramsift {

namespace {

struct BinFile {
  std::string name;
  std::string region;  // dump_info.txt's description column
  PhysAddr start;
  uint64_t size = 0;
};

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return io_error(std::string("write: ") + std::strerror(errno)).in_file(path);
  return {};
}

// The block QPST writes per file; ramparse reads the 4-word d.load.binary line.
std::string load_cmm_text(const std::vector<BinFile>& files) {
  std::string text;
  for (const BinFile& f : files)
    text += "if OS.FILE(" + f.name + ")\n(\n  d.load.binary " + f.name + " " + hex(f.start.value()) + " /noclear\n)\n";
  return text;
}

std::string pad_left(std::string s, size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// "   1 0x0000000080000000          4194304   DDR CS0 part0 Memo         DDRCS0_0.BIN"
std::string dump_info_row(unsigned pref, uint64_t base, uint64_t length, const std::string& region,
                          const std::string& name) {
  char base_text[24];
  std::snprintf(base_text, sizeof base_text, "0x%016" PRIx64, base);
  return pad_left(std::to_string(pref), 4) + " " + base_text + " " + pad_left(std::to_string(length), 16) + " " +
         pad_left(region, 20) + " " + pad_left(name, 20) + "\n";
}

std::string dump_info_text(const std::vector<BinFile>& files, std::optional<uint64_t> load_cmm_size) {
  std::string text =
      "pref               base     length               region            file name\n"
      "----------------------------------------------------------------------------\n";
  for (const BinFile& f : files) text += dump_info_row(1, f.start.value(), f.size, f.region, f.name);
  // QPST lists the script too, with pref 2; readers must skip it.
  if (load_cmm_size) text += dump_info_row(2, 0, *load_cmm_size, "CMM Script", "load.cmm");
  return text;
}

}  // namespace

Status write_qualcomm_dir(const WriteSource& source, const std::string& dir, const QualcommWriteOptions& options) {
  if (!source.memory) return bad_input("no memory to write").in_file(dir);
  if (!options.load_cmm && !options.dump_info)
    return bad_input("a Qualcomm ramdump needs load.cmm or dump_info.txt; both are switched off").in_file(dir);
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create the directory: " + ec.message()).in_file(dir);

  std::vector<BinFile> files;
  if (options.imem) {
    const auto& imem = *options.imem;
    std::string path = (fs::path(dir) / imem.name).string();
    std::string bytes(reinterpret_cast<const char*>(imem.bytes.data()), imem.bytes.size());
    RAMSIFT_TRY_STATUS(write_text(path, bytes));
    files.push_back({imem.name, "OCIMEM", PhysAddr{imem.base}, imem.bytes.size()});
  }
  unsigned index = 0;
  for (const PhysRange& range : source.memory->ranges()) {
    uint64_t part_size = options.max_file_size ? options.max_file_size : range.size;
    unsigned part = 0;
    for (uint64_t done = 0; done < range.size; done += part_size, ++part) {
      BinFile f;
      f.name = "DDRCS" + std::to_string(index) + "_" + std::to_string(part) + ".BIN";
      // QPST cuts the description to 18 characters ("DDR CS0 part0 Memo").
      f.region = ("DDR CS" + std::to_string(index) + " part" + std::to_string(part) + " Memory").substr(0, 18);
      f.start = range.start + done;
      f.size = std::min(part_size, range.size - done);
      RAMSIFT_TRY_STATUS(write_raw_image(source, f.start, f.size, (fs::path(dir) / f.name).string()));
      files.push_back(std::move(f));
    }
    ++index;
  }

  std::optional<uint64_t> load_cmm_size;
  if (options.load_cmm) {
    std::string text = load_cmm_text(files);
    RAMSIFT_TRY_STATUS(write_text((fs::path(dir) / "load.cmm").string(), text));
    load_cmm_size = text.size();
  }
  if (options.dump_info)
    RAMSIFT_TRY_STATUS(write_text((fs::path(dir) / "dump_info.txt").string(), dump_info_text(files, load_cmm_size)));
  return {};
}

}  // namespace ramsift
