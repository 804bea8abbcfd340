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

CFLAGS		?= -O2 -g
XCFLAGS		:= -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -DXDPFWD_VERSION='"$(VERSION)"' \
		   -Iinclude -Icommon -Idaemon -I$(OUT) -MMD -MP
LIBS		:= $(shell pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf) -lelf -lz
SANFLAGS	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		   -Ibpf -Iinclude -MMD -MP

COMMON_SRCS	:= $(wildcard common/*.c)
DAEMON_SRCS	:= $(wildcard daemon/*.c)
APP_SRCS	:= $(COMMON_SRCS) $(DAEMON_SRCS)
APP_OBJS	:= $(APP_SRCS:%.c=$(OUT)/obj/%.o)
SAN_OBJS	:= $(APP_SRCS:%.c=$(OUT)/san/%.o)
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(wildcard tests/unit/test_*.c))
PROG_TEST	:= $(OUT)/tests/test_prog

BPF_OBJ		:= $(OUT)/xdpfwd.bpf.o
SKEL		:= $(OUT)/xdpfwd.skel.h

.PHONY: all clean check check-all check-unit check-prog check-cli check-e2e deps vmlinux demo bench

all: $(OUT)/xdpfwd

$(OUT)/.dir:
	$(Q)mkdir -p $(OUT)/obj/common $(OUT)/obj/daemon $(OUT)/san/common $(OUT)/san/daemon \
		$(OUT)/tests && touch $@

# Regenerating vmlinux.h is an explicit step: the committed one is what builds.
vmlinux:
	$(call msg,GEN,bpf/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h

# bpftool gen object links the object and gives it the BTF the skeleton needs.
$(BPF_OBJ): bpf/xdpfwd.bpf.c Makefile | $(OUT)/.dir
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(OUT)/xdpfwd.bpf.d -c $< -o $(OUT)/xdpfwd.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $(OUT)/xdpfwd.tmp.bpf.o

$(SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xdpfwd_bpf > $@

$(OUT)/obj/%.o: %.c Makefile | $(OUT)/.dir $(SKEL)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -c $< -o $@

$(OUT)/san/%.o: %.c Makefile | $(OUT)/.dir $(SKEL)
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(SANFLAGS) $(XCFLAGS) -c $< -o $@

$(OUT)/xdpfwd: $(APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# The same daemon under ASan/UBSan: what the CLI and end-to-end tests run.
$(OUT)/xdpfwd-san: $(SAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SANFLAGS) $^ $(LIBS) -o $@

$(OUT)/tests/test_%: tests/unit/test_%.c $(COMMON_SRCS) Makefile | $(OUT)/.dir
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(SANFLAGS) $(XCFLAGS) -MF $@.d $< $(COMMON_SRCS) -lcmocka $(LIBS) -o $@

$(PROG_TEST): tests/prog/test_prog.c $(SKEL) Makefile | $(OUT)/.dir
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(SANFLAGS) $(XCFLAGS) -Itests/prog -MF $@.d $< -lcmocka $(LIBS) -o $@

# check and demo first install what is missing, then re-read this Makefile with it in place.
check: deps
	$(Q)$(MAKE) --no-print-directory check-all

check-all: check-unit check-prog check-cli check-e2e

check-unit: $(UNIT_TESTS)
	$(Q)for t in $^; do echo "== $$t"; $$t || exit 1; done

check-prog: $(PROG_TEST)
	$(Q)echo "== $<"; $<

check-cli: $(OUT)/xdpfwd $(OUT)/xdpfwd-san
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) bats tests/cli

check-e2e: $(OUT)/xdpfwd $(OUT)/xdpfwd-san
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd-san) bats tests/e2e

deps:
	$(Q)./tools/install-deps.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(OUT)/xdpfwd
	$(Q)XDPFWD=$(abspath $(OUT)/xdpfwd) ./tools/demo.sh

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(wildcard $(OUT)/*.d $(OUT)/obj/*/*.d $(OUT)/san/*/*.d $(OUT)/tests/*.d)

# The benchmark harness (make bench) lives in its own folder and fragment.
-include bench/bench.mk
