#!/usr/bin/env bash
# Builds the earshot binary with visible progress: a first build compiles
# several hundred packages (a minute or more), and `go build` alone says
# nothing meanwhile. Used by `make build` and `make run`.
#
#   scripts/build.sh [OUTPUT] [go build flags...]   (default OUTPUT: bin/earshot)
#   scripts/build.sh bin/earshot-full -tags lingua  # with lingua-go's models
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-bin/earshot}"
shift || true
start=$SECONDS
echo "earshot: building $out (first build: a minute or two; go build's cache makes the next ones seconds)" >&2

# Count the packages (for "[n/total]") alongside the build, not before it,
# so the first progress line comes as soon as the first package is compiled.
totalf="$(mktemp)"
trap 'rm -f "$totalf"' EXIT
(go list -deps "$@" ./cmd/earshot 2>/dev/null | wc -l >"$totalf.tmp" && mv "$totalf.tmp" "$totalf") &
total="?"

tty=0
[[ -t 2 ]] && tty=1
# go build -v names each package as it compiles it; everything else it
# prints (compile errors) passes through unchanged. (A shell loop, not awk:
# mawk reads a pipe in 4 KB blocks and would hold the progress back.)
progress() {
	local n=0 line
	while IFS= read -r line; do
		if [[ "$line" =~ ^[A-Za-z0-9._~/-]+$ ]]; then
			n=$((n + 1))
			[[ "$total" == "?" && -s "$totalf" ]] && total="$(tr -d ' ' <"$totalf")"
			if ((tty)); then
				printf '\r\033[K[%d/%s] %s' "$n" "$total" "$line" >&2
			elif ((n == 1 || n % 25 == 0)); then
				printf '[%d/%s] %s\n' "$n" "$total" "$line" >&2
			fi
		else
			((tty && n)) && printf '\n' >&2
			printf '%s\n' "$line" >&2
		fi
	done
	((tty && n)) && printf '\r\033[K' >&2
	return 0
}
# -buildvcs=auto on the command line beats a GOFLAGS=-buildvcs=false: `earshot
# version` shows the commit whenever the checkout is a git repository.
go build -v -buildvcs=auto -o "$out" "$@" ./cmd/earshot 2>&1 | progress
wait
size="$(du -h "$out" | cut -f1)"
echo "earshot: built $out ($size) in $((SECONDS - start))s" >&2
