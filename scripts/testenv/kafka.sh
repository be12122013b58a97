#!/usr/bin/env bash
# Real Apache Kafka (KRaft, one node that is both broker and controller) on
# loopback for Earshot's integration tests, fetched from Maven Central.
# See scripts/testenv/README.md.
#
#   scripts/testenv/kafka.sh start|stop|status|logs [-f]|clean
#
# Environment (all optional):
#   EARSHOT_KAFKA_HOST             listen address            (127.0.0.1)
#   EARSHOT_KAFKA_PORT             client port                (19092)
#   EARSHOT_KAFKA_CONTROLLER_PORT  KRaft controller port      (client port + 1)
#   EARSHOT_KAFKA_SECURE_PORT      SASL_SSL test listener     (client port + 2)
#   EARSHOT_KAFKA_VERSION          Kafka release              (kafka/pom.xml)
#   EARSHOT_KAFKA_HEAP             JVM heap flags             (-Xms256m -Xmx1g)
#   EARSHOT_KAFKA_AUTO_CREATE      auto.create.topics.enable  (false)
#   EARSHOT_TESTENV_DIR            state directory            (<repo>/.testenv)
#   EARSHOT_TESTENV_TIMEOUT        readiness timeout, seconds (180)
#   EARSHOT_TESTENV_RETRIES        Maven download attempts    (4)
set -euo pipefail

# shellcheck disable=SC2034 # read by log() in lib.sh
SERVICE=kafka
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$TESTENV_SCRIPTS/kafka/pom.xml"
HOST="${EARSHOT_KAFKA_HOST:-127.0.0.1}"
PORT="${EARSHOT_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${EARSHOT_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
SECURE_PORT="${EARSHOT_KAFKA_SECURE_PORT:-$((PORT + 2))}"
VERSION="${EARSHOT_KAFKA_VERSION:-$(pom_property "$POM" kafka.version)}"
HEAP="${EARSHOT_KAFKA_HEAP:--Xms256m -Xmx1g}"
AUTO_CREATE="${EARSHOT_KAFKA_AUTO_CREATE:-false}"

HOME_DIR="$TESTENV_DIR/kafka"
LIB_DIR="$HOME_DIR/lib-$VERSION"
CONF_DIR="$HOME_DIR/config"
DATA_DIR="$HOME_DIR/data"
LOG_DIR="$HOME_DIR/logs"
LOG_FILE="$LOG_DIR/kafka.log"
PID_FILE="$HOME_DIR/kafka.pid"
# The SASL_SSL listener's certificates, users and settings; secure.json in it
# is what EARSHOT_TEST_KAFKA_SECURE points the tests at.
SECURE_DIR="$HOME_DIR/secure"
ADDRESS_LINE="EARSHOT_TEST_KAFKA=$HOST:$PORT"
# Part of the broker's command line: identifies our JVM behind a pid file.
PROCESS_MARK="kafka.Kafka $CONF_DIR/server.properties"

# fetch copies the broker's jars (and their dependencies) from Maven Central
# into lib-<version>/, once per version.
fetch() {
	[[ -f "$LIB_DIR/.complete" ]] && return 0
	local t0 tmp="$HOME_DIR/lib-$VERSION.tmp"
	t0="$(now_ms)"
	log "fetching Apache Kafka $VERSION from Maven Central"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	mvn_fetch "$HOME_DIR/fetch.log" -f "$POM" \
		-Dkafka.version="$VERSION" -Dtestenv.work="$HOME_DIR/work" \
		dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime ||
		{ rm -rf "$tmp"; die "could not fetch Kafka $VERSION (see $HOME_DIR/fetch.log)"; }
	[[ -f "$tmp/kafka_2.13-$VERSION.jar" ]] || die "Maven finished but kafka_2.13-$VERSION.jar is missing from $tmp"
	touch "$tmp/.complete"
	rm -rf "$LIB_DIR"
	mv "$tmp" "$LIB_DIR"
	log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIB_DIR" | cut -f1)) in $(elapsed "$t0")"
}

# secure_init writes (once) the test CA, certificates and SASL users of the
# SASL_SSL listener, with the Go probe (crypto/x509; no keytool needed).
secure_init() {
	"$1" kafka-secure-init -dir "$SECURE_DIR" -addr "$HOST:$SECURE_PORT" >/dev/null ||
		die "writing the SASL_SSL listener's certificates to $SECURE_DIR failed"
}

write_config() {
	mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR"
	cat >"$CONF_DIR/server.properties" <<EOF
# Written by scripts/testenv/kafka.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT,SASL_SSL://$HOST:$SECURE_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_SSL://$HOST:$SECURE_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=$DATA_DIR
# One node: every internal topic has a single replica.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests should not wait three seconds for the first consumer group join.
group.initial.rebalance.delay.ms=0
# Earshot creates its topics itself; a typo must not create a new one.
auto.create.topics.enable=$AUTO_CREATE
delete.topic.enable=true
EOF
	cat "$SECURE_DIR/listener.properties" >>"$CONF_DIR/server.properties"
	cat >"$CONF_DIR/log4j2.properties" <<'EOF'
# Written by scripts/testenv/kafka.sh. Everything goes to stdout, which the
# script redirects to logs/kafka.log.
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
# The full configuration dump at start-up is noise here; state changes are not.
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
EOF
}

