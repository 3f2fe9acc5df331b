// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cloud/redis_process.h"

#include "core/common/text.h"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <future>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace meshcraft::core::cloud {

namespace {

constexpr std::uint16_t HostRedisPort = 6379;
constexpr int ChildExecFailed = 127;
constexpr int MaxStartAttempts = 4;

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Small POSIX helpers

class UniqueFd
{
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept
    {
        if (this != &other) {
            reset(std::exchange(other.m_fd, -1));
        }
        return *this;
    }
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    void reset(int fd = -1)
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

std::string errnoText(int error)
{
    return std::string(std::strerror(error));
}

bool isExecutableFile(const std::string &path)
{
    struct stat info
    {
    };
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

sockaddr_in loopbackAddress(std::uint16_t port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

/// Asks the kernel for a free loopback port by binding port 0. The port is free again when we
/// return, so the server may lose a race for it; start() retries on that.
common::Result<std::uint16_t> pickFreePort()
{
    for (int attempt = 0; attempt < 16; ++attempt) {
        UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd.valid()) {
            return common::fail(errors::RedisStartFailed,
                                "cannot create a socket: " + errnoText(errno));
        }
        sockaddr_in address = loopbackAddress(0);
        if (::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            return common::fail(errors::RedisStartFailed,
                                "cannot bind 127.0.0.1:0: " + errnoText(errno));
        }
        socklen_t length = sizeof address;
        if (::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            return common::fail(errors::RedisStartFailed,
                                "getsockname failed: " + errnoText(errno));
        }
        const std::uint16_t port = ntohs(address.sin_port);
        if (port != HostRedisPort) { // never the host's Redis port (D22)
            return port;
        }
    }
    return common::fail(errors::RedisStartFailed, "no free loopback port");
}

/// Connects to 127.0.0.1:port with send and receive timeouts set.
UniqueFd connectLoopback(std::uint16_t port, std::chrono::milliseconds timeout)
{
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return fd;
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in address = loopbackAddress(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        fd.reset();
    }
    return fd;
}

bool sendAll(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// A tiny blocking RESP reader over one socket; enough for PING and INFO.
class RespReader
{
public:
    explicit RespReader(int fd) : m_fd(fd) {}

    std::optional<std::string> readLine()
    {
        for (;;) {
            const auto end = m_buffer.find("\r\n");
            if (end != std::string::npos) {
                std::string line = m_buffer.substr(0, end);
                m_buffer.erase(0, end + 2);
                return line;
            }
            if (!fill()) {
                return std::nullopt;
            }
        }
    }

    std::optional<std::string> readExact(std::size_t count)
    {
        while (m_buffer.size() < count) {
            if (!fill()) {
                return std::nullopt;
            }
        }
        std::string data = m_buffer.substr(0, count);
        m_buffer.erase(0, count);
        return data;
    }

private:
    bool fill()
    {
        std::array<char, 4096> chunk{};
        for (;;) {
            const ssize_t n = ::recv(m_fd, chunk.data(), chunk.size(), 0);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            m_buffer.append(chunk.data(), static_cast<std::size_t>(n));
            return true;
        }
    }

    int m_fd;
    std::string m_buffer;
};

enum class PingOutcome { Pong, NoAnswer, Foreign };

/// PINGs, then checks with INFO that the server on the port is the one we started: another
/// program may have taken the port between our probe bind and the server's.
PingOutcome pingOwnServer(std::uint16_t port, int expectedPid, std::chrono::milliseconds timeout,
                          std::string &version)
{
    UniqueFd fd = connectLoopback(port, timeout);
    if (!fd.valid()) {
        return PingOutcome::NoAnswer;
    }
    RespReader reader(fd.get());
    if (!sendAll(fd.get(), "*1\r\n$4\r\nPING\r\n")) {
        return PingOutcome::NoAnswer;
    }
    const auto pong = reader.readLine();
    if (!pong) {
        return PingOutcome::NoAnswer;
    }
    if (*pong != "+PONG") {
        return common::startsWith(*pong, "-LOADING") ? PingOutcome::NoAnswer : PingOutcome::Foreign;
    }
    if (!sendAll(fd.get(), "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")) {
        return PingOutcome::NoAnswer;
    }
    const auto header = reader.readLine();
    if (!header || header->size() < 2 || (*header)[0] != '$') {
        return PingOutcome::Foreign;
    }
    const long length = std::strtol(header->c_str() + 1, nullptr, 10);
    if (length <= 0) {
        return PingOutcome::Foreign;
    }
    const auto body = reader.readExact(static_cast<std::size_t>(length) + 2);
    if (!body) {
        return PingOutcome::NoAnswer;
    }
    const std::string expected = "process_id:" + std::to_string(expectedPid) + "\r\n";
    if (body->find(expected) == std::string::npos) {
        return PingOutcome::Foreign;
    }
    const std::string key = "redis_version:";
    const auto at = body->find(key);
    if (at != std::string::npos) {
        const auto end = body->find("\r\n", at);
        version = body->substr(at + key.size(), end - at - key.size());
    }
    return PingOutcome::Pong;
}

/// True once `pid` has exited (it is then a zombie until reaped). Does not reap.
bool hasExited(int pid)
{
    siginfo_t info{};
    const int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc != 0) {
        return errno == ECHILD; // not our child any more: treat as gone
    }
    return info.si_pid == pid;
}

/// Waits up to `timeout` for `pid` to exit, without reaping it. Uses a pidfd where the kernel
/// has one, else polls.
bool waitForExit(int pid, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
#ifdef SYS_pidfd_open
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.valid()) {
        for (;;) {
            if (hasExited(pid)) {
                return true;
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) {
                return false;
            }
            pollfd entry{pidfd.get(), POLLIN, 0};
            ::poll(&entry, 1, static_cast<int>(left.count()));
        }
    }
#endif
    auto step = std::chrono::milliseconds(1);
    while (!hasExited(pid)) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(step);
        step = std::min(step * 2, std::chrono::milliseconds(20));
    }
    return true;
}

void reap(int pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

// ---------------------------------------------------------------------------------------------
// The spawner

/// Everything the child needs, prepared before fork so the child only makes
/// async-signal-safe calls.
struct SpawnPlan
{
    std::string binary;
    std::vector<std::string> arguments; // argv[0] included
    std::vector<std::string> environment;
    std::string logPath;
};

/// Forks every server from one long-lived thread. PR_SET_PDEATHSIG fires when the *thread*
/// that forked exits, so forking from short-lived or pool threads would kill servers early.
/// The thread lives until the process exits (the object is a function-local static); at exit
/// its end kills any server still running, which is what we want then anyway.
class Spawner
{
public:
    static Spawner &instance()
    {
        static Spawner spawner;
        return spawner;
    }

    /// Forks and execs `plan` on the spawner thread; returns the pid once exec succeeded.
    common::Result<int> spawn(const SpawnPlan &plan)
    {
        Job job{&plan, {}};
        std::future<common::Result<int>> result = job.promise.get_future();
        {
            std::lock_guard lock(m_mutex);
            m_jobs.push_back(&job);
        }
        m_wakeUp.notify_one();
        return result.get();
    }

    ~Spawner()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wakeUp.notify_one();
        m_thread.join();
    }

    Spawner(const Spawner &) = delete;
    Spawner &operator=(const Spawner &) = delete;

private:
    struct Job
    {
        const SpawnPlan *plan;
        std::promise<common::Result<int>> promise;
    };

    Spawner() : m_thread([this] { run(); }) {}

    void run()
    {
        for (;;) {
            Job *job = nullptr;
            {
                std::unique_lock lock(m_mutex);
                m_wakeUp.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
                if (m_jobs.empty()) {
                    return;
                }
                job = m_jobs.front();
                m_jobs.pop_front();
            }
            job->promise.set_value(forkAndExec(*job->plan));
        }
    }

    static common::Result<int> forkAndExec(const SpawnPlan &plan);

    std::mutex m_mutex;
    std::condition_variable m_wakeUp;
    std::deque<Job *> m_jobs;
    bool m_stopping = false;
    std::thread m_thread; // last: starts once the members above exist
};

[[noreturn]] void childFail(int reportFd, int error)
{
    // Only async-signal-safe calls here: tell the parent why, then leave.
    const ssize_t ignored = ::write(reportFd, &error, sizeof error);
    (void)ignored;
    ::_exit(ChildExecFailed);
}

/// Closes every descriptor from `first` up, except `keep`. close_range where the kernel has it,
/// else a loop up to `limit`; neither allocates.
void closeDescriptorsFrom(int first, int keep, int limit)
{
#ifdef SYS_close_range
    bool done = true;
    if (keep > first) {
        done = ::syscall(SYS_close_range, static_cast<unsigned>(first),
                         static_cast<unsigned>(keep - 1), 0U) == 0;
    }
    done = done && ::syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0U, 0U) == 0;
    if (done) {
        return;
    }
#endif
    for (int fd = first; fd < limit; ++fd) {
        if (fd != keep) {
            ::close(fd);
        }
    }
}

common::Result<int> Spawner::forkAndExec(const SpawnPlan &plan)
{
    std::vector<char *> argv;
    for (const std::string &argument : plan.arguments) {
        argv.push_back(const_cast<char *>(argument.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<char *> envp;
    for (const std::string &entry : plan.environment) {
        envp.push_back(const_cast<char *>(entry.c_str()));
    }
    envp.push_back(nullptr);

    UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    UniqueFd log(::open(plan.logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!devNull.valid() || !log.valid()) {
        return common::fail(errors::RedisStartFailed, "cannot open the server's log " +
                                                          plan.logPath + ": " + errnoText(errno));
    }
    std::array<int, 2> report{-1, -1};
    if (::pipe2(report.data(), O_CLOEXEC) != 0) {
        return common::fail(errors::RedisStartFailed, "pipe2 failed: " + errnoText(errno));
    }
    UniqueFd reportRead(report[0]);
    UniqueFd reportWrite(report[1]);

    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    const int fdLimit = files.rlim_cur == RLIM_INFINITY
                            ? 65536
                            : static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 20));

    // Keep our descriptors clear of 0-2, so the child's dup2 onto 0-2 never meets one of them.
    for (UniqueFd *fd : {&devNull, &log, &reportRead, &reportWrite}) {
        if (fd->get() <= STDERR_FILENO) {
            fd->reset(::fcntl(fd->get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
        }
    }
    if (!devNull.valid() || !log.valid() || !reportRead.valid() || !reportWrite.valid()) {
        return common::fail(errors::RedisStartFailed, "fcntl failed: " + errnoText(errno));
    }
    sigset_t noSignals;
    ::sigemptyset(&noSignals);
    struct sigaction defaultAction = {};
    defaultAction.sa_handler = SIG_DFL;
    ::sigemptyset(&defaultAction.sa_mask);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        return common::fail(errors::RedisStartFailed, "fork failed: " + errnoText(errno));
    }
    if (pid == 0) {
        // The child. From here to execve only async-signal-safe calls.
        ::sigprocmask(SIG_SETMASK, &noSignals, nullptr);
        for (int sig = 1; sig < NSIG; ++sig) {
            ::sigaction(sig, &defaultAction, nullptr); // ignored signals would survive exec
        }
        ::setpgid(0, 0);
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
            childFail(reportWrite.get(), errno);
        }
        if (::getppid() != parent) {
            ::_exit(ChildExecFailed); // the parent died before prctl: we are already orphaned
        }
        if (::dup2(devNull.get(), STDIN_FILENO) < 0 || ::dup2(log.get(), STDOUT_FILENO) < 0 ||
            ::dup2(log.get(), STDERR_FILENO) < 0) {
            childFail(reportWrite.get(), errno);
        }
        closeDescriptorsFrom(STDERR_FILENO + 1, reportWrite.get(), fdLimit);
        ::execve(plan.binary.c_str(), argv.data(), envp.data());
        childFail(reportWrite.get(), errno);
    }

    // The parent. Set the group here too, so it holds whichever side runs first.
    ::setpgid(pid, pid);
    reportWrite.reset();
    int childError = 0;
    ssize_t n = 0;
    do {
        n = ::read(reportRead.get(), &childError, sizeof childError);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof childError)) {
        reap(pid);
        return common::fail(errors::RedisStartFailed,
                            "cannot run " + plan.binary + ": " + errnoText(childError));
    }
    return static_cast<int>(pid); // EOF: exec closed the pipe, the server is running
}

int maxClientsFor(int wanted)
{
    // Redis keeps 32 descriptors for itself and raises its soft limit up to the hard one (D21).
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_max == RLIM_INFINITY) {
        return wanted;
    }
    const auto hard = static_cast<long long>(files.rlim_max);
    return static_cast<int>(std::clamp<long long>(hard - 64, 1, wanted));
}

