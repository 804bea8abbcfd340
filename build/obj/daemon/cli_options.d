build/obj/daemon/cli_options.o: daemon/cli_options.c common/log.h \
 common/pin.h daemon/cli_options.h common/addr.h common/listfile.h \
 common/addr.h daemon/attach.h include/xdpfwd.h
common/log.h:
common/pin.h:
daemon/cli_options.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/attach.h:
include/xdpfwd.h:
