/* ramsift as a crash extension: `crash> extend ramsift.so` adds
 *   pageowner  the kernel's /sys/kernel/debug/page_owner text (`ramsift page-owner`)
 *   pagetop    who holds memory (`ramsift top`)
 *   pageinfo   one page's owner (`ramsift page-owner --pfn-range PFN`)
 *   pagewalk   page-table walks beside the fast paths (`ramsift vtop`)
 * The commands are ramsift's own subcommands, run by commands.cc over the
 * memory crash reads; this file is the part that has to be C because it
 * includes crash's defs.h (see crash_api.h). docs/crash.md: building,
 * loading, a session.
 */
#include <stdlib.h>
#include <string.h>

#include "crash_api.h"
#include "defs.h"

/* The crash version defs.h came from (CMake reads it from `crash --version`).
 * defs.h's structures change between crash releases, so an extension built
 * against one version reads garbage from another's pc/vt: refuse to load. */
#ifndef RAMSIFT_CRASH_VERSION
#error "RAMSIFT_CRASH_VERSION: the crash version defs.h belongs to"
#endif

int ramsift_crash_read_physical(uint64_t addr, void *buf, size_t len) {
  return readmem((ulonglong)addr, PHYSADDR, buf, (long)len, "ramsift", RETURN_ON_ERROR | QUIET) ? 1 : 0;
}

char *ramsift_crash_vmcoreinfo_key(const char *key) {
  if (!pc->read_vmcoreinfo) return NULL;
  return pc->read_vmcoreinfo(key);
}

char *ramsift_crash_vmcoreinfo_text(void) {
  /* The kernel's own copy (kernel/crash_core.c: vmcoreinfo_data, a page of
   * its own, vmcoreinfo_size bytes long), read with crash's KASLR. */
  ulong data = 0, size = 0;
  if (!kernel_symbol_exists("vmcoreinfo_data") || !kernel_symbol_exists("vmcoreinfo_size")) return NULL;
  if (!readmem(symbol_value("vmcoreinfo_data"), KVADDR, &data, sizeof data, "vmcoreinfo_data",
               RETURN_ON_ERROR | QUIET) ||
      !readmem(symbol_value("vmcoreinfo_size"), KVADDR, &size, sizeof size, "vmcoreinfo_size", RETURN_ON_ERROR | QUIET))
    return NULL;
  if (!data || !size || size > 65536) return NULL;
  char *text = malloc(size + 1);
  if (!text) return NULL;
  if (!readmem(data, KVADDR, text, (long)size, "vmcoreinfo text", RETURN_ON_ERROR | QUIET)) {
    free(text);
    return NULL;
  }
  text[size] = 0;
  return text;
}

size_t ramsift_crash_memory_ranges(uint64_t *starts, uint64_t *sizes, size_t max) {
  size_t n = 0;
  if (!vt || !vt->node_table) return 0;
  for (int i = 0; i < vt->numnodes; i++) {
    if (n < max) {
      starts[n] = vt->node_table[i].start_paddr;
      sizes[n] = (uint64_t)vt->node_table[i].size * (uint64_t)PAGESIZE();
    }
    n++;
  }
  return n;
}

void ramsift_crash_write(const char *data, size_t len) {
  fwrite(data, 1, len, fp);
}

void ramsift_crash_flush(void) {
  fflush(fp);
}

const char *ramsift_crash_vmlinux(void) {
  /* Started as `crash vmlinux.stripped vmlinux.debug`: the DWARF is in the second. */
  return pc->namelist_debug ? pc->namelist_debug : pc->namelist;
}

const char *ramsift_crash_dumpfile(void) {
  return pc->dumpfile ? pc->dumpfile : "";
}

const char *ramsift_crash_machine(void) {
  return MACHINE_TYPE;
}

uint64_t ramsift_crash_page_size(void) {
  return (uint64_t)PAGESIZE();
}

static void cmd_pageowner(void) {
  ramsift_crash_run(argcnt, args);
}
static void cmd_pagetop(void) {
  ramsift_crash_run(argcnt, args);
}
static void cmd_pageinfo(void) {
  ramsift_crash_run(argcnt, args);
}
static void cmd_pagewalk(void) {
  ramsift_crash_run(argcnt, args);
}

/* Filled in by _init: the help pages are generated from the subcommands'
 * flag declarations, so they cannot be static arrays. */
static struct command_table_entry command_table[] = {
    {"pageowner", cmd_pageowner, NULL, 0},
    {"pagetop", cmd_pagetop, NULL, 0},
    {"pageinfo", cmd_pageinfo, NULL, 0},
    {"pagewalk", cmd_pagewalk, NULL, 0},
    {NULL, NULL, NULL, 0},
};

static char *no_help[] = {"ramsift", "(help unavailable)", " ", "  ramsift could not build this help page.", NULL};

void __attribute__((constructor)) ramsift_crash_init(void) {
  if (strcmp(build_version, RAMSIFT_CRASH_VERSION) != 0) {
    fprintf(fp,
            "ramsift.so: built for crash %s, this is crash %s: not loaded (rebuild ramsift against this crash's "
            "defs.h)\n",
            RAMSIFT_CRASH_VERSION, build_version);
    return;
  }
  if (strcmp(pc->program_version, build_version) != 0) {
    fprintf(fp, "ramsift.so: crash reports two versions (%s, %s): not loaded\n", pc->program_version, build_version);
    return;
  }
  for (struct command_table_entry *c = command_table; c->name; c++) {
    c->help_data = ramsift_crash_help(c->name);
    if (!c->help_data) c->help_data = no_help;
  }
  register_extension(command_table);
}

void __attribute__((destructor)) ramsift_crash_fini(void) {
  for (struct command_table_entry *c = command_table; c->name; c++) {
    if (c->help_data && c->help_data != no_help) ramsift_crash_free_help(c->help_data);
    c->help_data = NULL;
  }
}
