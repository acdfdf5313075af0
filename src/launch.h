/* launch — start a run's command so that no instruction of it runs outside
 * its cgroup: fork, let the child wait on a pipe until the parent has moved
 * it into the cgroup, then exec. The child gets default signal handlers and
 * mask, its own process group (benchtop decides how the run is stopped), and
 * /dev/null as stdin when benchtop's stdin is a terminal. An exec failure is
 * reported back through a close-on-exec pipe. */
#ifndef BT_LAUNCH_H
#define BT_LAUNCH_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"

struct launch_spec {
	char *const *argv;
	char *const *env; /* "K=V" to add, or NULL */
	size_t nenv;
	const struct rlimit *nofile; /* RLIMIT_NOFILE to restore in the child, or NULL */
	int keep_fd;                 /* an fd the command inherits (result protocol), or -1 */
	const char *keep_fd_env;     /* the variable that tells the command its number */
	int output_fd;               /* becomes the command's stdout and stderr, or -1 */
};

/* Returns 0 with *pid set, or -errno with a sentence in err. When the
 * command cannot be executed the child has already been reaped. */
int launch_start(const struct launch_spec *spec, struct cg_run *cg, pid_t *pid, char *err, size_t errlen);

#endif
