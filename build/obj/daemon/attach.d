build/obj/daemon/attach.o: daemon/attach.c common/log.h daemon/attach.h
common/log.h:
daemon/attach.h:
