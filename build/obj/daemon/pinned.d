build/obj/daemon/pinned.o: daemon/pinned.c include/xdpfwd.h \
 build/xdpfwd.skel.h common/log.h common/pin.h daemon/pinned.h
include/xdpfwd.h:
build/xdpfwd.skel.h:
common/log.h:
common/pin.h:
daemon/pinned.h:
