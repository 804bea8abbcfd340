build/obj/daemon/lists.o: daemon/lists.c build/xdpfwd.skel.h common/log.h \
 daemon/lists.h common/addr.h common/listfile.h common/addr.h \
 daemon/cli_options.h daemon/attach.h include/xdpfwd.h
build/xdpfwd.skel.h:
common/log.h:
daemon/lists.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/cli_options.h:
daemon/attach.h:
include/xdpfwd.h:
