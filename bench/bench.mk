# SPDX-License-Identifier: GPL-2.0
# make bench: the benchmark harness (method and results in BENCHMARKS.md). Included from the top-level
# Makefile; not part of make check. Everything it builds lives under $(OUT)/bench.

BENCH_OUT	:= $(OUT)/bench
BENCH_SRCS	:= $(filter-out %.bpf.c bench/meter-sim.c,$(wildcard bench/*.c))
BENCH_OBJS	:= $(BENCH_SRCS:bench/%.c=$(BENCH_OUT)/obj/%.o)
# xdpfwd's own list-file parser, so fill reads exactly what `xdpfwd block load` reads.
BENCH_COMMON	:= $(OUT)/obj/common/addr.o $(OUT)/obj/common/list_parse.o
BENCH_SKELS	:= $(BENCH_OUT)/gen.skel.h $(BENCH_OUT)/ref.skel.h
# UAPI headers only: the reference programs must not depend on this kernel's vmlinux.h.
BENCH_BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror -Iinclude \
		   -I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null) -MMD -MP

$(BENCH_OUT)/.dir:
	$(Q)mkdir -p $(BENCH_OUT)/obj && touch $@

$(BENCH_OUT)/%.bpf.o: bench/%.bpf.c bench/bench.mk | $(BENCH_OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BENCH_BPF_CFLAGS) -MT $@ -MF $(BENCH_OUT)/$*.bpf.d -c $< -o $(BENCH_OUT)/$*.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(BENCH_OUT)/$*.tmp.bpf.o

$(BENCH_OUT)/%.skel.h: $(BENCH_OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xfb_$* > $@

$(BENCH_OUT)/obj/%.o: bench/%.c bench/bench.mk Makefile | $(BENCH_OUT)/.dir $(BENCH_SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(COMMON_INC) -I$(BENCH_OUT) -Ibench -c $< -o $@

$(BENCH_OUT)/xfbench: $(BENCH_OBJS) $(BENCH_COMMON)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -lpthread -o $@

# The meter's set conflicts, simulated (BENCHMARKS.md "Flood defense"): a tool apart, not in xfbench.
$(BENCH_OUT)/meter-sim: bench/meter-sim.c include/xdpfwd.h | $(BENCH_OUT)/.dir
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(COMMON_INC) $< -o $@

.PHONY: bench-build bench-deps
bench-build: $(OUT)/xdpfwd $(OUT)/xdpfwd.bpf.o $(BENCH_OUT)/xfbench

# The project's packages plus the few only the benchmark needs.
bench-deps:
	$(Q)./tools/install-deps.sh bench

# Deps first, then a fresh make, so the build sees what was just installed.
bench: bench-deps
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd) XFBENCH=$(abspath $(BENCH_OUT)/xfbench) \
		BENCH_OUT=$(abspath $(BENCH_OUT)) ./bench/run.sh

-include $(wildcard $(BENCH_OUT)/obj/*.d $(BENCH_OUT)/*.d)
