build/obj/daemon/cmd_detach.o: daemon/cmd_detach.c build/xdpfwd.skel.h \
 common/log.h common/pin.h common/privs.h daemon/pinned.h daemon/attach.h \
 daemon/commands.h daemon/cli_options.h common/addr.h common/listfile.h \
 common/addr.h include/xdpfwd.h
build/xdpfwd.skel.h:
common/log.h:
common/pin.h:
common/privs.h:
daemon/pinned.h:
daemon/attach.h:
daemon/commands.h:
daemon/cli_options.h:
common/addr.h:
common/listfile.h:
common/addr.h:
include/xdpfwd.h:
