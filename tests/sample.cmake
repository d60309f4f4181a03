# The bundled sample (fixtures/sample, symbols/; made by fixtures/make-sample):
# a real arm64 Linux 6.12 dump cut down by `ramsift extract`, with the
# kernel's own page_owner text. Needs no fixture build.
set(sample_dir ${PROJECT_SOURCE_DIR}/fixtures/sample)
add_test(NAME sample.page_owner
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sample-golden.sh $<TARGET_FILE:ramsift> ${sample_dir})
set_tests_properties(sample.page_owner PROPERTIES TIMEOUT 300 LABELS sample)
