load cli_helpers
setup() { cli_setup; xf_daemon --iface "$IF_P"; }
teardown() { cli_teardown; }
@test dbg {
	{ xf_cli sets; xf_cli sets --json; xf_cli block add 198.18.0.2; xf_cli block add --set f2b 198.18.0.2 2001:2::5; xf_cli block list; xf_cli sets; xf_cli status;
	bpftool map dump pinned $PIN/sets | head -30; bpftool map dump pinned $PIN/meta; } >&3 2>&3
}
