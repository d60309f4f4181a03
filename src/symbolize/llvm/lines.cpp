// C++17 (see lines.h).
#include "lines.h"

#include "llvm/DebugInfo/Symbolize/Symbolize.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"

namespace ramsift::llvm_lines {

struct Lines::Impl {
  static llvm::symbolize::LLVMSymbolizer::Options options() {
    llvm::symbolize::LLVMSymbolizer::Options o;
    o.Demangle = false;
    o.RelativeAddresses = false;
    return o;
  }
  llvm::symbolize::LLVMSymbolizer symbolizer{options()};
};

Lines::Lines() : impl_(std::make_unique<Impl>()) {}
Lines::~Lines() = default;

bool Lines::inlined(const std::string& path, uint64_t address, uint64_t section_index, std::vector<Frame>& out,
                    std::string& error) {
  uint64_t section = section_index == kNoSection ? llvm::object::SectionedAddress::UndefSection : section_index;
  auto info = impl_->symbolizer.symbolizeInlinedCode(path, {address, section});
  if (!info) {
    error = llvm::toString(info.takeError());
    return false;
  }
  out.clear();
  for (uint32_t i = 0; i < info->getNumberOfFrames(); ++i) {
    const llvm::DILineInfo& f = info->getFrame(i);
    Frame frame;
    if (f.FunctionName != llvm::DILineInfo::BadString) frame.function = f.FunctionName;
    if (f.FileName != llvm::DILineInfo::BadString) frame.file = f.FileName;
    frame.line = f.Line;
    out.push_back(std::move(frame));
  }
  return true;
}

bool Lines::symbols(const std::string& path, std::vector<Symbol>& out, std::string& error) {
  auto object = llvm::object::ObjectFile::createObjectFile(path);
  if (!object) {
    error = llvm::toString(object.takeError());
    return false;
  }
  const llvm::object::ObjectFile* file = object->getBinary();
  for (const llvm::object::SymbolRef& sym : file->symbols()) {
    auto name = sym.getName();
    auto value = sym.getValue();
    auto section = sym.getSection();
    if (!name || !value || !section) {
      if (!name) llvm::consumeError(name.takeError());
      if (!value) llvm::consumeError(value.takeError());
      if (!section) llvm::consumeError(section.takeError());
      continue;
    }
    if (*section == file->section_end()) continue;
    out.push_back({name->str(), (*section)->getIndex(), *value});
  }
  return true;
}

}  // namespace ramsift::llvm_lines
