// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A loopback echo server for relay tests: echoes what it reads, answers a half-close with its
// own FIN once everything is echoed, and counts what happened (accepts, EOFs, resets). It can
// stop reading to play a slow peer, and reset every connection on request.

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace meshcraft::tests {

class EchoUpstream
{
public:
    EchoUpstream()
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        ::listen(m_listen, SOMAXCONN);
        socklen_t length = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &length);
        m_port = ntohs(addr.sin_port);
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        add(m_listen, EPOLLIN);
        add(m_wake, EPOLLIN);
        m_thread = std::thread([this] { run(); });
    }

    ~EchoUpstream()
    {
        m_stop = true;
        wake();
        m_thread.join();
        for (auto &[fd, state] : m_connections) {
            ::close(fd);
        }
        ::close(m_listen);
        ::close(m_wake);
        ::close(m_epoll);
    }

    EchoUpstream(const EchoUpstream &) = delete;
    EchoUpstream &operator=(const EchoUpstream &) = delete;

    std::uint16_t port() const { return m_port; }
    /// false: leave data in the socket (a slow reader); true: read and echo again.
    void setReading(bool reading)
    {
        m_reading = reading;
        m_readingChanged = true;
        wake();
    }
    /// Closes every connection with RST.
    void resetAll()
    {
        m_resetRequested = true;
        wake();
    }

    std::size_t accepted() const { return m_accepted; }
    std::size_t open() const { return m_open; }
    std::size_t eofs() const { return m_eofs; }
    std::size_t resets() const { return m_resets; }
    std::uint64_t bytesReceived() const { return m_bytes; }

private:
    struct State
    {
        std::string pending;
        bool eof = false;
        bool shut = false;
    };

    void add(int fd, std::uint32_t events)
    {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    }

    void modify(int fd, std::uint32_t events)
    {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    }

    void wake()
    {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(m_wake, &one, sizeof one);
    }

    void drop(int fd, bool reset)
    {
        if (reset) {
            const linger hard{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        }
        ::close(fd);
        m_connections.erase(fd);
        --m_open;
    }

    std::uint32_t interest(const State &s) const
    {
        if (!s.pending.empty()) {
            return EPOLLOUT | EPOLLRDHUP;
        }
        if (s.eof || !m_reading) {
            return 0; // HUP and ERR are always reported; a level-triggered RDHUP would spin
        }
        return EPOLLIN | EPOLLRDHUP;
    }

    void service(int fd, std::uint32_t events)
    {
        auto it = m_connections.find(fd);
        if (it == m_connections.end()) {
            return;
        }
        State &s = it->second;
        char buffer[65536];
        if (!s.pending.empty()) {
            const auto n = ::send(fd, s.pending.data(), s.pending.size(), MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN) {
                ++m_resets;
                drop(fd, false);
                return;
            }
            if (n > 0) {
                s.pending.erase(0, static_cast<std::size_t>(n));
            }
        }
        const auto readyToRead = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
        if (s.pending.empty() && m_reading && !s.eof && (events & readyToRead)) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_bytes += static_cast<std::uint64_t>(n);
                const auto w = ::send(fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
                const auto sent = w > 0 ? static_cast<std::size_t>(w) : 0;
                s.pending.append(buffer + sent, static_cast<std::size_t>(n) - sent);
            } else if (n == 0) {
                s.eof = true;
                ++m_eofs;
            } else if (errno != EAGAIN) {
                ++m_resets;
                drop(fd, false);
                return;
            }
        } else if ((events & (EPOLLHUP | EPOLLERR)) && (s.eof || s.shut)) {
            drop(fd, false);
            return;
        } else if ((events & EPOLLERR)) {
            ++m_resets;
            drop(fd, false);
            return;
        }
        if (s.eof && s.pending.empty() && !s.shut) {
            ::shutdown(fd, SHUT_WR); // answer the half-close once everything is echoed
            s.shut = true;
        }
        modify(fd, interest(s));
    }

    void run()
    {
        epoll_event events[128];
        while (!m_stop) {
            const int n = ::epoll_wait(m_epoll, events, 128, -1);
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == m_wake) {
                    std::uint64_t v;
                    [[maybe_unused]] auto r = ::read(m_wake, &v, sizeof v);
                    continue;
                }
                if (fd == m_listen) {
                    for (;;) {
                        const int c =
                            ::accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                        if (c < 0) {
                            break;
                        }
                        const int one = 1;
                        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                        m_connections[c] = State{};
                        ++m_accepted;
                        ++m_open;
                        add(c, m_reading ? EPOLLIN | EPOLLRDHUP : 0U);
                    }
                    continue;
                }
                service(fd, events[i].events);
            }
            if (m_resetRequested.exchange(false)) {
                while (!m_connections.empty()) {
                    drop(m_connections.begin()->first, true);
                }
            }
            if (m_readingChanged.exchange(false)) {
                for (auto &[fd, s] : m_connections) {
                    modify(fd, interest(s));
                }
            }
        }
    }

    int m_listen = -1;
    int m_epoll = -1;
    int m_wake = -1;
    std::uint16_t m_port = 0;
    std::map<int, State> m_connections;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_reading{true};
    std::atomic<bool> m_resetRequested{false};
    std::atomic<bool> m_readingChanged{false};
    std::atomic<std::size_t> m_accepted{0};
    std::atomic<std::size_t> m_open{0};
    std::atomic<std::size_t> m_eofs{0};
    std::atomic<std::size_t> m_resets{0};
    std::atomic<std::uint64_t> m_bytes{0};
};

} // namespace meshcraft::tests
