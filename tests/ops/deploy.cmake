# Container and Kubernetes artifacts (issue 14, items 2 and 3), checked without a
# Docker engine or a cluster: with the tools Debian and npm offer and the schemas
# vendored in deploy/schemas/. Debian's python (python3-yaml, python3-jsonschema),
# not whatever python3 comes first on PATH.

# Dockerfile: the scripts CI runs, non-root, HEALTHCHECK run against the built
# concertd, a package for every library ldd lists; .dockerignore.
add_test(NAME ops_container
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/deploy_container_test.py
                 ${CMAKE_SOURCE_DIR} $<TARGET_FILE:concertd> $<TARGET_FILE:concert-pgsim>)
# dockerfile-utils (npm, pinned; installed once into the build tree) and yamllint.
add_test(NAME ops_deploy_lint
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/deploy_lint.sh ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/npm)
# docker-compose.yml against the compose-spec schema, haproxy -c, promtool check config.
add_test(NAME ops_compose
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/deploy_compose_test.py ${CMAKE_SOURCE_DIR})
# deploy/k8s rendered by kubectl kustomize, against the Kubernetes and Argo
# Rollouts schemas, the canary's queries against deploy/analysis/queries.yaml.
add_test(NAME ops_k8s_manifests
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/deploy_manifests_test.py ${CMAKE_SOURCE_DIR})
set_tests_properties(ops_container ops_compose ops_k8s_manifests PROPERTIES LABELS ops TIMEOUT 120)
# The first run downloads dockerfile-utils from the npm registry.
set_tests_properties(ops_deploy_lint PROPERTIES LABELS ops TIMEOUT 360)
