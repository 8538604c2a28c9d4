# syntax=docker/dockerfile:1
# incident-desk, the hosted app (`npm start`). Multi-stage: TypeScript is compiled in the first
# stage; the image keeps production dependencies only and runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
# Templates are read next to the compiled code (lib/../templates); app.yml serves Probot's setup page.
COPY templates ./templates
COPY app.yml ./
USER node
EXPOSE 3000
# /healthz: 200 while taking deliveries (saying whether Redis is reachable), 503 while stopping.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: finish the work in flight (SHUTDOWN_GRACE_MS), release the locks, exit.
STOPSIGNAL SIGTERM
CMD ["node", "lib/main.js"]
