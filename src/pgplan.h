/* pgplan — the PostgreSQL server that pgio runs talk to when the user gave
 * none: one throwaway cluster (pgcluster) for the whole plan, started before
 * the first run and stopped after the last, outside the runs' cgroups (the
 * server is the same for every variant; the runs measure the client). Runs
 * that named a server with --pg keep it. */
#ifndef BT_PGPLAN_H
#define BT_PGPLAN_H

#include <stddef.h>

#include "session.h"

struct pgcluster;

/* When a run of plan is pgio without --pg: starts the cluster (Ctrl-C and
 * SIGTERM cancel the start) and points those runs at it. *out is the
 * cluster, or NULL when none was needed. Returns 0, or -1 with a sentence. */
int pgplan_prepare(struct plan *plan, struct pgcluster **out, char *err, size_t errlen);
/* Stops and removes the cluster (NULL: nothing); says on stderr what went
 * wrong, if anything. */
void pgplan_finish(struct pgcluster *c);

#endif
