#!/usr/bin/env bash
# Runs one benchmark scenario against a Redis and N hub instances that this script starts on
# free loopback ports, then stops exactly the processes it started (also on Ctrl+C or error).
#
#   benchmarks/run.sh <fanout|ramp|idle|churn|storm> [--instances N] [--container tomcat|jetty]
#                     [--jfr] [--perf] [generator options...]
#   benchmarks/run.sh rolling [--instances N] [--container tomcat|jetty] [--pause S] [client options...]
#   benchmarks/run.sh compare [--stack tomcat|netty] [generator options...]
#   benchmarks/run.sh fanout --cluster [generator options...]
#
# Containers: tomcat (the sample app), jetty (benchmarks/jetty-app), netty (sample-app-reactive), and
# bare-tomcat, bare-netty: the floor of each stack (benchmarks/bare-*: the same protocol in one
# process, no hub; always 1 instance). compare runs fanout on the hub (2 instances + Redis) and then
# on the bare broadcaster of the same stack, and prints the ratio of server CPU per delivery.
# fanout --cluster starts a Redis Cluster (3 masters + 3 replicas, redis-cli 7+) instead of one Redis
# and ramps the publish rate (the generator's ramp) twice on it, with sharded and then classic
# Pub/Sub (new instances for each), and prints the highest rate each sustained and Redis CPU per
# message, node by node.
#
# Build first (nothing is built here):  ./mvnw -q -DskipTests package
# Needs: java 17+, redis-server on the PATH, python3 (free ports), curl; jcmd for idle and --jfr,
# perf for --perf; node 20.10+ for rolling (its clients are the JavaScript client's).
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
  sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[ $# -ge 1 ] || usage
SCENARIO="$1"
shift
case "$SCENARIO" in
  fanout|ramp|idle|churn|storm|rolling|compare) ;;
  -h|--help) usage ;;
  *) echo "Unknown scenario '$SCENARIO'" >&2; usage ;;
esac

INSTANCES=2
[ "$SCENARIO" = rolling ] && INSTANCES=3
PAUSE=15
CONTAINER=tomcat
STACK=tomcat
CLUSTER=0
JFR=0
PERF=0
GEN_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) INSTANCES="$2"; shift 2 ;;
    --container) CONTAINER="$2"; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --perf) PERF=1; shift ;;
    --pause) PAUSE="$2"; shift 2 ;;
    --stack) STACK="$2"; shift 2 ;;
    --cluster) CLUSTER=1; shift ;;
    *) GEN_ARGS+=("$1"); shift ;;
  esac
done

if [ "$SCENARIO" = compare ]; then
  case "$STACK" in tomcat|netty) ;; *) echo "--stack must be tomcat or netty" >&2; exit 2 ;; esac
  OUT_DIR="$ROOT/benchmarks/target/runs/compare-$STACK-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$OUT_DIR"
  "$0" fanout --container "$STACK" --out "$OUT_DIR/hub.json" "${GEN_ARGS[@]}"
  "$0" fanout --container "bare-$STACK" --out "$OUT_DIR/bare.json" "${GEN_ARGS[@]}"
  python3 - "$OUT_DIR/hub.json" "$OUT_DIR/bare.json" "$STACK" <<'PY'
import json, sys
hub, bare = (json.load(open(path))["metrics"] for path in sys.argv[1:3])
def line(name, m):
    lat = m.get("latency", {})
    return (f"| {name} | {m.get('delivered')} / {m.get('expected')} | {m.get('lost')} | "
            f"{m.get('serverCpuMicrosPerDelivery')} us | {lat.get('p99Ms')} ms |")
print(f"\n{sys.argv[3]}: the hub (2 instances + Redis) and the bare broadcaster (1 process), one after the other\n")
print("| server | delivered / expected | lost | server CPU per delivery | p99 |")
print("|---|---|---|---|---|")
print(line("wshub", hub))
print(line("bare", bare))
ratio = hub["serverCpuMicrosPerDelivery"] / bare["serverCpuMicrosPerDelivery"]
print(f"\nserver CPU per delivery, wshub / bare: {ratio:.2f}x")
PY
  echo "JSON in $OUT_DIR"
  exit 0
fi

