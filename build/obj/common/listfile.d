build/obj/common/listfile.o: common/listfile.c common/listfile.h \
 common/addr.h
common/listfile.h:
common/addr.h:
