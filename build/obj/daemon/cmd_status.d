build/obj/daemon/cmd_status.o: daemon/cmd_status.c build/xdpfwd.skel.h \
 common/log.h common/privs.h daemon/names.h daemon/pinned.h \
 daemon/attach.h daemon/lists.h common/addr.h common/listfile.h \
 common/addr.h daemon/cli_options.h include/xdpfwd.h daemon/stats.h \
 daemon/commands.h
build/xdpfwd.skel.h:
common/log.h:
common/privs.h:
daemon/names.h:
daemon/pinned.h:
daemon/attach.h:
daemon/lists.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/cli_options.h:
include/xdpfwd.h:
daemon/stats.h:
daemon/commands.h:
