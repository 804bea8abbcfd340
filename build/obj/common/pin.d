build/obj/common/pin.o: common/pin.c common/log.h common/pin.h
common/log.h:
common/pin.h:
