/* Reading JSON the daemon sent (yajl trees): anything may be missing or of another type. */
#ifndef LSOE_JSON_READ_H
#define LSOE_JSON_READ_H

#include <yajl/yajl_tree.h>

/* The member key of obj, or NULL when obj is not an object or has no such member. */
yajl_val lsoe_json_member(yajl_val obj, const char *key);

#endif
