/* lsoe-sim's commands beside `run` (main.c). */
#ifndef LSOE_SIM_H
#define LSOE_SIM_H

#include <string.h>

/* --log's levels: 0 error .. 3 debug; -2: not a level. */
static inline int sim_log_level(const char *s)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -2;
}

/* lsoe-sim replay CAPTURE --as MAC ...; argv[0] is "replay". Returns the exit status. */
int sim_replay_main(int argc, char **argv);
/* lsoe-sim campaign SCENARIO --seeds A..B ...; argv[0] is "campaign". */
int sim_campaign_main(int argc, char **argv);

#endif
