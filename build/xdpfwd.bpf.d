build/xdpfwd.tmp.bpf.o: bpf/xdpfwd.bpf.c bpf/vmlinux.h include/xdpfwd.h \
  bpf/parse.bpf.h

bpf/vmlinux.h:

include/xdpfwd.h:

bpf/parse.bpf.h:
