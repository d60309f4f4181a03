// Internal: writing a stretch of physical memory as a raw image file, shared
// by the raw (FILE@ADDR) and Qualcomm (.BIN) writers.
//
//   RAMSIFT_TRY_STATUS(write_raw_image(source, PhysAddr{0x80000000}, 0x400000, "DDRCS0_0.BIN"));
//
// A raw image cannot say "this page is not here": pages whose read() is
// NoData, or that source.include rejects, are written as zero bytes, and a
// reader of the image sees zeros there. Round-trip tests therefore compare
// only the pages that were not excluded.
#pragma once

#include <cstdint>
#include <string>

#include "ramsift/dump/writer.h"

namespace ramsift {

Status write_raw_image(const WriteSource& source, PhysAddr start, uint64_t size, const std::string& path);

}  // namespace ramsift
