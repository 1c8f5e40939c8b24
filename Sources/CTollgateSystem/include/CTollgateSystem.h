#ifndef C_TOLLGATE_SYSTEM_H
#define C_TOLLGATE_SYSTEM_H
// Swift's Glibc module does not export <sys/epoll.h> or accept4(2); this shim does.
#define _GNU_SOURCE 1
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static inline int tollgate_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}
#endif
