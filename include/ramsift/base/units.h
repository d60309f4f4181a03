// Sizes for people.
#pragma once

#include <cstdint>
#include <string>

namespace ramsift {

// "1.5 GiB", "640 KiB", "4096 B".
std::string human_size(uint64_t bytes);

}  // namespace ramsift
