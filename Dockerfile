# epc-extender container image: Debian 12, built from this repository with cmake + ninja.
#   ./dev/build-image                          # buildah, no daemon or registry needed; tags epc-extender:<version>
#   docker build -t epc-extender:0.1.0 .       # the same, where Docker and Docker Hub are available
# The tag is the project version (CMakeLists.txt), which is the Helm chart's appVersion, so the chart's default
# image (image.repository epc-extender, tag = appVersion) is what this builds.
#
# Build arguments, all optional; they only set the OCI labels (dev/build-image passes them):
#   VERSION   must equal CMakeLists.txt's project VERSION; the build stops if the binary reports another one
#             (test/image/dockerfile_build_test.py checks the default below against CMakeLists.txt)
#   REVISION  the git commit built;  SOURCE  the repository URL;  LICENSES  an SPDX expression
#   JOBS      parallel compile jobs (default: ninja's own choice)
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=unknown
ARG LICENSES=NOASSERTION

# ---- build: the compiler and the -dev packages, via dev/install-deps so the list has one home ----
FROM debian:bookworm AS build
WORKDIR /src
COPY dev/install-deps dev/install-deps
RUN ./dev/install-deps --build-only && rm -rf /var/lib/apt/lists/*
# The whole repository minus .dockerignore (tests, docs, charts, build trees): a source folder that
# CMakeLists.txt starts to use is in the build without an edit here.
COPY . .
ARG VERSION
ARG JOBS=
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DEPC_BUILD_TESTS=OFF -DEPC_BUILD_BENCHMARKS=OFF \
 && ninja -C /build ${JOBS:+-j "$JOBS"} epc-extender \
 && reported="$(/build/scheduler/epc-extender --version)" \
 && if [ "$reported" != "epc-extender $VERSION" ]; then \
      echo "build arg VERSION=$VERSION but the binary says '$reported': update ARG VERSION" >&2; exit 1; \
    fi \
 && install -D -s -m 0755 /build/scheduler/epc-extender /out/usr/local/bin/epc-extender \
 && install -D -m 0644 config/default.yaml /out/etc/epc-extender/scoring.yaml

# ---- runtime: only the shared libraries the binary needs ----
FROM debian:bookworm-slim
ARG VERSION
ARG REVISION
ARG SOURCE
ARG LICENSES
LABEL org.opencontainers.image.title="epc-extender" \
      org.opencontainers.image.description="SGX EPC-aware kube-scheduler extender: filter, prioritize, bind and preempt by enclave page cache" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.licenses="$LICENSES" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
# Checked against the built binary (readelf -d build/scheduler/epc-extender | grep NEEDED, then dpkg -S on each
# resolved path, on Debian 12.11; test/image/dockerfile_test.py repeats it):
#   libcpprest.so.2.10 -> libcpprest2.10     libsimdjson.so.14 -> libsimdjson14
#   libyaml-cpp.so.0.7 -> libyaml-cpp0.7     libcrypto.so.3    -> libssl3
#   libprometheus-cpp-core.so.1.0 -> libprometheus-cpp-core1.0
#   libstdc++.so.6 -> libstdc++6, libgcc_s.so.1 -> libgcc-s1, libc.so.6 -> libc6 (all three in the base image)
# libcpprest2.10 pulls in its own dependencies (libbrotli1, zlib1g, libssl3) through apt.
# apt's lists and package cache go in the same layer they were made in, so the image does not carry them.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcpprest2.10 libsimdjson14 libyaml-cpp0.7 libssl3 libprometheus-cpp-core1.0 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
# Only the stripped binary and the default scoring config come from the build stage.
COPY --from=build /out/ /
# Numeric, so Kubernetes' runAsNonRoot can verify it (the chart's podSecurityContext runs as 65532 too).
USER 65532:65532
EXPOSE 8888
# With neither --cluster-file nor --kubeconfig, serve uses the pod's service account (in-cluster).
ENTRYPOINT ["/usr/local/bin/epc-extender"]
CMD ["serve", "--listen", "0.0.0.0:8888", "--config", "/etc/epc-extender/scoring.yaml"]