std::string tailOf(const std::string &text, std::size_t count)
{
    std::vector<std::string> lines = common::split(text, '\n');
    while (!lines.empty() && lines.back().empty()) {
        lines.pop_back();
    }
    const auto skip = lines.size() > count ? lines.size() - count : 0;
    return common::join(
        std::vector<std::string>(lines.begin() + static_cast<long>(skip), lines.end()), "\n");
}

constexpr std::string_view DirPrefix = "meshcraft-redis-";

/// A process killed with SIGKILL cannot remove its servers' directories. Their names carry the
/// owner's pid, so the next Meshcraft removes those whose owner is gone. Once per process.
void removeStaleDirectories(const std::string &base)
{
    static std::once_flag once;
    std::call_once(once, [&] {
        std::error_code error;
        for (const auto &entry : std::filesystem::directory_iterator(base, error)) {
            const std::string name = entry.path().filename().string();
            if (!common::startsWith(name, DirPrefix) || !entry.is_directory(error)) {
                continue;
            }
            const std::string rest = name.substr(DirPrefix.size());
            const auto dash = rest.find('-');
            if (dash == std::string::npos || dash == 0 ||
                rest.find_first_not_of("0123456789") != dash) {
                continue;
            }
            const long owner = std::strtol(rest.c_str(), nullptr, 10);
            if (owner > 0 && ::kill(static_cast<pid_t>(owner), 0) != 0 && errno == ESRCH) {
                std::filesystem::remove_all(entry.path(), error);
            }
        }
    });
}

void killGroup(int pid, int sig)
{
    ::kill(-pid, sig);
}

} // namespace

// -------------------------------------------------------------------------------------------------

common::Result<RedisBinary> findRedisServer(std::string_view searchPath)
{
    std::string path(searchPath);
    if (path.empty()) {
        const char *variable = std::getenv("PATH");
        path = variable != nullptr ? variable : "";
    }
    const std::vector<std::string> directories = common::split(path, ':');
    for (const char *name : {"redis-server", "redis-check-rdb"}) {
        for (const std::string &directory : directories) {
            if (directory.empty()) {
                continue; // "" means the working directory: never run a binary from there
            }
            const std::string candidate = directory + "/" + name;
            if (isExecutableFile(candidate)) {
                return RedisBinary{candidate, std::string_view(name) == "redis-check-rdb"};
            }
        }
    }
    return common::fail(errors::RedisNotInstalled,
                        "redis-server is not installed: neither redis-server nor "
                        "redis-check-rdb was found on PATH. Install it with: "
                        "apt-get install redis-tools");
}

common::Result<std::unique_ptr<RedisProcess>> RedisProcess::start(const RedisLaunchOptions &options)
{
    auto binary = findRedisServer(options.searchPath);
    if (!binary) {
        return tl::unexpected(binary.error());
    }

    std::string base = options.runtimeDir;
    if (base.empty()) {
        const char *tmp = std::getenv("TMPDIR");
        base = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
    }
    removeStaleDirectories(base);
    std::string pattern =
        base + "/" + std::string(DirPrefix) + std::to_string(::getpid()) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        return common::fail(errors::RedisStartFailed,
                            "cannot create a directory under " + base + ": " + errnoText(errno));
    }
    const std::string dir = pattern;
    const std::string logPath = dir + "/redis.log";
    auto removeDir = [&] {
        if (!options.keepFiles) {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        }
    };

    std::string lastLog;
    for (int attempt = 0; attempt < MaxStartAttempts; ++attempt) {
        auto port = pickFreePort();
        if (!port) {
            removeDir();
            return tl::unexpected(port.error());
        }
        SpawnPlan plan;
        plan.binary = binary->path;
        plan.logPath = logPath;
        // No config file: nothing from /etc/redis is read, so a system Redis's settings never
        // leak in. D22: argv[0] must be redis-server for redis-check-rdb to act as a server.
        // clang-format off
        plan.arguments = {
            "redis-server",
            "--port", std::to_string(*port),
            "--bind", "127.0.0.1",
            "--protected-mode", "yes",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--supervised", "no",
            "--maxclients", std::to_string(maxClientsFor(options.maxClients)),
            "--dir", dir,
            "--logfile", logPath,
        };
        // clang-format on
        plan.environment = {"PATH=/usr/bin:/bin", "LC_ALL=C"};

        auto pid = Spawner::instance().spawn(plan);
        if (!pid) {
            removeDir();
            return tl::unexpected(pid.error());
        }

        const auto deadline = Clock::now() + options.readyTimeout;
        auto backoff = std::chrono::milliseconds(1);
        bool retry = false;
        for (;;) {
            if (hasExited(*pid)) {
                reap(*pid);
                lastLog = common::readFile(logPath).value_or("");
                retry = lastLog.find("Address already in use") != std::string::npos;
                break;
            }
            std::string version;
            const PingOutcome outcome =
                pingOwnServer(*port, *pid, std::chrono::milliseconds(500), version);
            if (outcome == PingOutcome::Pong) {
                auto process = std::unique_ptr<RedisProcess>(
                    new RedisProcess(*binary, dir, *port, *pid, options));
                process->m_serverVersion = std::move(version);
                return process;
            }
            if (outcome == PingOutcome::Foreign || Clock::now() >= deadline) {
                // Someone else answers on the port, or ours never did: give up on this one.
                killGroup(*pid, SIGKILL);
                reap(*pid);
                lastLog = common::readFile(logPath).value_or("");
                if (outcome == PingOutcome::Foreign) {
                    retry = true;
                    break;
                }
                removeDir();
                return common::fail(errors::RedisNotReady,
                                    "redis-server did not answer PING within " +
                                        std::to_string(options.readyTimeout.count()) +
                                        " ms. Its log ends with:\n" + tailOf(lastLog, 10));
            }
            // Not listening yet: wait a little, waking at once if it exits.
            waitForExit(*pid, backoff);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(20));
        }
        if (!retry) {
            break;
        }
    }
    removeDir();
    return common::fail(errors::RedisStartFailed, "redis-server (" + binary->path +
                                                      ") exited at start. Its log ends with:\n" +
                                                      tailOf(lastLog, 10));
}

RedisProcess::RedisProcess(RedisBinary binary, std::string dir, std::uint16_t port, int pid,
                           const RedisLaunchOptions &options)
    : m_binary(std::move(binary)), m_dir(std::move(dir)), m_logPath(m_dir + "/redis.log"),
      m_port(port), m_pid(pid), m_keepFiles(options.keepFiles), m_stopTimeout(options.stopTimeout)
{
}

RedisProcess::~RedisProcess()
{
    stop();
    if (!m_keepFiles) {
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
    }
}

std::string RedisProcess::logText() const
{
    return common::readFile(m_logPath).value_or("");
}

bool RedisProcess::isRunning() const
{
    const int pid = m_pid.load();
    return pid > 0 && !hasExited(pid);
}

void RedisProcess::stop()
{
    const int pid = m_pid.exchange(0);
    if (pid <= 0) {
        return;
    }
    // The exited leader stays a zombie until reaped, so its group id cannot be reused while we
    // signal the group: SIGKILL the group before reaping, to leave no stray member behind.
    killGroup(pid, SIGTERM);
    waitForExit(pid, m_stopTimeout);
    killGroup(pid, SIGKILL);
    reap(pid);
}

bool pingRedis(std::uint16_t port, std::chrono::milliseconds timeout)
{
    UniqueFd fd = connectLoopback(port, timeout);
    if (!fd.valid() || !sendAll(fd.get(), "*1\r\n$4\r\nPING\r\n")) {
        return false;
    }
    RespReader reader(fd.get());
    const auto reply = reader.readLine();
    return reply && *reply == "+PONG";
}

} // namespace meshcraft::core::cloud
