/* record — `benchtop record`: launch a command in its own cgroup, sample it
 * on a fixed schedule, write the trace, print a summary. One poll loop:
 * a timerfd on absolute deadlines for ticks, a signalfd for SIGCHLD, SIGINT,
 * SIGTERM and SIGHUP. */
#ifndef BT_RECORD_H
#define BT_RECORD_H

/* Exit status: the command's own (128+N for a signal), 125 when benchtop
 * itself failed, 2 for bad usage (as timeout(1) does). */
int record_main(int argc, char **argv);

#endif
