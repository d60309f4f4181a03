// The kdump-compressed (diskdump) reader: plain files, makedumpfile's
// flattened stream, and --split sets. See diskdump.h for the layout.
//
// Finding a page is O(1): the 2nd bitmaps of all parts are merged into one,
// with a rank index (set bits before every 512-pfn block), so the page
// descriptor of pfn p in part q is number rank(p) - rank(q.start_pfn) of q's
// descriptor table. Compressed pages are decompressed on demand into a
// bounded, sharded cache; raw pages are copied straight from the mapping.
#include "diskdump.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <mutex>
#include <optional>

#include "flattened.h"
#include "formats.h"
#include "page_cache.h"

namespace ramsift::dump_formats {

using namespace diskdump;

namespace {

constexpr uint64_t kRankBlockWords = 8;  // rank index entry every 512 pfns

// What one file says about itself.
struct PartHeader {
  Endian endian = Endian::Little;
  int32_t version = 0;
  std::string sysname, nodename, release, version_string, machine;
  uint64_t tv_sec = 0, tv_usec = 0;
  uint32_t status = 0;
  uint32_t block_size = 0;
  uint32_t sub_hdr_size = 0;
  uint32_t bitmap_blocks = 0;
  uint64_t max_mapnr = 0;
  int32_t nr_cpus = 0;
  uint64_t phys_base = 0;
  bool split = false;
  uint64_t start_pfn = 0, end_pfn = 0;
  uint64_t offset_vmcoreinfo = 0, size_vmcoreinfo = 0;
  uint64_t offset_note = 0, size_note = 0;
  uint64_t bitmap_offset = 0;  // 1st bitmap; the 2nd follows at + bitmap_bytes
  uint64_t bitmap_bytes = 0;   // of one bitmap
  uint64_t desc_offset = 0;
};

struct Part {
  std::string name;
  LogicalFile file;
  PartHeader h;
  std::vector<uint64_t> present;  // 1st bitmap, words (LSB = lowest pfn)
  std::vector<uint64_t> dumped;   // 2nd bitmap
  uint64_t rank_start = 0;        // dumped pages before start_pfn (global)
  uint64_t descriptors = 0;       // dumped pages in [start_pfn, end_pfn)
};

uint64_t words_for(uint64_t bits) {
  return (bits + 63) / 64;
}

bool test_bit(const std::vector<uint64_t>& words, uint64_t bit) {
  return (words[bit >> 6] >> (bit & 63)) & 1;
}

// Bitmap bytes -> little-endian-ordered words, bits at or past `bits` cleared.
std::vector<uint64_t> bitmap_words(std::span<const std::byte> bytes, uint64_t bits) {
  std::vector<uint64_t> words(words_for(bits), 0);
  uint64_t nbytes = std::min<uint64_t>(bytes.size(), (bits + 7) / 8);
  for (uint64_t i = 0; i < nbytes; ++i) words[i / 8] |= uint64_t{static_cast<uint8_t>(bytes[i])} << (8 * (i % 8));
  if (bits % 64) words.back() &= (uint64_t{1} << (bits % 64)) - 1;
  return words;
}

// dst[start, end) = src[start, end).
void copy_bits(std::vector<uint64_t>& dst, const std::vector<uint64_t>& src, uint64_t start, uint64_t end) {
  for (uint64_t b = start; b < end;) {
    uint64_t w = b >> 6;
    uint64_t lo = b & 63;
    uint64_t hi = std::min<uint64_t>(64, lo + (end - b));
    uint64_t mask = (hi == 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1) & ~((uint64_t{1} << lo) - 1);
    dst[w] = (dst[w] & ~mask) | (src[w] & mask);
    b += hi - lo;
  }
}

Error part_error(const Part& p, ErrorCode code, std::string message, uint64_t offset) {
  return Error(code, std::move(message)).in_file(p.name).at_offset(p.file.file_offset(offset));
}

// ---- headers ----

Result<PartHeader> parse_header(const LogicalFile& file) {
  const std::string origin(file.origin());
  std::vector<std::byte> scratch;
  if (file.size() < kSignatureSize)
    return corrupt("file too short for a kdump-compressed header").in_file(origin).at_offset(0);
  RAMSIFT_TRY(ByteReader sig, file.reader(0, kSignatureSize, scratch));
  RAMSIFT_TRY(std::string signature, sig.fixed_string(0, kSignatureSize));
  if (signature == "DISKDUMP")
    return not_implemented("the old diskdump format (signature \"DISKDUMP\") is not supported")
        .in_file(origin)
        .at_offset(0);
  RAMSIFT_TRY(auto sig_bytes, sig.span(0, kSignatureSize));
  if (std::memcmp(sig_bytes.data(), "KDUMP   ", kSignatureSize) != 0)
    return corrupt(std::string(file.flattened() ? "the flattened stream does not hold" : "not") +
                   " a kdump-compressed dump (no \"KDUMP   \" signature)")
        .in_file(origin)
        .at_offset(file.file_offset(0));

  std::vector<std::byte> header_scratch;
  RAMSIFT_TRY(ByteReader r, file.reader(0, kHeaderSize, header_scratch));
  PartHeader h;
  // makedumpfile writes in the byte order of the machine that crashed. The
  // block size alone cannot tell: a big-endian 4096 reads as a little-endian
  // 1 MiB, also a power of two. The order is the one in which the block size
  // and header_version are both plausible.
  auto plausible_block = [](uint32_t b) { return b >= 512 && b <= (1u << 20) && std::has_single_bit(b); };
  auto plausible_version = [](int32_t v) { return v >= 1 && v <= kKnownHeaderVersion; };
  std::optional<Endian> order;
  std::optional<int32_t> blocked_version;  // header_version where only the block size fit
  for (Endian e : {Endian::Little, Endian::Big}) {
    r.set_endian(e);
    RAMSIFT_TRY(uint32_t block, r.u32(kOffBlockSize));
    RAMSIFT_TRY(int32_t version, r.i32(kOffHeaderVersion));
    if (!plausible_block(block)) continue;
    if (plausible_version(version)) {
      order = e;
      break;
    }
    if (!blocked_version) blocked_version = version;
  }
  if (!order && blocked_version) {
    std::string v = std::to_string(*blocked_version);
    Error e = *blocked_version > kKnownHeaderVersion
                  ? not_implemented("header_version " + v + " is newer than the kdump formats ramsift reads (1 to " +
                                    std::to_string(kKnownHeaderVersion) + ", makedumpfile's)")
                  : corrupt("header_version " + v + " is not a kdump-compressed header's (1 to " +
                            std::to_string(kKnownHeaderVersion) + ")");
    return std::move(e).in_file(origin).at_offset(file.file_offset(kOffHeaderVersion));
  }
  if (!order) {
    r.set_endian(Endian::Little);
    RAMSIFT_TRY(uint32_t block_le, r.u32(kOffBlockSize));
    return corrupt("block_size " + std::to_string(block_le) + " is not a page size (a power of two, 512 B to 1 MiB)")
        .in_file(origin)
        .at_offset(file.file_offset(kOffBlockSize));
  }
  r.set_endian(*order);
  h.endian = *order;
  RAMSIFT_TRY(h.version, r.i32(kOffHeaderVersion));
  RAMSIFT_TRY(h.sysname, r.fixed_string(kOffUtsname + 0 * kUtsFieldSize, kUtsFieldSize));
  RAMSIFT_TRY(h.nodename, r.fixed_string(kOffUtsname + 1 * kUtsFieldSize, kUtsFieldSize));
  RAMSIFT_TRY(h.release, r.fixed_string(kOffUtsname + 2 * kUtsFieldSize, kUtsFieldSize));
  RAMSIFT_TRY(h.version_string, r.fixed_string(kOffUtsname + 3 * kUtsFieldSize, kUtsFieldSize));
  RAMSIFT_TRY(h.machine, r.fixed_string(kOffUtsname + 4 * kUtsFieldSize, kUtsFieldSize));
  RAMSIFT_TRY(h.tv_sec, r.u64(kOffTimestamp));
  RAMSIFT_TRY(h.tv_usec, r.u64(kOffTimestamp + 8));
  RAMSIFT_TRY(h.status, r.u32(kOffStatus));
  RAMSIFT_TRY(h.block_size, r.u32(kOffBlockSize));
  RAMSIFT_TRY(int32_t sub_hdr_size, r.i32(kOffSubHdrSize));
  RAMSIFT_TRY(h.bitmap_blocks, r.u32(kOffBitmapBlocks));
  RAMSIFT_TRY(uint32_t max_mapnr32, r.u32(kOffMaxMapnr));
  RAMSIFT_TRY(h.nr_cpus, r.i32(kOffNrCpus));
  h.max_mapnr = max_mapnr32;
  if (sub_hdr_size < 0 || (h.version >= 1 && sub_hdr_size == 0))
    return corrupt("sub_hdr_size " + std::to_string(sub_hdr_size) + " blocks: a version " + std::to_string(h.version) +
                   " header needs a sub-header")
        .in_file(origin)
        .at_offset(file.file_offset(kOffSubHdrSize));
  h.sub_hdr_size = static_cast<uint32_t>(sub_hdr_size);
  if (h.bitmap_blocks == 0 || h.bitmap_blocks % 2)
    return corrupt("bitmap_blocks " + std::to_string(h.bitmap_blocks) + " is not two equal bitmaps")
        .in_file(origin)
        .at_offset(file.file_offset(kOffBitmapBlocks));

  const uint64_t bs = h.block_size;
  uint64_t sub_bytes = sub_header_size(h.version);
  if (sub_bytes > uint64_t{h.sub_hdr_size} * bs)
    return corrupt("sub_hdr_size " + std::to_string(h.sub_hdr_size) + " blocks is too small for a version " +
                   std::to_string(h.version) + " sub-header")
        .in_file(origin)
        .at_offset(file.file_offset(kOffSubHdrSize));
  if (sub_bytes) {
    RAMSIFT_TRY(ByteReader s, file.reader(bs, sub_bytes, scratch));
    s.set_endian(h.endian);
    RAMSIFT_TRY(h.phys_base, s.u64(kSubPhysBase));
    if (h.version >= 2) {
      RAMSIFT_TRY(int32_t split, s.i32(kSubSplit));
      h.split = split != 0;
      RAMSIFT_TRY(h.start_pfn, s.u64(kSubStartPfn));
      RAMSIFT_TRY(h.end_pfn, s.u64(kSubEndPfn));
    }
    if (h.version >= 3) {
      RAMSIFT_TRY(h.offset_vmcoreinfo, s.u64(kSubOffsetVmcoreinfo));
      RAMSIFT_TRY(h.size_vmcoreinfo, s.u64(kSubSizeVmcoreinfo));
    }
    if (h.version >= 4) {
      RAMSIFT_TRY(h.offset_note, s.u64(kSubOffsetNote));
      RAMSIFT_TRY(h.size_note, s.u64(kSubSizeNote));
    }
    if (h.version >= 6) {
      RAMSIFT_TRY(uint64_t start64, s.u64(kSubStartPfn64));
      RAMSIFT_TRY(uint64_t end64, s.u64(kSubEndPfn64));
      RAMSIFT_TRY(uint64_t max64, s.u64(kSubMaxMapnr64));
      if (h.split) {
        h.start_pfn = start64;
        h.end_pfn = end64;
      }
      if (max64) h.max_mapnr = max64;
    }
  }

  h.bitmap_offset = (1 + uint64_t{h.sub_hdr_size}) * bs;
  h.bitmap_bytes = uint64_t{h.bitmap_blocks} / 2 * bs;
  h.desc_offset = h.bitmap_offset + 2 * h.bitmap_bytes;
  if (h.max_mapnr > h.bitmap_bytes * 8)
    return corrupt("max_mapnr " + std::to_string(h.max_mapnr) + " needs more bits than a bitmap of " +
                   std::to_string(h.bitmap_bytes) + " bytes holds")
        .in_file(origin)
        .at_offset(file.file_offset(h.version >= 6 ? bs + kSubMaxMapnr64 : kOffMaxMapnr));
  if (!h.split) {
    h.start_pfn = 0;
    h.end_pfn = h.max_mapnr;
  } else if (h.start_pfn > h.end_pfn || h.end_pfn > h.max_mapnr) {
    return corrupt("split part covers pfns [" + hex(h.start_pfn) + ", " + hex(h.end_pfn) + "), beyond max_mapnr " +
                   hex(h.max_mapnr))
        .in_file(origin)
        .at_offset(file.file_offset(bs + (h.version >= 6 ? kSubStartPfn64 : kSubStartPfn)));
  }
  return h;
}

Status read_bitmaps(Part& p) {
  std::vector<std::byte> scratch;
  const PartHeader& h = p.h;
  uint64_t used = (h.max_mapnr + 7) / 8;  // the rest of each bitmap is padding
  RAMSIFT_TRY(ByteReader first, p.file.reader(h.bitmap_offset, used, scratch, LogicalFile::Holes::Zero));
  p.present = bitmap_words(first.bytes(), h.max_mapnr);
  RAMSIFT_TRY(ByteReader second,
              p.file.reader(h.bitmap_offset + h.bitmap_bytes, used, scratch, LogicalFile::Holes::Zero));
  p.dumped = bitmap_words(second.bytes(), h.max_mapnr);
  return {};
}

// ---- notes ----

struct Notes {
  unsigned prstatus = 0;
  std::optional<std::string> vmcoreinfo;
};

Result<Notes> parse_notes(const ByteReader& r) {
  Notes notes;
  uint64_t pos = 0;
  auto align4 = [](uint64_t v) { return (v + 3) & ~uint64_t{3}; };
  while (pos + 12 <= r.size()) {
    RAMSIFT_TRY(uint32_t namesz, r.u32(pos));
    RAMSIFT_TRY(uint32_t descsz, r.u32(pos + 4));
    RAMSIFT_TRY(uint32_t type, r.u32(pos + 8));
    if (namesz == 0 && descsz == 0 && type == 0) break;  // padding
    RAMSIFT_TRY(std::string name, r.fixed_string(pos + 12, namesz));
    uint64_t desc = pos + 12 + align4(namesz);
    RAMSIFT_TRY(auto bytes, r.span(desc, descsz));
    if (name == "CORE" && type == kNtPrstatus) ++notes.prstatus;
    if (name == "VMCOREINFO") notes.vmcoreinfo = std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    pos = desc + align4(descsz);
  }
  return notes;
}

std::string trim_nuls(std::string s) {
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

// ---- decompression ----

// Per-thread codec state: contexts are costly to create per page.
struct Codecs {
  z_stream zlib{};
  bool zlib_ready = false;
  ZSTD_DCtx* zstd = nullptr;
  std::vector<std::byte> out;      // decompressed page (+ room to detect overlong output)
  std::vector<std::byte> scratch;  // compressed bytes not contiguous in a flattened stream
  ~Codecs() {
    if (zlib_ready) inflateEnd(&zlib);
    if (zstd) ZSTD_freeDCtx(zstd);
  }
};

Codecs& codecs() {
  thread_local Codecs c;
  return c;
}

bool lzo_ready() {
  static const bool ok = lzo_init() == LZO_E_OK;
  return ok;
}

// Decompresses `in` into c.out (capacity 2 * page size); returns the length
// or an error message naming the codec.
Result<size_t> decompress(uint32_t codec, std::span<const std::byte> in, uint32_t page_size, Codecs& c) {
  size_t capacity = size_t{page_size} * 2;
  if (c.out.size() < capacity) c.out.resize(capacity);
  auto* dst = reinterpret_cast<unsigned char*>(c.out.data());
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  switch (codec) {
    case kCompressedZlib: {
      if (!c.zlib_ready) {
        if (inflateInit(&c.zlib) != Z_OK) return io_error("zlib: cannot initialise");
        c.zlib_ready = true;
      } else {
        inflateReset(&c.zlib);
      }
      c.zlib.next_in = const_cast<unsigned char*>(src);
      c.zlib.avail_in = static_cast<uInt>(in.size());
      c.zlib.next_out = dst;
      c.zlib.avail_out = static_cast<uInt>(capacity);
      int rc = inflate(&c.zlib, Z_FINISH);
      size_t produced = capacity - c.zlib.avail_out;
      if (rc == Z_STREAM_END) return produced;
      if (rc == Z_BUF_ERROR && c.zlib.avail_out == 0)
        return corrupt("zlib: decompressed more than " + std::to_string(capacity) + " bytes, expected " +
                       std::to_string(page_size));
      if (rc == Z_BUF_ERROR)
        return corrupt("zlib: stream ends early, after " + std::to_string(produced) + " bytes, expected " +
                       std::to_string(page_size));
      return corrupt(std::string("zlib: ") + (c.zlib.msg ? c.zlib.msg : "error " + std::to_string(rc)));
    }
    case kCompressedLzo: {
      if (!lzo_ready()) return io_error("lzo: cannot initialise");
      lzo_uint out_len = capacity;
      int rc = lzo1x_decompress_safe(src, in.size(), dst, &out_len, nullptr);
      if (rc != LZO_E_OK)
        return corrupt("lzo: error " + std::to_string(rc) + " after " + std::to_string(out_len) + " bytes");
      return size_t{out_len};
    }
    case kCompressedSnappy: {
      size_t out_len = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(src), in.size(), &out_len) != SNAPPY_OK)
        return corrupt("snappy: bad length preamble");
      if (out_len > capacity)
        return corrupt("snappy: decompressed " + std::to_string(out_len) + " bytes, expected " +
                       std::to_string(page_size));
      out_len = capacity;
      if (snappy_uncompress(reinterpret_cast<const char*>(src), in.size(), reinterpret_cast<char*>(dst), &out_len) !=
          SNAPPY_OK)
        return corrupt("snappy: corrupt data");
      return out_len;
    }
    case kCompressedZstd: {
      if (!c.zstd && !(c.zstd = ZSTD_createDCtx())) return io_error("zstd: cannot create a context");
      size_t n = ZSTD_decompressDCtx(c.zstd, dst, capacity, src, in.size());
      if (ZSTD_isError(n)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
      return n;
    }
    default: return corrupt("unknown compression flags " + hex(codec));
  }
}

const char* codec_name(uint32_t codec) {
  switch (codec) {
    case kCompressedZlib: return "zlib";
    case kCompressedLzo: return "lzo";
    case kCompressedSnappy: return "snappy";
    case kCompressedZstd: return "zstd";
    default: return "?";
  }
}

// ---- the dump ----

class DiskdumpDump final : public Dump {
 public:
  DiskdumpDump(std::vector<std::unique_ptr<Part>> parts, uint32_t page_size, uint64_t max_mapnr, size_t cache_pages)
      : parts_(std::move(parts)), page_size_(page_size), max_mapnr_(max_mapnr), cache_(cache_pages, page_size) {}

  static Result<std::unique_ptr<DiskdumpDump>> build(std::vector<std::unique_ptr<Part>> parts,
                                                     const OpenOptions& options);

  std::span<const PhysRange> ranges() const override { return ranges_; }
  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override;

  void keep(std::vector<MappedFile> files) { files_ = std::move(files); }

 private:
  uint64_t rank(uint64_t pfn) const {
    uint64_t word = pfn >> 6;
    uint64_t block = word / kRankBlockWords;
    uint64_t n = block_rank_[block];
    for (uint64_t w = block * kRankBlockWords; w < word; ++w) n += static_cast<uint64_t>(std::popcount(dumped_[w]));
    if (pfn & 63) n += static_cast<uint64_t>(std::popcount(dumped_[word] & ((uint64_t{1} << (pfn & 63)) - 1)));
    return n;
  }
  const Part* part_for(uint64_t pfn) const {
    auto it = std::upper_bound(parts_.begin(), parts_.end(), pfn,
                               [](uint64_t p, const std::unique_ptr<Part>& part) { return p < part->h.start_pfn; });
    if (it == parts_.begin()) return nullptr;
    --it;
    return pfn < (*it)->h.end_pfn ? it->get() : nullptr;
  }
  // Copies out.size() bytes at `offset` within page `pfn`.
  Status read_page(uint64_t pfn, size_t offset, std::span<std::byte> out) const;

  std::vector<std::unique_ptr<Part>> parts_;  // sorted by start_pfn
  uint32_t page_size_;
  uint64_t max_mapnr_;
  std::vector<uint64_t> present_;  // 1st bitmap (| 2nd), whole dump
  std::vector<uint64_t> dumped_;   // 2nd bitmaps merged: each part's own range from its own file
  std::vector<uint64_t> block_rank_;
  std::vector<PhysRange> ranges_;
  PageCache cache_;
  std::vector<MappedFile> files_;
};

Status DiskdumpDump::read_page(uint64_t pfn, size_t offset, std::span<std::byte> out) const {
  const uint64_t page_addr = pfn * page_size_;
  const Part* part = part_for(pfn);
  if (!part) return no_data("page of a --split part that was not given").at_address(PhysAddr(page_addr));
  if (!test_bit(dumped_, pfn)) return no_data("excluded page (not in the 2nd bitmap)").at_address(PhysAddr(page_addr));
  if (cache_.get(pfn, offset, out)) return {};

  const LogicalFile& file = part->file;
  uint64_t index = rank(pfn) - part->rank_start;
  uint64_t desc_at = part->h.desc_offset + index * kPageDescSize;
  std::byte desc_bytes[kPageDescSize];
  std::span<const std::byte> desc_view;
  if (!file.view(desc_at, kPageDescSize, &desc_view)) {
    if (desc_at + kPageDescSize > file.size())
      return part_error(*part, ErrorCode::Corrupt,
                        "descriptor for pfn " + hex(pfn) + " is past the end of the file (truncated?)", desc_at)
          .at_address(PhysAddr(page_addr));
    RAMSIFT_TRY_STATUS(file.copy(desc_at, desc_bytes, LogicalFile::Holes::Error));
    desc_view = desc_bytes;
  }
  ByteReader d(desc_view, part->name, file.file_offset(desc_at), part->h.endian);
  RAMSIFT_TRY(int64_t data_offset, d.i64(0));
  RAMSIFT_TRY(uint32_t size, d.u32(8));
  RAMSIFT_TRY(uint32_t flags, d.u32(12));

  auto bad = [&](const std::string& what) {
    return part_error(*part, ErrorCode::Corrupt, "descriptor for pfn " + hex(pfn) + ": " + what, desc_at)
        .at_address(PhysAddr(page_addr));
  };
  uint32_t codec = flags & kCompressionMask;
  if (flags & ~kCompressionMask) return bad("unknown compression flags " + hex(flags));
  if (codec & (codec - 1)) return bad("several compression flags " + hex(flags));
  if (size == 0) return bad("page data size 0");
  if (codec == 0 && size != page_size_)
    return bad("uncompressed page of " + std::to_string(size) + " bytes, page size is " + std::to_string(page_size_));
  if (codec != 0 && size > 2 * uint64_t{page_size_})
    return bad("compressed size " + std::to_string(size) + " is more than twice the page size");
  uint64_t data_end;
  if (data_offset < 0 || add_overflows(static_cast<uint64_t>(data_offset), size, &data_end) || data_end > file.size())
    return part_error(*part, ErrorCode::Corrupt,
                      "descriptor for pfn " + hex(pfn) + " points past end of file (data at " +
                          hex(static_cast<uint64_t>(data_offset)) + ", " + std::to_string(size) + " bytes; file has " +
                          std::to_string(file.size()) + ")",
                      desc_at)
        .at_address(PhysAddr(page_addr));

  Codecs& c = codecs();
  std::span<const std::byte> data;
  if (!file.view(static_cast<uint64_t>(data_offset), size, &data)) {
    c.scratch.resize(size);
    Status s = file.copy(static_cast<uint64_t>(data_offset), c.scratch, LogicalFile::Holes::Error);
    if (!s) return std::move(s).error().with_context("page data of pfn " + hex(pfn)).at_address(PhysAddr(page_addr));
    data = c.scratch;
  }
  if (codec == 0) {
    std::memcpy(out.data(), data.data() + offset, out.size());
    return {};
  }
  Result<size_t> n = decompress(codec, data, page_size_, c);
  if (!n)
    return std::move(n)
        .error()
        .in_file(part->name)
        .at_offset(file.file_offset(static_cast<uint64_t>(data_offset)))
        .at_address(PhysAddr(page_addr));
  if (*n != page_size_)
    return corrupt(std::string(codec_name(codec)) + ": decompressed " + std::to_string(*n) + " bytes, expected " +
                   std::to_string(page_size_))
        .in_file(part->name)
        .at_offset(file.file_offset(static_cast<uint64_t>(data_offset)))
        .at_address(PhysAddr(page_addr));
  std::span<const std::byte> page(c.out.data(), page_size_);
  cache_.put(pfn, page);
  std::memcpy(out.data(), page.data() + offset, out.size());
  return {};
}

Result<size_t> DiskdumpDump::read(PhysAddr addr, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    uint64_t a = addr.value() + done;
    uint64_t pfn = a / page_size_;
    if (pfn >= max_mapnr_ || !test_bit(present_, pfn)) {
      if (done) break;
      return fault("not in the dump's memory").at_address(PhysAddr(a));
    }
    size_t offset = a % page_size_;
    size_t n = std::min<size_t>(out.size() - done, page_size_ - offset);
    Status s = read_page(pfn, offset, out.subspan(done, n));
    if (!s) {
      if (done) break;
      return std::move(s).error().at_address(PhysAddr(a));
    }
    done += n;
  }
  return done;
}

Result<std::unique_ptr<DiskdumpDump>> DiskdumpDump::build(std::vector<std::unique_ptr<Part>> parts,
                                                          const OpenOptions& options) {
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a->h.start_pfn < b->h.start_pfn; });
  const Part& first = *parts.front();
  const PartHeader& h = first.h;
  std::vector<Error> problems;

  // A --split set: the same dump in every header, disjoint ranges.
  if (parts.size() > 1) {
    for (const auto& p : parts)
      if (!p->h.split)
        return bad_input("several files given, but this one is not a part of a makedumpfile --split set")
            .in_file(p->name);
    for (size_t i = 1; i < parts.size(); ++i) {
      const PartHeader& o = parts[i]->h;
      const char* differs = nullptr;
      if (o.block_size != h.block_size)
        differs = "block_size";
      else if (o.max_mapnr != h.max_mapnr)
        differs = "max_mapnr";
      else if (o.bitmap_blocks != h.bitmap_blocks)
        differs = "bitmap_blocks";
      else if (o.release != h.release || o.machine != h.machine || o.nodename != h.nodename ||
               o.version_string != h.version_string)
        differs = "utsname";
      else if (o.tv_sec != h.tv_sec || o.tv_usec != h.tv_usec)
        differs = "timestamp";
      else if (o.endian != h.endian)
        differs = "byte order";
      else if (parts[i]->present != first.present)
        differs = "1st bitmap";
      if (differs)
        return bad_input(std::string("not a part of the same dump as ") + first.name + ": the " + differs + " differs")
            .in_file(parts[i]->name);
      const Part& prev = *parts[i - 1];
      if (o.start_pfn < prev.h.end_pfn)
        return bad_input("covers pfns [" + hex(o.start_pfn) + ", " + hex(o.end_pfn) + "), overlapping " + prev.name +
                         " [" + hex(prev.h.start_pfn) + ", " + hex(prev.h.end_pfn) + "): a part given twice?")
            .in_file(parts[i]->name);
    }
  }
  // Pfns that no given part covers: a missing part of a --split set.
  unsigned gaps = 0;
  uint64_t covered = 0;
  auto gap = [&](uint64_t from, uint64_t to, const Part& near) {
    ++gaps;
    problems.push_back(
        not_found("pfns [" + hex(from) + ", " + hex(to) + ") (physical " + hex(from * h.block_size) + "-" +
                  hex(to * h.block_size - 1) +
                  ") are in no part given: a part of the --split set is missing; its pages read as no data")
            .in_file(near.name));
  };
  for (const auto& p : parts) {
    if (p->h.start_pfn > covered) gap(covered, p->h.start_pfn, *p);
    covered = p->h.end_pfn;
  }
  if (covered < h.max_mapnr) gap(covered, h.max_mapnr, *parts.back());

  auto dump = std::make_unique<DiskdumpDump>(std::vector<std::unique_ptr<Part>>{}, h.block_size, h.max_mapnr,
                                             options.cache_pages);
  dump->present_ = first.present;
  dump->dumped_ = first.dumped;
  for (const auto& p : parts) copy_bits(dump->dumped_, p->dumped, p->h.start_pfn, p->h.end_pfn);
  for (size_t w = 0; w < dump->present_.size(); ++w) dump->present_[w] |= dump->dumped_[w];

  dump->block_rank_.resize(dump->dumped_.size() / kRankBlockWords + 1);
  uint64_t total = 0;
  for (size_t w = 0; w < dump->dumped_.size(); ++w) {
    if (w % kRankBlockWords == 0) dump->block_rank_[w / kRankBlockWords] = total;
    total += static_cast<uint64_t>(std::popcount(dump->dumped_[w]));
  }
  if (dump->dumped_.size() % kRankBlockWords == 0) dump->block_rank_[dump->dumped_.size() / kRankBlockWords] = total;
  // Excluded: present but not dumped, counted in the parts given only (a
  // missing part's pages are missing, not excluded).
  std::vector<uint64_t> excluded_bits(dump->present_.size(), 0);
  {
    std::vector<uint64_t> not_dumped(dump->present_.size());
    for (size_t w = 0; w < not_dumped.size(); ++w) not_dumped[w] = dump->present_[w] & ~dump->dumped_[w];
    for (const auto& p : parts) copy_bits(excluded_bits, not_dumped, p->h.start_pfn, p->h.end_pfn);
  }
  uint64_t excluded = 0;
  for (uint64_t w : excluded_bits) excluded += static_cast<uint64_t>(std::popcount(w));

  // Runs of the 1st bitmap.
  for (uint64_t pfn = 0; pfn < h.max_mapnr;) {
    uint64_t w = pfn >> 6;
    uint64_t bits = dump->present_[w] >> (pfn & 63);
    if (bits == 0) {
      pfn = (w + 1) * 64;
      continue;
    }
    pfn += static_cast<uint64_t>(std::countr_zero(bits));
    if (pfn >= h.max_mapnr) break;
    uint64_t start = pfn;
    while (pfn < h.max_mapnr) {
      uint64_t rest = ~dump->present_[pfn >> 6] >> (pfn & 63);
      uint64_t run = rest == 0 ? 64 - (pfn & 63) : static_cast<uint64_t>(std::countr_zero(rest));
      pfn += run;
      if (rest != 0) break;
    }
    pfn = std::min(pfn, h.max_mapnr);
    dump->ranges_.push_back({PhysAddr{start * h.block_size}, (pfn - start) * h.block_size});
  }

  // Each part's descriptor table, and whether the file holds all of it.
  for (auto& p : parts) {
    p->rank_start = dump->rank(p->h.start_pfn);
    p->descriptors = dump->rank(p->h.end_pfn) - p->rank_start;
    if (p->file.problem()) problems.push_back(*p->file.problem());
    if (p->h.status & kCompressedIncomplete)
      problems.push_back(part_error(
          *p, ErrorCode::Corrupt,
          "makedumpfile marked this dump incomplete (it ran out of space); later pages may be missing", kOffStatus));
    if (p->descriptors == 0 || p->file.problem()) continue;
    uint64_t table_end = p->h.desc_offset + p->descriptors * kPageDescSize;
    if (table_end > p->file.size()) {
      uint64_t have = p->file.size() > p->h.desc_offset ? (p->file.size() - p->h.desc_offset) / kPageDescSize : 0;
      problems.push_back(part_error(*p, ErrorCode::Corrupt,
                                    "the file ends inside the page descriptors (truncated): " + std::to_string(have) +
                                        " of " + std::to_string(p->descriptors) +
                                        " are there; the other pages cannot be read",
                                    p->file.size()));
      continue;
    }
    std::vector<std::byte> scratch;
    auto last = p->file.reader(table_end - kPageDescSize, kPageDescSize, scratch);
    if (!last) continue;
    last->set_endian(p->h.endian);
    auto off = last->u64(0);
    auto size = last->u32(8);
    uint64_t data_end = 0;
    if (off && size && (add_overflows(*off, *size, &data_end) || data_end > p->file.size())) {
      // makedumpfile writes page data in descriptor order: when the last
      // page's data starts where no earlier page's ends and the one before
      // it lies inside the file, the file is whole and the descriptor is
      // damaged.
      std::optional<uint64_t> prev_end;
      if (p->descriptors > 1) {
        std::vector<std::byte> prev_scratch;
        if (auto prev = p->file.reader(table_end - 2 * kPageDescSize, kPageDescSize, prev_scratch)) {
          prev->set_endian(p->h.endian);
          auto prev_off = prev->u64(0);
          auto prev_size = prev->u32(8);
          uint64_t e = 0;
          if (prev_off && prev_size && !add_overflows(*prev_off, *prev_size, &e) && e <= p->file.size()) prev_end = e;
        }
      }
      if (prev_end && *off > *prev_end)
        problems.push_back(part_error(*p, ErrorCode::Corrupt,
                                      "the last page descriptor points at " + hex(*off) + " (" + std::to_string(*size) +
                                          " bytes), past the end of the file at " + hex(p->file.size()) +
                                          ", though the page before it ends at " + hex(*prev_end) +
                                          ": a damaged descriptor, not a truncated file",
                                      table_end - kPageDescSize));
      else
        problems.push_back(part_error(*p, ErrorCode::Corrupt,
                                      "the file ends at " + hex(p->file.size()) + " but page data runs to " +
                                          hex(data_end) + " (truncated); pages whose data is missing cannot be read",
                                      p->file.size()));
    }
  }

  // What the headers tell.
  DumpInfo& info = dump->info_;
  info.format = "kdump-compressed";
  for (const auto& p : parts) info.files.push_back(p->name);
  info.arch = arch_from_name(h.machine);
  info.page_size = h.block_size;
  info.release = h.release;
  if (h.version >= 1) info.phys_base = h.phys_base;
  info.excluded_pages = excluded;
  info.flattened = std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p->file.flattened(); });
  info.split_parts = h.split ? static_cast<unsigned>(parts.size()) + gaps : 0;
  if (info.split_parts == 1) info.split_parts = 0;
  {
    std::vector<std::byte> scratch;
    if (h.size_note) {
      auto notes = first.file.reader(h.offset_note, h.size_note, scratch);
      Result<Notes> parsed = notes ? parse_notes(*notes) : Result<Notes>(std::move(notes).error());
      if (parsed) {
        info.prstatus_count = parsed->prstatus;
        if (parsed->vmcoreinfo && !h.size_vmcoreinfo) info.vmcoreinfo = trim_nuls(*parsed->vmcoreinfo);
      } else {
        problems.push_back(std::move(parsed).error().with_context("ELF notes"));
      }
    }
    if (h.size_vmcoreinfo) {
      auto text = first.file.reader(h.offset_vmcoreinfo, h.size_vmcoreinfo, scratch);
      if (text) {
        auto raw = text->bytes();
        info.vmcoreinfo = trim_nuls(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
      } else {
        problems.push_back(std::move(text).error().with_context("VMCOREINFO"));
      }
    }
  }
  dump->problems_ = std::move(problems);
  dump->parts_ = std::move(parts);
  return dump;
}

