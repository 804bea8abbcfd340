build/obj/common/privs.o: common/privs.c common/log.h common/privs.h
common/log.h:
common/privs.h:
