/* lsoe-sim's commands beside `run` (main.c). */
#ifndef LSOE_SIM_H
#define LSOE_SIM_H

/* lsoe-sim replay CAPTURE --as MAC ...; argv[0] is "replay". Returns the exit status. */
int sim_replay_main(int argc, char **argv);

#endif
