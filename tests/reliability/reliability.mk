# SPDX-License-Identifier: GPL-2.0
# make check-long: the reliability suite (tests/reliability, guarantees and figures in
# docs/RELIABILITY.md). Included from the top-level Makefile; everything it builds lives under
# $(OUT)/reliability, and each run writes its figures to $(OUT)/reliability-figures.txt.

REL_OUT		:= $(OUT)/reliability
REL_FIGURES	:= $(OUT)/reliability-figures.txt

$(REL_OUT)/.dir:
	$(Q)mkdir -p $(REL_OUT) && touch $@

# The traffic generator, receiver and map checker the tests drive.
$(REL_OUT)/relnet: tests/reliability/relnet.c include/xdpfwd.h tests/reliability/reliability.mk Makefile | $(REL_OUT)/.dir
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude $< $(LIBS) -o $@

# "A new build" for upgrade tests: the same source compiled again, with a flag that marks it.
$(REL_OUT)/xdpfwd-alt.bpf.o: bpf/xdpfwd.bpf.c tests/reliability/reliability.mk Makefile | $(REL_OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DXDPFWD_RELIABILITY_ALT_BUILD=1 -MT $@ -MF $(REL_OUT)/xdpfwd-alt.bpf.d \
		-c $< -o $(REL_OUT)/xdpfwd-alt.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(REL_OUT)/xdpfwd-alt.tmp.bpf.o

# A build the verifier must reject: the program with its header bounds checks removed.
$(REL_OUT)/unchecked.bpf.o: tests/reliability/unchecked.bpf.c tests/reliability/reliability.mk Makefile | $(REL_OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MT $@ -MF $(REL_OUT)/unchecked.bpf.d -c $< -o $(REL_OUT)/unchecked.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(REL_OUT)/unchecked.tmp.bpf.o

.PHONY: check-long reliability-build
reliability-build: $(OUT)/xdpfwd $(OUT)/xdpfwd-san $(REL_OUT)/relnet $(REL_OUT)/xdpfwd-alt.bpf.o \
		   $(REL_OUT)/unchecked.bpf.o

check-long: reliability-build
	$(Q)rm -f $(REL_FIGURES)
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) XDPFWD_PLAIN=$(abspath $(OUT)/xdpfwd) \
		REL_OUT=$(abspath $(REL_OUT)) REL_FIGURES=$(abspath $(REL_FIGURES)) \
		bats tests/reliability
	$(Q)echo "figures: $(REL_FIGURES)"

-include $(wildcard $(REL_OUT)/*.d)
