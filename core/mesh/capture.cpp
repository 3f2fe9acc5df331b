// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/capture.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace meshcraft::core::net {

namespace {

common::Error errorFromErrno(int error)
{
    if (error == ECONNREFUSED) {
        return {"net.refused", "Connection refused", std::nullopt};
    }
    if (error == ETIMEDOUT) {
        return {"net.timed-out", "Connection timed out", std::nullopt};
    }
    return {"net.error", std::strerror(error), std::nullopt};
}

int pollMillis(std::chrono::milliseconds timeout)
{
    return static_cast<int>(std::min<std::chrono::milliseconds::rep>(timeout.count(), 1 << 30));
}

/// Connects a blocking socket to 127.0.0.1:port, giving up after `timeout`.
common::Result<int> connectLoopback(std::uint16_t port, std::chrono::milliseconds timeout)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return tl::unexpected(errorFromErrno(errno));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
    if (rc != 0 && errno == EINPROGRESS) {
        pollfd pfd{fd, POLLOUT, 0};
        rc = ::poll(&pfd, 1, pollMillis(timeout));
        if (rc == 0) {
            ::close(fd);
            return tl::unexpected(errorFromErrno(ETIMEDOUT));
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (rc < 0 || error != 0) {
            ::close(fd);
            return tl::unexpected(errorFromErrno(rc < 0 ? errno : error));
        }
    } else if (rc != 0) {
        const int error = errno;
        ::close(fd);
        return tl::unexpected(errorFromErrno(error));
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

std::uint16_t localPort(int fd)
{
    sockaddr_in local{};
    socklen_t length = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&local), &length);
    return ntohs(local.sin_port);
}

bool writeAll(int fd, const std::vector<std::uint8_t> &bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

Capture::Capture(std::shared_ptr<const AddressMap> addressMap) : m_addressMap(std::move(addressMap))
{
}

common::Result<CapturedConnection> Capture::connect(std::uint32_t podIp, Address destination,
                                                    std::chrono::milliseconds timeout) const
{
    CapturedConnection result;
    result.destination = destination;
    std::uint16_t port = m_addressMap->outboundCapture(podIp);
    bool withHeader = port != 0;
    result.viaSidecar = withHeader;
    if (!withHeader) {
        const Route route = m_addressMap->resolve(destination);
        result.destination = route.destination;
        switch (route.kind) {
        case Route::Kind::Refused:
            return tl::unexpected(errorFromErrno(ECONNREFUSED));
        case Route::Kind::Unroutable: {
            // A lost SYN: nothing answers until the client gives up.
            ::poll(nullptr, 0, pollMillis(timeout));
            return tl::unexpected(errorFromErrno(ETIMEDOUT));
        }
        case Route::Kind::Endpoint:
        case Route::Kind::ProxyListener:
            port = route.loopbackPort;
            withHeader = route.kind == Route::Kind::ProxyListener;
            break;
        }
    }
    auto fd = connectLoopback(port, timeout);
    if (!fd) {
        return tl::unexpected(fd.error());
    }
    result.fd = *fd;
    result.source = {podIp, localPort(result.fd)};
    if (withHeader) {
        const ProxyHeader header{ProxyHeader::Command::Proxy, result.source, result.destination,
                                 std::nullopt};
        if (!writeAll(result.fd, encodeProxyV2(header))) {
            const int error = errno;
            ::close(result.fd);
            return tl::unexpected(errorFromErrno(error));
        }
    }
    return result;
}

} // namespace meshcraft::core::net
