# SPDX-License-Identifier: GPL-2.0
# One build for xdpfwd: vmlinux.h -> BPF object -> skeleton -> daemon, plus tests.
# Everything generated goes under $(OUT); `make V=1` shows full commands.

OUT		?= build
CLANG		?= clang
CC		?= gcc
BPFTOOL		?= bpftool
ARCH		:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
PREFIX		?= /usr/local
VERSION		:= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:
# Objects made through pattern chains (test and fuzz objects) are kept, so rebuilds stay incremental.
.SECONDARY:

CFLAGS		?= -O2 -g
XCFLAGS		:= -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP
# Each room is compiled with only the include paths below it, so an include that points up
# (common -> daemon, lib -> service, service -> cli) fails to compile: cli -> service -> lib ->
# common -> include. The build folder (skeleton, version) is the library's: it knows the program.
COMMON_INC	:= -Iinclude -Icommon
LIB_INC		:= $(COMMON_INC) -Idaemon/lib -I$(OUT)
SERVICE_INC	:= $(LIB_INC) -Idaemon/service
CLI_INC		:= $(SERVICE_INC) -Idaemon/cli
# The include paths of a source, by its room; tests and tools name theirs where they are built.
room_inc	= $(or $(if $(filter common/%,$1),$(COMMON_INC)),$(if $(filter daemon/lib/%,$1),$(LIB_INC)),\
		  $(if $(filter daemon/service/%,$1),$(SERVICE_INC)),$(if $(filter daemon/cli/%,$1),$(CLI_INC)),\
		  $(error $1: not in a room (common/, daemon/lib/, daemon/service/, daemon/cli/)))
LIBS		:= $(shell pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf) -lpcap -lelf -lz -pthread
# `xdpfwd top`'s full-screen view (daemon/cli/top_tui.c): ncurses with wide characters.
CURSES_LIBS	:= $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
SANFLAGS	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Left to itself, clang merges the identical ends of the program's drop paths into one block
# that the hot path jumps into, with its values where the other paths keep theirs: live, a
# blocked IPv6 source cost 4-8 ns more per packet than with the tails kept apart (BENCHMARKS.md).
# An LLVM option, so only where this clang has it; the program is correct either way.
BPF_NO_TAIL_MERGE := $(shell $(CLANG) -target bpf -mllvm -enable-tail-merge=false -x c -c /dev/null \
		       -o /dev/null 2>/dev/null && echo -mllvm -enable-tail-merge=false)

BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		   -Ibpf -Iinclude -MMD -MP $(BPF_NO_TAIL_MERGE)

COMMON_SRCS	:= $(wildcard common/*.c)
LIB_SRCS	:= $(wildcard daemon/lib/*.c)
SERVICE_SRCS	:= $(wildcard daemon/service/*.c)
CLI_SRCS	:= $(wildcard daemon/cli/*.c)
DAEMON_SRCS	:= $(LIB_SRCS) $(SERVICE_SRCS) $(CLI_SRCS)
APP_SRCS	:= $(COMMON_SRCS) $(DAEMON_SRCS)
APP_OBJS	:= $(APP_SRCS:%.c=$(OUT)/obj/%.o)
SAN_OBJS	:= $(APP_SRCS:%.c=$(OUT)/san/%.o)
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(wildcard tests/unit/test_*.c))
PROG_TEST	:= $(OUT)/tests/test_prog
CONSUMER_TEST	:= $(OUT)/tests/test_ringbuf_consumer
CONSUMER_SRCS	:= daemon/service/ringbuf_consumer.c daemon/service/event_format.c daemon/lib/enum_names.c daemon/lib/stats.c \
		   daemon/lib/time_format.c $(COMMON_SRCS)
MODEL_TEST	:= $(OUT)/tests/test_differential
REPLAY_MODEL	:= $(OUT)/tests/replay_model
FUZZ_TARGETS	:= prefix_parse duration_parse listfile_parse
FUZZ_BINS	:= $(FUZZ_TARGETS:%=$(OUT)/fuzz/fuzz_%)
FUZZ_SECONDS	?= 60
FUZZ_CFLAGS	:= -O1 -g -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all

BPF_OBJ		:= $(OUT)/xdpfwd.bpf.o
SKEL		:= $(OUT)/xdpfwd.skel.h

.PHONY: all clean check check-all check-unit check-prog check-cli check-e2e deps vmlinux demo bench
.PHONY: check-ops install uninstall
.PHONY: check-model check-fuzz fuzz check-systemd

all: $(OUT)/xdpfwd

$(OUT)/.dir:
	$(Q)mkdir -p $(OUT)/obj/common $(OUT)/san/common $(OUT)/tests \
		$(foreach r,lib service cli,$(OUT)/obj/daemon/$r $(OUT)/san/daemon/$r) && touch $@

# Regenerating vmlinux.h is an explicit step: the committed one is what builds.
vmlinux:
	$(call msg,GEN,bpf/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h

# bpftool gen object links the object and gives it the BTF the skeleton needs.
$(BPF_OBJ): bpf/xdpfwd.bpf.c Makefile | $(OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MT $@ -MF $(OUT)/xdpfwd.bpf.d -c $< -o $(OUT)/xdpfwd.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(OUT)/xdpfwd.tmp.bpf.o

# The skeleton names the shared types of the program's global data (struct xdpfwd_iface_slots),
# so it includes their one definition itself instead of relying on every includer's order.
$(SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q){ echo '#include "xdpfwd.h"'; $(BPFTOOL) gen skeleton $< name xdpfwd_bpf; } > $@.tmp
	$(Q)mv $@.tmp $@

# The version lives in one generated header, rewritten only when it changes: every object that
# prints it depends on it (-MMD), so --version and the metrics never disagree after a commit.
$(OUT)/version.h: FORCE | $(OUT)/.dir
	$(Q)echo '#define XDPFWD_VERSION "$(VERSION)"' | cmp -s - $@ || \
		echo '#define XDPFWD_VERSION "$(VERSION)"' >$@

.PHONY: FORCE
FORCE:

$(OUT)/obj/%.o: %.c Makefile | $(OUT)/.dir $(SKEL) $(OUT)/version.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(call room_inc,$<) -c $< -o $@

$(OUT)/san/%.o: %.c Makefile | $(OUT)/.dir $(SKEL) $(OUT)/version.h
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $(XCFLAGS) $(call room_inc,$<) -c $< -o $@

$(OUT)/xdpfwd: $(APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) $(CURSES_LIBS) -o $@

# The same daemon under ASan/UBSan: what the CLI and end-to-end tests run.
$(OUT)/xdpfwd-san: $(SAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SANFLAGS) $^ $(LIBS) $(CURSES_LIBS) -o $@

# Unit tests see common/ only; the program, model and consumer tests the service's paths (the
# consumer is the service's, the skeleton the library's).
test_inc	= $(if $(filter tests/unit/%,$1),$(COMMON_INC),$(SERVICE_INC) -Itests/prog -Itests/model)

# Test programs link sanitizer objects, one per source, so each source's -MMD file tracks its
# own headers (one compile of several sources with one -MF kept only the last one's).
$(OUT)/san/tests/%.o: tests/%.c Makefile | $(OUT)/.dir $(SKEL) $(OUT)/version.h
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $(XCFLAGS) $(call test_inc,$<) -c $< -o $@

$(OUT)/tests/test_%: $(OUT)/san/tests/unit/test_%.o $(COMMON_SRCS:%.c=$(OUT)/san/%.o)
	$(call msg,TEST-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $^ -lcmocka $(LIBS) -o $@

# With the library's counter reader, whose retirement of a deleted set's counters it tests.
$(PROG_TEST): $(OUT)/san/tests/prog/test_prog.o $(OUT)/san/daemon/lib/stats.o $(OUT)/san/daemon/lib/enum_names.o
	$(call msg,TEST-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $^ -lcmocka $(LIBS) -o $@

# The daemon's ring-buffer consumer, with the XDP program as its producer.
$(CONSUMER_TEST): $(OUT)/san/tests/prog/test_ringbuf_consumer.o $(CONSUMER_SRCS:%.c=$(OUT)/san/%.o)
	$(call msg,TEST-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $^ -lcmocka $(LIBS) -o $@

# The program against the reference model in tests/model on random lists and frames.
$(MODEL_TEST): $(OUT)/san/tests/model/test_differential.o $(OUT)/san/tests/model/model.o
	$(call msg,TEST-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $^ $(LIBS) -o $@

# The model's verdicts for a capture, which tests/e2e/replay.bats compares with `xdpfwd replay`'s.
$(REPLAY_MODEL): $(OUT)/san/tests/model/replay_model.o $(OUT)/san/tests/model/model.o \
		$(OUT)/san/common/list_parse.o $(OUT)/san/common/addr.o
	$(call msg,TEST-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $^ $(LIBS) -o $@

# libFuzzer harnesses for the parsers (clang; Debian's libclang-rt-14-dev has the runtime).
$(OUT)/fuzz/obj/%.o: %.c Makefile | $(OUT)/.dir
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(XCFLAGS) $(COMMON_INC) -c $< -o $@

$(OUT)/fuzz/fuzz_%: $(OUT)/fuzz/obj/tests/fuzz/fuzz_%.o $(OUT)/fuzz/obj/common/addr.o \
		$(OUT)/fuzz/obj/common/list_parse.o
	$(call msg,FUZZ-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $^ -o $@

# check and demo first install what is missing, then re-read this Makefile with it in place.
check: deps
	$(Q)$(MAKE) --no-print-directory check-all

check-all: check-unit check-prog check-cli check-e2e check-ops check-model check-fuzz check-long \
	   check-systemd

check-unit: $(UNIT_TESTS)
	$(Q)for t in $^; do echo "== $$t"; $$t || exit 1; done

check-prog: $(PROG_TEST) $(CONSUMER_TEST)
	$(Q)for t in $^; do echo "== $$t"; $$t || exit 1; done

check-cli: $(OUT)/xdpfwd $(OUT)/xdpfwd-san
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) bats tests/cli

check-e2e: $(OUT)/xdpfwd $(OUT)/xdpfwd-san $(REPLAY_MODEL)
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) REPLAY_MODEL=$(abspath $(REPLAY_MODEL)) bats tests/e2e

check-model: $(MODEL_TEST)
	$(Q)echo "== $<"; $<

# The corpus as a regression test: -runs=0 runs every file once and fuzzes nothing.
check-fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do echo "== fuzz_$$t corpus"; \
		$(OUT)/fuzz/fuzz_$$t -runs=0 tests/fuzz/corpus/$$t 2>$(OUT)/fuzz/$$t.log || \
		{ cat $(OUT)/fuzz/$$t.log; exit 1; }; grep -h "INITED\|DONE" $(OUT)/fuzz/$$t.log; done

# New inputs go to $(OUT)/fuzz/corpus/TARGET, crashes to $(OUT)/fuzz/crash-*; the repo corpus only seeds.
fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		mkdir -p $(OUT)/fuzz/corpus/$$t && \
		$(OUT)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-dict=tests/fuzz/$$t.dict -artifact_prefix=$(OUT)/fuzz/crash-$$t- \
			$(OUT)/fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; done

# Service notification, metrics, the unit, packaging and fail2ban (tests/ops).
check-ops: $(OUT)/xdpfwd $(OUT)/xdpfwd-san
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) bats tests/ops

# The units under a real systemd 252 as PID 1 in a container (tests/systemd): root only; the
# container's Debian base is built with debootstrap on first use and cached in /var/cache.
check-systemd: $(OUT)/xdpfwd
	$(Q)bats tests/systemd

# ---- make install [PREFIX=/usr/local] [DESTDIR=staging] / make uninstall ----
# Files under /etc (the examples, the fail2ban action) are installed only where none exists,
# so an admin's edits survive reinstalls, and uninstall removes them only while unchanged.
SBINDIR		?= $(PREFIX)/sbin
UNITDIR		?= $(PREFIX)/lib/systemd/system
MANDIR		?= $(PREFIX)/share/man
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR	?= /etc
# Helper programs the units run (the feed fetcher), not for a user's PATH.
LIBEXECDIR	?= $(PREFIX)/lib/xdpfwd
INSTALL		?= install
# The units, the feed fetcher and the fail2ban action name the binary and the helpers; the
# sources say /usr/local/sbin and /usr/local/lib/xdpfwd.
SUBST_SBIN	= sed -e 's|/usr/local/sbin/xdpfwd|$(SBINDIR)/xdpfwd|g' \
		      -e 's|/usr/local/lib/xdpfwd/|$(LIBEXECDIR)/|g'
UNITS		= xdpfwd@.service xdpfwd-container@.service xdpfwd-feed@.service xdpfwd-feed@.timer
# source:destination pairs of the configuration files
ETC_FILES	= contrib/etc/xdpfwd/xdpfwd.conf:$(SYSCONFDIR)/xdpfwd/xdpfwd.conf \
		  contrib/etc/xdpfwd/blocklist:$(SYSCONFDIR)/xdpfwd/blocklist \
		  contrib/etc/xdpfwd/allowlist:$(SYSCONFDIR)/xdpfwd/allowlist \
		  contrib/etc/xdpfwd/limits.conf:$(SYSCONFDIR)/xdpfwd/limits.conf \
		  contrib/etc/xdpfwd/blocklist.example:$(SYSCONFDIR)/xdpfwd/blocklist.example \
		  contrib/etc/xdpfwd/allowlist.example:$(SYSCONFDIR)/xdpfwd/allowlist.example \
		  contrib/etc/xdpfwd/feeds/spamhaus.conf.example:$(SYSCONFDIR)/xdpfwd/feeds/spamhaus.conf.example \
		  contrib/fail2ban/xdpfwd.conf:$(SYSCONFDIR)/fail2ban/action.d/xdpfwd.conf

install: $(OUT)/xdpfwd
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(SYSCONFDIR)/xdpfwd $(DESTDIR)$(SYSCONFDIR)/fail2ban/action.d
# The units' --sets-dir: empty, for the operator's NAME.list files (README, "Sets").
	$(Q)$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/xdpfwd/sets.d
# xdpfwd-feed@NAME's NAME.conf files (README, "Feeds").
	$(Q)$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/xdpfwd/feeds $(DESTDIR)$(LIBEXECDIR)
	$(Q)$(INSTALL) -m 0755 $(OUT)/xdpfwd $(DESTDIR)$(SBINDIR)/xdpfwd
	$(Q)$(SUBST_SBIN) contrib/feed/xdpfwd-feed >$(DESTDIR)$(LIBEXECDIR)/xdpfwd-feed && \
		chmod 0755 $(DESTDIR)$(LIBEXECDIR)/xdpfwd-feed
	$(Q)for u in $(UNITS); do \
		$(SUBST_SBIN) systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
# The man page carries the version the binary reports (VERSION may have moved on since the build).
	$(Q)v=$$($(OUT)/xdpfwd --version) && \
		sed -e "s|^\.TH XDPFWD 8 \"\" \"xdpfwd\" |.TH XDPFWD 8 \"\" \"$$v\" |" docs/xdpfwd.8 \
		>$(DESTDIR)$(MANDIR)/man8/xdpfwd.8
	$(Q)chmod 0644 $(DESTDIR)$(MANDIR)/man8/xdpfwd.8
	$(Q)$(INSTALL) -m 0644 contrib/bash-completion/xdpfwd $(DESTDIR)$(COMPLETIONDIR)/xdpfwd
	$(Q)for f in $(ETC_FILES); do src=$${f%%:*}; dst=$(DESTDIR)$${f#*:}; \
		if [ -e "$$dst" ]; then echo "  KEEP     $$dst (exists)"; continue; fi; \
		$(SUBST_SBIN) "$$src" >"$$dst" && chmod 0644 "$$dst" || exit 1; done
	$(Q)echo "installed under $(DESTDIR)$(PREFIX) and $(DESTDIR)$(SYSCONFDIR); then: systemctl daemon-reload"

uninstall:
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/xdpfwd $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) \
		$(DESTDIR)$(LIBEXECDIR)/xdpfwd-feed \
		$(DESTDIR)$(MANDIR)/man8/xdpfwd.8 $(DESTDIR)$(COMPLETIONDIR)/xdpfwd
	$(Q)rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null || true
	$(Q)for f in $(ETC_FILES); do src=$${f%%:*}; dst=$(DESTDIR)$${f#*:}; [ -e "$$dst" ] || continue; \
		if $(SUBST_SBIN) "$$src" | cmp -s - "$$dst"; then rm -f "$$dst"; \
		else echo "  KEEP     $$dst (changed)"; fi; done
	$(Q)rmdir $(DESTDIR)$(SYSCONFDIR)/xdpfwd/sets.d 2>/dev/null || true
	$(Q)rmdir $(DESTDIR)$(SYSCONFDIR)/xdpfwd/feeds 2>/dev/null || true
	$(Q)rmdir $(DESTDIR)$(SYSCONFDIR)/xdpfwd 2>/dev/null || true

deps:
	$(Q)./tools/install-deps.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(OUT)/xdpfwd
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd) ./tools/demo.sh

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(wildcard $(OUT)/*.d $(OUT)/obj/*/*.d $(OUT)/obj/daemon/*/*.d $(OUT)/san/*/*.d \
		   $(OUT)/san/daemon/*/*.d $(OUT)/san/tests/*/*.d $(OUT)/fuzz/obj/*/*.d $(OUT)/fuzz/obj/tests/*/*.d)

# The benchmark harness (make bench) lives in its own folder and fragment.
-include bench/bench.mk

# The reliability suite (make check-long) lives in its own folder and fragment.
-include tests/reliability/reliability.mk
