# Sift as a container image: a build stage compiles TypeScript with SWC, the runtime stage
# holds production dependencies and dist/ only, and runs as the image's non-root `node` user.
#   docker build -t sift .        docker run -p 3000:3000 sift
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script the project allows is the `node` devDependency's,
# which downloads a second Node for local development; the image's own Node 24 is used
# instead, so its shim is removed and npm scripts find /usr/local/bin/node. Native modules
# (better-sqlite3, sqlite-vec, @swc/core) come prebuilt in their packages.
RUN npm ci --ignore-scripts --no-audit --no-fund && rm -f node_modules/.bin/node
COPY .swcrc tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY ingest ./ingest
COPY bench ./bench
# The web console: built by `npm run build` into dist/web, served at / by the same process.
COPY web ./web
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# DATA_DIR holds the embedded SQLite store (SIFT_STORE=sqlite); mount a volume there.
RUN mkdir -p /app/data /app/job-spool && chown node:node /app/data /app/job-spool
USER node
ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