# format_storage writes the KRaft metadata (cluster id, node id, feature
# levels) into the data directory, the equivalent of `kafka-storage format`.
# Data formatted by another Kafka version or for another controller address is
# thrown away: it is test scratch.
format_storage() {
	local java="$1"
	# The SCRAM user is created at format time, so its file is in the stamp.
	local stamp
	stamp="$VERSION $HOST:$CONTROLLER_PORT $(cksum <"$SECURE_DIR/scram.arg")"
	if [[ -f "$DATA_DIR/meta.properties" && "$(cat "$HOME_DIR/data.version" 2>/dev/null)" == "$stamp" ]]; then
		return 0
	fi
	rm -rf "$DATA_DIR"
	mkdir -p "$DATA_DIR"
	local cluster_id
	# A Kafka cluster id is 16 random bytes in URL-safe base64 without padding;
	# Kafka's own generator also avoids ids starting with '-'.
	cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
	while [[ "$cluster_id" == -* ]]; do
		cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
	done
	log "formatting KRaft storage (cluster id $cluster_id)"
	"$java" -Xmx256m -cp "$LIB_DIR/*" -Dlog4j2.configurationFile="$CONF_DIR/log4j2.properties" \
		kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$CONF_DIR/server.properties" \
		--add-scram "$(cat "$SECURE_DIR/scram.arg")" \
		>"$LOG_DIR/format.log" 2>&1 || {
		cat "$LOG_DIR/format.log" >&2
		die "formatting storage failed"
	}
	printf '%s\n' "$stamp" >"$HOME_DIR/data.version"
}

# ready PROBE SECONDS succeeds when the broker answers a metadata request.
ready() {
	port_open "$HOST" "$PORT" && "$1" kafka-ready -addr "$HOST:$PORT" -timeout "${2}s" >/dev/null 2>&1
}

do_start() {
	local java probe pid
	if pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")"; then
		probe="$(probe_bin)"
		if ready "$probe" 10; then
			log "already running (pid $pid)"
			printf '%s\n' "$ADDRESS_LINE"
			return 0
		fi
		die "a Kafka started here (pid $pid) runs but does not answer on $HOST:$PORT; run '$0 stop' or '$0 logs'"
	fi
	rm -f "$PID_FILE"
	if port_open "$HOST" "$PORT" || port_open "$HOST" "$CONTROLLER_PORT" || port_open "$HOST" "$SECURE_PORT"; then
		die "port $HOST:$PORT, $HOST:$CONTROLLER_PORT or $HOST:$SECURE_PORT is taken by another process: $(port_owner "$PORT") $(port_owner "$CONTROLLER_PORT") $(port_owner "$SECURE_PORT") (set EARSHOT_KAFKA_PORT)"
	fi
	java="$(java_bin)"
	fetch
	probe="$(probe_bin)"
	secure_init "$probe"
	write_config
	format_storage "$java"

	local t0
	t0="$(now_ms)"
	[[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
	log "starting Kafka $VERSION on $HOST:$PORT (controller $HOST:$CONTROLLER_PORT, SASL_SSL $HOST:$SECURE_PORT: $SECURE_DIR/secure.json)"
	# setsid + nohup: the broker outlives this script and its terminal.
	# shellcheck disable=SC2086 # HEAP is a list of JVM flags.
	setsid nohup "$java" $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
		-Djava.awt.headless=true -Dlog4j2.configurationFile="$CONF_DIR/log4j2.properties" \
		-cp "$LIB_DIR/*" kafka.Kafka "$CONF_DIR/server.properties" \
		</dev/null >"$LOG_FILE" 2>&1 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$PID_FILE"

	local deadline=$((SECONDS + TESTENV_TIMEOUT))
	until ready "$probe" 5; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$PID_FILE"
			show_log "$LOG_FILE" 60
			die "Kafka exited during start-up"
		fi
		if ((SECONDS >= deadline)); then
			show_log "$LOG_FILE" 60
			stop_pid "$pid" kafka 20
			rm -f "$PID_FILE"
			die "Kafka was not ready within ${TESTENV_TIMEOUT}s"
		fi
		sleep 0.5
	done
	log "ready in $(elapsed "$t0") (pid $pid, log $LOG_FILE)"
	printf '%s\n' "$ADDRESS_LINE"
}

do_stop() { stop_service 30; }

do_status() {
	local pid
	if pid="$(read_pid "$PID_FILE" "$PROCESS_MARK")"; then
		if ready "$(probe_bin)" 5; then
			log "running (pid $pid, Kafka $VERSION)"
			printf '%s\n' "$ADDRESS_LINE"
			return 0
		fi
		log "pid $pid is alive but Kafka does not answer on $HOST:$PORT"
		return 3
	fi
	log "stopped"
	return 3
}

do_clean() {
	do_stop
	rm -rf "$DATA_DIR" "$HOME_DIR/data.version"
	log "data deleted (downloads in $HOME_DIR/lib-* kept)"
}

case "${1:-}" in
start) with_lock kafka do_start ;;
stop) with_lock kafka do_stop ;;
status) do_status ;;
logs)
	[[ -f "$LOG_FILE" ]] || die "no log yet at $LOG_FILE"
	if [[ "${2:-}" == "-f" ]]; then exec tail -n 100 -F "$LOG_FILE"; else cat "$LOG_FILE"; fi
	;;
clean) with_lock kafka do_clean ;;
*)
	usage_common "$0"
	exit 2
	;;
esac
