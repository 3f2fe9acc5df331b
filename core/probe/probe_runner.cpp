// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/probe_runner.h"

#include "core/probe/detail/session_io.h"

namespace meshcraft::core::probe {

using detail::Input;

std::optional<Tool> toolNamed(std::string_view name)
{
    if (name == "telnet") {
        return Tool::Telnet;
    }
    if (name == "nc" || name == "netcat") {
        return Tool::Nc;
    }
    if (name == "redis-cli") {
        return Tool::RedisCli;
    }
    return std::nullopt;
}

const char *toolName(Tool tool)
{
    switch (tool) {
    case Tool::Telnet:
        return "telnet";
    case Tool::Nc:
        return "nc";
    case Tool::RedisCli:
        return "redis-cli";
    }
    return "?";
}

ProbeSession::ProbeSession(std::shared_ptr<detail::RunnerCore> runner,
                           std::shared_ptr<detail::SessionIo> io)
    : m_runner(std::move(runner)), m_io(std::move(io))
{
}

ProbeSession::~ProbeSession()
{
    // The worker keeps its own reference to the session's state; without anyone left to type
    // into it, stop it rather than let it wait for input forever.
    if (m_started) {
        m_io->push({Input::Kind::Cancel, {}});
    }
}

void ProbeSession::start()
{
    if (m_started.exchange(true)) {
        return;
    }
    m_runner->launch(m_io);
}

void ProbeSession::sendLine(std::string line)
{
    m_io->push({Input::Kind::Line, std::move(line)});
}

void ProbeSession::sendEof()
{
    m_io->push({Input::Kind::Eof, {}});
}

void ProbeSession::interrupt()
{
    m_io->push({Input::Kind::Interrupt, {}});
}

void ProbeSession::cancel()
{
    m_io->push({Input::Kind::Cancel, {}});
}

Tool ProbeSession::tool() const
{
    return m_io->tool();
}

bool ProbeSession::isFinished() const
{
    return m_io->isFinished();
}

std::optional<ProbeResult> ProbeSession::result() const
{
    return m_io->result();
}

std::optional<ProbeResult> ProbeSession::waitFinished(std::chrono::milliseconds timeout) const
{
    return m_io->waitFinished(timeout);
}

ProbeRunner::ProbeRunner(std::shared_ptr<const net::AddressMap> addressMap,
                         std::shared_ptr<TraceCollector> traces, ProbeOptions options)
    : m_core(std::make_shared<detail::RunnerCore>(
          detail::Environment{std::move(addressMap), std::move(traces), options}))
{
}

ProbeRunner::~ProbeRunner()
{
    m_core->shutdown();
}

std::shared_ptr<ProbeSession> ProbeRunner::createSession(Tool tool, std::vector<std::string> args,
                                                         PodContext pod, SessionCallbacks callbacks)
{
    auto io = std::make_shared<detail::SessionIo>(tool, std::move(args), std::move(pod),
                                                  m_core->environment(), std::move(callbacks));
    return std::shared_ptr<ProbeSession>(new ProbeSession(m_core, std::move(io)));
}

ProbeResult ProbeRunner::run(Tool tool, std::vector<std::string> args, PodContext pod,
                             std::vector<std::string> input, bool endInput,
                             std::chrono::milliseconds timeout)
{
    auto session = createSession(tool, std::move(args), std::move(pod));
    for (auto &line : input) {
        session->sendLine(std::move(line));
    }
    if (endInput) {
        session->sendEof();
    }
    session->start();
    if (auto result = session->waitFinished(timeout)) {
        return *result;
    }
    session->cancel();
    return session->waitFinished(std::chrono::hours(1)).value_or(ProbeResult{});
}

std::size_t ProbeRunner::runningCount() const
{
    return m_core->runningCount();
}

} // namespace meshcraft::core::probe
