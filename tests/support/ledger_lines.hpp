// Counts what the sandbox gateway's ledger (JSON lines) recorded, as the tests
// read it from the outside: the lines of one kind ("charge", "refund"), and of
// one key when given. A substring match, so a torn last line still counts.
#pragma once

#include <string>

namespace concert::testing {

int ledger_lines(const std::string& path, const std::string& kind, const std::string& key = "");

}  // namespace concert::testing
