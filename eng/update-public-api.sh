#!/usr/bin/env bash
# Records an intended change of the public surface of the packable projects in their PublicAPI.Unshipped.txt.
# Run from anywhere: bash eng/update-public-api.sh [src/Project ...] (default: every project under src/).
# Each project is rebuilt; every symbol the public API analyzer reports as undeclared (RS0016), generated ones
# included, is added to PublicAPI.Unshipped.txt, and every symbol it reports as gone (RS0017) is taken out of it.
# PublicAPI.Shipped.txt (what a released version promised) is never touched: edit it by hand at a release.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(src/*/)
for project in "${projects[@]}"; do
  project="${project%/}"
  unshipped="$project/PublicAPI.Unshipped.txt"
  [ -f "$unshipped" ] || printf '#nullable enable\n' > "$unshipped"
  [ -f "$project/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$project/PublicAPI.Shipped.txt"
  for _ in 1 2 3 4 5; do
    # Rebuilt, so that every diagnostic is reported again; only this project's own lines count.
    report=$(dotnet build "$project" --no-incremental -v q -p:TreatWarningsAsErrors=false 2>&1 |
      grep -F "[$PWD/$project/$(basename "$project").csproj]" || true)
    added=$(sed -n "s/.*RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" <<< "$report" | sort -u)
    removed=$(sed -n "s/.*RS0017: Symbol '\(.*\)' is part of the declared API, but is either not public or could not be found.*/\1/p" <<< "$report" | sort -u)
    [ -n "$added$removed" ] || break
    { tail -n +2 "$unshipped"; [ -z "$added" ] || printf '%s\n' "$added"; } |
      grep -vxF -f <(printf '%s\n' "$removed" | sed '/^$/d'; printf '\001\n') | LC_ALL=C sort -u > "$unshipped.body"
    { printf '#nullable enable\n'; cat "$unshipped.body"; } > "$unshipped"
    rm -f "$unshipped.body"
  done
  echo "$project: $(($(wc -l < "$unshipped") - 1)) symbols"
done
