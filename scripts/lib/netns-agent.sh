#!/bin/sh
# Open MPI launch agent (`--mca plm_rsh_agent`) for hosts that are network namespaces on this
# machine (see scripts/hosts.sh): called like ssh, with the host name and then the command that
# starts Open MPI's daemon there; runs that command inside the namespace of the same name.
host="$1"
shift
# A UTS namespace of its own gives the host its name, so that MPI_Get_processor_name and
# messages naming hosts tell the hosts apart.
exec ip netns exec "$host" unshare --uts sh -c "hostname '$host' && $*"
