# epc-extender container image: Debian 12, built from this repository with cmake + ninja.
#   docker build -t epc-extender:0.1.0 .
# The tag is the project version (CMakeLists.txt), which is the Helm chart's appVersion, so the chart's default
# image (image.repository epc-extender, tag = appVersion) is what this builds.

# ---- build: the compiler and the -dev packages, via dev/install-deps so the list has one home ----
FROM debian:bookworm AS build
WORKDIR /src
COPY dev/install-deps dev/install-deps
RUN ./dev/install-deps --build-only && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY model model
COPY config config
COPY scheduler scheduler
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DEPC_BUILD_TESTS=OFF -DEPC_BUILD_BENCHMARKS=OFF \
 && ninja -C /build epc-extender \
 && install -D -s -m 0755 /build/scheduler/epc-extender /out/usr/local/bin/epc-extender \
 && install -D -m 0644 config/default.yaml /out/etc/epc-extender/scoring.yaml

# ---- runtime: only the shared libraries the binary needs ----
FROM debian:bookworm-slim
# Checked against the built binary (readelf -d build/scheduler/epc-extender | grep NEEDED, then dpkg -S on each
# resolved path, on Debian 12.11):
#   libcpprest.so.2.10 -> libcpprest2.10     libsimdjson.so.14 -> libsimdjson14
#   libyaml-cpp.so.0.7 -> libyaml-cpp0.7     libcrypto.so.3    -> libssl3
#   libprometheus-cpp-core.so.1.0 -> libprometheus-cpp-core1.0
#   libstdc++.so.6 -> libstdc++6, libgcc_s.so.1 -> libgcc-s1, libc.so.6 -> libc6 (all three in the base image)
# libcpprest2.10 pulls in its own dependencies (libbrotli1, zlib1g, libssl3) through apt.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcpprest2.10 libsimdjson14 libyaml-cpp0.7 libssl3 libprometheus-cpp-core1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
COPY --from=build /out/ /
USER 65532:65532
EXPOSE 8888
# With neither --cluster-file nor --kubeconfig, serve uses the pod's service account (in-cluster).
ENTRYPOINT ["/usr/local/bin/epc-extender"]
CMD ["serve", "--listen", "0.0.0.0:8888", "--config", "/etc/epc-extender/scoring.yaml"]
