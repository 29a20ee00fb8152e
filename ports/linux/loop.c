#define _GNU_SOURCE
#include <stddef.h>
#include <sys/epoll.h>

#include "loop.h"

int loop_add(int epfd, int fd, uint32_t events, struct loop_handler *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int loop_mod(int epfd, int fd, uint32_t events, struct loop_handler *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

void loop_del(int epfd, int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}
