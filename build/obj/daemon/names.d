build/obj/daemon/names.o: daemon/names.c include/xdpfwd.h daemon/names.h
include/xdpfwd.h:
daemon/names.h:
