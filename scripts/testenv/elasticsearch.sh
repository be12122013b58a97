#!/usr/bin/env bash
# Real Elasticsearch 8 (one node) on loopback for Earshot's integration tests,
# fetched from Maven Central. See scripts/testenv/README.md.
#
#   scripts/testenv/elasticsearch.sh start|stop|status|logs [-f]|clean
#
# Environment (all optional):
#   EARSHOT_ES_HOST            listen address              (127.0.0.1)
#   EARSHOT_ES_PORT            HTTP port                   (19200)
#   EARSHOT_ES_TRANSPORT_PORT  transport port              (HTTP port + 100)
#   EARSHOT_ES_VERSION         Elasticsearch release       (elasticsearch/pom.xml)
#   EARSHOT_ES_HEAP            JVM heap flags              (-Xms512m -Xmx1g)
#   EARSHOT_ES_USER            user to run as when root    (nobody)
#   EARSHOT_TESTENV_DIR        state directory             (<repo>/.testenv)
#   EARSHOT_TESTENV_TIMEOUT    readiness timeout, seconds  (180)
#   EARSHOT_TESTENV_RETRIES    Maven download attempts     (4)
set -euo pipefail

# shellcheck disable=SC2034 # read by log() in lib.sh
SERVICE=elasticsearch
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$TESTENV_SCRIPTS/elasticsearch/pom.xml"
HOST="${EARSHOT_ES_HOST:-127.0.0.1}"
PORT="${EARSHOT_ES_PORT:-19200}"
TRANSPORT_PORT="${EARSHOT_ES_TRANSPORT_PORT:-$((PORT + 100))}"
VERSION="${EARSHOT_ES_VERSION:-$(pom_property "$POM" es.version)}"
HEAP="${EARSHOT_ES_HEAP:--Xms512m -Xmx1g}"
RUN_USER="${EARSHOT_ES_USER:-nobody}"

# RUN_AS is the command prefix that drops root: Elasticsearch refuses to run
# as root ("can not run elasticsearch as root"). Empty for other users.
RUN_AS=()
HOME_DIR="$TESTENV_DIR/elasticsearch"
if ((EUID == 0)); then
	need setpriv
	RUN_UID="$(id -u "$RUN_USER" 2>/dev/null)" || die "user '$RUN_USER' does not exist (set EARSHOT_ES_USER)"
	RUN_AS=(setpriv --reuid="$RUN_UID" --regid="$(id -g "$RUN_USER")" --clear-groups)
	mkdir -p "$TESTENV_DIR"
	# The node's files must be reachable by that user. A checkout under a
	# private directory (e.g. /root) is not: keep the node's files in /tmp then.
	if ! "${RUN_AS[@]}" test -x "$TESTENV_DIR"; then
		HOME_DIR="${TMPDIR:-/tmp}/earshot-testenv-elasticsearch"
	fi
fi
DIST_DIR="$HOME_DIR/dist-$VERSION"
ES_HOME="$DIST_DIR/elasticsearch-$VERSION"
CONF_DIR="$HOME_DIR/config"
DATA_DIR="$HOME_DIR/data"
LOG_DIR="$HOME_DIR/logs"
RUN_DIR="$HOME_DIR/run"
TMP_DIR="$HOME_DIR/tmp"
PID_FILE="$RUN_DIR/elasticsearch.pid"
CONSOLE_LOG="$HOME_DIR/console.log"
CLUSTER=earshot-test
LOG_FILE="$LOG_DIR/$CLUSTER.log"
URL="http://$HOST:$PORT"
ADDRESS_LINE="EARSHOT_TEST_ES=$URL"
# Part of the server JVM's command line: identifies our node behind a pid file.
PROCESS_MARK="-Des.path.home=$HOME_DIR/dist-"

# fetch unpacks Elastic's integ-test-zip distribution of Elasticsearch from
# Maven Central into dist-<version>/, once per version.
fetch() {
	[[ -f "$DIST_DIR/.complete" ]] && return 0
	local t0 tmp="$HOME_DIR/dist-$VERSION.tmp"
	t0="$(now_ms)"
	log "fetching Elasticsearch $VERSION from Maven Central"
	rm -rf "$tmp" "$HOME_DIR/work"
	mkdir -p "$tmp"
	mvn_fetch "$HOME_DIR/fetch.log" -f "$POM" \
		-Des.version="$VERSION" -Dtestenv.work="$HOME_DIR/work" \
		dependency:unpack-dependencies -DoutputDirectory="$tmp" ||
		{ rm -rf "$tmp"; die "could not fetch Elasticsearch $VERSION (see $HOME_DIR/fetch.log)"; }
	[[ -x "$tmp/elasticsearch-$VERSION/bin/elasticsearch" ]] ||
		die "Maven finished but $tmp/elasticsearch-$VERSION/bin/elasticsearch is missing"
	touch "$tmp/.complete"
	rm -rf "$DIST_DIR" "$HOME_DIR/work"
	mv "$tmp" "$DIST_DIR"
	log "fetched $(du -sh "$DIST_DIR" | cut -f1) in $(elapsed "$t0")"
}

write_config() {
	rm -rf "$CONF_DIR" "$TMP_DIR"
	mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$TMP_DIR"
	# A fresh copy of the distribution's config each start, so a version
	# change brings its own jvm.options and log4j2.properties.
	cp -R "$ES_HOME/config" "$CONF_DIR"
	cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Written by scripts/testenv/elasticsearch.sh on every start; edits are overwritten.
cluster.name: $CLUSTER
node.name: $CLUSTER-1
discovery.type: single-node
# Loopback only; this also keeps the production bootstrap checks off.
network.host: $HOST
http.port: $PORT
transport.port: $TRANSPORT_PORT
path.data: $DATA_DIR
path.logs: $LOG_DIR
# Plain HTTP, no users: a throwaway test node.
xpack.security.enabled: false
# CI disks are often more than 90% full; never block writes for that.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests delete their indices with wildcards.
action.destructive_requires_name: false
EOF
	if ((EUID == 0)); then
		chown -R "$RUN_USER:$(id -gn "$RUN_USER")" "$CONF_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$TMP_DIR"
		# The unprivileged user must reach the distribution and its state.
		if ! "${RUN_AS[@]}" test -r "$ES_HOME/lib/elasticsearch-$VERSION.jar" -a -w "$DATA_DIR"; then
			die "user '$RUN_USER' cannot read $ES_HOME or write $DATA_DIR (set EARSHOT_TESTENV_DIR to a directory every user can traverse)"
		fi
	fi
}

# health SECONDS succeeds when the cluster is at least yellow.
health() {
	curl -fsS --max-time $(($1 + 2)) "$URL/_cluster/health?wait_for_status=yellow&timeout=${1}s" >/dev/null 2>&1
}

node_version() {
	curl -fsS --max-time 5 "$URL/_nodes/_local" 2>/dev/null | sed -n 's/.*"version":"\([^"]*\)".*/\1/p' | head -n 1
}

do_start() {
	local jhome pid
	need curl
	if pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")"; then
		if health 10; then
			log "already running (pid $pid)"
			printf '%s\n' "$ADDRESS_LINE"
			return 0
		fi
		die "an Elasticsearch started here (pid $pid) runs but is not healthy at $URL; run '$0 stop' or '$0 logs'"
	fi
	rm -f "$PID_FILE"
	if port_open "$HOST" "$PORT" || port_open "$HOST" "$TRANSPORT_PORT"; then
		die "port $HOST:$PORT or $HOST:$TRANSPORT_PORT is taken by another process: $(port_owner "$PORT") $(port_owner "$TRANSPORT_PORT") (set EARSHOT_ES_PORT)"
	fi
	jhome="$(java_home)"
	fetch
	write_config

	local t0 rc=0
	t0="$(now_ms)"
	[[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
	[[ "$HOME_DIR" == "$TESTENV_DIR/elasticsearch" ]] ||
		log "user $RUN_USER cannot reach $TESTENV_DIR, so the node's files are in $HOME_DIR"
	log "starting Elasticsearch $VERSION on $URL${RUN_AS[*]:+ as user $RUN_USER}"
	# -d: the launcher returns once the node has started (or failed) and
	# leaves the server JVM running; -p: where it writes that JVM's pid.
	# setsid: the node outlives this script and its terminal.
	env ES_JAVA_HOME="$jhome" ES_PATH_CONF="$CONF_DIR" ES_TMPDIR="$TMP_DIR" ES_JAVA_OPTS="$HEAP" \
		timeout "$TESTENV_TIMEOUT" setsid "${RUN_AS[@]}" "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" \
		</dev/null >"$CONSOLE_LOG" 2>&1 9>&- || rc=$?
	if ((rc != 0)); then
		show_log "$CONSOLE_LOG" 30
		show_log "$LOG_FILE" 40
		if pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")"; then stop_pid "$pid" elasticsearch 20; fi
		rm -f "$PID_FILE"
		((rc == 124)) && die "Elasticsearch did not start within ${TESTENV_TIMEOUT}s"
		die "Elasticsearch failed to start (launcher exit code $rc)"
	fi
	pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")" || {
		show_log "$LOG_FILE" 40
		die "Elasticsearch launcher returned but no server process is alive"
	}
	local deadline=$((SECONDS + TESTENV_TIMEOUT))
	until health 5; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$PID_FILE"
			show_log "$LOG_FILE" 60
			die "Elasticsearch exited during start-up"
		fi
		if ((SECONDS >= deadline)); then
			show_log "$LOG_FILE" 60
			stop_pid "$pid" elasticsearch 30
			rm -f "$PID_FILE"
			die "Elasticsearch was not healthy within ${TESTENV_TIMEOUT}s"
		fi
		sleep 0.5
	done
	log "ready in $(elapsed "$t0") (pid $pid, log $LOG_FILE)"
	printf '%s\n' "$ADDRESS_LINE"
}

do_stop() { stop_service 60; }

do_status() {
	local pid
	if pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")"; then
		if health 5; then
			log "running (pid $pid, Elasticsearch $(node_version))"
			printf '%s\n' "$ADDRESS_LINE"
			return 0
		fi
		log "pid $pid is alive but $URL is not healthy"
		return 3
	fi
	log "stopped"
	return 3
}

do_clean() {
	do_stop
	rm -rf "$DATA_DIR" "$LOG_DIR" "$TMP_DIR"
	log "data deleted (downloads in $HOME_DIR/dist-* kept)"
}

case "${1:-}" in
start) with_lock elasticsearch do_start ;;
stop) with_lock elasticsearch do_stop ;;
status) do_status ;;
logs)
	[[ -f "$LOG_FILE" ]] || die "no log yet at $LOG_FILE"
	if [[ "${2:-}" == "-f" ]]; then exec tail -n 100 -F "$LOG_FILE"; else cat "$LOG_FILE"; fi
	;;
clean) with_lock elasticsearch do_clean ;;
*)
	usage_common "$0"
	exit 2
	;;
esac
