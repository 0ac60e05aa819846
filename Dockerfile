# API (with the web app it serves) and worker image for docker-compose.yml (production-like). One image, two commands.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The Prisma CLI only reads DATABASE_URL here to resolve the schema; nothing connects at build time.
RUN DATABASE_URL=postgresql://build@localhost/build npx prisma generate && npm run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json /app/prisma.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/dist ./dist
# The web app the API serves at / (npm run build built it into web/dist).
COPY --from=build /app/web/dist ./web/dist
USER node
# docker-compose.yml chooses the command: dist/src/api/server.js, dist/src/worker.js or dist/src/db/migrateCli.js.
CMD ["node", "dist/src/api/server.js"]
