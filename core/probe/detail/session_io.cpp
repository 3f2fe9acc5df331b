// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/detail/session_io.h"

#include "core/probe/detail/sigpipe.h"

#include <algorithm>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace meshcraft::core::probe::detail {

SessionIo::SessionIo(Tool tool, std::vector<std::string> args, PodContext pod, Environment env,
                     SessionCallbacks callbacks)
    : m_tool(tool), m_args(std::move(args)), m_env(std::move(env)),
      m_dialer(m_env.addressMap, pod.podIp, std::move(pod.resolver)),
      m_callbacks(std::move(callbacks)), m_wakeFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
}

SessionIo::~SessionIo()
{
    if (m_wakeFd >= 0) {
        ::close(m_wakeFd);
    }
}

void SessionIo::push(Input input)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_finished) {
            return;
        }
        const bool stops = input.kind == Input::Kind::Cancel ||
                           (input.kind == Input::Kind::Interrupt && m_tool != Tool::Telnet);
        if (input.kind == Input::Kind::Cancel) {
            m_cancelled = true;
        }
        if (stops && m_interruptibleFd >= 0) {
            ::shutdown(m_interruptibleFd, SHUT_RDWR); // wakes a read blocked inside hiredis
        }
        m_inputs.push_back(std::move(input));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(m_wakeFd, &one, sizeof one);
}

bool SessionIo::isFinished() const
{
    std::lock_guard lock(m_mutex);
    return m_finished;
}

std::optional<ProbeResult> SessionIo::result() const
{
    std::lock_guard lock(m_mutex);
    return m_final;
}

std::optional<ProbeResult> SessionIo::waitFinished(std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_mutex);
    m_finishedChanged.wait_for(lock, timeout, [this] { return m_finished; });
    return m_final;
}

bool SessionIo::cancelled() const
{
    std::lock_guard lock(m_mutex);
    return m_cancelled;
}

bool SessionIo::stopRequested() const
{
    std::lock_guard lock(m_mutex);
    return std::any_of(m_inputs.begin(), m_inputs.end(), [](const Input &input) {
        return input.kind == Input::Kind::Cancel || input.kind == Input::Kind::Interrupt;
    });
}

void SessionIo::run()
{
    blockSigpipeOnThisThread();
    if (cancelled()) {
        finish(ProbeOutcome::Interrupted, 130);
        return;
    }
    switch (m_tool) {
    case Tool::Telnet:
        runTelnet(*this);
        break;
    case Tool::Nc:
        runNc(*this);
        break;
    case Tool::RedisCli:
        runRedisCli(*this);
        break;
    }
    if (!isFinished()) {
        finish(m_result.outcome, m_result.exitStatus); // a tool that forgot: still report once
    }
}

void SessionIo::out(std::string_view text)
{
    OutputChunk chunk{OutputStream::Stdout, std::string(text)};
    if (m_callbacks.output) {
        m_callbacks.output(chunk);
    }
    m_result.transcript.push_back(std::move(chunk));
}

void SessionIo::err(std::string_view text)
{
    OutputChunk chunk{OutputStream::Stderr, std::string(text)};
    if (m_callbacks.output) {
        m_callbacks.output(chunk);
    }
    m_result.transcript.push_back(std::move(chunk));
}

std::optional<Input> SessionIo::takeInput()
{
    std::lock_guard lock(m_mutex);
    if (m_inputs.empty()) {
        return std::nullopt;
    }
    Input input = std::move(m_inputs.front());
    m_inputs.pop_front();
    return input;
}

