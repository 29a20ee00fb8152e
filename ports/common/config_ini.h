/*
 * The configuration file: an INI file read with libinih, compatible with the
 * reference implementation's (py-lsoed, Python configparser):
 *
 *   [lsoed]                       ([lsoe] is accepted too)
 *   # comment                     (or ; comment)
 *   hello-interval = 60.0         (or hello-interval: 60.0)
 *   local-id = 00:11:22:33:44:55:66:77:88:01
 *
 * Keys are those of lsoe/config.h, case-insensitive; a later duplicate wins.
 * A value may continue on indented lines (joined with one space).
 */
#ifndef LSOE_CONFIG_INI_H
#define LSOE_CONFIG_INI_H

#include <stddef.h>

#include "lsoe/config.h"

/*
 * Apply the settings of the file at path on top of *cfg (normally fresh from
 * lsoe_config_default), then lsoe_config_check the result. Returns 0, or -1
 * with *cfg unchanged and err (cap octets) saying what and where, e.g.
 * "lsoed.conf:12: hello-interval: must be a duration in seconds between 0.001 and 86400".
 */
int lsoe_config_load_file(struct lsoe_config *cfg, const char *path, char *err, size_t cap);

/* The same from text in memory; name stands for the file in messages. */
int lsoe_config_load_string(struct lsoe_config *cfg, const char *text, const char *name, char *err, size_t cap);

#endif
