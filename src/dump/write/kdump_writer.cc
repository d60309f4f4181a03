// The kdump-compressed writer: what makedumpfile writes, in every codec and
// header version, plain or flattened (-F), whole or --split. See diskdump.h
// for the layout.
//
// Two passes over the memory: the first finds the pages to dump (read()
// does not say NoData, WriteSource::include accepts them), so the headers
// and bitmaps can be written first, as makedumpfile writes them; the second
// compresses and appends page data and descriptors, file by file. In a
// flattened stream the sub-header is written again at the end, as
// makedumpfile rewrites it, so readers must let a later block win.
#include <fcntl.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "diskdump.h"
#include "ramsift/dump/writer.h"

namespace ramsift {

using namespace dump_formats::diskdump;

const char* kdump_codec_name(KdumpCodec codec) {
  switch (codec) {
    case KdumpCodec::None: return "none";
    case KdumpCodec::Zlib: return "zlib";
    case KdumpCodec::Lzo: return "lzo";
    case KdumpCodec::Snappy: return "snappy";
    case KdumpCodec::Zstd: return "zstd";
  }
  return "?";
}

namespace {

uint32_t codec_flag(KdumpCodec codec) {
  switch (codec) {
    case KdumpCodec::None: return 0;
    case KdumpCodec::Zlib: return kCompressedZlib;
    case KdumpCodec::Lzo: return kCompressedLzo;
    case KdumpCodec::Snappy: return kCompressedSnappy;
    case KdumpCodec::Zstd: return kCompressedZstd;
  }
  return 0;
}

// Little-endian stores into a byte buffer.
void put32(std::vector<std::byte>& b, uint64_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = std::byte(v >> (8 * i));
}
void put64(std::vector<std::byte>& b, uint64_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = std::byte(v >> (8 * i));
}
void put64be(std::byte* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = std::byte(v >> (56 - 8 * i));
}
void put_string(std::vector<std::byte>& b, uint64_t at, const std::string& s, size_t field) {
  std::memcpy(b.data() + at, s.data(), std::min(s.size(), field - 1));
}

// Where the bytes go: a plain file written at offsets, or a flattened stream
// of {offset, size} blocks.
class Sink {
 public:
  static Result<Sink> create(const std::string& path, bool flattened) {
    Sink s;
    s.path_ = path;
    s.flattened_ = flattened;
    s.fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s.fd_ < 0) return io_error(std::string("cannot create: ") + std::strerror(errno)).in_file(path);
    if (flattened) {
      // struct makedumpfile_header: signature[16], type, version (big-endian), 4096 bytes.
      std::vector<std::byte> header(4096);
      std::memcpy(header.data(), "makedumpfile", 12);
      put64be(header.data() + 16, 1);
      put64be(header.data() + 24, 1);
      RAMSIFT_TRY_STATUS(s.append(header));
    }
    return s;
  }
  Sink() = default;
  Sink(Sink&& o) noexcept
      : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), flattened_(o.flattened_), stream_(o.stream_) {}
  Sink& operator=(Sink&&) = delete;
  ~Sink() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status write_at(uint64_t offset, std::span<const std::byte> bytes) {
    if (bytes.empty()) return {};
    if (!flattened_) return pwrite_all(offset, bytes);
    std::byte header[16];
    put64be(header, offset);
    put64be(header + 8, bytes.size());
    RAMSIFT_TRY_STATUS(append(header));
    return append(bytes);
  }
  Status finish() {
    if (flattened_) {
      std::byte end[16];
      put64be(end, ~uint64_t{0});
      put64be(end + 8, ~uint64_t{0});
      RAMSIFT_TRY_STATUS(append(end));
    }
    if (::close(std::exchange(fd_, -1)) != 0)
      return io_error(std::string("close: ") + std::strerror(errno)).in_file(path_);
    return {};
  }

 private:
  Status append(std::span<const std::byte> bytes) {
    RAMSIFT_TRY_STATUS(pwrite_all(stream_, bytes));
    stream_ += bytes.size();
    return {};
  }
  Status pwrite_all(uint64_t offset, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return io_error(std::string("write: ") + std::strerror(errno)).in_file(path_).at_offset(offset);
      bytes = bytes.subspan(static_cast<size_t>(n));
      offset += static_cast<uint64_t>(n);
    }
    return {};
  }

  std::string path_;
  int fd_ = -1;
  bool flattened_ = false;
  uint64_t stream_ = 0;
};

// Compresses one page with the chosen codec; returns false when the result
// is not smaller than the page (then the page is stored raw, as makedumpfile does).
class Compressor {
 public:
  explicit Compressor(KdumpCodec codec, uint32_t page_size) : codec_(codec), page_size_(page_size) {
    size_t bound = page_size * 2 + 4096;
    bound = std::max<size_t>(bound, compressBound(page_size));
    bound = std::max<size_t>(bound, snappy_max_compressed_length(page_size));
    bound = std::max<size_t>(bound, ZSTD_compressBound(page_size));
    out_.resize(bound);
    if (codec == KdumpCodec::Lzo) lzo_work_.resize(LZO1X_1_MEM_COMPRESS);
    if (codec == KdumpCodec::Zstd && (zstd_ = ZSTD_createCCtx())) {
      // A checksum in every page's frame: a flipped byte in the file is a
      // Corrupt page when read (ZSTD_decompressDCtx checks it), never
      // silently different memory. makedumpfile, crash, libkdumpfile and
      // drgn decompress such frames as any other.
      ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, 1);
      ZSTD_CCtx_setParameter(zstd_, ZSTD_c_checksumFlag, 1);
    }
  }
  ~Compressor() {
    if (zstd_) ZSTD_freeCCtx(zstd_);
  }
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  bool compress(std::span<const std::byte> page, std::span<const std::byte>* out) {
    const auto* src = reinterpret_cast<const unsigned char*>(page.data());
    auto* dst = reinterpret_cast<unsigned char*>(out_.data());
    size_t n = 0;
    switch (codec_) {
      case KdumpCodec::None: return false;
      case KdumpCodec::Zlib: {
        uLongf len = out_.size();
        if (compress2(dst, &len, src, page.size(), Z_BEST_SPEED) != Z_OK) return false;
        n = len;
        break;
      }
      case KdumpCodec::Lzo: {
        static const bool ready = lzo_init() == LZO_E_OK;
        if (!ready) return false;
        lzo_uint len = out_.size();
        if (lzo1x_1_compress(src, page.size(), dst, &len, lzo_work_.data()) != LZO_E_OK) return false;
        n = len;
        break;
      }
      case KdumpCodec::Snappy: {
        size_t len = out_.size();
        if (snappy_compress(reinterpret_cast<const char*>(src), page.size(), reinterpret_cast<char*>(dst), &len) !=
            SNAPPY_OK)
          return false;
        n = len;
        break;
      }
      case KdumpCodec::Zstd: {
        if (!zstd_) return false;
        n = ZSTD_compress2(zstd_, dst, out_.size(), src, page.size());
        if (ZSTD_isError(n)) return false;
        break;
      }
    }
    if (n >= page_size_) return false;
    *out = std::span<const std::byte>(out_.data(), n);
    return true;
  }

 private:
  KdumpCodec codec_;
  uint32_t page_size_;
  std::vector<std::byte> out_;
  std::vector<unsigned char> lzo_work_;
  ZSTD_CCtx* zstd_ = nullptr;
};

bool test_bit(const std::vector<std::byte>& bitmap, uint64_t pfn) {
  return (static_cast<uint8_t>(bitmap[pfn / 8]) >> (pfn % 8)) & 1;
}
void set_bit(std::vector<std::byte>& bitmap, uint64_t pfn) {
  bitmap[pfn / 8] |= std::byte(1u << (pfn % 8));
}

struct Layout {
  uint64_t max_mapnr = 0;
  uint32_t block_size = 0;
  uint32_t sub_hdr_size = 0;   // blocks
  uint32_t bitmap_blocks = 0;  // both bitmaps
  uint64_t bitmap_bytes = 0;   // one bitmap
  uint64_t bitmap_offset = 0;
  uint64_t desc_offset = 0;
  std::vector<std::byte> extra;  // notes (v4+) or raw VMCOREINFO (v3), after the sub-header
  uint64_t vmcoreinfo_in_extra = 0, vmcoreinfo_size = 0;
  uint64_t notes_size = 0;
};

// Block 0 and the sub-header blocks (with notes), then both bitmaps.
std::vector<std::byte> header_region(const WriteSource& source, const KdumpWriteOptions& options, const Layout& l,
                                     uint64_t start_pfn, uint64_t end_pfn, const std::vector<std::byte>& present,
                                     const std::vector<std::byte>& dumped) {
  const uint64_t bs = l.block_size;
  std::vector<std::byte> b(l.desc_offset);
  const int v = options.header_version;
  std::memcpy(b.data(), "KDUMP   ", kSignatureSize);
  put32(b, kOffHeaderVersion, static_cast<uint32_t>(v));
  const std::string uts[] = {
      "Linux", "ramsift", source.release, "#1 SMP", std::string(arch_row(source.arch).uts_machine), "(none)"};
  for (size_t i = 0; i < 6; ++i) put_string(b, kOffUtsname + i * kUtsFieldSize, uts[i], kUtsFieldSize);
  // timestamp stays zero: the output is reproducible.
  put32(b, kOffStatus, codec_flag(options.codec));
  put32(b, kOffBlockSize, l.block_size);
  put32(b, kOffSubHdrSize, l.sub_hdr_size);
  put32(b, kOffBitmapBlocks, l.bitmap_blocks);
  put32(b, kOffMaxMapnr, static_cast<uint32_t>(std::min<uint64_t>(l.max_mapnr, UINT32_MAX)));
  put32(b, kOffNrCpus, v >= 4 ? options.prstatus_notes : 1);

  const uint64_t sub = bs;
  put64(b, sub + kSubPhysBase, source.phys_base.value_or(0));
  put32(b, sub + kSubDumpLevel, options.share_zero_pages ? 1 : 0);
  bool split = options.split_parts > 1;
  if (v >= 2 && split) {
    put32(b, sub + kSubSplit, 1);
    put64(b, sub + kSubStartPfn, start_pfn);
    put64(b, sub + kSubEndPfn, end_pfn);
  }
  const uint64_t extra_at = sub + kSubHeaderSize;
  if (!l.extra.empty()) std::memcpy(b.data() + extra_at, l.extra.data(), l.extra.size());
  if (v >= 3 && l.vmcoreinfo_size) {
    put64(b, sub + kSubOffsetVmcoreinfo, extra_at + l.vmcoreinfo_in_extra);
    put64(b, sub + kSubSizeVmcoreinfo, l.vmcoreinfo_size);
  }
  if (v >= 4 && l.notes_size) {
    put64(b, sub + kSubOffsetNote, extra_at);
    put64(b, sub + kSubSizeNote, l.notes_size);
  }
  if (v >= 6) {
    if (split) {
      put64(b, sub + kSubStartPfn64, start_pfn);
      put64(b, sub + kSubEndPfn64, end_pfn);
    }
    put64(b, sub + kSubMaxMapnr64, l.max_mapnr);
  }
  std::memcpy(b.data() + l.bitmap_offset, present.data(), present.size());
  std::memcpy(b.data() + l.bitmap_offset + l.bitmap_bytes, dumped.data(), dumped.size());
  return b;
}

void append_note(std::vector<std::byte>& out, const std::string& name, uint32_t type, std::span<const std::byte> desc,
                 uint64_t* desc_at = nullptr) {
  auto align4 = [](size_t n) { return (n + 3) & ~size_t{3}; };
  size_t at = out.size();
  uint32_t namesz = static_cast<uint32_t>(name.size() + 1);
  out.resize(at + 12 + align4(namesz) + align4(desc.size()));
  for (int i = 0; i < 4; ++i) {
    out[at + i] = std::byte(namesz >> (8 * i));
    out[at + 4 + i] = std::byte(desc.size() >> (8 * i));
    out[at + 8 + i] = std::byte(type >> (8 * i));
  }
  std::memcpy(out.data() + at + 12, name.data(), name.size());
  if (desc_at) *desc_at = at + 12 + align4(namesz);
  std::memcpy(out.data() + at + 12 + align4(namesz), desc.data(), desc.size());
}

// Appends page data and descriptors in large writes.
class PartWriter {
 public:
  PartWriter(Sink& sink, uint64_t desc_offset, uint64_t data_offset)
      : sink_(sink), desc_at_(desc_offset), data_at_(data_offset) {}

