/* What the C compiler says about types.h: offsets and sizes by offsetof and
 * sizeof, bitfield positions by setting a field in a real instance and
 * looking for the bits. The DWARF tests compare against these. */
#include <string.h>

#include "types.h"

struct kernel_test_offset {
  const char *type;
  const char *member;
  unsigned long offset;
};

#define OFF(T, tag, m) {tag, #m, offsetof(T, m)}

static const struct kernel_test_offset offsets[] = {
    OFF(struct page_owner, "struct page_owner", order),
    OFF(struct page_owner, "struct page_owner", last_migrate_reason),
    OFF(struct page_owner, "struct page_owner", gfp_mask),
    OFF(struct page_owner, "struct page_owner", handle),
    OFF(struct page_owner, "struct page_owner", free_handle),
    OFF(struct page_owner, "struct page_owner", ts_nsec),
    OFF(struct page_owner, "struct page_owner", free_ts_nsec),
    OFF(struct page_owner, "struct page_owner", comm),
    OFF(struct page_owner, "struct page_owner", pid),
    OFF(struct page_owner, "struct page_owner", tgid),
    OFF(struct page_owner, "struct page_owner", free_pid),
    OFF(struct page_owner, "struct page_owner", free_tgid),
    OFF(struct stack_record, "struct stack_record", hash_list),
    OFF(struct stack_record, "struct stack_record", hash),
    OFF(struct stack_record, "struct stack_record", size),
    OFF(struct stack_record, "struct stack_record", handle),
    OFF(struct stack_record, "struct stack_record", count),
    OFF(struct stack_record, "struct stack_record", entries),
    OFF(struct stack_record, "struct stack_record", free_list),
    OFF(struct stack_record, "struct stack_record", rcu_state),
    OFF(struct stack_record_v1, "struct stack_record_v1", entries),
    OFF(struct mem_section, "struct mem_section", section_mem_map),
    OFF(struct mem_section, "struct mem_section", usage),
    OFF(struct mem_section, "struct mem_section", page_ext),
    OFF(struct page_ext_operations, "struct page_ext_operations", need_shared_flags),
    OFF(struct page, "struct page", flags),
    OFF(struct page, "struct page", lru),
    OFF(struct page, "struct page", mlock_count),
    OFF(struct page, "struct page", buddy_list),
    OFF(struct page, "struct page", mapping),
    OFF(struct page, "struct page", index),
    OFF(struct page, "struct page", share),
    OFF(struct page, "struct page", private),
    OFF(struct page, "struct page", pp_magic),
    OFF(struct page, "struct page", dma_addr),
    OFF(struct page, "struct page", compound_head),
    OFF(struct page, "struct page", page_type),
    OFF(struct page, "struct page", _mapcount),
    OFF(struct page, "struct page", _refcount),
    OFF(struct page, "struct page", memcg_data),
    OFF(struct bitfields, "struct bitfields", head),
    OFF(struct arrays, "struct arrays", grid),
    OFF(struct arrays, "struct arrays", name),
    OFF(struct arrays, "struct arrays", heads),
    OFF(struct arrays, "struct arrays", zero),
};

const struct kernel_test_offset *kernel_test_offsets(unsigned long *count) {
  *count = sizeof(offsets) / sizeof(offsets[0]);
  return offsets;
}

struct kernel_test_size {
  const char *type;
  unsigned long size;
};

static const struct kernel_test_size sizes[] = {
    {"struct page_owner", sizeof(struct page_owner)},
    {"struct stack_record", sizeof(struct stack_record)},
    {"struct stack_record_v1", sizeof(struct stack_record_v1)},
    {"union handle_parts", sizeof(union handle_parts)},
    {"struct mem_section", sizeof(struct mem_section)},
    {"struct page_ext", sizeof(struct page_ext)},
    {"struct page_ext_operations", sizeof(struct page_ext_operations)},
    {"struct page", sizeof(struct page)},
    {"struct bitfields", sizeof(struct bitfields)},
    {"struct arrays", sizeof(struct arrays)},
    {"page_owner_t", sizeof(page_owner_t)},
};

const struct kernel_test_size *kernel_test_sizes(unsigned long *count) {
  *count = sizeof(sizes) / sizeof(sizes[0]);
  return sizes;
}

/* Lowest set bit and number of set bits over an object's bytes,
 * little-endian: bit n is bit n % 8 of byte n / 8. */
static void bits_of(const void *object, unsigned long size, long *lowest, long *count) {
  const unsigned char *bytes = object;
  *lowest = -1;
  *count = 0;
  for (unsigned long i = 0; i < size * 8; ++i) {
    if (bytes[i / 8] >> (i % 8) & 1) {
      if (*lowest < 0) *lowest = (long)i;
      ++*count;
    }
  }
}

struct kernel_test_bitfield {
  const char *type;
  const char *member;
  long bit_offset;
  long bit_size;
};

#define BITFIELD(T, tag, m, slot)                              \
  do {                                                         \
    struct kernel_test_bitfield *out_ = (slot);                \
    T v;                                                       \
    memset(&v, 0, sizeof v);                                   \
    v.m = -1; /* all ones, signed or not */                    \
    out_->type = tag;                                          \
    out_->member = #m;                                         \
    bits_of(&v, sizeof v, &out_->bit_offset, &out_->bit_size); \
  } while (0)

const struct kernel_test_bitfield *kernel_test_bitfields(unsigned long *count) {
  static struct kernel_test_bitfield out[13];
  unsigned long n = 0;
  BITFIELD(union handle_parts, "union handle_parts", pool_index, &out[n++]);
  BITFIELD(union handle_parts, "union handle_parts", offset, &out[n++]);
  BITFIELD(union handle_parts, "union handle_parts", valid, &out[n++]);
  BITFIELD(union handle_parts, "union handle_parts", extra, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", a, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", b, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", c, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", d, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", s, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", flag, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", tail, &out[n++]);
  BITFIELD(struct bitfields, "struct bitfields", full, &out[n++]);
  BITFIELD(struct stack_record, "struct stack_record", handle.offset, &out[n++]);
  *count = n;
  return out;
}
