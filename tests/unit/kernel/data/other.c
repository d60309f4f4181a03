/* A second compile unit: a same-named static, a same-named struct with
 * another layout, an extern declaration of a variable defined in types.c
 * and an enum no other unit has. */
#include "types.h"

extern unsigned long page_ext_size;
static int shared_name = 2;

struct conflict {
  long x;
  long y;
} conflict_there;

enum other_only { OTHER_ONLY_VALUE = 42 } other_value = OTHER_ONLY_VALUE;

unsigned long read_other(void) { return page_ext_size + (unsigned long)shared_name; }
