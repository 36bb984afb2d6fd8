# docs/openapi.yaml against a live embedded concertd (issue 14, item 7): the document
# is well-formed OpenAPI 3.1, every answer of a full sale and its error paths matches
# it, and every documented operation is exercised. Debian's python (python3-yaml,
# python3-jsonschema), not whatever python3 comes first on PATH.
add_test(NAME ops_openapi_live
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/openapi_live_test.py
                 ${CMAKE_BINARY_DIR}/src/concertd ${CMAKE_SOURCE_DIR}/docs/openapi.yaml)
set_tests_properties(ops_openapi_live PROPERTIES LABELS ops TIMEOUT 180)
