build/obj/daemon/main.o: daemon/main.c common/log.h daemon/cli_options.h \
 common/addr.h common/listfile.h common/addr.h daemon/attach.h \
 include/xdpfwd.h daemon/commands.h daemon/daemon.h
common/log.h:
daemon/cli_options.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/attach.h:
include/xdpfwd.h:
daemon/commands.h:
daemon/daemon.h:
