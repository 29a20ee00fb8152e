/* The northbound HTTP push of encapsulation updates (config key report-url); see report.c. */
#ifndef LSOED_REPORT_H
#define LSOED_REPORT_H

#include <stdint.h>

#include "lsoe/config.h"
#include "lsoe/event.h"

struct report;
/* Start the posting thread for url; NULL on failure. */
struct report *report_open(const char *url);
/* Stop it; undelivered reports are counted in the log and dropped. */
void report_close(struct report *r);
/* Queue an encapsulation event (others are ignored). Never blocks on the network. */
void report_event(struct report *r, const struct lsoe_config *cfg, const struct lsoe_event *ev);
void report_stats(struct report *r, uint64_t *sent, uint64_t *failed, uint64_t *dropped, uint64_t *queued);

#endif
