// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The worker side of a probe session: the tool's argv, its output, its input queue (woken
// through an eventfd so a tool can poll its socket and its input together), its result, and
// the shared connect-and-trace steps every tool takes.

#include "core/probe/pod_dialer.h"
#include "core/probe/probe_runner.h"

#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace meshcraft::core::probe::detail {

struct Input
{
    enum class Kind { Line, Eof, Interrupt, Cancel };
    Kind kind = Kind::Line;
    std::string text;
};

/// What the shared context gives every session.
struct Environment
{
    std::shared_ptr<const net::AddressMap> addressMap;
    std::shared_ptr<TraceCollector> traces;
    ProbeOptions options;
};

/// A connection a tool opened, with what its trace needs.
struct OpenConnection
{
    int fd = -1;
    xds::SocketAddress source;
    bool expectTrace = false;
    std::uint64_t mark = 0;
};

class SessionIo
{
public:
    SessionIo(Tool tool, std::vector<std::string> args, PodContext pod, Environment env,
              SessionCallbacks callbacks);
    ~SessionIo();
    SessionIo(const SessionIo &) = delete;
    SessionIo &operator=(const SessionIo &) = delete;

    // Caller side, any thread.
    void push(Input input);
    bool isFinished() const;
    std::optional<ProbeResult> result() const;
    std::optional<ProbeResult> waitFinished(std::chrono::milliseconds timeout) const;
    /// Runs the tool; on the worker thread.
    void run();

    // Worker side.
    Tool tool() const { return m_tool; }
    const std::vector<std::string> &args() const { return m_args; }
    const ProbeOptions &options() const { return m_env.options; }
    const PodDialer &dialer() const { return m_dialer; }
    ProbeResult &result() { return m_result; }
    void out(std::string_view text);
    void err(std::string_view text);
    /// The next queued input, if any (does not block).
    std::optional<Input> takeInput();
    /// Blocks until `fd` is readable (or hung up) or input is queued. Returns which, as
    /// {fdReady, inputReady}. `fd` may be -1 to wait for input only.
    std::pair<bool, bool> wait(int fd);

    /// Resolves `host` and connects to host:port as the pod; fills the result's host,
    /// destination, source and viaSidecar. On failure returns the capture's error (or
    /// "net.bad-address") and leaves the outcome for the tool to set.
    common::Result<OpenConnection> connect(const std::string &host, std::uint16_t port);
    /// While set, interrupt() and cancel() shut this socket down to unblock a blocking call
    /// (redis-cli inside hiredis). Set -1 before closing it.
    void setInterruptibleFd(int fd);
    /// Closes the connection, then waits for its trace (see TraceCollector).
    void closeAndTrace(OpenConnection &connection);
    void finish(ProbeOutcome outcome, int exitStatus);
    bool cancelled() const;
    /// Whether Ctrl+C or a cancel is queued (for tools that do not read their input).
    bool stopRequested() const;

private:
    Tool m_tool;
    std::vector<std::string> m_args;
    Environment m_env;
    PodDialer m_dialer;
    SessionCallbacks m_callbacks;
    ProbeResult m_result;
    int m_wakeFd = -1;

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_finishedChanged;
    std::deque<Input> m_inputs;
    int m_interruptibleFd = -1;
    bool m_cancelled = false;
    bool m_finished = false;
    std::optional<ProbeResult> m_final;
};

/// The tools; each returns when the tool has exited (after calling io.finish()).
void runTelnet(SessionIo &io);
void runNc(SessionIo &io);
void runRedisCli(SessionIo &io);

/// Worker threads of one ProbeRunner.
class RunnerCore
{
public:
    explicit RunnerCore(Environment env) : m_env(std::move(env)) {}
    ~RunnerCore();

    const Environment &environment() const { return m_env; }
    /// Starts `io` on a worker thread; after shutdown() it is cancelled at once instead.
    void launch(const std::shared_ptr<SessionIo> &io);
    /// Cancels every running session and joins the workers.
    void shutdown();
    std::size_t runningCount() const;

private:
    struct Worker
    {
        std::shared_ptr<SessionIo> io;
        std::thread thread;
    };
    void reapFinished(std::list<Worker> &done);

    Environment m_env;
    mutable std::mutex m_mutex;
    std::list<Worker> m_workers;
    bool m_shutdown = false;
};

} // namespace meshcraft::core::probe::detail
