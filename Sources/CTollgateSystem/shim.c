#define _GNU_SOURCE 1
#include "CTollgateSystem.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int tollgate_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int tollgate_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event) < 0 ? -errno : 0;
}

int tollgate_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max_events, int timeout_ms) {
    struct epoll_event batch[128];
    if (max_events > 128) max_events = 128;
    int count;
    do {
        count = epoll_wait(epfd, batch, max_events, timeout_ms);
    } while (count < 0 && errno == EINTR);
    if (count < 0) return -errno;
    for (int i = 0; i < count; i++) {
        events[i] = batch[i].events;
        data[i] = batch[i].data.u64;
    }
    return count;
}

int tollgate_epoll_wait_us(int epfd, uint32_t *events, uint64_t *data, int max_events, long timeout_us) {
    if (timeout_us <= 0) return tollgate_epoll_wait(epfd, events, data, max_events, 0);
    struct epoll_event batch[128];
    if (max_events > 128) max_events = 128;
    struct timespec timeout = { .tv_sec = timeout_us / 1000000, .tv_nsec = (timeout_us % 1000000) * 1000 };
    int count;
    do {
        count = epoll_pwait2(epfd, batch, max_events, &timeout, NULL);
    } while (count < 0 && errno == EINTR);
    if (count < 0) {
        // Kernels before 5.11 lack epoll_pwait2: poll once instead of waiting.
        if (errno == ENOSYS) return tollgate_epoll_wait(epfd, events, data, max_events, 0);
        return -errno;
    }
    for (int i = 0; i < count; i++) {
        events[i] = batch[i].events;
        data[i] = batch[i].data.u64;
    }
    return count;
}

int tollgate_resolve(const char *host, int port, tollgate_address *out) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo *result = NULL;
    int status = getaddrinfo(host, service, &hints, &result);
    if (status != 0) return status;
    if (result == NULL || result->ai_addrlen > sizeof(out->storage)) {
        if (result) freeaddrinfo(result);
        return EAI_FAIL;
    }
    memset(out, 0, sizeof(*out));
    memcpy(&out->storage, result->ai_addr, result->ai_addrlen);
    out->length = result->ai_addrlen;
    freeaddrinfo(result);
    return 0;
}

int tollgate_listen(const tollgate_address *address, int reuse_port, int backlog) {
    int fd = socket(address->storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) goto fail;
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) goto fail;
    if (bind(fd, (const struct sockaddr *)&address->storage, address->length) < 0) goto fail;
    if (listen(fd, backlog) < 0) goto fail;
    return fd;
fail:;
    int error = errno;
    close(fd);
    return -error;
}

int tollgate_local_port(int fd) {
    struct sockaddr_storage storage;
    socklen_t length = sizeof(storage);
    if (getsockname(fd, (struct sockaddr *)&storage, &length) < 0) return -errno;
    if (storage.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&storage)->sin_port);
    if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
    return -EAFNOSUPPORT;
}

int tollgate_accept(int listen_fd, char *ip, int ip_capacity, int *ip_length) {
    struct sockaddr_storage storage;
    socklen_t length = sizeof(storage);
    int fd = accept4(listen_fd, (struct sockaddr *)&storage, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return -errno;
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *ip_length = 0;
    const char *text = NULL;
    if (storage.ss_family == AF_INET) {
        text = inet_ntop(AF_INET, &((struct sockaddr_in *)&storage)->sin_addr, ip, (socklen_t)ip_capacity);
    } else if (storage.ss_family == AF_INET6) {
        text = inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&storage)->sin6_addr, ip, (socklen_t)ip_capacity);
    }
    if (text != NULL) *ip_length = (int)strlen(ip);
    return fd;
}

int tollgate_connect(const tollgate_address *address, int *in_progress) {
    *in_progress = 0;
    int fd = socket(address->storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (const struct sockaddr *)&address->storage, address->length) < 0) {
        if (errno == EINPROGRESS) {
            *in_progress = 1;
            return fd;
        }
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int tollgate_socket_error(int fd) {
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0) return errno;
    return error;
}

long tollgate_write(int fd, const void *buffer, size_t length) {
    ssize_t count;
    do {
        count = write(fd, buffer, length);
    } while (count < 0 && errno == EINTR);
    return count < 0 ? -errno : (long)count;
}

long tollgate_write2(int fd, const void *a, size_t a_length, const void *b, size_t b_length) {
    struct iovec vectors[2];
    vectors[0].iov_base = (void *)a;
    vectors[0].iov_len = a_length;
    vectors[1].iov_base = (void *)b;
    vectors[1].iov_len = b_length;
    ssize_t count;
    do {
        count = writev(fd, vectors, b_length > 0 ? 2 : 1);
    } while (count < 0 && errno == EINTR);
    return count < 0 ? -errno : (long)count;
}

long tollgate_read(int fd, void *buffer, size_t length) {
    // recv(2), not read(2): on a socket it skips the VFS layer (file position lock, iterator setup), measured
    // at about 0.1 us per call. A descriptor that is no socket is read with read(2).
    ssize_t count;
    do {
        count = recv(fd, buffer, length, 0);
    } while (count < 0 && errno == EINTR);
    if (count < 0 && errno == ENOTSOCK) {
        do {
            count = read(fd, buffer, length);
        } while (count < 0 && errno == EINTR);
    }
    return count < 0 ? -errno : (long)count;
}

int tollgate_close(int fd) { return close(fd); }

void tollgate_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

void tollgate_ignore_signal(int signal_number) { signal(signal_number, SIG_IGN); }

void tollgate_block_signal(int signal_number) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

int tollgate_open_fd_count(void) {
    DIR *directory = opendir("/proc/self/fd");
    if (directory == NULL) return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] != '.') count++;
    }
    closedir(directory);
    return count - 1;  // the directory stream's own descriptor
}

int tollgate_malloc_trim(void) { return malloc_trim(0); }
