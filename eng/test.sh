#!/usr/bin/env bash
# Runs the whole test suite: builds, starts what the integration tests need (PostgreSQL, MariaDB, RabbitMQ, the native
# Kafka library librdkafka, which the Kafka tests' mock cluster runs in, the foreign clients kcat and pika, and
# Chromium for the dashboard's browser tests), runs every test project, and ends with the totals alone on a line: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

bash eng/librdkafka.sh || { echo "0 passed, 1 failed"; echo "Could not install librdkafka." >&2; exit 1; }
bash eng/services.sh postgres mariadb rabbitmq kcat pika chromium || { echo "0 passed, 1 failed"; echo "Could not start the services the tests need." >&2; exit 1; }

dotnet build Outbox.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; echo "The build failed." >&2; exit 1; }

passed=0 failed=0 skipped=0 status=0
for project in tests/*.Tests/*.csproj; do
  out=$(mktemp)
  dotnet test "$project" -c Release --no-build -nologo 2>&1 | tee "$out"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  summary=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+' "$out" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "No test summary from $project: counted as one failure." >&2
    failed=$((failed + 1)) status=1
  else
    failed=$((failed + $(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")))
    passed=$((passed + $(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")))
    skipped=$((skipped + $(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")))
  fi
  rm -f "$out"
done

[ "$failed" -eq 0 ] || status=1
totals="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || totals="$totals, $skipped skipped"
echo "$totals"
exit "$status"
