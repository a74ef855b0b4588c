# rtpengine from Debian's package (userspace forwarding; no kernel module needed).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rtpengine-daemon \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENTRYPOINT ["rtpengine", "--config-file=none", "--table=-1", "--foreground", "--log-stderr"]
