#pragma once

#include "adapters/sql/dialect.hpp"

namespace concert::adapters::sqlite {

const sql::Dialect& sqlite_dialect();

}  // namespace concert::adapters::sqlite
