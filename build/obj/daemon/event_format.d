build/obj/daemon/event_format.o: daemon/event_format.c common/addr.h \
 daemon/names.h daemon/event_format.h daemon/cli_options.h \
 common/listfile.h common/addr.h daemon/attach.h include/xdpfwd.h
common/addr.h:
daemon/names.h:
daemon/event_format.h:
daemon/cli_options.h:
common/listfile.h:
common/addr.h:
daemon/attach.h:
include/xdpfwd.h:
