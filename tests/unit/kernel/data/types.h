/* Kernel-shaped types for the DWARF reader's tests: the shapes ramsift reads
 * (include/ramsift/kernel/dwarf_types.h), cut down but kept in the kernel's
 * spelling: typedef chains, a union of bitfields, anonymous unions and
 * structs inside structs, flexible and multi-dimensional arrays, enums with
 * signed and wide values, an opaque struct behind a pointer.
 *
 * types.c and other.c (globals) are compiled into small ELF files by several
 * compilers and DWARF versions; expect.c compiles this header into the unit
 * test so that the expected offsets come from the C compiler (offsetof, and
 * bitfields found by setting them), not from numbers typed into the test. */
#ifndef RAMSIFT_TEST_KERNEL_TYPES_H
#define RAMSIFT_TEST_KERNEL_TYPES_H

#include <stddef.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int __kernel_pid_t;
typedef __kernel_pid_t pid_t;
typedef unsigned int gfp_t;
typedef u32 depot_stack_handle_t;
typedef const volatile depot_stack_handle_t cv_handle_t; /* qualifiers over a typedef chain */
typedef _Bool bool;

typedef struct {
  int counter;
} atomic_t;
typedef struct refcount_struct {
  atomic_t refs;
} refcount_t;

struct list_head {
  struct list_head *next, *prev;
};

/* lib/stackdepot.c, 6.3-6.7 */
union handle_parts {
  depot_stack_handle_t handle;
  struct {
    u32 pool_index : 16;
    u32 offset : 10;
    u32 valid : 1;
    u32 extra : 5;
  };
};

/* 6.8+ */
struct stack_record {
  struct list_head hash_list;
  u32 hash;
  u32 size;
  union handle_parts handle;
  refcount_t count;
  union {
    unsigned long entries[64];
    struct {
      struct list_head free_list;
      unsigned long rcu_state;
    };
  };
};

/* 5.4-6.7: a flexible array at the end */
struct stack_record_v1 {
  struct stack_record *next;
  u32 hash;
  u32 size;
  union handle_parts handle;
  unsigned long entries[];
};

/* mm/page_owner.c, 6.8+ */
struct page_owner {
  unsigned short order;
  short last_migrate_reason;
  gfp_t gfp_mask;
  depot_stack_handle_t handle;
  depot_stack_handle_t free_handle;
  u64 ts_nsec;
  u64 free_ts_nsec;
  char comm[16];
  pid_t pid;
  pid_t tgid;
  pid_t free_pid;
  pid_t free_tgid;
};
typedef struct page_owner page_owner_t;

struct page_ext {
  unsigned long flags;
};

struct page_ext_operations {
  size_t offset;
  size_t size;
  bool (*need)(void);
  void (*init)(void);
  bool need_shared_flags;
};

struct mem_section_usage; /* opaque here, as in most CUs */

struct mem_section {
  unsigned long section_mem_map;
  struct mem_section_usage *usage;
  struct page_ext *page_ext;
  unsigned long pad;
};

struct address_space; /* never defined: stays opaque */

/* include/linux/mm_types.h, cut down: unions of anonymous structs of unions */
struct page {
  unsigned long flags;
  union {
    struct {
      union {
        struct list_head lru;
        struct {
          void *__filler;
          unsigned int mlock_count;
        };
        struct list_head buddy_list;
        struct list_head pcp_list;
      };
      struct address_space *mapping;
      union {
        unsigned long index;
        unsigned long share;
      };
      unsigned long private;
    };
    struct {
      unsigned long pp_magic;
      unsigned long dma_addr;
    };
    struct {
      unsigned long compound_head;
    };
  };
  union {
    unsigned int page_type;
    atomic_t _mapcount;
  };
  atomic_t _refcount;
  unsigned long memcg_data;
};

/* Bitfields that straddle storage units, sit after other members, are
 * signed, or are as wide as their type. */
struct bitfields {
  u64 head;
  u64 a : 3;
  u64 b : 40;
  u64 c : 21;
  u32 d : 7;
  int s : 5;
  u8 flag : 1;
  u16 tail : 9;
  u32 full : 32;
};

struct arrays {
  int grid[3][5];
  char name[16];
  struct list_head heads[2];
  unsigned long zero[0];
};

enum page_ext_flags {
  PAGE_EXT_OWNER,
  PAGE_EXT_OWNER_ALLOCATED,
};

enum migratetype {
  MIGRATE_UNMOVABLE,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_TYPES
};

enum pageflags {
  PG_locked,
  PG_writeback,
  PG_referenced,
  PG_buddy = 20,
  PG_high = 0x80, /* 128 fits DW_FORM_data1 only when read unsigned */
};

enum signed_values {
  SV_MINUS_ONE = -1,
  SV_MIN = -2147483647 - 1,
  SV_BIG = 200,
};

#endif
