build/obj/daemon/event_loop.o: daemon/event_loop.c common/log.h \
 daemon/stats.h include/xdpfwd.h daemon/event_loop.h \
 daemon/ringbuf_consumer.h daemon/cli_options.h common/addr.h \
 common/listfile.h common/addr.h daemon/attach.h
common/log.h:
daemon/stats.h:
include/xdpfwd.h:
daemon/event_loop.h:
daemon/ringbuf_consumer.h:
daemon/cli_options.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/attach.h:
