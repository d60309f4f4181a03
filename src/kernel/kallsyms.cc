#include "ramsift/kernel/kallsyms.h"

#include <algorithm>
#include <cstring>

#include "ramsift/base/bytes.h"

namespace ramsift {

namespace {

// A kernel table of known size, read whole and bounds-checked.
Result<std::vector<std::byte>> read_table(const KernelReader& read, VirtAddr at, uint64_t size, const char* what) {
  // A real kernel has < 1M symbols; refuse sizes that only garbage gives.
  if (size > (uint64_t{256} << 20)) return corrupt(std::string(what) + ": implausible size " + std::to_string(size));
  // The last byte first: a garbage count fails here, before megabytes are
  // allocated for it (tests/fuzz/kallsyms_fuzz.cc ran at 40 inputs/s without this).
  if (size > 1) {
    std::byte last[1];
    auto n = read(at + (size - 1), last);
    if (!n) return std::move(n).error().with_context(std::string("reading ") + what).at_address(at + (size - 1));
  }
  std::vector<std::byte> bytes(size);
  uint64_t done = 0;
  while (done < size) {
    auto n = read(at + done, std::span(bytes).subspan(done));
    if (!n) return std::move(n).error().with_context(std::string("reading ") + what).at_address(at + done);
    if (*n == 0) return fault(std::string("reading ") + what + ": no bytes").at_address(at + done);
    done += *n;
  }
  return bytes;
}

}  // namespace

Result<Kallsyms> Kallsyms::decode(const KallsymsTables& where, const KernelReader& read) {
  RAMSIFT_TRY(auto num_bytes, read_table(read, where.num_syms, 4, "kallsyms_num_syms"));
  RAMSIFT_TRY(uint32_t count, ByteReader(num_bytes, "kallsyms_num_syms").u32(0));
  if (count == 0 || count > 4'000'000)
    return corrupt("kallsyms_num_syms: implausible count " + std::to_string(count)).at_address(where.num_syms);

  // Addresses.
  std::vector<uint64_t> addresses;
  bool absolute_percpu = false;
  if (where.offsets && where.relative_base) {
    RAMSIFT_TRY(auto off_bytes, read_table(read, *where.offsets, uint64_t{count} * 4, "kallsyms_offsets"));
    addresses.resize(count);
    RAMSIFT_TRY(auto base_bytes, read_table(read, *where.relative_base, where.pointer_size, "kallsyms_relative_base"));
    ByteReader offs(off_bytes, "kallsyms_offsets");
    ByteReader base_reader(base_bytes, "kallsyms_relative_base");
    uint64_t base = where.pointer_size == 8 ? *base_reader.u64(0) : *base_reader.u32(0);
    for (uint32_t i = 0; i < count && !absolute_percpu; ++i) absolute_percpu = *offs.i32(uint64_t{i} * 4) < 0;
    for (uint32_t i = 0; i < count; ++i) {
      int32_t off = *offs.i32(uint64_t{i} * 4);
      if (!absolute_percpu)
        addresses[i] = base + static_cast<uint32_t>(off);
      else if (off >= 0)
        addresses[i] = static_cast<uint64_t>(off);
      else
        addresses[i] = base - 1 - static_cast<int64_t>(off);
    }
  } else if (where.addresses) {
    RAMSIFT_TRY(auto addr_bytes,
                read_table(read, *where.addresses, uint64_t{count} * where.pointer_size, "kallsyms_addresses"));
    addresses.resize(count);
    ByteReader r(addr_bytes, "kallsyms_addresses");
    for (uint32_t i = 0; i < count; ++i)
      addresses[i] = where.pointer_size == 8 ? *r.u64(uint64_t{i} * 8) : *r.u32(uint64_t{i} * 4);
  } else {
    return not_found("neither kallsyms_offsets+kallsyms_relative_base nor kallsyms_addresses");
  }

  // The token table: 256 NUL-terminated strings, found through token_index.
  RAMSIFT_TRY(auto index_bytes, read_table(read, where.token_index, 256 * 2, "kallsyms_token_index"));
  ByteReader token_index(index_bytes, "kallsyms_token_index");
  uint16_t max_index = 0;
  for (int i = 0; i < 256; ++i) max_index = std::max(max_index, *token_index.u16(static_cast<uint64_t>(i) * 2));
  // Tokens are short (the compressor joins pairs up to KSYM_NAME_LEN); read
  // enough past the last start to find its terminator.
  RAMSIFT_TRY(auto token_bytes, read_table(read, where.token_table, uint64_t{max_index} + 512, "kallsyms_token_table"));
  std::vector<std::string> tokens(256);
  for (int i = 0; i < 256; ++i) {
    uint16_t start = *token_index.u16(static_cast<uint64_t>(i) * 2);
    const char* p = reinterpret_cast<const char*>(token_bytes.data()) + start;
    size_t room = token_bytes.size() - start;
    size_t len = strnlen(p, room);
    if (len == room)
      return corrupt("kallsyms_token_table: token " + std::to_string(i) + " not terminated")
          .at_address(where.token_table + start);
    tokens[i].assign(p, len);
  }

  // Names: a length (one byte, or two for "big" symbols) then that many
  // token indices. Read in chunks: the table's size is not stored.
  Kallsyms out;
  out.absolute_percpu_ = absolute_percpu;
  out.symbols_.reserve(count);
  std::vector<std::byte> chunk;
  uint64_t chunk_start = 0;
  uint64_t pos = 0;
  auto byte_at = [&](uint64_t at) -> Result<uint8_t> {
    if (at < chunk_start || at >= chunk_start + chunk.size()) {
      chunk_start = at;
      RAMSIFT_TRY(chunk, read_table(read, where.names + at, 64 * 1024, "kallsyms_names"));
    }
    return static_cast<uint8_t>(chunk[at - chunk_start]);
  };
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t entry = pos;
    RAMSIFT_TRY(uint8_t first, byte_at(pos++));
    uint32_t len = first;
    if (first & 0x80) {
      RAMSIFT_TRY(uint8_t second, byte_at(pos++));
      len = (first & 0x7fu) | (uint32_t{second} << 7);
    }
    std::string expanded;
    for (uint32_t k = 0; k < len; ++k) {
      RAMSIFT_TRY(uint8_t token, byte_at(pos++));
      expanded += tokens[token];
    }
    if (expanded.empty())
      return corrupt("kallsyms_names: symbol " + std::to_string(i) + " is empty").at_address(where.names + entry);
    KernelSymbol sym;
    sym.type = expanded[0];
    sym.name = expanded.substr(1);
    sym.address = addresses[i];
    out.symbols_.push_back(std::move(sym));
  }
  // The table is sorted by address (scripts/kallsyms.c sorts it); lookups
  // rely on it, so refuse a table that is not.
  for (size_t i = 1; i < out.symbols_.size(); ++i)
    if (out.symbols_[i].address < out.symbols_[i - 1].address)
      return corrupt("kallsyms: symbols not sorted by address at index " + std::to_string(i))
          .at_address(where.offsets && where.relative_base ? *where.offsets + 4 * i
                                                           : *where.addresses + where.pointer_size * i);
  out.index();
  return out;
}

