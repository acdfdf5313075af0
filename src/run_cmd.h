/* run_cmd — `benchtop run` (and `benchtop` alone): the plan of `record`,
 * shown live on the interactive screen (ui/), recorded to a trace unless
 * --no-record. The screen is fed the same records as the trace; it stays
 * after the last run until the user quits. */
#ifndef BT_RUN_CMD_H
#define BT_RUN_CMD_H

int run_main(int argc, char **argv);

#endif
