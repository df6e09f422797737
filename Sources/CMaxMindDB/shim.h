#ifndef ORIGINCHECK_CMAXMINDDB_SHIM_H
#define ORIGINCHECK_CMAXMINDDB_SHIM_H
#include <maxminddb.h>
#endif
