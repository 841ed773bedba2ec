#!/usr/bin/env bash
# Adds one migration to both providers' migration sets, so the two never drift apart.
# Usage: scripts/add-migration.sh <Name>
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <MigrationName>}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" \
    --project src/ChangeTrail.Persistence \
    --context "${provider}ChangeTrailDbContext" \
    --output-dir "Migrations/$provider"
done