case "$CONTAINER" in
  tomcat) SERVER_JAR="$ROOT/sample-app/target/sample-app-0.1.0-SNAPSHOT.jar" ;;
  jetty) SERVER_JAR="$ROOT/benchmarks/jetty-app/target/jetty-app.jar" ;;
  netty) SERVER_JAR="$ROOT/sample-app-reactive/target/sample-app-reactive-0.1.0-SNAPSHOT.jar" ;;
  bare-tomcat) SERVER_JAR="$ROOT/benchmarks/bare-servlet/target/bare-servlet.jar"; INSTANCES=1 ;;
  bare-netty) SERVER_JAR="$ROOT/benchmarks/bare-reactive/target/bare-reactive.jar"; INSTANCES=1 ;;
  *) echo "--container must be tomcat, jetty, netty, bare-tomcat or bare-netty" >&2; exit 2 ;;
esac
GENERATOR_JAR="$ROOT/benchmarks/target/benchmarks.jar"
REQUIRED=("$SERVER_JAR")
[ "$SCENARIO" = rolling ] || REQUIRED+=("$GENERATOR_JAR")
for jar in "${REQUIRED[@]}"; do
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
# Stops the given processes: SIGTERM to all, then up to 30 s for each to exit, then SIGKILL.
stop_pids() {
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
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
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${HELPER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  # Instances first (SIGTERM: a graceful shutdown, which also writes --perf's symbol map), Redis last.
  local pids=()
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do pids+=("${STARTED_PIDS[$i]}"); done
  stop_pids "${pids[@]}"
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

# A free port P whose cluster bus port, P + 10000, is free as well.
free_cluster_port() {
  local port
  while true; do
    port="$(free_port)"
    [ "$port" -le 55535 ] || continue
    python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()' \
      "$((port + 10000))" 2>/dev/null && { echo "$port"; return; }
  done
}

await_port() {
  local port="$1" pid="$2" log="$3"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "redis-server exited; see $log" >&2; exit 1; }
    sleep 0.1
  done
}

REDIS_PIDS=()
REDIS_ARGS=()
if [ "$CLUSTER" = 1 ]; then
  [ "$SCENARIO" = fanout ] || { echo "--cluster goes with fanout" >&2; exit 2; }
  REDIS_CLI="$(command -v redis-cli || true)"
  [ -n "$REDIS_CLI" ] || { echo "--cluster needs redis-cli on the PATH" >&2; exit 2; }
  NODES=()
  for n in 1 2 3 4 5 6; do
    port="$(free_cluster_port)"
    mkdir -p "$RUN_DIR/node-$port"
    "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 2000 --save '' --appendonly no --dir "$RUN_DIR/node-$port" \
      --logfile "$RUN_DIR/redis-$port.log" &
    STARTED_PIDS+=("$!")
    REDIS_PIDS+=("$!")
    NODES+=("127.0.0.1:$port")
    await_port "$port" "$!" "$RUN_DIR/redis-$port.log"
  done
  "$REDIS_CLI" --cluster create "${NODES[@]}" --cluster-replicas 1 --cluster-yes >"$RUN_DIR/cluster-create.log" 2>&1 \
    || { cat "$RUN_DIR/cluster-create.log" >&2; exit 1; }
  for node in "${NODES[@]}"; do
    for _ in $(seq 1 100); do
      "$REDIS_CLI" -h 127.0.0.1 -p "${node#*:}" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
      sleep 0.2
    done
  done
  REDIS_PORT="${NODES[0]#*:}"
  REDIS_ARGS=(--spring.data.redis.cluster.nodes="$(IFS=,; echo "${NODES[*]}")")
  echo "Redis Cluster (3 masters + 3 replicas) on ${NODES[*]}, pids ${REDIS_PIDS[*]}"
else
  REDIS_PORT="$(free_port)"
  "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN_DIR" \
    --logfile "$RUN_DIR/redis.log" &
  STARTED_PIDS+=("$!")
  REDIS_PIDS+=("$!")
  await_port "$REDIS_PORT" "$!" "$RUN_DIR/redis.log"
  REDIS_ARGS=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$REDIS_PORT")
  echo "redis-server pid ${REDIS_PIDS[0]} on 127.0.0.1:$REDIS_PORT"
fi
REDIS_PID="$(IFS=,; echo "${REDIS_PIDS[*]}")"

URLS=()
PIDS=()
PORTS=()
# Starts instance $1 (1-based) on port $2, with instance id suffix $3 (a restart is a new
# instance), and records its pid in PIDS.
start_instance() {
  local i="$1" port="$2" suffix="${3:-}"
  local log="$RUN_DIR/instance-$i$suffix.log"
  local java_opts=(-Xmx1g -XX:+UseG1GC)
  if [ "$PERF" = 1 ] && [ "$i" = 1 ]; then
    java_opts+=(-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer)
  fi
  # shellcheck disable=SC2086
  java "${java_opts[@]}" ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" \
    --sample.embedded-redis=false \
    "${REDIS_ARGS[@]}" ${PUBSUB_ARG:-} \
    --server.address=127.0.0.1 --server.port="$port" \
    --hub.instance-id="bench-$i$suffix" \
    --hub.limits.message-rate=1000000 --hub.limits.message-burst=1000000 \
    --hub.limits.max-sessions=20000 --hub.limits.max-anonymous-sessions-per-address=20000 \
    --logging.level.root=WARN \
    ${SERVER_ARGS:-} \
    >"$log" 2>&1 &
  STARTED_PIDS+=("$!")
  PIDS[$((i - 1))]="$!"
}

# Waits until instance $1 (1-based) answers UP on /actuator/health.
await_healthy() {
  local idx=$(($1 - 1))
  local port="${PORTS[$idx]}" pid="${PIDS[$idx]}"
  for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "instance on port $port did not become healthy; see $RUN_DIR/instance-$1*.log" >&2
  exit 1
}

for i in $(seq 1 "$INSTANCES"); do
  port="$(free_port)"
  PORTS+=("$port")
  URLS+=("ws://127.0.0.1:$port/ws")
  start_instance "$i" "$port"
  echo "instance $i ($CONTAINER) pid ${PIDS[$((i - 1))]} on 127.0.0.1:$port"
done

for i in $(seq 1 "$INSTANCES"); do
  await_healthy "$i"
done
echo "all $INSTANCES instance(s) healthy"

HAS_OUT=0
for arg in "${GEN_ARGS[@]}"; do
  case "$arg" in --out|--out=*) HAS_OUT=1 ;; esac
