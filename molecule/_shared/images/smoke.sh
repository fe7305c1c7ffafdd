#!/usr/bin/env bash
# End-to-end smoke test of the kolla-glance images, loopback only
# (--network host, 127.0.0.1): a real Zed -> 2025.1 rolling upgrade.
#   1. build.sh (cached: seconds when nothing changed; SMOKE_SKIP_BUILD=1 skips)
#   2. MariaDB on 127.0.0.1:$SMOKE_DB_PORT (13306), database + user glance
#   3. bootstrap container (KOLLA_BOOTSTRAP) with glance-api:old (Zed): db_sync
#   4. glance-api:old on 127.0.0.1:$SMOKE_API_PORT (19292), /healthcheck 200,
#      `glance-api --version` is the old release's
#   5. POST /v2/images (disk_format raw), PUT .../file, GET .../file,
#      checksums compared
#   6. rolling upgrade as kolla-ansible does it, with glance-api:new (2025.1),
#      gated by the NEW release's `glance-manage db check`:
#      check = 3 (expand needed), log_bin_trust_function_creators=1,
#      expand (check 5, or 4), the old API still serves the image,
#      migrate (check 5), old API stopped, new API started and serves the
#      same bytes (and takes a new upload), contract (check 0, db version
#      = the new release's contract head, 2024_1_contract01 for 2025.1),
#      log_bin_trust_function_creators=0
#   7. the marker lines prove the order (expand < new API start < contract)
#      and carry each step's db version and db check code, printed in a table
# Everything (containers, temp dir) is removed at exit. Prints PASS or FAIL.
# Env: SMOKE_DB_PORT, SMOKE_API_PORT, SMOKE_NAME_PREFIX (container names,
#      default kg-smoke), KOLLA_GLANCE_IMAGE_NAMESPACE (default kolla-glance,
#      as build.sh), SMOKE_SKIP_BUILD=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DB_PORT=${SMOKE_DB_PORT:-13306}
API_PORT=${SMOKE_API_PORT:-19292}
NS=${KOLLA_GLANCE_IMAGE_NAMESPACE:-kolla-glance}
OLD=$NS/glance-api:old
NEW=$NS/glance-api:new
DB_IMAGE=$NS/mariadb:latest
ROOT_PW=smoke-root-pw
GLANCE_PW=smokeGlancePw1
P=${SMOKE_NAME_PREFIX:-kg-smoke}-$$
DB_C=$P-mariadb
API_C=$P-glance-api
BOOT_C=$P-bootstrap-glance
NODE=smoke-node1
API=http://127.0.0.1:$API_PORT

for tool in docker curl python3 ss awk md5sum sha512sum; do
  command -v "$tool" >/dev/null || { echo "smoke.sh: $tool is required on the host" >&2; exit 2; }
done

T0=$(date +%s.%N)
TMP=$(mktemp -d /tmp/kolla-glance-smoke.XXXXXX)
CFG=$TMP/config          # -> /var/lib/kolla/config_files (ro)
LOGS=$TMP/log            # -> /var/log/kolla
DATA=$TMP/glance         # -> /var/lib/glance
mkdir -p "$CFG" "$LOGS" "$DATA"
OPS=$LOGS/glance/kolla-operations.log
CURRENT_STEP=setup
RESULT=FAIL

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%6.1fs", b - a }'; }
say() { printf '%s\n' "$*"; }

