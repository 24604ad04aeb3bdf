#!/bin/bash
# Run by the postgres image once, when it initialises an empty data volume (/docker-entrypoint-initdb.d),
# as POSTGRES_USER; for a volume made before, run it by hand (docs/operations.md, "PostgreSQL roles"):
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-service-roles.sh
# The passwords come from the container's environment (docker-compose.yml passes them from .env).
set -eo pipefail  # not -u: the image sources a script that is not executable
psql --no-psqlrc --quiet --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set owner="$POSTGRES_USER" \
    --set command_role="${POSTGRES_COMMAND_SERVICE_USER:-innkeeper_command_service}" \
    --set command_password="${POSTGRES_COMMAND_SERVICE_PASSWORD:?}" \
    --set projector_role="${POSTGRES_PROJECTOR_USER:-innkeeper_projector}" \
    --set projector_password="${POSTGRES_PROJECTOR_PASSWORD:?}" \
    --set notifier_role="${POSTGRES_NOTIFIER_USER:-innkeeper_notifier}" \
    --set notifier_password="${POSTGRES_NOTIFIER_PASSWORD:?}" \
    --file "${SERVICE_ROLES_SQL:-/etc/innkeeper/service-roles.sql}"
