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

# Count the packages to compile; on a fresh machine this is also where Go
# downloads the modules, and it prints each one ("go: downloading ...").
total="$(go list -deps "$@" ./cmd/earshot | wc -l)"

tty=0
[[ -t 2 ]] && tty=1
# go build -v names each package as it compiles it; everything else it
# prints (compile errors) passes through unchanged.
go build -v -o "$out" "$@" ./cmd/earshot 2>&1 | awk -v total="$total" -v tty="$tty" '
	/^[A-Za-z0-9._~\/-]+$/ {
		n++
		if (tty) { printf "\r\033[K[%d/%d] %s", n, total, $0 > "/dev/stderr"; fflush("/dev/stderr") }
		else if (n == 1 || n % 50 == 0) { printf "[%d/%d] %s\n", n, total, $0 > "/dev/stderr"; fflush("/dev/stderr") }
		next
	}
	{ if (tty && n) printf "\n" > "/dev/stderr"; print > "/dev/stderr"; fflush("/dev/stderr") }
	END { if (tty && n) printf "\r\033[K" > "/dev/stderr" }
'
size="$(du -h "$out" | cut -f1)"
echo "earshot: built $out ($size) in $((SECONDS - start))s" >&2
