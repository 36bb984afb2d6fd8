// The run's numbers as text: per route, then the sale as the business sees it.
#pragma once

#include <ostream>

#include "bench/rush/options.hpp"
#include "bench/rush/sale_run.hpp"

namespace concert::bench::rush {

void print_route_table(std::ostream& out, const StatsBook& stats, std::chrono::duration<double> elapsed);
void print_sale_summary(std::ostream& out, const RushOptions& options, const SaleOutcome& sale,
                        std::uint64_t count_5xx);

}  // namespace concert::bench::rush
