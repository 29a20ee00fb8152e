/* Reading JSON the daemon sent: lsoectl's answers and their OpenMetrics rendering. */
#include "json_read.h"

#include <string.h>

yajl_val lsoe_json_member(yajl_val obj, const char *key)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (obj->u.object.keys[i] && strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}
