# The GPID node, one image for every service of docker-compose.yml: the nodes (`gpid-node serve`),
# the one-shot deployment and onboarding (`gpid-node init | deploy | participants onboard`) and the
# development chain (anvil from the pinned npm package @foundry-rs/anvil).
#
#   docker-compose build          # or: docker build -t gpid-node:local .
#
# Node.js and npm come from Debian and serve only to install anvil; a production node needs neither
# (it talks to the network's own JSON-RPC endpoint). The lock file names anvil's linux-x64 package:
# build on an x86-64 host.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# anvil (and the Solidity toolchain the lock file pins) from npm, as ./scripts/run installs it.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error && npm cache clean --force

# The node: an editable install keeps the committed contract artifacts (contracts/artifacts) and
# node_modules where the package looks for them (next to gpid_node/).
COPY pyproject.toml README.md ./
COPY contracts/artifacts ./contracts/artifacts
COPY schemas ./schemas
COPY gpid_node ./gpid_node
RUN pip install -e .

# An unprivileged user; the folders docker-compose.yml mounts volumes on belong to it.
RUN useradd --create-home --uid 10001 gpid \
 && mkdir -p /data /chain /deployment /nodes/operator /nodes/seller /nodes/broker /nodes/customs \
 && chown -R gpid:gpid /data /chain /deployment /nodes
USER gpid

EXPOSE 8080 8545
CMD ["gpid-node", "--help"]
