# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source this file
# Shared helpers for kafka.sh and elasticsearch.sh. Sourced, never run.
#
# Conventions: everything a script says goes to stderr, prefixed with the
# service name; stdout carries only the address line of a successful start or
# status (EARSHOT_TEST_KAFKA=... / EARSHOT_TEST_ES=...), so callers can do
#   export "$(scripts/testenv/kafka.sh start)"

TESTENV_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTENV_REPO="$(cd "$TESTENV_SCRIPTS/../.." && pwd)"
TESTENV_DIR="${EARSHOT_TESTENV_DIR:-$TESTENV_REPO/.testenv}"
# Seconds that `start` waits for readiness after the JVM is launched.
TESTENV_TIMEOUT="${EARSHOT_TESTENV_TIMEOUT:-180}"
# Attempts for each Maven download (network hiccups happen).
TESTENV_RETRIES="${EARSHOT_TESTENV_RETRIES:-4}"

log() { printf '%s: %s\n' "${SERVICE:-testenv}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# now_ms prints milliseconds since the epoch (for the timings we report).
now_ms() { date +%s%3N; }

# elapsed MS_START prints seconds since MS_START with one decimal.
elapsed() { local d=$(($(now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }

need() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed (see scripts/testenv/README.md, Requirements)"
	done
}

# java_bin prints the java launcher to use: $JAVA_HOME's, else the one on PATH.
# Kafka 4 and Elasticsearch 8 both need Java 17 or newer.
java_bin() {
	local java
	if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
		java="$JAVA_HOME/bin/java"
	else
		java="$(command -v java || true)"
	fi
	[[ -n "$java" ]] || die "no java found: install a JDK 17+ (Debian: openjdk-17-jre-headless) or set JAVA_HOME"
	local major
	major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
	major="${major#1.}"
	[[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die "$java is Java '${major:-unknown}', need 17 or newer (set JAVA_HOME)"
	printf '%s\n' "$java"
}

# java_home prints the JDK home of java_bin (resolving symlinks).
java_home() {
	local java
	java="$(readlink -f "$(java_bin)")"
	dirname "$(dirname "$java")"
}

# pom_property POM NAME prints the default of <NAME> in POM's <properties>.
pom_property() {
	sed -n "s:.*<$2>\\([^<]*\\)</$2>.*:\\1:p" "$1" | head -n 1
}

# mvn_fetch LOGFILE ARGS... runs Maven in batch mode, retrying with back-off.
# The full output of every attempt is kept in LOGFILE; the last attempt's tail
# is printed when all attempts fail.
mvn_fetch() {
	local logfile="$1"
	shift
	need mvn
	local attempt delay=5 update=()
	: >"$logfile"
	for ((attempt = 1; attempt <= TESTENV_RETRIES; attempt++)); do
		printf '=== attempt %d: mvn %s %s\n' "$attempt" "${update[*]}" "$*" >>"$logfile"
		# (Maven 3.8 prints colour resets even in batch mode: strip them.)
		if mvn -B -q -Dstyle.color=never "${update[@]}" "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >>"$logfile"; then
			return 0
		fi
		if ((attempt < TESTENV_RETRIES)); then
			log "Maven download failed (attempt $attempt of $TESTENV_RETRIES), retrying in ${delay}s"
			sleep "$delay"
			delay=$((delay * 2))
			# -U: do not trust a failure cached by the previous attempt.
			update=(-U)
		fi
	done
	log "Maven download failed $TESTENV_RETRIES times; last output ($logfile):"
	tail -n 40 "$logfile" >&2
	return 1
}

# port_open HOST PORT succeeds when something accepts TCP connections there.
port_open() {
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner shell.
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# port_owner PORT describes the listener on PORT, if `ss` can tell.
port_owner() {
	if command -v ss >/dev/null 2>&1; then
		ss -ltnpH "sport = :$1" 2>/dev/null | head -n 3
	fi
}

# read_pid FILE MARK prints the pid in FILE when that process is alive and its
# command line contains MARK (after a reboot the pid may belong to another
# program, which `stop` must not kill).
read_pid() {
	local pid
	[[ -f "$1" ]] || return 1
	pid="$(tr -dc '0-9' <"$1")"
	[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
	printf '%s\n' "$pid"
}

# stop_pid PID NAME GRACE sends SIGTERM, waits up to GRACE seconds for the
# process to exit, then SIGKILLs it and waits again.
stop_pid() {
	local pid="$1" name="$2" grace="$3" i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < grace * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	log "$name (pid $pid) did not stop within ${grace}s, killing it"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	die "$name (pid $pid) survived SIGKILL"
}

# with_lock NAME CMD... runs CMD holding an exclusive lock, so two callers
# starting or stopping the same service at once do not race.
with_lock() {
	local name="$1"
	shift
	mkdir -p "$TESTENV_DIR"
	need flock
	(
		flock -w 900 9 || die "could not take $TESTENV_DIR/$name.lock within 900s"
		"$@"
	) 9>"$TESTENV_DIR/$name.lock"
}

# probe_bin builds (once, and again when its source changes) the Go probe
# that checks the services with Earshot's own client libraries, and prints
# its path.
probe_bin() {
	local bin="$TESTENV_DIR/bin/earshot-testenv-probe" src="$TESTENV_SCRIPTS/probe"
	if [[ ! -x "$bin" || -n "$(find "$src" "$TESTENV_REPO/internal/testcerts" "$TESTENV_REPO/go.sum" -newer "$bin" -print -quit 2>/dev/null)" ]]; then
		need go
		mkdir -p "$TESTENV_DIR/bin"
		log "building the Go probe (scripts/testenv/probe)"
		(cd "$TESTENV_REPO" && go build -o "$bin.tmp" ./scripts/testenv/probe) >&2 ||
			die "building scripts/testenv/probe failed"
		mv -f "$bin.tmp" "$bin"
	fi
	printf '%s\n' "$bin"
}

# show_log FILE LINES prints the tail of a service log to stderr.
show_log() {
	if [[ -s "$1" ]]; then
		log "last $2 lines of $1:"
		tail -n "$2" "$1" >&2
	else
		log "$1 is empty or missing"
	fi
}

# usage_common SCRIPT prints the shared part of the usage text.
usage_common() {
	cat >&2 <<EOF
usage: $1 start|stop|status|logs [-f]|clean

  start   fetch (first time) and start the service, wait until it is ready,
          print its address line on stdout; does nothing if it already runs
  stop    stop the service and wait for its JVM to exit
  status  print the address line and exit 0 if it runs and answers, else exit 3
  logs    print the service log (-f: follow it)
  clean   stop the service and delete its data (downloads are kept)

State lives in \$EARSHOT_TESTENV_DIR (now: $TESTENV_DIR).
EOF
}

# stop_service stops the service named by $SERVICE whose pid is in
# $PID_FILE (checked against $PROCESS_MARK), waiting up to GRACE seconds.
stop_service() {
	local grace="$1" pid t0
	if pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")"; then
		t0="$(now_ms)"
		stop_pid "$pid" "$SERVICE" "$grace"
		log "stopped (pid $pid) in $(elapsed "$t0")"
	else
		log "not running"
	fi
	rm -f "$PID_FILE"
}
