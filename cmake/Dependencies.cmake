# Debian bookworm packages only; .ci/setup installs them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZO2 REQUIRED IMPORTED_TARGET lzo2)
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
find_package(ZLIB REQUIRED)
find_package(CLI11 CONFIG REQUIRED)

# libdwarf-dev (20210528) ships no pkg-config file.
find_library(LIBDWARF_LIBRARY dwarf REQUIRED)
find_path(LIBDWARF_INCLUDE_DIR libdwarf.h PATH_SUFFIXES libdwarf REQUIRED)
add_library(ramsift_libdwarf INTERFACE)
target_link_libraries(ramsift_libdwarf INTERFACE ${LIBDWARF_LIBRARY} PkgConfig::LIBELF)
target_include_directories(ramsift_libdwarf SYSTEM INTERFACE ${LIBDWARF_INCLUDE_DIR})

find_library(SNAPPY_LIBRARY snappy REQUIRED)
find_path(SNAPPY_INCLUDE_DIR snappy-c.h REQUIRED)
add_library(ramsift_snappy INTERFACE)
target_link_libraries(ramsift_snappy INTERFACE ${SNAPPY_LIBRARY})
target_include_directories(ramsift_snappy SYSTEM INTERFACE ${SNAPPY_INCLUDE_DIR})

if(RAMSIFT_TESTS)
  find_package(doctest CONFIG REQUIRED)
  pkg_check_modules(LIBKDUMPFILE IMPORTED_TARGET libkdumpfile)
endif()

# LLVM 14's symbolizer (llvm-14-dev): file:line and inline frames for --lines.
find_library(LLVM_LIBRARY NAMES LLVM-14 PATHS /usr/lib/llvm-14/lib REQUIRED)
find_path(LLVM_INCLUDE_DIR llvm/DebugInfo/Symbolize/Symbolize.h PATHS /usr/lib/llvm-14/include REQUIRED)
add_library(ramsift_llvm INTERFACE)
target_link_libraries(ramsift_llvm INTERFACE ${LLVM_LIBRARY})
target_include_directories(ramsift_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIR})
