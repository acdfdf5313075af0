/* cgroup_int — helpers shared by the files of the cgroup module
 * (cgroup.c, cgroup_run.c, cgroup_delegate.c) and by nothing else. */
#ifndef BT_CGROUP_INT_H
#define BT_CGROUP_INT_H

/* Write val into dir/file with one write(). 0 or -errno (the kernel's
 * answer to a cgroup file write is in the errno: EBUSY, EINVAL...). */
int cg_write_value(const char *dir, const char *file, const char *val);

#endif
