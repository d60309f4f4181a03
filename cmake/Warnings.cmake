# Warnings for our own targets only (third-party headers come in as SYSTEM).
function(ramsift_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
                                           -Wno-missing-field-initializers)
  if(RAMSIFT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # GCC 12 with -fsanitize=address,undefined reports std::regex and
  # std::function internals as maybe-uninitialized (false positives in
  # libstdc++ headers, gone without the sanitizers).
  if(RAMSIFT_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()
