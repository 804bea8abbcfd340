build/obj/daemon/daemon.o: daemon/daemon.c build/xdpfwd.skel.h \
 common/log.h common/pin.h common/privs.h daemon/attach.h daemon/pinned.h \
 daemon/event_loop.h daemon/ringbuf_consumer.h daemon/cli_options.h \
 common/addr.h common/listfile.h common/addr.h include/xdpfwd.h \
 daemon/daemon.h
build/xdpfwd.skel.h:
common/log.h:
common/pin.h:
common/privs.h:
daemon/attach.h:
daemon/pinned.h:
daemon/event_loop.h:
daemon/ringbuf_consumer.h:
daemon/cli_options.h:
common/addr.h:
common/listfile.h:
common/addr.h:
include/xdpfwd.h:
daemon/daemon.h:
