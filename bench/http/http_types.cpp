#include "bench/http/http_types.hpp"

namespace concert::bench {

std::string Answer::problem_code() const {
  if (status < 400) return "";
  const auto j = json();
  if (!j.is_object()) return "";
  const auto code = j.find("code");
  return code != j.end() && code->is_string() ? code->get<std::string>() : "";
}

}  // namespace concert::bench
