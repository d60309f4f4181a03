/* lib/stackdepot.c's handle, record and storage as each kernel generation
 * declares them, for the stack depot tests (tests/unit/decode/).
 * Compiled once per generation and page size:
 *   -DDEPOT_SINCE=504   5.4-6.0   slabindex/offset/valid, stack_slabs[], depot_index
 *                 601   6.1-6.2   + extra:5
 *                 603   6.3-6.7   pool_index, stack_pools[], pool_index
 *                 608   6.8       no valid bit, pools_num, refcounted records
 *                 609   6.9-6.16  pool_index_plus_1
 *                 617   6.17+     stack_pools a pointer (stack_max_pools)
 *   -DPAGE_SHIFT=12, 14 or 16
 * The macros mirror the kernel's so the bitfield widths come out of the
 * compiler exactly as in a kernel built for that page size. */
typedef unsigned int u32;
typedef u32 depot_stack_handle_t;
typedef struct {
  int counter;
} atomic_t;
typedef struct refcount_struct {
  atomic_t refs;
} refcount_t;
struct list_head {
  struct list_head *next, *prev;
};

#define DEPOT_POOL_ORDER 2  /* STACK_ALLOC_ORDER before 6.3 */
#define DEPOT_STACK_ALIGN 4 /* STACK_ALLOC_ALIGN before 6.3 */
#define DEPOT_OFFSET_BITS (DEPOT_POOL_ORDER + PAGE_SHIFT - DEPOT_STACK_ALIGN)
#define STACK_DEPOT_EXTRA_BITS 5
#if DEPOT_SINCE >= 608
#define DEPOT_POOL_INDEX_BITS (32 - DEPOT_OFFSET_BITS - STACK_DEPOT_EXTRA_BITS)
#elif DEPOT_SINCE >= 601
#define DEPOT_POOL_INDEX_BITS (32 - 1 - DEPOT_OFFSET_BITS - STACK_DEPOT_EXTRA_BITS)
#else
#define DEPOT_POOL_INDEX_BITS (32 - 1 - DEPOT_OFFSET_BITS)
#endif
#define DEPOT_POOLS_CAP 8192
#if DEPOT_SINCE >= 609
#define DEPOT_MAX_POOLS_RAW ((1LL << DEPOT_POOL_INDEX_BITS) - 1)
#else
#define DEPOT_MAX_POOLS_RAW (1LL << DEPOT_POOL_INDEX_BITS)
#endif
#define DEPOT_MAX_POOLS (DEPOT_MAX_POOLS_RAW < DEPOT_POOLS_CAP ? DEPOT_MAX_POOLS_RAW : DEPOT_POOLS_CAP)

union handle_parts {
  depot_stack_handle_t handle;
  struct {
#if DEPOT_SINCE >= 609
    u32 pool_index_plus_1 : DEPOT_POOL_INDEX_BITS;
#elif DEPOT_SINCE >= 603
    u32 pool_index : DEPOT_POOL_INDEX_BITS;
#else
    u32 slabindex : DEPOT_POOL_INDEX_BITS;
#endif
    u32 offset : DEPOT_OFFSET_BITS;
#if DEPOT_SINCE < 608
    u32 valid : 1;
#endif
#if DEPOT_SINCE >= 601
    u32 extra : STACK_DEPOT_EXTRA_BITS;
#endif
  };
};

#if DEPOT_SINCE >= 608
struct stack_record {
  struct list_head hash_list;
  u32 hash;
  u32 size;
  union handle_parts handle;
  refcount_t count;
  union {
    unsigned long entries[64]; /* CONFIG_STACKDEPOT_MAX_FRAMES */
    struct {
      struct list_head free_list;
      unsigned long rcu_state;
    };
  };
};
#else
struct stack_record {
  struct stack_record *next;
  u32 hash;
  u32 size;
  union handle_parts handle;
#if DEPOT_SINCE == 504
  unsigned long entries[1]; /* 5.4 and 5.10 */
#else
  unsigned long entries[];
#endif
};
#endif

#if DEPOT_SINCE >= 617
static void **stack_pools;
static unsigned int stack_max_pools = DEPOT_MAX_POOLS;
static int pools_num;
#elif DEPOT_SINCE >= 608
static void *stack_pools[DEPOT_MAX_POOLS];
static int pools_num;
#elif DEPOT_SINCE >= 603
static void *stack_pools[DEPOT_MAX_POOLS];
static int pool_index;
#else
static void *stack_slabs[DEPOT_MAX_POOLS];
static int depot_index;
#endif

struct stack_record *a_record;

/* Keeps the statics (and their DWARF) in the object. */
void *depot_touch(void) {
#if DEPOT_SINCE >= 617
  (void)stack_max_pools;
  return stack_pools[pools_num];
#elif DEPOT_SINCE >= 608
  return stack_pools[pools_num];
#elif DEPOT_SINCE >= 603
  return stack_pools[pool_index];
#else
  return stack_slabs[depot_index];
#endif
}
