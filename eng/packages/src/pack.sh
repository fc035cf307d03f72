#!/usr/bin/env bash
# Builds the stand-in packages in eng/packages from their nuspec files here.
set -euo pipefail
cd "$(dirname "$0")"
for nuspec in *.nuspec; do
  id=$(sed -n 's:.*<id>\(.*\)</id>.*:\1:p' "$nuspec")
  version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$nuspec")
  work=$(mktemp -d)
  cp "$nuspec" "$work/$id.nuspec"
  (cd "$work" && TZ=UTC touch -t 202601010000 "$id.nuspec" && zip -qX "package.zip" "$id.nuspec")
  mv "$work/package.zip" "../$(tr '[:upper:]' '[:lower:]' <<<"$id").$version.nupkg"
  rm -rf "$work"
done
