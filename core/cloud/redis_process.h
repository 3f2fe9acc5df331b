// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace meshcraft::core::cloud {

/// Error codes of this module, as stored in common::Error::code.
namespace errors {
inline constexpr const char *RedisNotInstalled = "cloud.redis-not-installed";
inline constexpr const char *RedisStartFailed = "cloud.redis-start-failed";
inline constexpr const char *RedisNotReady = "cloud.redis-not-ready";
} // namespace errors

/// The server binary that was found, and whether it is Debian's redis-check-rdb (D22).
struct RedisBinary
{
    std::string path;
    bool isCheckRdb = false;
};

/// Looks for `redis-server` in every directory of `searchPath` (a PATH-style list), and only
/// then for `redis-check-rdb`, which Debian 12 ships in redis-tools and which runs as a server
/// when its argv[0] is `redis-server` (D22). An empty `searchPath` means the PATH variable.
/// Fails with errors::RedisNotInstalled, naming the package to install.
common::Result<RedisBinary> findRedisServer(std::string_view searchPath = {});

/// How to start a server. Defaults suit the lab; tests shorten the timeouts.
struct RedisLaunchOptions
{
    /// A PATH-style list to look for the binary in; empty means the PATH variable.
    std::string searchPath;
    /// Where the per-server directory (log, working dir) is made; empty means TMPDIR or /tmp.
    std::string runtimeDir;
    /// Upper bound for `--maxclients`; lowered to fit the open-files hard limit (D21).
    int maxClients = 10000;
    /// How long to wait for the first PONG.
    std::chrono::milliseconds readyTimeout{10000};
    /// How long SIGTERM may take before the group gets SIGKILL.
    std::chrono::milliseconds stopTimeout{2000};
    /// Keep the server's directory (and so its log) after the process is destroyed.
    bool keepFiles = false;
};

/// One real redis-server, listening on 127.0.0.1 on a port the kernel chose, with no
/// persistence and protected mode on. It never uses the host's port 6379 nor a system Redis.
///
/// The process is forked from the process-wide spawner thread with a parent-death signal, in
/// its own process group, so it dies with us even when we are killed with SIGKILL. The
/// destructor stops it (SIGTERM, then SIGKILL to the group) and reaps it.
///
/// Thread-safety: start() may be called from any thread. The accessors are const and safe from
/// any thread; stop() must not race with the destructor.
class RedisProcess
{
public:
    /// Starts a server and returns once it answered PING. Fails with errors::RedisNotInstalled,
    /// errors::RedisStartFailed (with the server's log tail) or errors::RedisNotReady.
    static common::Result<std::unique_ptr<RedisProcess>>
    start(const RedisLaunchOptions &options = {});

    ~RedisProcess();
    RedisProcess(const RedisProcess &) = delete;
    RedisProcess &operator=(const RedisProcess &) = delete;

    /// The server's pid, which is also its process group id. 0 once stopped.
    int pid() const { return m_pid.load(); }
    /// The real loopback port it listens on (on 127.0.0.1).
    std::uint16_t port() const { return m_port; }
    const std::string &logPath() const { return m_logPath; }
    const std::string &binaryPath() const { return m_binary.path; }
    /// The server's own version, as INFO reports it (e.g. "7.0.15").
    const std::string &serverVersion() const { return m_serverVersion; }
    /// The server's whole log so far.
    std::string logText() const;

    /// True while the process has not exited.
    bool isRunning() const;
    /// SIGTERM, a bounded wait, then SIGKILL to the whole group; reaps. Idempotent.
    void stop();

private:
    RedisProcess(RedisBinary binary, std::string dir, std::uint16_t port, int pid,
                 const RedisLaunchOptions &options);

    RedisBinary m_binary;
    std::string m_dir;
    std::string m_logPath;
    std::string m_serverVersion;
    std::uint16_t m_port = 0;
    std::atomic<int> m_pid{0};
    bool m_keepFiles = false;
    std::chrono::milliseconds m_stopTimeout;
};

/// Sends a RESP PING to 127.0.0.1:`port` and reads the reply line. True on `+PONG`.
bool pingRedis(std::uint16_t port, std::chrono::milliseconds timeout);

} // namespace meshcraft::core::cloud
