# syntax=docker/dockerfile:1
# Rubicon's production image, in stages on Node 24 LTS:
#   manifests - the workspace package.json files and the lock, shared by the two installs;
#   build  - every dependency, then the browser client (Vite) and the server
#            and shared code compiled to JavaScript (npm run build:server);
#   deps   - production dependencies only (no TypeScript, tsx, Vite, Playwright);
#   run    - the compiled JavaScript and those dependencies, as the `node` user,
#            started with `npm run start:prod`'s command, with a health check.

# The workspace manifests alone, so both installs below are cached until a package.json or the lock changes.
FROM node:24-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY e2e/package.json e2e/
COPY cli/package.json cli/
# Playwright's browsers are never needed here.
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:server

FROM manifests AS deps
RUN npm ci --omit=dev --no-audit --no-fund --workspace @rubicon/server --workspace @rubicon/shared --include-workspace-root=false

FROM node:24-bookworm-slim AS run
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 OPEN_BROWSER=0
WORKDIR /app
# Owned by root and only readable by `node`: the server writes no file, so a compromised process cannot
# rewrite its own code or packages for the next start.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/client/dist client/dist
USER node
EXPOSE 3000
# Readiness: 503 while Redis is unreachable (for an orchestrator or a probing load balancer; the nginx of
# docker-compose.yml does not probe, and passes the app's 503 on rather than taking the replica out).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--conditions=rubicon-compiled", "server/dist/main.js"]
