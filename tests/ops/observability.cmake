# Alerts, dashboard and metrics (issue 14, item 5), checked with Debian's promtool
# and prometheus. Debian's python (python3-yaml), not whatever python3 comes first
# on PATH.

# promtool check rules and test rules on deploy/prometheus; every alert tested
# firing and quiet, with a runbook section (docs/runbook/ops.md) that names a panel
# of deploy/grafana/concertd.json; every panel query parses.
add_test(NAME ops_alert_rules
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/observability_rules.py ${CMAKE_SOURCE_DIR})
# promtool check metrics on the live /metrics of an embedded concertd.
add_test(NAME ops_metrics_lint COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/observability_metrics.sh $<TARGET_FILE:concertd>)
# A real Prometheus scraping three local-profile instances through a small rush:
# the KPI queries against the database, Redis and /admin/kpis, every alert
# inactive, every dashboard query answered. Needs scripts/test-services (fails
# without it); about 30 s.
add_test(NAME ops_prometheus_scrape
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/observability_scrape.sh $<TARGET_FILE:concertd> $<TARGET_FILE:concert-rush>)
set_tests_properties(ops_alert_rules ops_metrics_lint ops_prometheus_scrape PROPERTIES LABELS ops TIMEOUT 300)
