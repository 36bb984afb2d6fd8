#pragma once

#include "adapters/sql/dialect.hpp"

namespace concert::adapters::mysql {

const sql::Dialect& mysql_dialect();

}  // namespace concert::adapters::mysql
