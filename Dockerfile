# netledger container image: compile the single executable in Deno's image, run it on Debian slim.
#   docker build -t netledger .
#   docker run -d --name netledger --network host --cap-add NET_RAW --cap-add NET_ADMIN \
#     -v netledger-data:/var/lib/netledger -e TZ=Europe/Berlin netledger
# Host networking is required: AF_PACKET must see the host's interfaces, not a container veth.

FROM denoland/deno:2.9.6 AS build
WORKDIR /src
# Dependencies first, so source edits do not re-download them.
COPY deno.json deno.lock ./
RUN deno install --frozen-lockfile
COPY . .
# `deno task compile` bundles the dashboard (web/dist), then bakes permissions into ./netledger.
RUN deno task compile --output /src/netledger && /src/netledger --version

FROM debian:bookworm-slim
# tzdata: local days and months for TZ; ethtool: DISABLE_OFFLOADS=true turns GRO/LRO/TSO/GSO off.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tzdata ethtool \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/netledger /usr/local/bin/netledger
# The executable may only read and write /var/lib/netledger (and ./data): keep the database there.
ENV DB_PATH=/var/lib/netledger/netledger.db \
    BIND=0.0.0.0 \
    WEB_PORT=8080
RUN mkdir -p /var/lib/netledger
VOLUME ["/var/lib/netledger"]
WORKDIR /var/lib/netledger
EXPOSE 8080
# The slim image has no curl: the executable probes its own /api/health (open even when auth is on).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/netledger", "--healthcheck"]
# SIGTERM (docker stop): netledger flushes every counted byte before it exits; give it time.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/netledger"]
