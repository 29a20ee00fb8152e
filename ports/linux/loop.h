/*
 * lsoed's event loop: one epoll set. Everything registered puts a struct loop_handler
 * first and registers its address as epoll's data.ptr; the loop calls fn with the
 * epoll events.
 */
#ifndef LSOED_LOOP_H
#define LSOED_LOOP_H

#include <stdint.h>

struct loop_handler {
	void (*fn)(struct loop_handler *h, uint32_t events);
};

/* epoll_ctl wrappers; return 0 or -1 with errno. */
int loop_add(int epfd, int fd, uint32_t events, struct loop_handler *h);
int loop_mod(int epfd, int fd, uint32_t events, struct loop_handler *h);
void loop_del(int epfd, int fd);

#endif
