/* kdumpfile-read FILE... -- ADDR LEN
 * Reads LEN bytes of physical memory at ADDR with libkdumpfile (an
 * independent reader of the diskdump format) and writes them to stdout, or
 * "NODATA" on a line if the page is excluded. Used by the tests to check
 * that ramsift and libkdumpfile agree on every codec ramsift writes. */
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int sep = 0;
  for (int i = 1; i < argc; ++i)
    if (strcmp(argv[i], "--") == 0) sep = i;
  if (sep < 2 || argc - sep != 3) {
    fprintf(stderr, "usage: kdumpfile-read FILE... -- ADDR LEN\n");
    return 2;
  }
  int nfiles = sep - 1;
  int *fds = calloc((size_t)nfiles, sizeof *fds);
  for (int i = 0; i < nfiles; ++i) {
    fds[i] = open(argv[1 + i], O_RDONLY);
    if (fds[i] < 0) {
      perror(argv[1 + i]);
      free(fds);
      return 2;
    }
  }
  kdump_ctx_t *ctx = kdump_new();
  kdump_status st = nfiles == 1 ? kdump_open_fd(ctx, fds[0]) : kdump_open_fdset(ctx, (unsigned)nfiles, fds);
  if (st != KDUMP_OK) {
    fprintf(stderr, "kdump_open: %s\n", kdump_get_err(ctx));
    kdump_free(ctx);
    free(fds);
    return 2;
  }
  unsigned long long addr = strtoull(argv[sep + 1], NULL, 0);
  size_t len = strtoull(argv[sep + 2], NULL, 0);
  unsigned char *buf = malloc(len);
  size_t got = len;
  /* Machine physical addresses: exactly the pages the dump stores. (Kernel
   * physical addresses would make libkdumpfile set up the kernel's address
   * translation first, which needs more than a synthetic dump says, e.g.
   * "Cannot determine 5-level paging".) */
  st = kdump_read(ctx, KDUMP_MACHPHYSADDR, addr, buf, &got);
  int status = 0;
  if (st == KDUMP_ERR_NODATA) {
    printf("NODATA\n");
  } else if (st != KDUMP_OK || got != len) {
    fprintf(stderr, "kdump_read %#llx: %s\n", addr, kdump_get_err(ctx));
    status = 1;
  } else {
    fwrite(buf, 1, len, stdout);
  }
  /* Everything freed: the sanitizer build runs this with leak checks on. */
  free(buf);
  kdump_free(ctx);
  for (int i = 0; i < nfiles; ++i) close(fds[i]);
  free(fds);
  return status;
}
