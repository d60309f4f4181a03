// VmlinuxElf's state, shared with the DWARF reader in this directory only:
// libdwarf is opened on the same libelf handle, so the file is mapped once.
#pragma once

#include <gelf.h>
#include <libelf.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ramsift/kernel/vmlinux_elf.h"

namespace ramsift {

struct VmlinuxElf::Impl {
  struct Section {
    std::string name;
    uint32_t type = 0;
    uint64_t flags = 0;
    uint64_t address = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
  };

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  std::string path;
  int fd = -1;
  std::vector<std::byte> memory;  // open_memory(): the bytes libelf reads
  Elf* elf = nullptr;
  std::span<const std::byte> file;  // the whole file as libelf mapped it
  uint16_t machine = 0;
  bool is_64bit = true;
  bool little_endian = true;
  std::vector<Section> sections;
  std::vector<ElfSymbol> symbols;
  std::vector<uint32_t> symbol_section;  // st_shndx, parallel to symbols
  std::vector<uint32_t> by_name;         // indices into symbols, sorted by name
  std::vector<uint32_t> by_address;      // indices into symbols, sorted by address
  std::optional<std::string> build_id;
  // What bytes_at() and section_contains() answered from (file ranges), for
  // symbols_read(); appended under read_mutex from const methods.
  mutable std::mutex read_mutex;
  mutable std::vector<VmlinuxElf::FileRange> reads;

  void note_read(uint64_t offset, uint64_t size) const {
    std::lock_guard lock(read_mutex);
    reads.push_back({offset, size});
  }
};

}  // namespace ramsift
