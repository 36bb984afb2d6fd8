// The only file that includes the MariaDB Connector/C header (as userver does),
// so its macros stay out of the rest of the code base.
#pragma once

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
