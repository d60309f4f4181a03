# The bundled sample (fixtures/sample, symbols/; made by fixtures/make-sample):
# a real arm64 Linux 6.12 dump cut down by `ramsift extract`, with the
# kernel's own page_owner text. Needs no fixture build.
set(sample_dir ${PROJECT_SOURCE_DIR}/fixtures/sample)
add_test(NAME sample.page_owner
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sample-golden.sh $<TARGET_FILE:ramsift> ${sample_dir})
set_tests_properties(sample.page_owner PROPERTIES TIMEOUT 300 LABELS sample)

# The real-kernel matrix's committed cells (fixtures/sample/matrix/CELL, made
# by fixtures/make-sample --cell; docs/kernel-matrix.md): one test each.
file(GLOB matrix_cells LIST_DIRECTORIES true ${sample_dir}/matrix/*)
foreach(cell_dir ${matrix_cells})
  if(IS_DIRECTORY ${cell_dir})
    get_filename_component(cell ${cell_dir} NAME)
    add_test(NAME matrix.${cell} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/matrix-golden.sh $<TARGET_FILE:ramsift> ${cell_dir})
    set_tests_properties(matrix.${cell} PROPERTIES TIMEOUT 300 LABELS matrix)
  endif()
endforeach()
