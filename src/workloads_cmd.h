/* workloads_cmd — `benchtop workloads`: the built-in workloads with their
 * parameters and, per variant, where the binary is and which libc it is
 * linked with (read from the file). */
#ifndef BT_WORKLOADS_CMD_H
#define BT_WORKLOADS_CMD_H

int workloads_main(int argc, char **argv);

#endif
