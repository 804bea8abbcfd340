build/obj/daemon/ringbuf_consumer.o: daemon/ringbuf_consumer.c \
 common/log.h daemon/event_format.h daemon/cli_options.h common/addr.h \
 common/listfile.h common/addr.h daemon/attach.h include/xdpfwd.h \
 daemon/ringbuf_consumer.h
common/log.h:
daemon/event_format.h:
daemon/cli_options.h:
common/addr.h:
common/listfile.h:
common/addr.h:
daemon/attach.h:
include/xdpfwd.h:
daemon/ringbuf_consumer.h:
