# cmake -DIN=page_owner_sort.c -DOUT=fixed.c -DVERSION=6.1|6.12 -P patch_page_owner_sort.cmake
#
# The kernel's page_owner_sort with exactly the bugs fixed that ramsift does
# not copy (docs/top.md, "Deviations"), so the tests can demand byte
# identity for those options too. Each replacement must apply once.
file(READ ${IN} text)
function(replace_once from to)
  string(FIND "${text}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "patch_page_owner_sort: not found in ${IN}: ${from}")
  endif()
  string(REPLACE "${from}" "${to}" text "${text}")
  set(text "${text}" PARENT_SCOPE)
endfunction()

if(VERSION STREQUAL "6.12")
  # Deviation 1: without a sort letter, main() replaced any --sort with -t.
  replace_once("\tswitch (compare_flag) {"
               "\tif (compare_flag != COMP_NO_FLAG || sc.size == 0)\n\tswitch (compare_flag) {")
else()
  # Deviation 2: -t is the documented default sort.
  replace_once("\twhile ((opt = getopt_long(argc, argv, \"adfmnprstP\""
               "\tset_single_cmp(compare_num, SORT_DESC);\n\twhile ((opt = getopt_long(argc, argv, \"adfmnprstP\"")
  # Deviation 3: --cull free groups and labels by -f's "released".
  replace_once("\tif (!l1->free_ts_nsec && !l2->free_ts_nsec)\n\t\treturn 0;"
               "\treturn (l1->free_ts_nsec && l1->ts_nsec < l1->free_ts_nsec) -\n\t       (l2->free_ts_nsec && l2->ts_nsec < l2->free_ts_nsec);")
  replace_once("list[i].free_ts_nsec ? \"UNRELEASED\" : \"RELEASED\""
               "(list[i].free_ts_nsec && list[i].ts_nsec < list[i].free_ts_nsec) ? \"RELEASED\" : \"UNRELEASED\"")
endif()
file(WRITE ${OUT} "${text}")