Result<std::unique_ptr<DiskdumpDump>> open_parts(std::vector<DiskdumpInput> inputs, const OpenOptions& options) {
  if (inputs.empty()) return bad_input("no dump given");
  std::vector<std::unique_ptr<Part>> parts;
  for (DiskdumpInput& in : inputs) {
    auto part = std::make_unique<Part>();
    part->name = std::move(in.name);
    // part->name is stable from here on (the Part lives on the heap).
    RAMSIFT_TRY(part->file, LogicalFile::open(in.bytes, part->name));
    RAMSIFT_TRY(part->h, parse_header(part->file));
    RAMSIFT_TRY_STATUS(read_bitmaps(*part));
    parts.push_back(std::move(part));
  }
  return DiskdumpDump::build(std::move(parts), options);
}

}  // namespace

bool diskdump_probe(std::span<const std::byte> head) {
  return head.size() >= 8 && std::memcmp(head.data(), "KDUMP   ", 8) == 0;
}
bool flattened_probe(std::span<const std::byte> head) {
  return is_flattened(head);
}

Result<std::unique_ptr<Dump>> diskdump_open_bytes(std::vector<DiskdumpInput> inputs, const OpenOptions& options) {
  RAMSIFT_TRY(auto dump, open_parts(std::move(inputs), options));
  return std::unique_ptr<Dump>(std::move(dump));
}

Result<std::unique_ptr<Dump>> diskdump_open(std::vector<MappedFile> files, const OpenOptions& options) {
  std::vector<DiskdumpInput> inputs;
  for (const MappedFile& f : files) inputs.push_back({f.path(), f.bytes()});
  // The mappings stay where they are when the MappedFile objects move.
  RAMSIFT_TRY(auto dump, open_parts(std::move(inputs), options));
  dump->keep(std::move(files));
  return std::unique_ptr<Dump>(std::move(dump));
}

}  // namespace ramsift::dump_formats
