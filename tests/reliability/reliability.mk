# SPDX-License-Identifier: GPL-2.0
# make check-long: the reliability suite (tests/reliability, guarantees and figures in
# docs/RELIABILITY.md). Included from the top-level Makefile; everything it builds lives under
# $(OUT)/reliability, and each run writes its figures to $(OUT)/reliability-figures.txt.

REL_OUT		:= $(OUT)/reliability
REL_FIGURES	:= $(OUT)/reliability-figures.txt

$(REL_OUT)/.dir:
	$(Q)mkdir -p $(REL_OUT) && touch $@

# The Makefile's BPF build: $(call rel_bpf,SOURCE,OBJECT[,FLAGS]) compiles with its BPF_CFLAGS
# (dependencies in OBJECT's .d) and links with bpftool gen object, as it builds the program.
rel_bpf = $(CLANG) $(BPF_CFLAGS) $(3) -MT $(2) -MF $(basename $(2)).d -c $(1) -o $(2:.o=.tmp.o) && \
	  $(BPFTOOL) gen object $(2) $(2:.o=.tmp.o)

# The traffic generator, receiver and map checker the tests drive.
$(REL_OUT)/relnet: tests/reliability/relnet.c include/xdpfwd.h tests/reliability/reliability.mk Makefile | $(REL_OUT)/.dir
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -Iinclude -MT $@ -MF $(REL_OUT)/relnet.d $< $(LIBS) -o $@

# "A new build" for upgrade tests: the same source compiled again, with a flag that marks it.
$(REL_OUT)/xdpfwd-alt.bpf.o: bpf/xdpfwd.bpf.c tests/reliability/reliability.mk Makefile | $(REL_OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(call rel_bpf,$<,$@,-DXDPFWD_RELIABILITY_ALT_BUILD=1)

# A build the verifier must reject: the program with its header bounds checks removed.
$(REL_OUT)/unchecked.bpf.o: tests/reliability/unchecked.bpf.c tests/reliability/reliability.mk Makefile | $(REL_OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(call rel_bpf,$<,$@)

# The last build before named sets (map layout 2), for the migration test: the tree of the commit
# before include/xdpfwd.h went to layout 3, built once (a minute of both cores) and kept.
REL_LAYOUT2_COMMIT := 76e484bd3f112c2e6b3c4b5eaee92cb39e3ffaea
$(REL_OUT)/layout2/build/xdpfwd: | $(REL_OUT)/.dir
	$(call msg,BUILD,$@ (layout 2, $(REL_LAYOUT2_COMMIT)))
	$(Q)rm -rf $(REL_OUT)/layout2 && mkdir -p $(REL_OUT)/layout2 && \
	if git cat-file -e '$(REL_LAYOUT2_COMMIT)^{commit}' 2>/dev/null; then \
		git archive $(REL_LAYOUT2_COMMIT) | tar -x -C $(REL_OUT)/layout2 && \
		$(MAKE) --no-print-directory -C $(REL_OUT)/layout2 build/xdpfwd; \
	else \
		echo "the layout-2 build needs git and this repository's history (commit $(REL_LAYOUT2_COMMIT)); a copy of the tree without .git (tests/minbase) has neither" \
			>$(REL_OUT)/layout2/UNAVAILABLE; \
	fi

# A test's own variant of the program (rel_build_bpf in rel.bash), built the same way:
# make reliability-bpf REL_BPF_SRC=FILE.bpf.c REL_BPF_OBJ=FILE.bpf.o (absolute paths).
.PHONY: reliability-bpf
reliability-bpf:
	$(Q)$(call rel_bpf,$(REL_BPF_SRC),$(REL_BPF_OBJ))

.PHONY: check-long reliability-build
reliability-build: $(OUT)/xdpfwd $(OUT)/xdpfwd-san $(REL_OUT)/relnet $(REL_OUT)/xdpfwd-alt.bpf.o \
		   $(REL_OUT)/unchecked.bpf.o $(REL_OUT)/layout2/build/xdpfwd

check-long: reliability-build
	$(Q)rm -f $(REL_FIGURES)
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) XDPFWD_PLAIN=$(abspath $(OUT)/xdpfwd) \
		REL_OUT=$(abspath $(REL_OUT)) REL_FIGURES=$(abspath $(REL_FIGURES)) \
		bats tests/reliability
	$(Q)echo "figures: $(REL_FIGURES)"

-include $(wildcard $(REL_OUT)/*.d)
