/*
 * openmetrics.h: lsoed's counters in the Prometheus text exposition format, for
 * "lsoectl show statistics --openmetrics" (lsoectl(8), README) and node_exporter's
 * textfile collector.
 *
 * The format is Prometheus's text format 0.0.4, which node_exporter's textfile
 * collector and "promtool check metrics" read, ended by OpenMetrics' "# EOF" (a
 * comment to 0.0.4 parsers): counter families are named with their "_total" suffix
 * on the HELP and TYPE lines as on the samples, which promtool's linter asks for
 * (strict OpenMetrics 1.0 names a counter family without it). There are no
 * timestamps, no stateset or info types (gauges stand in for them).
 */
#ifndef LSOECTL_OPENMETRICS_H
#define LSOECTL_OPENMETRICS_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

/*
 * The exposition of the answers to "show statistics" (stats), "show neighbors"
 * (neighbors) and "show bgp" (bgp), as a malloc()ed text of *len octets ending in
 * "# EOF\n"; NULL when out of memory. Every input may be missing (NULL), of any
 * shape or hold anything: what does not fit is left out, never a crash. Numbers are
 * written as the daemon wrote them (64-bit counters exactly); a number no float
 * parser takes (1e999), or a negative counter, is left out. Label values are
 * escaped (backslash, double quote, newline) and other control characters replaced
 * by '?'. No series appears twice, and every family's samples are together.
 */
char *openmetrics_render(yajl_val stats, yajl_val neighbors, yajl_val bgp, size_t *len);

#endif
