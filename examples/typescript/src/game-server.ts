// A game server's three calls to the leaderboard backend, typed from docs/openapi.json
// (src/schema.d.ts: `npm run generate`, or `make clients` at the repository's root) and made
// with openapi-fetch:
//
// 1. submit a player's score with an Idempotency-Key, then send it again with the same key,
//    as a server would after a timeout: the backend answers the first answer again, marked
//    `Idempotent-Replayed: true`, and applies nothing;
// 2. read the top 10 of the board;
// 3. look up a list of players (friends, a clan) in one call.
//
//   npm ci && npm run build
//   node build/game-server.js --url http://127.0.0.1:8001 --key "$KEY" \
//       --player p1 --name Pat --score 4200 --lookup p1,p2,p3
//
// --url and --key default to LEADERBOARD_URL and LEADERBOARD_KEY (a key with the `read` and
// `write` scopes). Every error answer is the document's one Error schema
// (`error.error.code`, `error.error.message`): the script prints it and exits with status 1.

import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

type Entry = components["schemas"]["Entry"];
type LookedUp = components["schemas"]["LookedUp"];
type ApiError = components["schemas"]["Error"];

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.LEADERBOARD_URL },
    key: { type: "string", default: process.env.LEADERBOARD_KEY },
    board: { type: "string", default: "global" },
    player: { type: "string", default: "p1" },
    name: { type: "string", default: "Pat" },
    score: { type: "string", default: "1000" },
    lookup: { type: "string" },
  },
});
const { url, key, board, player, name } = values;
if (!url || !key) {
  console.error("give --url and --key, or set LEADERBOARD_URL and LEADERBOARD_KEY");
  process.exit(2);
}
const score = Number(values.score);
const lookup = values.lookup ? values.lookup.split(",") : [player];

const client = createClient<paths>({
  baseUrl: url,
  headers: { Authorization: `Bearer ${key}` },
});

function fail(what: string, response: Response, error: ApiError): never {
  console.error(`${what}: ${response.status} ${error.error.code}: ${error.error.message}`);
  process.exit(1);
}

function rankText(rank: number | null): string {
  // No rank: the player is hidden by a moderator, or Redis is catching up (a 202).
  return rank === null ? "unranked" : `rank ${rank}`;
}

function entryLine(entry: Entry | LookedUp): string {
  return `${String(entry.rank).padStart(4)}  ${entry.name} (${entry.player_id})  ${entry.score}`;
}

// 1. Submit once, then again with the same Idempotency-Key, as a retry would.
const idempotencyKey = randomUUID();
for (const attempt of ["submitted", "retried"]) {
  const { data, error, response } = await client.POST("/api/v1/leaderboards/{slug}/scores", {
    params: { path: { slug: board }, header: { "Idempotency-Key": idempotencyKey } },
    body: { player_id: player, score, name },
  });
  if (error) fail("submitScore", response, error);
  const replayed = response.headers.get("Idempotent-Replayed") ?? "false";
  console.log(
    `${attempt}: ${data.player_id} ${data.score} on ${board}, ` +
      `${rankText(data.rank)}, Idempotent-Replayed: ${replayed}`,
  );
}

// 2. The top 10.
{
  const { data, error, response } = await client.GET("/api/v1/leaderboards/{slug}/entries", {
    params: { path: { slug: board }, query: { limit: 10 } },
  });
  if (error) fail("getEntries", response, error);
  console.log(`top 10 of ${data.leaderboard} (${data.total} players):`);
  for (const entry of data.entries) console.log(entryLine(entry));
}

// 3. A list of players in one call.
{
  const { data, error, response } = await client.POST(
    "/api/v1/leaderboards/{slug}/players/lookup",
    { params: { path: { slug: board } }, body: { player_ids: lookup } },
  );
  if (error) fail("lookupPlayers", response, error);
  console.log(`lookup of ${lookup.length} on ${data.leaderboard}:`);
  for (const entry of data.entries) {
    console.log(`${entryLine(entry)}  better than ${entry.percentile.toFixed(1)}%`);
  }
  console.log(`missing: ${data.missing.join(", ") || "-"}`);
}
