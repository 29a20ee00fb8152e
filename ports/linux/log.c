/* Logging: syslog (facility daemon) for a daemon, stderr in the foreground. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "lsoed.h"

static int where = LOG_TO_STDERR;
static int threshold = LSOE_LOG_INFO;

void log_open(int to, int level)
{
	where = to;
	threshold = level;
	if (to == LOG_TO_SYSLOG)
		openlog("lsoed", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level) { threshold = level; }
int log_level(void) { return threshold; }

void log_msg(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const names[] = { "error", "warning", "info", "debug" };
	if (level > threshold)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (where == LOG_TO_SYSLOG) {
		vsyslog(prio[level], fmt, ap);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct tm tm;
		localtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld lsoed %s: ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
