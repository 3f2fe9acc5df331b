// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Starts a private redis-server for a test: on a free 127.0.0.1 port (never 6379), without
// persistence, in protected mode, killed with the test process (parent-death signal) and on
// destruction. Debian 12 ships the server as /usr/bin/redis-check-rdb (redis-tools), which acts
// as the server when argv[0] is "redis-server" (D22).

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace meshcraft::tests {

/// A connected blocking loopback socket, or -1.
inline int connectLoopback(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Reads until `expected` bytes arrived, EOF, an error, or `timeoutMs`. Returns what it got.
inline std::string readAtLeast(int fd, std::size_t expected, int timeoutMs = 5000)
{
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (out.size() < expected) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            break;
        }
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) {
            break;
        }
        char buffer[4096];
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

inline bool sendAll(int fd, const std::string &data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

inline std::uint16_t freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t length = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &length);
    ::close(fd);
    return ntohs(addr.sin_port);
}

class RedisServer
{
public:
    static constexpr const char *Binary = "/usr/bin/redis-check-rdb";

    /// Starts the server; check ok() (and error()) afterwards.
    explicit RedisServer(int maxClients = 10000)
    {
        for (int attempt = 0; attempt < 5 && !m_ok; ++attempt) {
            m_port = freeLoopbackPort();
            if (m_port == 6379) {
                continue;
            }
            start(maxClients);
            m_ok = waitForPong();
            if (!m_ok) {
                terminate();
            }
        }
    }

    ~RedisServer() { terminate(); }
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    bool ok() const { return m_ok; }
    std::uint16_t port() const { return m_port; }
    const std::string &error() const { return m_error; }

private:
    void start(int maxClients)
    {
        const std::string port = std::to_string(m_port);
        const std::string clients = std::to_string(maxClients);
        std::vector<std::string> args = {
            "redis-server", "--port",           port,        "--bind",
            "127.0.0.1",    "--save",           "",          "--appendonly",
            "no",           "--protected-mode", "yes",       "--maxclients",
            clients,        "--logfile",        "/dev/null", "--loglevel",
            "warning"};
        std::vector<char *> argv;
        for (auto &arg : args) {
            argv.push_back(arg.data());
        }
        argv.push_back(nullptr);
        const pid_t parent = ::getpid();
        m_pid = ::fork();
        if (m_pid == 0) {
            // Only async-signal-safe calls from here to exec.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) {
                ::_exit(127);
            }
            ::execv(Binary, argv.data());
            ::_exit(127);
        }
        if (m_pid < 0) {
            m_error = std::string("fork failed: ") + std::strerror(errno);
        }
    }

    bool waitForPong()
    {
        if (m_pid <= 0) {
            return false;
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                m_error = std::string(Binary) + " exited (is redis-tools installed?)";
                return false;
            }
            const int fd = connectLoopback(m_port);
            if (fd >= 0) {
                sendAll(fd, "PING\r\n");
                const std::string reply = readAtLeast(fd, 7, 1000);
                ::close(fd);
                if (reply == "+PONG\r\n") {
                    return true;
                }
            }
            ::poll(nullptr, 0, 20); // the server is starting: try again shortly
        }
        m_error = "redis-server did not answer PING";
        return false;
    }

    void terminate()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
    }

    pid_t m_pid = -1;
    std::uint16_t m_port = 0;
    bool m_ok = false;
    std::string m_error;
};

} // namespace meshcraft::tests
