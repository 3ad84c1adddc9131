# syntax=docker/dockerfile:1
# gapforge container image: a Debian 12 build stage and a small non-root runtime stage.
#   docker build -t gapforge .
#   docker run --rm -e DATABASE_URL=... gapforge migrate
#   docker run -d -p 8080:8080 -e DATABASE_URL=... -e GAPFORGE_ADMIN_TOKEN=... gapforge

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        build-essential meson ninja-build pkg-config ca-certificates \
        libmicrohttpd-dev libjansson-dev libpq-dev libssl-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the binary is built: the test suites and benchmarks are for scripts/test (-Dtests=false
# -Dbench=false also drops their dependencies: check, libyaml). libcurl sends webhooks.
RUN meson setup /build --buildtype=release --prefix=/usr -Dtests=false -Dbench=false \
 && meson compile -C /build gapforge \
 && install -D -m 0755 /build/gapforge /out/usr/bin/gapforge \
 && install -d -m 0755 /out/usr/share/gapforge/migrations \
 && install -m 0644 migrations/*.sql /out/usr/share/gapforge/migrations/ \
 && /out/usr/bin/gapforge --version

FROM debian:bookworm-slim AS runtime
# libcurl4 sends webhooks (curl itself is for HEALTHCHECK); ca-certificates for TLS to a managed
# PostgreSQL and to webhook endpoints; tzdata for org time zones.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libmicrohttpd12 libjansson4 libpq5 libssl3 libcurl4 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 gapforge \
 && useradd --system --uid 10001 --gid gapforge --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin gapforge
COPY --from=build /out/ /
ENV GAPFORGE_LISTEN=0.0.0.0:8080 \
    GAPFORGE_MIGRATIONS=/usr/share/gapforge/migrations
USER 10001:10001
WORKDIR /
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${GAPFORGE_LISTEN##*:}/healthz" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["gapforge"]
CMD ["serve"]
