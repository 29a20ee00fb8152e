/* The documentation lints read one section of a text file: the shared part of them. */
#ifndef LSOE_LINT_SECTION_H
#define LSOE_LINT_SECTION_H

#include <stddef.h>

/*
 * Read path into buf (cap octets) and return the section that starts at the line
 * heading ("\n## Configuration\n", say), cut before the next line that starts with
 * next (e.g. "\n## "). On failure print why and return NULL with *status set to the
 * lint's exit status: 2 for a file that cannot be read or is too large, 1 for a file
 * without the section.
 */
char *lint_read_section(const char *path, const char *heading, const char *next, char *buf, size_t cap,
			int *status);

#endif
