# Warnings for our own targets only (third-party headers come in as SYSTEM).
function(ramsift_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
                                           -Wno-missing-field-initializers)
  if(RAMSIFT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
