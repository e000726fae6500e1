#!/usr/bin/env bash
# Runs one benchmark scenario against a Redis and N hub instances that this script starts on
# free loopback ports, then stops exactly the processes it started (also on Ctrl+C or error).
#
#   benchmarks/run.sh <fanout|ramp|idle|churn|storm> [--instances N] [--container tomcat|jetty]
#                     [--jfr] [--perf] [generator options...]
#
# Build first (nothing is built here):  ./mvnw -q -DskipTests package
# Needs: java 17+, redis-server on the PATH, python3 (free ports), curl; jcmd for idle and --jfr,
# perf for --perf.
#
# Environment:
#   SERVER_JAVA_OPTS  extra JVM options of every instance (default: none)
#   SERVER_ARGS       extra Spring arguments of every instance, e.g. "--hub.dispatch.lanes=4"
#   GEN_JAVA_OPTS     JVM options of the generator (default: -Xms256m -Xmx2g)
#   PROFILE_DELAY     seconds after the generator starts before --jfr/--perf record (default 20)
#   PROFILE_SECONDS   how long they record (default 30)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[ $# -ge 1 ] || usage
SCENARIO="$1"
shift
case "$SCENARIO" in
  fanout|ramp|idle|churn|storm) ;;
  -h|--help) usage ;;
  *) echo "Unknown scenario '$SCENARIO'" >&2; usage ;;
esac

INSTANCES=2
CONTAINER=tomcat
JFR=0
PERF=0
GEN_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) INSTANCES="$2"; shift 2 ;;
    --container) CONTAINER="$2"; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --perf) PERF=1; shift ;;
    *) GEN_ARGS+=("$1"); shift ;;
  esac
done

case "$CONTAINER" in
  tomcat) SERVER_JAR="$ROOT/sample-app/target/sample-app-0.1.0-SNAPSHOT.jar" ;;
  jetty) SERVER_JAR="$ROOT/benchmarks/jetty-app/target/jetty-app.jar" ;;
  *) echo "--container must be tomcat or jetty" >&2; exit 2 ;;
esac
GENERATOR_JAR="$ROOT/benchmarks/target/benchmarks.jar"
for jar in "$SERVER_JAR" "$GENERATOR_JAR"; do
  if [ ! -f "$jar" ]; then
    echo "$jar is missing: build first with ./mvnw -q -DskipTests package" >&2
    exit 2
  fi
done
REDIS_SERVER="$(command -v redis-server || true)"
if [ -z "$REDIS_SERVER" ]; then
  echo "redis-server must be on the PATH (Debian: apt-get install redis-server)" >&2
  exit 2
fi

RUN_DIR="$ROOT/benchmarks/target/runs/$SCENARIO-$CONTAINER-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN_DIR"

# Every process this script starts, and only those, is stopped on exit.
STARTED_PIDS=()
HELPER_PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${HELPER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  # Instances first (SIGTERM: a graceful shutdown, which also writes --perf's symbol map), Redis last.
  local pids=()
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do pids+=("${STARTED_PIDS[$i]}"); done
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "process $pid did not stop within 30 s: killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  echo "stopped ${#pids[@]} process(es) started by this script; logs in $RUN_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

USED_PORTS=" "
free_port() {
  local port
  while true; do
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    case "$USED_PORTS" in *" $port "*) continue ;; esac
    USED_PORTS="$USED_PORTS$port "
    echo "$port"
    return
  done
}

REDIS_PORT="$(free_port)"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN_DIR" \
  --logfile "$RUN_DIR/redis.log" &
REDIS_PID=$!
STARTED_PIDS+=("$REDIS_PID")
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then break; fi
  kill -0 "$REDIS_PID" 2>/dev/null || { echo "redis-server exited; see $RUN_DIR/redis.log" >&2; exit 1; }
  sleep 0.1
done
echo "redis-server pid $REDIS_PID on 127.0.0.1:$REDIS_PORT"

URLS=()
PIDS=()
PORTS=()
for i in $(seq 1 "$INSTANCES"); do
  port="$(free_port)"
  java_opts=(-Xmx1g -XX:+UseG1GC)
  if [ "$PERF" = 1 ] && [ "$i" = 1 ]; then
    java_opts+=(-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer)
  fi
  # shellcheck disable=SC2086
  java "${java_opts[@]}" ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" \
    --sample.embedded-redis=false \
    --spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$REDIS_PORT" \
    --server.address=127.0.0.1 --server.port="$port" \
    --hub.instance-id="bench-$i" \
    --hub.limits.message-rate=1000000 --hub.limits.message-burst=1000000 \
    --hub.limits.max-sessions=20000 --hub.limits.max-anonymous-sessions-per-address=20000 \
    --logging.level.root=WARN \
    ${SERVER_ARGS:-} \
    >"$RUN_DIR/instance-$i.log" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  PIDS+=("$pid")
  PORTS+=("$port")
  URLS+=("ws://127.0.0.1:$port/ws")
  echo "instance $i ($CONTAINER) pid $pid on 127.0.0.1:$port"
done

for idx in "${!PORTS[@]}"; do
  port="${PORTS[$idx]}"
  pid="${PIDS[$idx]}"
  ready=0
  for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then
      ready=1
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ "$ready" != 1 ]; then
    echo "instance on port $port did not become healthy; see $RUN_DIR/instance-$((idx + 1)).log" >&2
    exit 1
  fi
