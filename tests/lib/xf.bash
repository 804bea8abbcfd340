# SPDX-License-Identifier: GPL-2.0
# The bats helper library every suite loads (`load ../lib/xf`): one function per job, in four files.
# Each file's header lists its functions; in short:
#
#   netns.bash    the test bed: xf_setup / xf_teardown, running in a namespace (xf_p, xf_s), more
#                 interfaces and neighbours, which XDP program is attached (xf_xdp_prog, xf_prog_id,
#                 xf_no_xdp), xdp-filter as a neighbour program
#   proc.bash     processes and waiting: a helper process that says when it is ready (xf_start),
#                 the daemon (xf_daemon, xf_daemon_stop, xf_daemon_wait_exit), lines in a file
#                 (xf_count_lines, xf_wait_lines), a command's output (xf_wait_output)
#   traffic.bash  datagrams, pings and raw frames between the namespaces, and counting what arrived
#   cli.bash      the CLI (xf_cli), its JSON (xf_json, xf_wait_json) and its list tables (xf_entries,
#                 xf_entry_packets, xf_wait_entry_packets)
#
# Loading it also defines teardown() as xf_teardown, every suite's cleanup; a suite that must undo more
# defines its own (which runs xf_teardown last).
#
# Suite helpers build on it: tests/cli/cli_helpers.bash (cli_), tests/ops/ops.bash (ops_),
# tests/reliability/rel.bash (rel_). tests/systemd/boot.bash boots a container instead of the test bed.

XF_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XDPFWD=${XDPFWD:-$(cd "$XF_LIB/../.." && pwd)/build/xdpfwd}
# The distribution's interpreter starts several times faster than a version manager's shim.
XF_PYTHON=${XF_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

# shellcheck source=netns.bash
source "$XF_LIB/netns.bash"
# shellcheck source=proc.bash
source "$XF_LIB/proc.bash"
# shellcheck source=traffic.bash
source "$XF_LIB/traffic.bash"
# shellcheck source=cli.bash
source "$XF_LIB/cli.bash"

# Every suite's cleanup unless it defines its own; safe when xf_setup did not run.
teardown() {
	xf_teardown
}
