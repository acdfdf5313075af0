/* elfinfo — which C library an executable is linked with, read from the file
 * itself: the program interpreter (PT_INTERP) names a dynamic binary's libc;
 * benchtop's own workloads also carry "benchtop-libc:NAME VERSION" (the only
 * way to name the libc of a static binary, and its version). The file is
 * untrusted: every offset is checked against its size. */
#ifndef BT_ELFINFO_H
#define BT_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>

struct elf_libc {
	char name[16];     /* "glibc", "musl" or "unknown" */
	char version[32];  /* "2.36", "1.2.3" or "" */
	bool is_static;
	char interp[128];  /* the program interpreter, "" when static */
};

/* Returns 0, or -errno / -ENOEXEC (not an ELF executable) with a sentence in
 * err. */
int elf_read_libc(const char *path, struct elf_libc *out, char *err, size_t errlen);

/* "musl 1.2.3, static" / "glibc 2.36, dynamic (/lib64/ld-linux-x86-64.so.2)" */
void elf_libc_text(const struct elf_libc *l, char *buf, size_t size);

#endif
