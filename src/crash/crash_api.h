/* The boundary between crash and ramsift inside the crash extension.
 *
 * crash 8.0.2's defs.h does not compile as C++ (`private` as an identifier,
 * a redeclared kernel_orc_entry, ...), so the extension is two halves:
 *   extension.c  includes defs.h: registers the commands with crash, and
 *                implements the "crash side" below over readmem(), fp and
 *                pc->read_vmcoreinfo;
 *   commands.cc  ramsift's C++: parses each command's words with the CLI's
 *                flags and calls the library operations on memory read
 *                through the crash side.
 * Only plain C types cross; nothing here may throw or longjmp.
 *
 *   crash> extend ramsift.so        -> _init: ramsift_crash_help() per command
 *   crash> pageowner --pid 1 > out  -> cmd_pageowner -> ramsift_crash_run()
 */
#ifndef RAMSIFT_CRASH_API_H
#define RAMSIFT_CRASH_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the crash side (extension.c) ---- */

/* Physical memory through readmem(PHYSADDR, RETURN_ON_ERROR|QUIET):
 * 1 when all len bytes were read, 0 when any could not be. */
int ramsift_crash_read_physical(uint64_t addr, void *buf, size_t len);
/* The VMCOREINFO text the kernel keeps in memory (malloc'd, free() it), or
 * NULL when the kernel has none. */
char *ramsift_crash_vmcoreinfo_text(void);
/* The value of one key of the VMCOREINFO crash read from the dump (ELF
 * note, kdump header; malloc'd), or NULL. */
char *ramsift_crash_vmcoreinfo_key(const char *key);
/* Physical memory as crash sees it: up to max ranges from its node table
 * (start, size in bytes). Returns how many there are. */
size_t ramsift_crash_memory_ranges(uint64_t *starts, uint64_t *sizes, size_t max);
/* Bytes to crash's current output stream (fp: the screen, `> file`, `| cmd`). */
void ramsift_crash_write(const char *data, size_t len);
/* fflush(fp), at the end of each command: crash's own output follows. */
void ramsift_crash_flush(void);
/* What crash was started with: the vmlinux (pc->namelist) and the dump
 * (pc->dumpfile); the machine type ("X86_64", ...). */
const char *ramsift_crash_vmlinux(void);
const char *ramsift_crash_dumpfile(void);
const char *ramsift_crash_machine(void);
/* The kernel's page size (crash's PAGESIZE()). */
uint64_t ramsift_crash_page_size(void);

/* ---- the ramsift side (commands.cc) ---- */

/* Runs one extension command (argv[0] is its crash name: "pageowner",
 * "pagetop", "pageinfo"). Returns the `ramsift` exit code (0, 1, 2). */
int ramsift_crash_run(int argc, char **argv);
/* The crash help page of a command, as crash's help_data wants it: name,
 * one-line description, synopsis, then the lines; NULL-terminated; lives
 * until ramsift_crash_free_help(). NULL on failure. */
char **ramsift_crash_help(const char *command);
void ramsift_crash_free_help(char **help);

#ifdef __cplusplus
}
#endif

#endif /* RAMSIFT_CRASH_API_H */
