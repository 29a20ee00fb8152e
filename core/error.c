#include "lsoe/error.h"

static const char *const names[] = {
#define LSOE_ERR_NAME(code, name, desc) [code] = name,
	LSOE_ERRORS(LSOE_ERR_NAME)
#undef LSOE_ERR_NAME
};

static const char *const descs[] = {
#define LSOE_ERR_DESC(code, name, desc) [code] = desc,
	LSOE_ERRORS(LSOE_ERR_DESC)
#undef LSOE_ERR_DESC
};

const char *lsoe_err_name(enum lsoe_err e)
{
	return (unsigned)e < LSOE_ERR_COUNT ? names[e] : "unknown_error";
}

const char *lsoe_err_desc(enum lsoe_err e)
{
	return (unsigned)e < LSOE_ERR_COUNT ? descs[e] : "unknown error";
}
