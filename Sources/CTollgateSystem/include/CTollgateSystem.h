#ifndef C_TOLLGATE_SYSTEM_H
#define C_TOLLGATE_SYSTEM_H
// No _GNU_SOURCE here: it would change glibc struct layouts against Dispatch's module (the .c file
// defines it). Swift's Glibc module does not export <sys/epoll.h> or accept4(2), and imports the epoll and socket
// flag enums awkwardly; this shim exposes what the proxy needs as plain functions and integer constants.
#include <stdint.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static const uint32_t tollgate_EPOLLIN = EPOLLIN;
static const uint32_t tollgate_EPOLLOUT = EPOLLOUT;
static const uint32_t tollgate_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t tollgate_EPOLLHUP = EPOLLHUP;
static const uint32_t tollgate_EPOLLERR = EPOLLERR;

/// A resolved socket address (IPv4 or IPv6).
typedef struct {
    struct sockaddr_storage storage;
    socklen_t length;
} tollgate_address;


/// `epoll_create1(EPOLL_CLOEXEC)`; returns the fd or -errno.
int tollgate_epoll_create(void);
/// `epoll_ctl` with an event built from `events` and `data` (op: 1 add, 2 del, 3 mod); 0 or -errno.
int tollgate_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/// `epoll_wait` unpacked into two arrays (the kernel struct is packed on x86-64); count or -errno.
int tollgate_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max_events, int timeout_ms);
/// Like `tollgate_epoll_wait` with a timeout in microseconds (`epoll_pwait2`; 0 polls once). On a kernel
/// without `epoll_pwait2` it polls once instead of waiting.
int tollgate_epoll_wait_us(int epfd, uint32_t *events, uint64_t *data, int max_events, long timeout_us);

/// Resolves `host` (IP literal or name) and `port` into `out`; 0 or a getaddrinfo error code (EAI_*).
int tollgate_resolve(const char *host, int port, tollgate_address *out);
/// A non-blocking, close-on-exec listening socket bound to `address` with SO_REUSEADDR and
/// optionally SO_REUSEPORT; the fd or -errno.
int tollgate_listen(const tollgate_address *address, int reuse_port, int backlog);
/// The local port a socket is bound to, or -errno.
int tollgate_local_port(int fd);
/// accept4(NONBLOCK|CLOEXEC) plus TCP_NODELAY; writes the peer IP text (no port) into `ip` and its
/// length into `ip_length`. Returns the fd or -errno.
int tollgate_accept(int listen_fd, char *ip, int ip_capacity, int *ip_length);
/// A non-blocking TCP_NODELAY socket connecting to `address`; the fd or -errno. `*in_progress` is 1
/// when the connect has not completed yet (wait for EPOLLOUT, then check tollgate_socket_error).
int tollgate_connect(const tollgate_address *address, int *in_progress);
/// The pending SO_ERROR of a socket (0 when none).
int tollgate_socket_error(int fd);
/// write(2) returning the count or -errno.
long tollgate_write(int fd, const void *buffer, size_t length);
/// writev(2) of two buffers (the second may be empty); the count or -errno.
long tollgate_write2(int fd, const void *a, size_t a_length, const void *b, size_t b_length);
/// recv(2) (read(2) for a descriptor that is no socket) returning the count, 0 at end of stream, or -errno.
long tollgate_read(int fd, void *buffer, size_t length);
/// close(2).
int tollgate_close(int fd);
/// Ignores SIGPIPE for the process (writes to closed sockets then fail with EPIPE).
void tollgate_ignore_sigpipe(void);
/// Sets `signal` to SIG_IGN (a DispatchSource still observes it).
void tollgate_ignore_signal(int signal);
/// Blocks `signal` for the calling thread's process mask (so a DispatchSource can observe it).
void tollgate_block_signal(int signal);
/// Count of open descriptors in /proc/self/fd (tests use it to find leaks), or -1.
int tollgate_open_fd_count(void);
/// malloc_trim(0): returns free heap pages to the system (glibc); 1 when memory was released.
int tollgate_malloc_trim(void);

#endif
