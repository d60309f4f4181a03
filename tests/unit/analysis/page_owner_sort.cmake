# The kernel's own page_owner_sort, built from the Debian linux-source
# packages (6.1: tools/vm/, 6.12: tools/mm/), for the byte-for-byte
# comparison in page_owner_sort_compat_test.cc. Two builds of each: the
# pristine tool, and the tool with the fixes ramsift makes (docs/top.md,
# "Deviations"; patch_page_owner_sort.cmake). It needs only libc.
#
# A missing package is a test failure, not a skip: the test binary is told
# which package is missing and fails naming it (.ci/setup installs both).
set(_pos_defines)
foreach(version 6.1 6.12)
  string(REPLACE "." "_" id ${version})
  if(version STREQUAL "6.1")
    set(relative tools/vm/page_owner_sort.c)
  else()
    set(relative tools/mm/page_owner_sort.c)
  endif()
  file(GLOB tarballs /usr/src/linux-source-${version}.tar.*)
  if(NOT tarballs)
    message(WARNING "linux-source-${version} is not installed: the page_owner_sort comparison tests will fail")
    list(APPEND _pos_defines RAMSIFT_PAGE_OWNER_SORT_${id}_MISSING="linux-source-${version}")
    continue()
  endif()
  list(GET tarballs 0 tarball)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/page_owner_sort/${version})
  set(pristine ${dir}/linux-source-${version}/${relative})
  set(fixed ${dir}/page_owner_sort_fixed.c)
  add_custom_command(
    OUTPUT ${pristine}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND tar -xf ${tarball} -C ${dir} --wildcards linux-source-${version}/${relative}
    COMMAND ${CMAKE_COMMAND} -E touch ${pristine}
    DEPENDS ${tarball}
    COMMENT "Extracting ${relative} from ${tarball}")
  add_custom_command(
    OUTPUT ${fixed}
    COMMAND ${CMAKE_COMMAND} -DIN=${pristine} -DOUT=${fixed} -DVERSION=${version}
            -P ${CMAKE_CURRENT_LIST_DIR}/patch_page_owner_sort.cmake
    DEPENDS ${pristine} ${CMAKE_CURRENT_LIST_DIR}/patch_page_owner_sort.cmake
    COMMENT "Applying ramsift's page_owner_sort ${version} fixes")
  foreach(variant pristine fixed)
    set(target page_owner_sort_${id}_${variant})
    add_executable(${target} ${${variant}})
    set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
    # Kernel tool code: its warnings are not ours, and no sanitizer (it reads
    # past a malloc'd buffer in regexec, harmlessly in practice).
    set_property(TARGET ${target} PROPERTY COMPILE_OPTIONS -w -O1)
    set_property(TARGET ${target} PROPERTY LINK_OPTIONS "")
    add_dependencies(ramsift_unit ${target})
    string(TOUPPER ${variant} upper)
    list(APPEND _pos_defines RAMSIFT_PAGE_OWNER_SORT_${id}_${upper}="$<TARGET_FILE:${target}>")
  endforeach()
endforeach()
target_compile_definitions(ramsift_unit PRIVATE ${_pos_defines})
