# syntax=docker/dockerfile:1
# concertd's container image (SPEC §8): built with the project's own scripts, as
# CI builds it, and run from a slim image holding only the runtime libraries.
#   docker build -t concertd .
#   docker run -p 8080:8080 -v concertd-data:/var/lib/concertd concertd   # embedded profile
# No Docker engine runs on the development machine, so this file is checked
# rather than built there: tests/ops/deploy_container_test.py lints it, checks
# that the build stage runs scripts/install-deps and scripts/build, and that
# the runtime stage installs the package of every library `ldd` lists for the
# built binaries.

FROM debian:bookworm-slim AS build
WORKDIR /src
# The dependency script alone first, so its layer survives source edits.
# --test: configuring the tree needs GoogleTest and RapidCheck (CONCERTD_TESTS
# is on and scripts/build takes no CMake flags); this stage is thrown away.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps --test && rm -rf /var/lib/apt/lists/*
COPY . .
RUN scripts/build release concertd concert-pgsim

FROM debian:bookworm-slim
# The packages that provide what `ldd build/release/src/concertd` lists, from
# `dpkg -S` on Debian 12; the test fails when a new library has no package here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libc6 libgcc-s1 libstdc++6 zlib1g \
      libssl3 libsqlite3-0 libmariadb3 libhiredis0.14 \
      libspdlog1.10 libfmt9 libjwt0 libjansson4 libb64-0d \
 && rm -rf /var/lib/apt/lists/*
# A fixed numeric id, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 concertd \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/concertd --shell /usr/sbin/nologin concertd \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/concertd
COPY --from=build /src/build/release/src/concertd /src/build/release/tools/pgsim/concert-pgsim /usr/local/bin/
COPY deploy/docker/concertd.json /etc/concertd/concertd.json
# The embedded profile's SQLite, queue snapshot and generated JWT secret, or the
# sandbox gateway's ledger on the local profile.
VOLUME /var/lib/concertd
USER 10001:10001
EXPOSE 8080
# SIGTERM starts concertd's drain (SPEC §6): /readyz 503 at once, serving for
# drain_ms, then in-flight requests finish and the leases are handed back.
STOPSIGNAL SIGTERM
# No curl in the image (one package and its libraries fewer to patch): bash,
# already in the base image, sends the request over /dev/tcp and reads the status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && read -r _ code _ <&3 && [ \"$code\" = 200 ]"]
ENTRYPOINT ["/usr/local/bin/concertd"]
CMD ["serve", "--config", "/etc/concertd/concertd.json"]
