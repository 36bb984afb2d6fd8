# The canary rehearsal (issue 14 item 4; deploy/rehearsal/run): a stable and a
# canary concertd behind HAProxy, weighted 5/20/50/100 through its runtime API,
# a real Prometheus scraping both, every query of deploy/analysis/queries.yaml
# evaluated at each step, under a concert-rush through HAProxy. A good canary
# must be promoted; one started with the fault switch (30% of its /api/v1
# requests answered 500) must be rolled back at the 5% step on a failed
# analysis, with no request handed to it after the rollback and zero lost
# commits (concert-rush's invariants and history check). The script's exit
# status is the verdict (--expect). Each starts its own MariaDB, Redis,
# concert-pgsim, HAProxy and Prometheus on free loopback ports: about 105 s
# (good) and 60 s (bad: its load lasts the first step and 15 s after it).
#
# The good canary runs alone (RUN_SERIAL): its hold p95 is held to the shipped
# 250 ms, and on two cores shared with the nemesis run it measured 404 ms at the
# 50% step (alone: 40-100 ms) and was, rightly by that threshold, rolled back.
# The bad canary fails on its error ratio (about 0.3 against 0.01) within seconds,
# however busy the machine is, so it runs alongside the other suites.
add_test(NAME ops_rehearsal_good_canary
         COMMAND ${CMAKE_SOURCE_DIR}/deploy/rehearsal/run --expect promoted ${CMAKE_BINARY_DIR})
set_tests_properties(ops_rehearsal_good_canary PROPERTIES LABELS ops TIMEOUT 300 RUN_SERIAL TRUE)
add_test(NAME ops_rehearsal_bad_canary
         COMMAND ${CMAKE_SOURCE_DIR}/deploy/rehearsal/run --bad-canary --expect rolled-back ${CMAKE_BINARY_DIR})
set_tests_properties(ops_rehearsal_bad_canary PROPERTIES LABELS ops TIMEOUT 300)
# The analysis evaluator alone, against a fake Prometheus (a second): the shipped
# queries are read and counted; no data, NaN and too few samples are
# inconclusive, never a pass.
add_test(NAME ops_rehearsal_analysis
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/rehearsal_analysis_test.py ${CMAKE_SOURCE_DIR})
set_tests_properties(ops_rehearsal_analysis PROPERTIES LABELS ops TIMEOUT 60)
