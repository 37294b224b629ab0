// PostGraphile 5 over the tables Skillpath migrated: the peer that
// scripts/bench-vs-postgraphile.sh measures the nested users read against.
// It connects as its own read-only role (the script creates it with SELECT
// on the few tables the read needs, the password hash left out), so it
// serves exactly those tables and nothing it could write.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const connectionString = process.env.PEER_DATABASE_URL;
if (!connectionString) throw new Error("PEER_DATABASE_URL is not set");

/** @type {GraphileConfig.Preset} */
export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString, schemas: ["public"] })],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PEER_PORT ?? 5678),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
  schema: {
    // Hide tables and columns the role may not select (the default in V5 is
    // to expose every table; with this it follows the grants).
    pgIgnoreRBAC: false,
  },
};
