/* elfinfo — see elfinfo.h. */
#include "elfinfo.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER "benchtop-libc:"

static void set_from_interp(struct elf_libc *out)
{
	if (strstr(out->interp, "ld-musl"))
		snprintf(out->name, sizeof out->name, "musl");
	else if (strstr(out->interp, "ld-linux") || strstr(out->interp, "ld64.so"))
		snprintf(out->name, sizeof out->name, "glibc");
}

/* The marker our workloads embed: "benchtop-libc:musl 1.2.3". */
static void read_marker(const unsigned char *map, size_t size, struct elf_libc *out)
{
	const unsigned char *p = memmem(map, size, MARKER, sizeof MARKER - 1);
	if (!p)
		return;
	p += sizeof MARKER - 1;
	size_t left = size - (size_t)(p - map), n = 0;
	char text[64];
	while (n < left && n + 1 < sizeof text && p[n] >= 0x20 && p[n] < 0x7f)
		text[n] = (char)p[n], n++;
	text[n] = '\0';
	char *sp = strchr(text, ' ');
	if (sp) {
		*sp = '\0';
		snprintf(out->version, sizeof out->version, "%s", sp + 1);
	}
	if (strcmp(text, "glibc") == 0 || strcmp(text, "musl") == 0)
		snprintf(out->name, sizeof out->name, "%.15s", text);
}

int elf_read_libc(const char *path, struct elf_libc *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof out->name, "unknown");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		snprintf(err, errlen, "%s is not an ELF executable", path);
		return -ENOEXEC;
	}
	size_t size = (size_t)st.st_size;
	unsigned char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		return -e;
	}
	int rc = 0;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
		snprintf(err, errlen, "%s is not a 64-bit little-endian ELF executable", path);
		rc = -ENOEXEC;
		goto out;
	}
	out->is_static = true;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(map + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		out->is_static = false;
		if (ph[i].p_offset < size && ph[i].p_filesz <= size - ph[i].p_offset) {
			size_t n = ph[i].p_filesz < sizeof out->interp ? ph[i].p_filesz : sizeof out->interp - 1;
			memcpy(out->interp, map + ph[i].p_offset, n);
			out->interp[n] = '\0';
			out->interp[strnlen(out->interp, n)] = '\0';
		}
	}
	set_from_interp(out);
	read_marker(map, size, out);
out:
	munmap(map, size);
	return rc;
}

void elf_libc_text(const struct elf_libc *l, char *buf, size_t size)
{
	if (l->is_static)
		snprintf(buf, size, "%s%s%s, static", l->name, l->version[0] ? " " : "", l->version);
	else
		snprintf(buf, size, "%s%s%s, dynamic (%s)", l->name, l->version[0] ? " " : "", l->version,
			 l->interp[0] ? l->interp : "no interpreter");
}