dump_diagnostics() {
  say "---- diagnostics (step: $CURRENT_STEP)"
  local c
  for c in "$DB_C" "$API_C" "$BOOT_C"; do
    docker inspect "$c" >/dev/null 2>&1 || continue
    say "---- docker logs $c (last 40 lines)"
    docker logs --tail 40 "$c" 2>&1 || true
  done
  for f in "$LOGS"/glance/*.log; do
    [[ -f $f ]] || continue
    say "---- $f (last 20 lines)"
    tail -n 20 "$f" || true
  done
}

cleanup() {
  local rc=$?
  if [[ $RESULT != PASS ]]; then dump_diagnostics; fi
  docker rm -f "$API_C" "$BOOT_C" "$DB_C" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$TMP"
  [[ $RESULT == PASS ]] || say "FAILED in step: $CURRENT_STEP"
  say "smoke: $RESULT (total $(secs "$T0" "$(now)" | tr -d ' '))"
  [[ $RESULT == PASS ]] && exit 0
  exit $((rc == 0 ? 1 : rc))
}
trap cleanup EXIT

# step "<description>" <command...>: run, time, print one line.
step() {
  CURRENT_STEP=$1
  shift
  local t
  t=$(now)
  "$@"
  say "[$(secs "$t" "$(now)")] ok  $CURRENT_STEP"
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

label() { docker image inspect -f "{{ index .Config.Labels \"org.kolla-glance.$2\" }}" "$1"; }

wait_healthy_db() {
  for _ in $(seq 1 120); do
    [[ $(docker inspect -f '{{.State.Health.Status}}' "$DB_C") == healthy ]] && return 0
    [[ $(docker inspect -f '{{.State.Running}}' "$DB_C") == true ]] || { say "mariadb exited"; return 1; }
    sleep 1
  done
  say "mariadb not healthy after 120 s"; return 1
}

wait_api() {
  local code
  for _ in $(seq 1 240); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$API/healthcheck" || true)
    [[ $code == 200 ]] && return 0
    [[ $(docker inspect -f '{{.State.Running}}' "$API_C") == true ]] || { say "glance-api exited"; return 1; }
    sleep 0.5
  done
  say "no 200 from $API/healthcheck after 120 s (last: $code)"; return 1
}

sql() { docker exec "$DB_C" mariadb -N -B -e "$1"; }

# the volumes kolla-ansible gives glance_api and bootstrap_glance
glance_volumes=(-v "$CFG:/var/lib/kolla/config_files:ro" -v "$DATA:/var/lib/glance"
                -v "$LOGS:/var/log/kolla")

# run_bootstrap <image> <env...>: like kolla_container start_container with
# detach false: run, wait, fail on rc != 0, remove.
run_bootstrap() {
  local image=$1 rc=0
  shift
  local envs=() e
  for e in "$@"; do envs+=(-e "$e"); done
  docker run --name "$BOOT_C" --network host -e KOLLA_CONFIG_STRATEGY=COPY_ALWAYS \
    -e KOLLA_HOSTNAME="$NODE" --label BOOTSTRAP= "${envs[@]}" "${glance_volumes[@]}" \
    "$image" >"$TMP/bootstrap.out" 2>&1 || rc=$?
  grep ' kolla-glance op=' "$TMP/bootstrap.out" | sed 's/^/      /' || true
  docker rm "$BOOT_C" >/dev/null
  [[ $rc -eq 0 ]] || { tail -20 "$TMP/bootstrap.out"; say "bootstrap container rc=$rc"; return 1; }
}

start_api() {
  docker run -d --name "$API_C" --network host -e KOLLA_CONFIG_STRATEGY=COPY_ALWAYS \
    -e KOLLA_HOSTNAME="$NODE" "${glance_volumes[@]}" "$1" >/dev/null
  wait_api
  docker exec "$API_C" healthcheck_curl "$API/healthcheck" | sed 's/^/      healthcheck_curl: /'
}

stop_api() {
  docker stop -t 30 "$API_C" >/dev/null
  local rc
  rc=$(docker inspect -f '{{.State.ExitCode}}' "$API_C")
  docker rm "$API_C" >/dev/null
  [[ $rc == 0 ]] || { say "glance-api exited with $rc on docker stop"; return 1; }
}

# ------------------------------------------------------------------ steps ---
do_build() {
  if [[ ${SMOKE_SKIP_BUILD:-0} == 1 ]]; then
    docker image inspect "$OLD" "$NEW" "$DB_IMAGE" >/dev/null
  else
    "$HERE/build.sh" | sed 's/^/      /'
  fi
}

do_ports() {
  port_free "$DB_PORT" || { say "port $DB_PORT is in use"; return 1; }
  port_free "$API_PORT" || { say "port $API_PORT is in use"; return 1; }
}

do_mariadb() {
  docker run -d --name "$DB_C" --network host -e MARIADB_PORT="$DB_PORT" \
    -e MARIADB_ROOT_PASSWORD="$ROOT_PW" "$DB_IMAGE" >/dev/null
  wait_healthy_db
  say "      log_bin=$(sql 'SELECT @@log_bin') log_bin_trust_function_creators=$(sql 'SELECT @@log_bin_trust_function_creators') port=$(sql 'SELECT @@port')"
}

do_create_db() {
  docker exec "$DB_C" mariadb-create-db glance glance "$GLANCE_PW" | sed 's/^/      /'
  # prove the glance user works over TCP on loopback
  docker exec "$DB_C" mariadb --protocol=tcp -h127.0.0.1 -P"$DB_PORT" -uglance -p"$GLANCE_PW" \
    -N -B -e 'SELECT CURRENT_USER()' glance | sed 's/^/      connected as /'
}

do_config() {
  cat >"$CFG/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $API_PORT
workers = 1
log_dir = /var/log/kolla/glance
enabled_backends = file:file, http:http

[database]
connection = mysql+pymysql://glance:$GLANCE_PW@127.0.0.1:$DB_PORT/glance
max_retries = -1

[paste_deploy]
flavor =

# What the role renders with glance_test_without_keystone: true: 2025.1
# rejects the unauthenticated context under its new policy defaults; Zed
# accepts the same settings (its defaults).
[oslo_policy]
enforce_new_defaults = False
enforce_scope = False

[glance_store]
default_backend = file

[file]
filesystem_store_datadir = /var/lib/glance/images/

[os_glance_tasks_store]
filesystem_store_datadir = /var/lib/glance/tasks_work_dir

[os_glance_staging_store]
filesystem_store_datadir = /var/lib/glance/staging
EOF
  # kolla renders a config.json too; kolla_start ignores it (copy-all strategy)
  echo '{"command": "glance-api", "config_files": []}' >"$CFG/config.json"
}

# ------------------------------------------------- database state checks ---
# field <op> <start|end> <key>: a key=value of the last marker of a
# database step (kolla_start records db_version and db_check there).
field() {
  grep -E " op=$1 .* $2( |\$)" "$OPS" | tail -1 | grep -oE "(^| )$3=[^ ]*" | cut -d= -f2
}
# expect_field <op> <start|end> <key> <ERE>
expect_field() {
  local got
  got=$(field "$1" "$2" "$3")
  [[ $got =~ ^($4)$ ]] || { say "$1 $2: $3=$got, expected $4"; return 1; }
}
# step_state <op>: one line for the table and the log
step_state() {
  printf '%-12s glance=%-7s rc=%s  db_version %s -> %s  db_check %s -> %s' "$1" \
    "$(field "$1" start glance)" "$(field "$1" end rc)" \
    "$(field "$1" start db_version)" "$(field "$1" end db_version)" \
    "$(field "$1" start db_check)" "$(field "$1" end db_check)"
}

# probe <image>: "db_version=<heads> db_check=<rc>" as that image's
# glance-manage sees the database (as the role asks: a one-shot container
# with the config dir, --config-file; here as user glance).
probe() {
  docker run --rm --network host -u 42415:42415 "${glance_volumes[@]}" "$1" bash -c '
    c=/var/lib/kolla/config_files/glance-api.conf
    v=$(glance-manage --config-file $c db version 2>/dev/null | grep -E "^[A-Za-z0-9_]+$" | sort | paste -sd, -)
    rc=0; glance-manage --config-file $c db check >/dev/null 2>&1 || rc=$?
    echo "db_version=${v:-none} db_check=$rc"'
}

# versions <container>: what really runs there
versions() {
  local c=$1 image=$2
  say "      image $image: release=$(label "$image" release) glance-version=$(label "$image" glance-version) suite=$(label "$image" debian-suite)"
  say "      in $c: glance-api --version = $(docker exec "$c" glance-api --version 2>&1 | tail -1)," \
      "$(docker exec "$c" python3 --version 2>&1), /etc/kolla-glance-release = $(docker exec "$c" cat /etc/kolla-glance-release)"
}

# ------------------------------------------------------------------ steps ---
do_bootstrap() {
  run_bootstrap "$OLD" KOLLA_BOOTSTRAP=
  say "      $(step_state db_sync)"
  expect_field db_sync end db_check 0
}

do_api_old() { start_api "$OLD"; versions "$API_C" "$OLD"; }

PAYLOAD=$TMP/payload.bin
PAYLOAD2=$TMP/payload2.bin
IMAGE_ID=""
IMAGE2_ID=""
# upload <name> <file>: create a raw image and upload the file; prints the id
upload() {
  local resp id code
  resp=$(curl -sS -f -X POST "$API/v2/images" -H 'Content-Type: application/json' \
    -d "{\"name\": \"$1\", \"disk_format\": \"raw\", \"container_format\": \"bare\"}")
  id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$resp")
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT "$API/v2/images/$id/file" \
    -H 'Content-Type: application/octet-stream' --data-binary @"$2")
  [[ $code == 204 ]] || { say "upload of $1 returned HTTP $code" >&2; return 1; }
  echo "$id"
}
do_image_roundtrip() {
  head -c 5242880 /dev/urandom >"$PAYLOAD"
  IMAGE_ID=$(upload kolla-glance-smoke "$PAYLOAD")
  say "      created image $IMAGE_ID (raw, no auth headers needed)"
  check_image "$IMAGE_ID" "$PAYLOAD"
}

# check_image <id> <file>: metadata checksums and downloaded bytes match the file
check_image() {
  local id=$1 file=$2 meta md5 sha512 got status
  meta=$(curl -sS -f "$API/v2/images/$id")
  read -r status md5 sha512 < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["status"], d["checksum"], d["os_hash_value"])' "$meta")
  [[ $status == active ]] || { say "image status $status"; return 1; }
  [[ $md5 == $(md5sum <"$file" | cut -d' ' -f1) ]] || { say "checksum mismatch (metadata md5)"; return 1; }
  [[ $sha512 == $(sha512sum <"$file" | cut -d' ' -f1) ]] || { say "os_hash_value mismatch"; return 1; }
  got=$(curl -sS -f "$API/v2/images/$id/file" | sha512sum | cut -d' ' -f1)
  [[ $got == "$sha512" ]] || { say "downloaded bytes differ"; return 1; }
  [[ -f $DATA/images/$id ]] || { say "no file in the file store"; return 1; }
  say "      $id: status=active md5=$md5, download sha512 ${got:0:16}... matches, stored as /var/lib/glance/images/$id ($(stat -c '%u:%g' "$DATA/images/$id"))"
}

do_check_new() {
  local st
  st=$(probe "$NEW")
  say "      $(label "$NEW" release)'s glance-manage: $st"
  [[ $st == *" db_check=3" ]] || { say "expected db_check=3 (expand needed)"; return 1; }
}
do_trust_on() { sql 'SET GLOBAL log_bin_trust_function_creators = 1'; }
do_trust_off() { sql 'SET GLOBAL log_bin_trust_function_creators = 0'; }
do_expand() {
  run_bootstrap "$NEW" KOLLA_UPGRADE= GLANCE_DB_EXPAND=
  say "      $(step_state db_expand)"
  expect_field db_expand start db_check 3
  expect_field db_expand end db_check '4|5'
}
do_old_view() {
  # informational: the old release cannot judge the new schema
  say "      $(label "$OLD" release)'s own glance-manage now says: $(probe "$OLD") (not authoritative)"
  check_image "$IMAGE_ID" "$PAYLOAD"
}
do_migrate() {
  run_bootstrap "$NEW" KOLLA_UPGRADE= GLANCE_DB_MIGRATE=
  say "      $(step_state db_migrate)"
  expect_field db_migrate start db_check '4|5'
  expect_field db_migrate end db_check 5
}
do_stop_old() { stop_api; }
do_api_new() {
  start_api "$NEW"
  versions "$API_C" "$NEW"
  check_image "$IMAGE_ID" "$PAYLOAD"
}
do_upload_new() {
  head -c 3145728 /dev/urandom >"$PAYLOAD2"
  IMAGE2_ID=$(upload kolla-glance-smoke-new "$PAYLOAD2")
  check_image "$IMAGE2_ID" "$PAYLOAD2"
}
CONTRACT_HEAD=""
do_contract() {
  run_bootstrap "$NEW" KOLLA_UPGRADE= GLANCE_DB_CONTRACT=
  say "      $(step_state db_contract)"
  expect_field db_contract start db_check 5
  expect_field db_contract end db_check 0
  # the new release's contract head, alone (2025.1: 2024_1_contract01)
  if [[ $(label "$NEW" release) == 2025.1 ]]; then
    expect_field db_contract end db_version 2024_1_contract01
  else
    expect_field db_contract end db_version '[A-Za-z0-9_]*_contract[0-9]*'
  fi
  CONTRACT_HEAD=$(field db_contract end db_version)
}
do_db_check() {
  local rc=0 v
  docker exec -u glance "$API_C" glance-manage db check 2>/dev/null | sed 's/^/      /' || rc=$?
  v=$(docker exec -u glance "$API_C" glance-manage db version 2>/dev/null | tr '\n' ' ')
  say "      db check rc=$rc, db version: $v"
  say "      alembic_version: $(sql 'SELECT version_num FROM glance.alembic_version' | tr '\n' ' ')"
  ((rc == 0)) || return 1
  [[ $v == "$CONTRACT_HEAD " ]] || { say "db version is not $CONTRACT_HEAD"; return 1; }
  check_image "$IMAGE_ID" "$PAYLOAD"
  check_image "$IMAGE2_ID" "$PAYLOAD2"
}

# line number of the first marker matching an ERE
mline() { grep -n -E "$1" "$OPS" | head -1 | cut -d: -f1; }
do_markers() {
  say "      ---- $OPS (bind-mounted /var/log/kolla/glance)"
  sed 's/^/      /' "$OPS"
  local ex_end api_new api_old_end ct_start
  ex_end=$(mline 'op=db_expand release=new .* end rc=0')
  api_new=$(mline 'op=api release=new .* start')
  api_old_end=$(grep -n -E 'op=api release=old .* end rc=0' "$OPS" | tail -1 | cut -d: -f1)
  ct_start=$(mline 'op=db_contract release=new .* start')
  [[ -n $ex_end && -n $api_new && -n $api_old_end && -n $ct_start ]] || { say "markers missing"; return 1; }
  ((ex_end < api_new)) || { say "new API started before expand ended"; return 1; }
  ((api_old_end < api_new)) || { say "new API started before the old one stopped"; return 1; }
  ((api_new < ct_start)) || { say "contract ran before the new API started"; return 1; }
  say "      order ok: expand end (line $ex_end) < old API end ($api_old_end) < new API start ($api_new) < contract start ($ct_start)"
  say "      ---- files in the log dir:"
  (cd "$LOGS/glance" && stat -c '      %U(%u):%G(%g) %s %n' -- *)
}

summary() {
  say "---- database steps (from the markers: before -> after, as the step's own release sees it)"
  local op
  for op in db_sync db_expand db_migrate db_contract; do say "  $(step_state "$op")"; done
}

say "kolla-glance smoke test: db 127.0.0.1:$DB_PORT, api $API, temp $TMP"
say "  old = $OLD ($(label "$OLD" release 2>/dev/null || echo ?)), new = $NEW ($(label "$NEW" release 2>/dev/null || echo ?))"
step "build.sh (cached)"                              do_build
step "ports $DB_PORT and $API_PORT free"              do_ports
step "start mariadb ($DB_IMAGE, log_bin on)"          do_mariadb
step "create database and user glance"                do_create_db
step "write glance-api.conf (flavor empty = no auth)" do_config
step "bootstrap: KOLLA_BOOTSTRAP with :old (db_sync)" do_bootstrap
step "start glance-api :old, /healthcheck 200"        do_api_old
step "image create, upload, download, checksums"      do_image_roundtrip
step "new release's db check = 3 (expand needed)"     do_check_new
step "log_bin_trust_function_creators=1"              do_trust_on
step "upgrade: KOLLA_UPGRADE+GLANCE_DB_EXPAND :new"   do_expand
step "old API still serves the image after expand"    do_old_view
step "upgrade: KOLLA_UPGRADE+GLANCE_DB_MIGRATE :new"  do_migrate
step "docker stop glance-api :old (clean, rc 0)"      do_stop_old
step "start glance-api :new, same image bytes served" do_api_new
step "upload through the new API"                     do_upload_new
step "upgrade: KOLLA_UPGRADE+GLANCE_DB_CONTRACT :new" do_contract
step "log_bin_trust_function_creators=0"              do_trust_off
step "glance-manage db check = 0, db version"         do_db_check
step "markers prove the order"                        do_markers
step "docker stop glance-api :new (clean, rc 0)"      stop_api
summary
RESULT=PASS
