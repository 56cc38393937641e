# The GPID node, one image for every service of docker-compose.yml: the nodes (`gpid-node serve`),
# the one-shot deployment and onboarding (`gpid-node init | deploy | participants onboard`) and the
# development chain (anvil, from the pinned npm package @foundry-rs/anvil).
#
#   docker-compose build          # or: docker build -t gpid-node:local .
#
# Three stages: `anvil` takes the anvil binary out of the npm package (package-lock.json pins it;
# the lock names anvil's linux-x64 package: build on an x86-64 host); `builder` builds the node's
# wheel and installs it, with the runtime lock file (requirements/runtime.txt, every file checked
# against its hash), into a virtual environment; the final image holds that environment and anvil,
# and no compiler, Node.js, npm or source tree. A production node needs no anvil either (it talks to
# the network's own JSON-RPC endpoint); it is there for the `chain` service and `gpid-node dev`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS anvil
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && install -m 0755 node_modules/@foundry-rs/anvil-linux-*/bin/anvil /usr/local/bin/anvil \
 && /usr/local/bin/anvil --version

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A compiler for any pinned package without a wheel for this platform; it stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The dependencies first (their layer is reused while only the node's code changes).
COPY requirements/runtime.txt requirements/runtime.txt
RUN python -m venv /opt/gpid \
 && /opt/gpid/bin/pip install --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md LICENSE ./
COPY gpid_node ./gpid_node
RUN /opt/gpid/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/gpid/bin/pip install --no-deps /wheels/gpid_node-*.whl \
 && /opt/gpid/bin/gpid-node --help >/dev/null

FROM ${PYTHON_IMAGE}
# The commit gpid_build_info names (the image has no checkout): --build-arg GPID_BUILD_COMMIT=$(git rev-parse --short=12 HEAD)
ARG GPID_BUILD_COMMIT=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/gpid/bin:$PATH \
    GPID_BUILD_COMMIT=${GPID_BUILD_COMMIT}
COPY --from=builder /opt/gpid /opt/gpid
COPY --from=anvil /usr/local/bin/anvil /usr/local/bin/anvil

# An unprivileged user; the folders docker-compose.yml mounts volumes on belong to it.
RUN useradd --create-home --uid 10001 gpid \
 && mkdir -p /data /chain /deployment /nodes/operator /nodes/seller /nodes/broker /nodes/customs \
 && chown -R gpid:gpid /data /chain /deployment /nodes
USER gpid
WORKDIR /home/gpid

EXPOSE 8080 8545
CMD ["gpid-node", "--help"]
