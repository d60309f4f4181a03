/* Globals in the kernel's spelling, with known contents (see types.h). */
#include "types.h"

struct mem_section **mem_section;
unsigned long page_ext_size = 8;
static void *stack_pools[8192];
static int pool_index = 3;
static int shared_name = 1; /* other.c has its own */

struct page_ext_operations page_owner_ops = {
    .offset = 8,
    .size = sizeof(struct page_owner),
    .need_shared_flags = 1,
};

const char linux_banner[] = "Linux version 6.8.0-ramsift-test (ramsift@tests) #1 SMP PREEMPT\n";

union handle_parts sample_handle = {.pool_index = 0x1234, .offset = 0x2a5, .valid = 1, .extra = 0x13};
struct bitfields sample_bits = {.head = 0x1111111111111111ull,
                                .a = 5,
                                .b = 0xabcdef1234ull,
                                .c = 0x1abcde,
                                .d = 0x55,
                                .s = -3,
                                .flag = 1,
                                .tail = 0x1a5,
                                .full = 0xdeadbeef};

struct page a_page;
struct stack_record a_record;
struct stack_record_v1 *old_record;
struct arrays some_arrays;
page_owner_t *owner_pointer;
cv_handle_t cv_handle = 7;
enum page_ext_flags ext_flag = PAGE_EXT_OWNER_ALLOCATED;
enum migratetype migrate = MIGRATE_TYPES;
enum pageflags page_flag = PG_high;
enum signed_values signed_value = SV_MIN;

/* A struct whose name other.c reuses for a different layout. */
struct conflict {
  int only;
} conflict_here;

void *touch_statics(void) {
  (void)shared_name;
  return stack_pools[pool_index];
}

/* Functions told apart by their locals (DwarfTypes::function_has_local), as
 * print_page_owner_memcg() of 6.12 (a local objcg) and of 6.19 (none). */
struct objcg_like {
  void *memcg;
};
static inline void *memcg_with_objcg(unsigned long data) {
  if (data & 1) {
    struct objcg_like *objcg = (struct objcg_like *)(data & ~1ul);
    return objcg->memcg;
  }
  return 0;
}
static inline void *memcg_without_objcg(unsigned long memcg_data) {
  void *memcg = (void *)(memcg_data & ~3ul);
  return memcg;
}
void *touch_memcg(unsigned long data) {
  return memcg_with_objcg(data) ? memcg_with_objcg(data) : memcg_without_objcg(data);
}
