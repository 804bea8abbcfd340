build/obj/common/addr.o: common/addr.c common/addr.h
common/addr.h:
