#!/usr/bin/env bash
# Several "hosts" on one machine, for testing multi-host mpirun launches without a cluster.
#
#   scripts/hosts.sh up N          N network namespaces rmhostA, rmhostB, … with addresses
#                                  10.99.0.11, .12, … on one bridge, loopback up in each
#   scripts/hosts.sh mpirun ARGS…  mpirun from the first host, one rank per host by default
#   scripts/hosts.sh exec HOST CMD…  one command inside HOST
#   scripts/hosts.sh run N CMD…    up N, run CMD (`mpirun …` and `exec …` as above), then down
#                                  (also on failure or Ctrl-C)
#   scripts/hosts.sh cut HOST      takes HOST's link down (a cut cable); `mend HOST` restores it
#   scripts/hosts.sh down          removes the namespaces and everything in them (idempotent)
#   scripts/hosts.sh check         exits 0 when namespaces can be made here (root, ip, netns)
#
# Sourcing the file instead defines the same commands as functions (hosts_up, hosts_down, …).
#
# A cut link ends a job within seconds: each host gives up on unanswered TCP after ~6 s
# (net.ipv4.tcp_retries2=4 in its namespace) and mpirun's daemons probe idle connections
# every second after 3 s (oob_tcp_keepalive_*); each host has its own host name (UTS namespace).
#
# Layout: the bridge sits in a namespace of its own (rmhost-hub), linked to each host by a veth
# pair created inside the namespaces, so nothing is added to the machine's own network and the
# subnet is reachable only from the namespaces. Host names resolve through
# /etc/netns/HOST/hosts, which `ip netns exec` bind-mounts over /etc/hosts inside HOST; the
# directories are removed by `down`. mpirun reaches the other hosts through
# scripts/lib/netns-agent.sh instead of SSH.
#
# Needs root and iproute2. Environment: RINGMASTER_NETNS_PREFIX (default rmhost),
# RINGMASTER_NETNS_NET (first three octets, default 10.99.0), RINGMASTER_NETNS_SLOTS (ranks
# per host for `mpirun`, default 1).

HOSTS_PREFIX="${RINGMASTER_NETNS_PREFIX:-rmhost}"
HOSTS_NET="${RINGMASTER_NETNS_NET:-10.99.0}"
HOSTS_HUB="$HOSTS_PREFIX-hub"
HOSTS_AGENT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/netns-agent.sh"
HOSTS_LETTERS=(A B C D E F G H)

# hosts_names: the hosts that exist now, in order.
hosts_names() {
    local letter
    for letter in "${HOSTS_LETTERS[@]}"; do
        [ -e "/run/netns/$HOSTS_PREFIX$letter" ] && echo "$HOSTS_PREFIX$letter"
    done
    return 0
}

# hosts_check: whether network namespaces can be created here; prints why not.
hosts_check() {
    if [ "$(id -u)" -ne 0 ]; then echo "not root" >&2; return 1; fi
    if ! command -v ip >/dev/null 2>&1; then echo "ip (iproute2) is not installed" >&2; return 1; fi
    local probe="$HOSTS_PREFIX-probe$$" out
    if ! out="$(ip netns add "$probe" 2>&1)"; then echo "ip netns add failed: $out" >&2; return 1; fi
    if ! out="$(ip -n "$probe" link set lo up 2>&1)"; then
        ip netns delete "$probe" 2>/dev/null
        echo "cannot configure a new namespace: $out" >&2; return 1
    fi
    ip netns delete "$probe"
}

# hosts_up N: creates N hosts (1–8) joined by a bridge; removes any left from before first.
hosts_up() {
    local count="${1:-2}"
    if ! [[ "$count" =~ ^[1-8]$ ]]; then echo "hosts up: N must be 1 to 8" >&2; return 2; fi
    hosts_down
    (
        set -e
        ip netns add "$HOSTS_HUB"
        ip -n "$HOSTS_HUB" link set lo up
        ip -n "$HOSTS_HUB" link add br0 type bridge
        ip -n "$HOSTS_HUB" link set br0 up
        local hosts_file index name
        hosts_file="127.0.0.1 localhost"$'\n'
        for ((index = 0; index < count; index++)); do
            hosts_file+="$HOSTS_NET.$((11 + index)) $HOSTS_PREFIX${HOSTS_LETTERS[index]}"$'\n'
        done
        for ((index = 0; index < count; index++)); do
            name="$HOSTS_PREFIX${HOSTS_LETTERS[index]}"
            ip netns add "$name"
            ip -n "$name" link set lo up
            # Both ends are created inside the namespaces: the machine's own network never sees them.
            ip -n "$HOSTS_HUB" link add "p${HOSTS_LETTERS[index]}" type veth peer name eth0 netns "$name"
            ip -n "$HOSTS_HUB" link set "p${HOSTS_LETTERS[index]}" master br0 up
            ip -n "$name" addr add "$HOSTS_NET.$((11 + index))/24" dev eth0
            ip -n "$name" link set eth0 up
            # Give up on an unanswered TCP connection after ~6 s instead of ~15 min, so that a
            # cut link ends the job (see docs/operations.md, "When a job hangs or fails").
            ip netns exec "$name" sh -c 'echo 4 >/proc/sys/net/ipv4/tcp_retries2'
            # Autocorking held small MPI messages back: a 4 KiB allreduce took ~46 ms, 30 µs without.
            ip netns exec "$name" sh -c 'echo 0 >/proc/sys/net/ipv4/tcp_autocorking'
            mkdir -p "/etc/netns/$name"
            printf '%s' "$hosts_file" >"/etc/netns/$name/hosts"
        done
    ) || { echo "hosts up: failed; removing what was made" >&2; hosts_down; return 1; }
}

# hosts_down: kills what runs inside the hosts and removes them, the hub and the hosts files.
hosts_down() {
    local name pids
    for name in $(hosts_names) "$HOSTS_HUB"; do
        [ -e "/run/netns/$name" ] || continue
        pids="$(ip netns pids "$name" 2>/dev/null || true)"
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        ip netns delete "$name" 2>/dev/null || true
    done
    for name in "${HOSTS_LETTERS[@]}"; do rm -rf "/etc/netns/$HOSTS_PREFIX$name"; done
    rmdir /etc/netns 2>/dev/null   # only when nothing else uses it
    return 0
}

# hosts_exec HOST CMD…: runs CMD inside HOST.
hosts_exec() {
    local name="$1"; shift
    ip netns exec "$name" "$@"
}

# hosts_cut HOST / hosts_mend HOST: takes HOST's only link down or up again.
hosts_cut() { ip -n "$1" link set eth0 down; }
hosts_mend() { ip -n "$1" link set eth0 up; }

# hosts_mpirun ARGS…: mpirun started inside the first host, over every host, on the subnet only.
hosts_mpirun() {
    local names=() name list=""
    mapfile -t names < <(hosts_names)
    if [ ${#names[@]} -eq 0 ]; then echo "hosts mpirun: no hosts; run 'hosts up N' first" >&2; return 1; fi
    for name in "${names[@]}"; do list+="${list:+,}$name:${RINGMASTER_NETNS_SLOTS:-1}"; done
    ip netns exec "${names[0]}" unshare --uts \
        sh -c 'hostname "$0" && exec "$@"' "${names[0]}" env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" \
        mpirun -H "$list" --bind-to none \
        --mca plm_rsh_agent "$HOSTS_AGENT" \
        --mca btl tcp,self \
        --mca btl_tcp_if_include "$HOSTS_NET.0/24" --mca oob_tcp_if_include "$HOSTS_NET.0/24" \
        --mca oob_tcp_keepalive_time 3 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3 \
        -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM -x OPENBLAS_NUM_THREADS \
        "$@"
}

# hosts_run N CMD…: CMD (for example `hosts_mpirun …`) with N hosts that exist only meanwhile.
hosts_run() {
    local count="$1"; shift
    trap hosts_down EXIT
    trap 'exit 130' INT TERM
    hosts_up "$count" || return 1
    case "$1" in
        mpirun | exec) local sub="$1"; shift; "hosts_$sub" "$@" ;;
        *) "$@" ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    command="${1:-}"; shift || true
    case "$command" in
        up) hosts_up "$@" ;;
        down) hosts_down ;;
        check) hosts_check ;;
        list) hosts_names ;;
        exec) hosts_exec "$@" ;;
        cut) hosts_cut "$@" ;;
        mend) hosts_mend "$@" ;;
        mpirun) hosts_mpirun "$@" ;;
        run) count="$1"; shift; hosts_run "$count" "$@" ;;
        *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
fi
