/* replay — `benchtop replay FILE`: a recorded trace in the live screen,
 * with time controls. It reads the whole trace once through the trace
 * reader into the screen's model (so a cut or damaged trace shows what it
 * has, with the reader's sentence saying where it stopped), then moves the
 * moment shown: playing at x0.25..x16, stepping a tick, jumping to a time,
 * to the next or previous event, to either end. The per-process rows of
 * the detail view come from the frames at that moment, read again by
 * seeking to the keyframe before them.
 *
 * One poll loop: keys, and a signalfd for SIGINT, SIGTERM and SIGHUP,
 * which end the replay with the terminal restored. */
#ifndef BT_UI_REPLAY_H
#define BT_UI_REPLAY_H

/* Exit status: 0, 1 when the trace cannot be read or there is no
 * terminal, 2 for bad usage, 128+N after signal N. */
int replay_main(int argc, char **argv);

#endif