  uint64_t data_position() const { return data_at_ + data_.size(); }
  Status add_data(std::span<const std::byte> bytes) {
    data_.insert(data_.end(), bytes.begin(), bytes.end());
    if (data_.size() >= kFlush) return flush_data();
    return {};
  }
  Status add_descriptor(uint64_t offset, uint32_t size, uint32_t flags) {
    size_t at = descs_.size();
    descs_.resize(at + kPageDescSize);
    put64(descs_, at, offset);
    put32(descs_, at + 8, size);
    put32(descs_, at + 12, flags);
    put64(descs_, at + 16, 0);
    if (descs_.size() >= kFlush) return flush_descs();
    return {};
  }
  Status flush() {
    RAMSIFT_TRY_STATUS(flush_data());
    return flush_descs();
  }

 private:
  static constexpr size_t kFlush = 1 << 20;
  Status flush_data() {
    RAMSIFT_TRY_STATUS(sink_.write_at(data_at_, data_));
    data_at_ += data_.size();
    data_.clear();
    return {};
  }
  Status flush_descs() {
    RAMSIFT_TRY_STATUS(sink_.write_at(desc_at_, descs_));
    desc_at_ += descs_.size();
    descs_.clear();
    return {};
  }
  Sink& sink_;
  uint64_t desc_at_, data_at_;
  std::vector<std::byte> data_, descs_;
};

}  // namespace