done
if [ "$HAS_OUT" = 0 ]; then
  GEN_ARGS+=(--out "$RUN_DIR/$SCENARIO.json")
fi

# Stops every running instance (SIGTERM, at most 30 s each).
stop_instances() {
  stop_pids "${PIDS[@]}"
}

if [ "$CLUSTER" = 1 ]; then
  # The instances started above run with sharded Pub/Sub (auto on a cluster); the same cluster
  # then serves new instances with classic Pub/Sub.
  OUT_BASE=""
  ARGS=()
  for ((a = 0; a < ${#GEN_ARGS[@]}; a++)); do
    if [ "${GEN_ARGS[$a]}" = --out ]; then
      a=$((a + 1))
      OUT_BASE="${GEN_ARGS[$a]%.json}"
    else
      ARGS+=("${GEN_ARGS[$a]}")
    fi
  done
  for mode in sharded classic; do
    if [ "$mode" = classic ]; then
      stop_instances
      PUBSUB_ARG="--hub.redis.pubsub=classic"
      for i in $(seq 1 "$INSTANCES"); do start_instance "$i" "${PORTS[$((i - 1))]}" "-classic"; done
      for i in $(seq 1 "$INSTANCES"); do await_healthy "$i"; done
    fi
    echo "== $mode Pub/Sub"
    # shellcheck disable=SC2086
    java ${GEN_JAVA_OPTS:--Xms256m -Xmx2g} -jar "$GENERATOR_JAR" ramp \
      --urls "$(IFS=,; echo "${URLS[*]}")" --server-pids "$(IFS=,; echo "${PIDS[*]}")" --redis-pid "$REDIS_PID" \
      --label "$CONTAINER-cluster-$mode" --connections 400 --topics 200 --publishers 8 --rate 2000 \
      --ramp-factor 1.5 --step-duration 10 --warmup 10 --max-rate 100000 \
      "${ARGS[@]}" --out "$OUT_BASE-$mode.json" | tee "$RUN_DIR/generator-$mode.txt"
  done
  python3 - "$OUT_BASE-sharded.json" "$OUT_BASE-classic.json" <<'PY'
import json, sys
rows = []
for path, mode in zip(sys.argv[1:3], ("sharded", "classic")):
    m = json.load(open(path))["metrics"]
    best = m["highestPassingRate"]
    step = next((s for s in m["steps"] if s["rate"] == best), None)
    if step is None:
        rows.append((mode, 0, None, None, None))
        continue
    cpu = step["cpu"]
    per_node = cpu.get("redisNodeCpuSeconds", [cpu["redisCpuSeconds"]])
    published = step["published"]
    rows.append((mode, best, step["latency"]["p99Ms"], cpu["redisCpuSeconds"] * 1e6 / published,
                 [round(n * 1e6 / published, 1) for n in per_node]))
print("\n| Pub/Sub | highest sustained rate (msgs/s, p99 <= 250 ms, 0 lost) | p99 there | Redis CPU per message, all nodes | per node (us) |")
print("|---|---|---|---|---|")
for mode, best, p99, us, nodes in rows:
    print(f"| {mode} | {best:,.0f} | {p99} ms | {us if us is None else round(us, 1)} us | {nodes} |")
if rows[1][1]:
    print(f"\nsharded / classic sustained rate: {rows[0][1] / rows[1][1]:.2f}x")
PY
  exit 0
fi

if [ "$SCENARIO" = rolling ]; then
  # The JavaScript client's reconnect and recovery, in Node, against instances restarted in turn.
  NODE=(node)
  node -e "process.exit(typeof WebSocket === 'function' ? 0 : 1)" 2>/dev/null || NODE=(node --experimental-websocket)
  "${NODE[@]}" -e "process.exit(typeof WebSocket === 'function' ? 0 : 1)" 2>/dev/null \
    || { echo "rolling needs node 20.10+ (a global WebSocket) on the PATH" >&2; exit 2; }
  CONTROL="$RUN_DIR/clients.control"
  mkfifo "$CONTROL"
  JOINED_URLS="$(IFS=,; echo "${URLS[*]}")"
  "${NODE[@]}" "$ROOT/sample-app/src/test/js/rolling-clients.mjs" --urls "$JOINED_URLS" --duration 3600 \
    "${GEN_ARGS[@]}" <"$CONTROL" >"$RUN_DIR/clients.txt" 2>&1 &
  CLIENTS_PID=$!
  HELPER_PIDS+=("$CLIENTS_PID")
  exec 3>"$CONTROL"
  for _ in $(seq 1 900); do
    grep -q '^READY' "$RUN_DIR/clients.txt" && break
    kill -0 "$CLIENTS_PID" 2>/dev/null || break
    sleep 0.1
  done
  grep '^READY' "$RUN_DIR/clients.txt" || { cat "$RUN_DIR/clients.txt" >&2; exit 1; }
  for i in $(seq 1 "$INSTANCES"); do
    sleep "$PAUSE"
    pid="${PIDS[$((i - 1))]}"
    began=$(date +%s%N)
    kill -TERM "$pid"
    for _ in $(seq 1 600); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && { echo "instance $i did not stop within 60 s of SIGTERM" >&2; exit 1; }
    wait "$pid" 2>/dev/null || true
    stopped=$(date +%s%N)
    start_instance "$i" "${PORTS[$((i - 1))]}" "-restarted"
    await_healthy "$i"
    healthy=$(date +%s%N)
    echo "instance $i: SIGTERM to exit $(((stopped - began) / 1000000)) ms, start to healthy $(((healthy - stopped) / 1000000)) ms" \
      | tee -a "$RUN_DIR/restarts.txt"
  done
  sleep "$PAUSE"
  echo stop >&3
  exec 3>&-
  status=0
  wait "$CLIENTS_PID" || status=$?
  HELPER_PIDS=()
  grep -v '^REPORT' "$RUN_DIR/clients.txt" || true
  grep '^REPORT' "$RUN_DIR/clients.txt" | sed 's/^REPORT //' | python3 -m json.tool
  [ "$status" = 0 ] && echo "0 lost, 0 duplicated, 0 reordered" || echo "messages were lost, duplicated or reordered (exit $status)"
  exit "$status"
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
