#include "ramsift/symbolize/source_lines.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "llvm/lines.h"

namespace ramsift {

namespace fs = std::filesystem;

namespace {

// Kernel top-level source directories: a path is cut before the first.
constexpr const char* kTopDirs[] = {"arch/", "block/",    "certs/",    "crypto/", "drivers/", "fs/",     "include/",
                                    "init/", "io_uring/", "ipc/",      "kernel/", "lib/",     "mm/",     "net/",
                                    "rust/", "samples/",  "security/", "sound/",  "virt/",    "scripts/"};

std::string source_path(const std::string& path) {
  size_t best = std::string::npos;
  for (const char* dir : kTopDirs) {
    std::string needle = std::string("/") + dir;
    size_t at = path.find(needle);
    if (at != std::string::npos && (best == std::string::npos || at < best)) best = at;
  }
  return best == std::string::npos ? path : path.substr(best + 1);
}

std::string location(const llvm_lines::Frame& frame) {
  if (frame.file.empty() || frame.line == 0) return {};
  return source_path(frame.file) + ":" + std::to_string(frame.line);
}

// "func+0x1c/0x80 [mod]" -> func, 0x1c.
bool parse_frame(const std::string& frame, std::string& function, uint64_t& offset) {
  size_t plus = frame.find('+');
  size_t slash = frame.find('/', plus);
  if (plus == std::string::npos || slash == std::string::npos) return false;
  function = frame.substr(0, plus);
  offset = std::strtoull(frame.substr(plus + 1, slash - plus - 1).c_str(), nullptr, 16);
  return true;
}

std::string normalized(std::string name) {
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

}  // namespace

struct SourceLines::Impl {
  const Kernel* kernel = nullptr;
  const Symbolizer* symbolizer = nullptr;
  std::string modules_dir;
  std::string vmlinux;  // plain file
  llvm_lines::Lines llvm;
  std::mutex mutex;
  std::map<uint64_t, std::string> cache;
  std::set<std::string> problems;
  // Per module: its .ko (plain) and symbol -> (section index, value).
  struct Ko {
    std::string path;
    std::map<std::string, std::pair<uint64_t, uint64_t>> symbols;
  };
  std::map<std::string, std::optional<Ko>> kos;
  std::map<std::string, std::string> ko_files;  // module name -> file, found once
  bool indexed = false;

  void index_modules() {
    indexed = true;
    if (modules_dir.empty()) return;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(modules_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      for (const char* suffix : {".ko.unstripped.zst", ".ko.unstripped", ".ko.zst", ".ko"}) {
        if (!name.ends_with(suffix)) continue;
        std::string module = normalized(name.substr(0, name.size() - std::strlen(suffix)));
        // .unstripped wins over a stripped .ko.
        if (!ko_files.count(module) || std::string(suffix).find("unstripped") != std::string::npos)
          ko_files[module] = it->path().string();
        break;
      }
    }
    if (ec) problems.insert("--modules " + modules_dir + ": " + ec.message());
  }

  const Ko* ko_for(const std::string& module) {
    auto found = kos.find(module);
    if (found != kos.end()) return found->second ? &*found->second : nullptr;
    if (!indexed) index_modules();
    auto file = ko_files.find(normalized(module));
    if (file == ko_files.end()) {
      problems.insert("no " + module + ".ko under " + (modules_dir.empty() ? "(no --modules)" : modules_dir));
      kos[module] = std::nullopt;
      return nullptr;
    }
    auto plain = plain_file(file->second);
    if (!plain) {
      problems.insert(plain.error().to_string());
      kos[module] = std::nullopt;
      return nullptr;
    }
    std::vector<llvm_lines::Symbol> symbols;
    std::string error;
    if (!llvm_lines::Lines::symbols(*plain, symbols, error)) {
      problems.insert(*plain + ": " + error);
      kos[module] = std::nullopt;
      return nullptr;
    }
    Ko ko;
    ko.path = *plain;
    for (llvm_lines::Symbol& sym : symbols)
      ko.symbols.emplace(std::move(sym.name), std::pair<uint64_t, uint64_t>(sym.section_index, sym.value));
    kos[module] = std::move(ko);
    return &*kos[module];
  }

  std::string annotate(uint64_t address, const std::string& frame) {
    // A return address: the call is the byte before it.
    uint64_t lookup = address ? address - 1 : address;
    std::vector<llvm_lines::Frame> frames;
    std::string error;
    bool ok = false;
    std::string text = frame;
    if (const Module* m = symbolizer->module_of(address)) {
      std::string function;
      uint64_t offset = 0;
      const Ko* ko = parse_frame(frame, function, offset) ? ko_for(m->name) : nullptr;
      if (!ko) return frame;
      auto sym = ko->symbols.find(function);
      if (sym == ko->symbols.end()) return frame;
      uint64_t at = sym->second.second + (offset ? offset - 1 : 0);
      ok = llvm.inlined(ko->path, at, sym->second.first, frames, error);
    } else if (kernel->kallsyms() && (*kernel->kallsyms())->lookup(address)) {
      ok = llvm.inlined(vmlinux, kernel->link_time(VirtAddr(lookup)), llvm_lines::Lines::kNoSection, frames, error);
    } else {
      return frame;
    }
    if (!ok) {
      problems.insert(error);
      return frame;
    }
    size_t n = frames.size();
    if (n == 0) return frame;
    std::string out;
    for (size_t i = 0; i + 1 < n; ++i) {
      const llvm_lines::Frame& f = frames[i];
      std::string where = location(f);
      out += "[inline] " + (f.function.empty() ? std::string("?") : f.function);
      if (!where.empty()) out += " (" + where + ")";
      out += "\n ";
    }
    std::string where = location(frames[n - 1]);
    out += text;
    if (!where.empty()) out += " (" + where + ")";
    return out;
  }
};

SourceLines::SourceLines(const Kernel& kernel, const Symbolizer& symbolizer, std::string modules_dir)
    : impl_(std::make_unique<Impl>()) {
  impl_->kernel = &kernel;
  impl_->symbolizer = &symbolizer;
  impl_->modules_dir = std::move(modules_dir);
  auto plain = plain_file(kernel.vmlinux_path());
  impl_->vmlinux = plain ? *plain : kernel.vmlinux_path();
}

SourceLines::~SourceLines() = default;

std::string SourceLines::annotate(uint64_t address, const std::string& frame) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->cache.find(address);
  if (it != impl_->cache.end()) return it->second;
  std::string text = impl_->annotate(address, frame);
  impl_->cache.emplace(address, text);
  return text;
}

std::vector<std::string> SourceLines::problems() const {
  std::lock_guard lock(impl_->mutex);
  return {impl_->problems.begin(), impl_->problems.end()};
}

}  // namespace ramsift