Result<std::vector<std::string>> write_kdump(const WriteSource& source, const std::string& path,
                                             const KdumpWriteOptions& options) {
  if (!source.memory) return bad_input("write_kdump: no memory given").in_file(path);
  const uint32_t ps = source.page_size;
  if (ps < 512 || ps > (1u << 20) || (ps & (ps - 1)))
    return bad_input("page size " + std::to_string(ps) + " is not a power of two from 512 B to 1 MiB").in_file(path);
  const int v = options.header_version;
  if (v < 1 || v > 6)
    return bad_input("kdump header version " + std::to_string(v) + ": makedumpfile writes 1 to 6").in_file(path);
  const unsigned nparts = std::max(1u, options.split_parts);
  if (nparts > 1 && v < 2)
    return bad_input("a --split set needs header version 2 or later (the split fields)").in_file(path);

  Layout l;
  l.block_size = ps;
  for (const PhysRange& r : source.memory->ranges())
    l.max_mapnr = std::max(l.max_mapnr, (r.end().value() + ps - 1) / ps);
  if (v < 6 && l.max_mapnr > UINT32_MAX) return bad_input("memory above pfn 2^32 needs header version 6").in_file(path);

  // Notes (v4+) or the raw VMCOREINFO text (v3), after the sub-header.
  if (v >= 4) {
    std::vector<std::byte> prstatus(arch_row(source.arch).prstatus_size);
    for (unsigned i = 0; i < options.prstatus_notes; ++i) append_note(l.extra, "CORE", kNtPrstatus, prstatus);
    if (source.vmcoreinfo) {
      append_note(l.extra, "VMCOREINFO", 0, std::as_bytes(std::span(*source.vmcoreinfo)), &l.vmcoreinfo_in_extra);
      l.vmcoreinfo_size = source.vmcoreinfo->size();
    }
    l.notes_size = l.extra.size();
  } else if (v == 3 && source.vmcoreinfo) {
    auto text = std::as_bytes(std::span(*source.vmcoreinfo));
    l.extra.assign(text.begin(), text.end());
    l.vmcoreinfo_size = text.size();
  }
  l.sub_hdr_size = static_cast<uint32_t>((kSubHeaderSize + l.extra.size() + ps - 1) / ps);
  uint64_t bitmap_blocks_each = std::max<uint64_t>(1, ((l.max_mapnr + 7) / 8 + ps - 1) / ps);
  l.bitmap_blocks = static_cast<uint32_t>(2 * bitmap_blocks_each);
  l.bitmap_bytes = bitmap_blocks_each * ps;
  l.bitmap_offset = (1 + uint64_t{l.sub_hdr_size}) * ps;
  l.desc_offset = l.bitmap_offset + 2 * l.bitmap_bytes;

  std::vector<std::byte> present((l.max_mapnr + 7) / 8);
  for (const PhysRange& r : source.memory->ranges())
    for (uint64_t pfn = r.start.value() / ps; pfn < (r.end().value() + ps - 1) / ps; ++pfn) set_bit(present, pfn);

  // Which pages are dumped, before anything is written: the bitmaps go
  // first, as makedumpfile writes them, so a stream cut short still starts
  // with a usable header.
  std::vector<std::byte> page(ps);
  std::vector<std::byte> dumped(present.size());
  uint64_t dumped_count = 0;
  auto readable = [&](uint64_t pfn) -> Result<bool> {
    if (source.include && !source.include(pfn)) return false;
    Status s = source.memory->read_exact(PhysAddr{pfn * ps}, page);
    if (s) return true;
    if (s.error().code() == ErrorCode::NoData || s.error().code() == ErrorCode::Fault) return false;
    return std::move(s).error().with_context("reading page " + hex(pfn * ps));
  };
  for (uint64_t pfn = 0; pfn < l.max_mapnr; ++pfn) {
    if (!test_bit(present, pfn)) continue;
    RAMSIFT_TRY(bool in, readable(pfn));
    if (in) {
      set_bit(dumped, pfn);
      ++dumped_count;
    }
  }

  // Split by dumped pages, about as many in each part (as makedumpfile).
  std::vector<uint64_t> bounds{0};
  {
    uint64_t per = (dumped_count + nparts - 1) / nparts, seen = 0;
    for (uint64_t pfn = 0; pfn < l.max_mapnr && bounds.size() < nparts; ++pfn)
      if (test_bit(dumped, pfn) && ++seen == per * bounds.size()) bounds.push_back(pfn + 1);
    while (bounds.size() < nparts) bounds.push_back(l.max_mapnr);
    bounds.push_back(l.max_mapnr);
  }

  std::vector<std::string> files;
  Compressor compressor(options.codec, ps);
  for (unsigned part = 0; part < nparts; ++part) {
    const uint64_t start = bounds[part], end = bounds[part + 1];
    std::string file = nparts > 1 ? path + "." + std::to_string(part + 1) : path;
    RAMSIFT_TRY(Sink sink, Sink::create(file, options.flattened));
    uint64_t slots = 0;
    for (uint64_t pfn = start; pfn < end; ++pfn) slots += test_bit(dumped, pfn);
    std::vector<std::byte> headers = header_region(source, options, l, start, end, present, dumped);
    RAMSIFT_TRY_STATUS(sink.write_at(0, headers));

    PartWriter out(sink, l.desc_offset, l.desc_offset + slots * kPageDescSize);
    std::optional<uint64_t> zero_page_at;
    for (uint64_t pfn = start; pfn < end; ++pfn) {
      if (!test_bit(dumped, pfn)) continue;
      RAMSIFT_TRY(bool in, readable(pfn));
      if (!in) return io_error("page " + hex(pfn * ps) + " became unreadable while writing").in_file(file);
      bool zero = options.share_zero_pages &&
                  std::all_of(page.begin(), page.end(), [](std::byte b) { return b == std::byte{0}; });
      if (zero && zero_page_at) {
        RAMSIFT_TRY_STATUS(out.add_descriptor(*zero_page_at, ps, 0));
        continue;
      }
      uint64_t at = out.data_position();
      if (zero) zero_page_at = at;
      std::span<const std::byte> compressed;
      if (!zero && compressor.compress(page, &compressed)) {
        RAMSIFT_TRY_STATUS(out.add_descriptor(at, static_cast<uint32_t>(compressed.size()), codec_flag(options.codec)));
        RAMSIFT_TRY_STATUS(out.add_data(compressed));
      } else {
        RAMSIFT_TRY_STATUS(out.add_descriptor(at, ps, 0));
        RAMSIFT_TRY_STATUS(out.add_data(page));
      }
    }
    RAMSIFT_TRY_STATUS(out.flush());
    // makedumpfile rewrites the sub-header at the end (the eraseinfo
    // fields); in a flattened stream that is a second block for the same
    // bytes, which readers must let win.
    if (options.flattened)
      RAMSIFT_TRY_STATUS(sink.write_at(l.block_size, std::span(headers).subspan(l.block_size, kSubHeaderSize)));
    RAMSIFT_TRY_STATUS(sink.finish());
    files.push_back(file);
  }
  return files;
}

}  // namespace ramsift
