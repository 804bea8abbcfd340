build/obj/daemon/cmd_list.o: daemon/cmd_list.c build/xdpfwd.skel.h \
 common/log.h common/pin.h common/privs.h daemon/names.h daemon/pinned.h \
 daemon/lists.h common/addr.h common/listfile.h common/addr.h \
 daemon/cli_options.h daemon/attach.h include/xdpfwd.h daemon/commands.h
build/xdpfwd.skel.h:
common/log.h:
common/pin.h:
common/privs.h:
daemon/names.h:
daemon/pinned.h:
daemon/lists.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/cli_options.h:
daemon/attach.h:
include/xdpfwd.h:
daemon/commands.h:
