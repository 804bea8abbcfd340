build/obj/daemon/stats.o: daemon/stats.c daemon/names.h daemon/stats.h \
 include/xdpfwd.h
daemon/names.h:
daemon/stats.h:
include/xdpfwd.h:
