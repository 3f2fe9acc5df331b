// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/mesh/address_map.h"
#include "core/probe/probe_result.h"
#include "core/probe/trace_collector.h"
#include "core/xds/match.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::probe {

enum class Tool {
    Telnet,   ///< busybox telnet HOST [PORT]
    Nc,       ///< busybox nc [-v [-v]] HOST PORT
    RedisCli, ///< redis-cli [-h HOST] [-p PORT] [cmd ...]
};

/// "telnet", "nc", "redis-cli"; nullopt for anything else.
std::optional<Tool> toolNamed(std::string_view name);
const char *toolName(Tool tool);

/// The pod a probe runs in.
struct PodContext
{
    xds::Ipv4 podIp = 0;
    /// The pod's DNS (D8): cluster names resolve, short names in the pod's namespace;
    /// `redis.domain` does not. Called on the probe's worker thread.
    xds::Resolver resolver;
};

struct ProbeOptions
{
    /// connect() gives up after this (only an unroutable address without a sidecar waits).
    std::chrono::milliseconds connectTimeout{10'000};
    /// redis-cli: each read or write (hiredis timeout).
    std::chrono::milliseconds redisTimeout{10'000};
    /// After the tool is done, how long to wait for the relay's events of its flow.
    std::chrono::milliseconds traceWait{2'000};
};

/// Called on the session's worker thread, never on the caller's: an app hands them to the UI
/// thread with a queued call. `output` gets each piece as the tool writes it; `finished` is
/// called once, last.
struct SessionCallbacks
{
    std::function<void(const OutputChunk &chunk)> output;
    std::function<void(const ProbeResult &result)> finished;
};

namespace detail {
class SessionIo;
class RunnerCore;
} // namespace detail

/// One run of a probe, as a learner runs it in a pod's shell. Non-blocking for its caller: the
/// tool runs on a worker thread that its ProbeRunner owns; input is queued to it.
///
/// Input follows a terminal in line mode: sendLine("PING") is "PING" then Enter, which the tool
/// reads as "PING\n" (busybox telnet and nc send it as is; Redis takes inline commands).
/// Lines typed before the connection is up are kept, as a terminal keeps them.
/// Telnet's escape is a line holding Ctrl+] ("\x1d"), then a line starting with 'e' (D13).
/// Destroying the session cancels the tool if it is still running.
class ProbeSession
{
public:
    ~ProbeSession();
    ProbeSession(const ProbeSession &) = delete;
    ProbeSession &operator=(const ProbeSession &) = delete;

    /// Starts the tool on a worker thread. Once; later calls do nothing.
    void start();
    /// A line the learner typed, without its line end.
    void sendLine(std::string line);
    /// Input ends (Ctrl+D, or the end of a script): telnet exits 0; nc half-closes and waits
    /// for the peer.
    void sendEof();
    /// Ctrl+C, as the tool takes it: telnet shows its console-escape menu (busybox turns SIGINT
    /// into the escape); nc and redis-cli die with status 130.
    void interrupt();
    /// Stops the tool at once (the terminal was closed): status 130, connection closed.
    void cancel();

    Tool tool() const;
    bool isFinished() const;
    /// The result once finished.
    std::optional<ProbeResult> result() const;
    /// Blocks until finished or `timeout`; for scripts and tests on a worker thread, never the
    /// UI thread.
    std::optional<ProbeResult> waitFinished(std::chrono::milliseconds timeout) const;

private:
    friend class ProbeRunner;
    ProbeSession(std::shared_ptr<detail::RunnerCore> runner, std::shared_ptr<detail::SessionIo> io);

    std::shared_ptr<detail::RunnerCore> m_runner;
    std::shared_ptr<detail::SessionIo> m_io;
    std::atomic<bool> m_started{false};
};

/// Owns the worker threads the probes run on (one per running session) and what they share:
/// the simulated network and the trace collector.
///
/// Thread-safe. The destructor cancels the sessions still running and joins their threads (a
/// connect() to an unroutable address finishes its timeout first).
class ProbeRunner
{
public:
    /// `traces` must be registered on the relay engine (engine.addObserver(traces)) for probes
    /// to get traces; null: probes return empty traces.
    ProbeRunner(std::shared_ptr<const net::AddressMap> addressMap,
                std::shared_ptr<TraceCollector> traces, ProbeOptions options = {});
    ~ProbeRunner();
    ProbeRunner(const ProbeRunner &) = delete;
    ProbeRunner &operator=(const ProbeRunner &) = delete;

    /// A session for `tool` with its arguments (argv without the tool's name), not yet
    /// started: call start().
    std::shared_ptr<ProbeSession> createSession(Tool tool, std::vector<std::string> args,
                                                PodContext pod, SessionCallbacks callbacks = {});

    /// Runs a tool to its end: starts it, types `input` line by line, then ends the input when
    /// `endInput` is set, and waits. Blocking: for scripts and tests on a worker thread.
    /// On timeout the session is cancelled.
    ProbeResult run(Tool tool, std::vector<std::string> args, PodContext pod,
                    std::vector<std::string> input = {}, bool endInput = true,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

    /// Sessions whose worker has not finished yet.
    std::size_t runningCount() const;

private:
    std::shared_ptr<detail::RunnerCore> m_core;
};

} // namespace meshcraft::core::probe