void Kallsyms::index() {
  by_name_.clear();
  by_name_.reserve(symbols_.size());
  all_ = false;
  for (size_t i = 0; i < symbols_.size(); ++i) {
    by_name_.emplace_back(symbols_[i].name, i);
    char t = static_cast<char>(symbols_[i].type | 0x20);
    if (t == 'd' || t == 'b' || t == 'r') all_ = true;
  }
  std::stable_sort(by_name_.begin(), by_name_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto get = [&](std::string_view n) { return address_of(n).value_or(0); };
  stext_ = get("_stext");
  etext_ = get("_etext");
  sinittext_ = get("_sinittext");
  einittext_ = get("_einittext");
  end_ = get("_end");
}

void Kallsyms::relocate(int64_t delta) {
  for (KernelSymbol& s : symbols_) s.address += static_cast<uint64_t>(delta);
  index();
}

std::optional<uint64_t> Kallsyms::address_of(std::string_view name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  if (it == by_name_.end() || it->first != name) return std::nullopt;
  return symbols_[it->second].address;
}

std::optional<SymbolHit> Kallsyms::lookup(uint64_t address) const {
  // is_ksym_addr(): with KALLSYMS_ALL the whole image [_stext, _end],
  // otherwise text and init text only.
  bool in_text = address >= stext_ && address < etext_;
  bool in_init = address >= sinittext_ && address < einittext_;
  bool in_image = address >= stext_ && address <= end_;
  if (!(all_ ? in_image : (in_text || in_init))) return std::nullopt;

  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                             [](uint64_t a, const KernelSymbol& s) { return a < s.address; });
  if (it == symbols_.begin()) return std::nullopt;
  size_t low = static_cast<size_t>(it - symbols_.begin()) - 1;
  while (low && symbols_[low - 1].address == symbols_[low].address) --low;  // first alias
  uint64_t start = symbols_[low].address;
  uint64_t end = 0;
  for (size_t i = low + 1; i < symbols_.size(); ++i)
    if (symbols_[i].address > start) {
      end = symbols_[i].address;
      break;
    }
  if (!end) end = in_init ? einittext_ : (all_ ? end_ : etext_);
  return SymbolHit{&symbols_[low], address - start, end - start};
}

}  // namespace ramsift