done
echo "all $INSTANCES instance(s) healthy"

HAS_OUT=0
for arg in "${GEN_ARGS[@]}"; do
  case "$arg" in --out|--out=*) HAS_OUT=1 ;; esac
done
if [ "$HAS_OUT" = 0 ]; then
  GEN_ARGS+=(--out "$RUN_DIR/$SCENARIO.json")
fi

PROFILE_DELAY="${PROFILE_DELAY:-20}"
PROFILE_SECONDS="${PROFILE_SECONDS:-30}"
if [ "$JFR" = 1 ]; then
  jcmd "${PIDS[0]}" JFR.start name=bench settings=profile delay="${PROFILE_DELAY}s" \
    duration="${PROFILE_SECONDS}s" filename="$RUN_DIR/instance-1.jfr" >/dev/null
  echo "JFR: instance 1 records ${PROFILE_SECONDS}s after ${PROFILE_DELAY}s into $RUN_DIR/instance-1.jfr"
fi
if [ "$PERF" = 1 ]; then
  (sleep "$PROFILE_DELAY" && exec perf record -F 499 -g -p "${PIDS[0]}" -o "$RUN_DIR/perf.data" \
    -- sleep "$PROFILE_SECONDS") >"$RUN_DIR/perf.log" 2>&1 &
  HELPER_PIDS+=("$!")
  echo "perf: instance 1 sampled ${PROFILE_SECONDS}s after ${PROFILE_DELAY}s into $RUN_DIR/perf.data"
fi

JOINED_URLS="$(IFS=,; echo "${URLS[*]}")"
JOINED_PIDS="$(IFS=,; echo "${PIDS[*]}")"
# shellcheck disable=SC2086
java ${GEN_JAVA_OPTS:--Xms256m -Xmx2g} -jar "$GENERATOR_JAR" "$SCENARIO" \
  --urls "$JOINED_URLS" --server-pids "$JOINED_PIDS" --redis-pid "$REDIS_PID" --redis-port "$REDIS_PORT" \
  --label "$CONTAINER" "${GEN_ARGS[@]}" | tee "$RUN_DIR/generator.txt"

if [ "$JFR" = 1 ]; then
  for _ in $(seq 1 60); do
    [ -s "$RUN_DIR/instance-1.jfr" ] && break
    sleep 1
  done
  if [ -s "$RUN_DIR/instance-1.jfr" ]; then
    jfr summary "$RUN_DIR/instance-1.jfr" >"$RUN_DIR/jfr-summary.txt" 2>&1 || true
    java -cp "$GENERATOR_JAR" io.github.wshub.benchmarks.JfrHotMethods "$RUN_DIR/instance-1.jfr" 25 \
      >"$RUN_DIR/jfr-hot-methods.md" 2>&1 || true
    echo "JFR summary: $RUN_DIR/jfr-summary.txt, hot methods: $RUN_DIR/jfr-hot-methods.md"
  fi
fi
if [ "$PERF" = 1 ]; then
  for pid in "${HELPER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  HELPER_PIDS=()
  echo "perf data in $RUN_DIR/perf.data; after this script stopped the instance (its JIT symbol map is written"
  echo "at exit): perf report -i $RUN_DIR/perf.data --no-children --sort dso,sym"
fi