std::pair<bool, bool> SessionIo::wait(int fd)
{
    bool queued = false;
    {
        std::lock_guard lock(m_mutex);
        queued = !m_inputs.empty();
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
    int rc = 0;
    do {
        rc = ::poll(fds, 2, queued ? 0 : -1);
    } while (rc < 0 && errno == EINTR);
    if (fds[1].revents & POLLIN) {
        std::uint64_t value = 0;
        [[maybe_unused]] const auto n = ::read(m_wakeFd, &value, sizeof value);
    }
    {
        std::lock_guard lock(m_mutex);
        queued = !m_inputs.empty();
    }
    return {fd >= 0 && fds[0].revents != 0, queued};
}

common::Result<OpenConnection> SessionIo::connect(const std::string &host, std::uint16_t port)
{
    m_result.host = host;
    const auto ip = m_dialer.resolve(host);
    if (!ip) {
        return common::fail("net.bad-address", "bad address '" + host + "'");
    }
    const xds::SocketAddress destination{*ip, port};
    m_result.destination = destination;
    OpenConnection connection;
    connection.expectTrace = m_env.traces && m_dialer.passesProxy(destination);
    connection.mark = m_env.traces ? m_env.traces->mark() : 0;
    auto captured = m_dialer.dial(destination, m_env.options.connectTimeout);
    if (!captured) {
        return tl::unexpected(captured.error());
    }
    connection.fd = captured->fd;
    connection.source = {captured->source.ip, captured->source.port};
    m_result.source = connection.source;
    m_result.viaSidecar = captured->viaSidecar;
    return connection;
}

void SessionIo::setInterruptibleFd(int fd)
{
    std::lock_guard lock(m_mutex);
    m_interruptibleFd = fd;
    if (fd >= 0 && m_cancelled) {
        ::shutdown(fd, SHUT_RDWR);
    }
}

void SessionIo::closeAndTrace(OpenConnection &connection)
{
    setInterruptibleFd(-1);
    if (connection.fd >= 0) {
        ::close(connection.fd);
        connection.fd = -1;
    }
    m_result.trace = Trace{};
    if (!connection.expectTrace) {
        m_result.trace.complete = true; // no proxy on the path: nothing to wait for
        return;
    }
    // A cancelled session (a closed terminal, the runner shutting down) does not wait.
    const auto wait = cancelled() ? std::chrono::milliseconds(0) : m_env.options.traceWait;
    const auto id = m_env.traces->waitForFlow(connection.source, connection.mark, wait);
    if (!id) {
        return;
    }
    m_result.trace = m_env.traces->waitForComplete(*id, wait);
}

void SessionIo::finish(ProbeOutcome outcome, int exitStatus)
{
    m_result.outcome = outcome;
    m_result.exitStatus = exitStatus;
    // The callback runs before waiters wake, so nothing it uses is gone when they return.
    if (m_callbacks.finished) {
        m_callbacks.finished(m_result);
    }
    {
        std::lock_guard lock(m_mutex);
        m_finished = true;
        m_final = m_result;
    }
    m_finishedChanged.notify_all();
}

RunnerCore::~RunnerCore()
{
    shutdown();
}

void RunnerCore::launch(const std::shared_ptr<SessionIo> &io)
{
    std::list<Worker> done;
    {
        std::lock_guard lock(m_mutex);
        if (m_shutdown) {
            io->push({Input::Kind::Cancel, {}});
        }
        reapFinished(done);
        Worker &worker = m_workers.emplace_back();
        worker.io = io;
        worker.thread = std::thread([io] { io->run(); });
    }
    for (auto &worker : done) {
        worker.thread.join();
    }
}

void RunnerCore::reapFinished(std::list<Worker> &done)
{
    for (auto it = m_workers.begin(); it != m_workers.end();) {
        if (it->io->isFinished()) {
            done.splice(done.end(), m_workers, it++);
        } else {
            ++it;
        }
    }
}

void RunnerCore::shutdown()
{
    std::list<Worker> workers;
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
        workers.swap(m_workers);
    }
    for (auto &worker : workers) {
        worker.io->push({Input::Kind::Cancel, {}});
    }
    for (auto &worker : workers) {
        if (worker.thread.get_id() == std::this_thread::get_id()) {
            // The last owner let go inside a session's own callback: that worker ends by itself.
            worker.thread.detach();
        } else {
            worker.thread.join();
        }
    }
}

std::size_t RunnerCore::runningCount() const
{
    std::lock_guard lock(m_mutex);
    std::size_t count = 0;
    for (const auto &worker : m_workers) {
        count += worker.io->isFinished() ? 0U : 1U;
    }
    return count;
}

} // namespace meshcraft::core::probe::detail
