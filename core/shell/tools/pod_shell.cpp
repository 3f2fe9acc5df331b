// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/pod_shell.h"

#include "core/mesh/topology.h"
#include "core/probe/probe_runner.h"
#include "core/shell/builtins.h"

#include <string_view>

namespace meshcraft::core::shell::tools {

namespace {

class PodShell : public ShellContext
{
public:
    PodShell(const PodShellOptions &options, VirtualFs &fs,
             std::shared_ptr<CommandRegistry> commands)
        : ShellContext(options.pod, ShellFlavor::Ash, fs, std::move(commands)), m_tty(options.tty),
          m_stdinAttached(options.stdinAttached)
    {
        setShellName(options.shellName);
    }

    bool stdinAttached() const { return m_stdinAttached; }

    // Interface
    std::string prompt() const override { return m_tty ? ShellContext::prompt() : std::string(); }

private:
    bool m_tty;
    bool m_stdinAttached;
};

/// Hands the terminal's lines to a running probe, and its Ctrl+D / Ctrl+C.
class ProbeCommandSession : public CommandSession
{
public:
    ProbeCommandSession(std::shared_ptr<probe::ProbeSession> session, bool readsTerminal)
        : m_session(std::move(session)), m_readsTerminal(readsTerminal)
    {
    }
    ~ProbeCommandSession() override
    {
        if (!m_session->isFinished()) {
            m_session->cancel();
        }
    }

    // Interface
    void input(std::string_view line) override { m_session->sendLine(std::string(line)); }
    void endOfInput() override { m_session->sendEof(); }
    void interrupt() override { m_session->interrupt(); }
    bool wantsInput() const override { return m_readsTerminal; }

private:
    std::shared_ptr<probe::ProbeSession> m_session;
    bool m_readsTerminal;
};

/// telnet, nc or redis-cli as the pod runs them: a probe session from the pod's address.
class ProbeCommand : public ShellCommand
{
public:
    ProbeCommand(ToolState &state, probe::Tool tool, std::string nameSpace, std::string pod)
        : m_state(state), m_tool(tool), m_nameSpace(std::move(nameSpace)), m_pod(std::move(pod))
    {
    }

    // Interface
    std::string_view name() const override { return probe::toolName(m_tool); }
    std::string_view summary() const override { return "connect from this pod"; }
    std::string location() const override
    {
        return m_tool == probe::Tool::RedisCli ? "/usr/local/bin/redis-cli"
                                               : "/bin/" + std::string(name());
    }
    CommandStatus run(CommandContext &ctx) override
    {
        const auto podContext = m_state.world().podContext(m_nameSpace, m_pod);
        if (!podContext) {
            ctx.err().write(std::string(name()) + ": network is unreachable\n");
            return CommandStatus::exited(1);
        }
        const CommandHandle handle = ctx.handle();
        probe::SessionCallbacks callbacks;
        callbacks.output = [handle](const probe::OutputChunk &chunk) {
            handle.post([handle, chunk] {
                if (chunk.stream == probe::OutputStream::Stdout) {
                    handle.out(chunk.text);
                } else {
                    handle.err(chunk.text);
                }
                // The tool answered (redis-cli's reply ends with its own prompt): the terminal
                // may take the next line.
                handle.readyForInput();
            });
        };
        ToolState *state = &m_state;
        callbacks.finished = [handle, state, nameSpace = m_nameSpace,
                              pod = m_pod](const probe::ProbeResult &result) {
            handle.post([handle, state, nameSpace, pod, result] {
                // Only while the command is still attached is the interpreter (and the state
                // it was registered with) known to be alive.
                if (handle.isActive() && state->onProbeFinished) {
                    state->onProbeFinished(nameSpace, pod, result);
                }
                handle.finish(result.exitStatus);
            });
        };
        std::vector<std::string> args(ctx.args().begin() + 1, ctx.args().end());
        auto session = m_state.world().probes().createSession(m_tool, std::move(args), *podContext,
                                                              std::move(callbacks));
        session->start();
        const auto *podShell = dynamic_cast<const PodShell *>(&ctx.shell());
        const bool detached = podShell && !podShell->stdinAttached();
        if (detached) {
            // kubectl exec without -i: nothing reaches the program's stdin.
            session->sendEof();
        } else if (!ctx.stdinIsTerminal()) {
            // Piped input (echo PING | redis-cli): its lines, then end of input.
            std::string_view text = ctx.stdinText();
            while (!text.empty()) {
                const std::size_t end = text.find('\n');
                session->sendLine(std::string(text.substr(0, end)));
                text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
            }
            session->sendEof();
        }
        return CommandStatus::running(std::make_shared<ProbeCommandSession>(
            std::move(session), !detached && ctx.stdinIsTerminal()));
    }

private:
    ToolState &m_state;
    probe::Tool m_tool;
    std::string m_nameSpace;
    std::string m_pod;
};

} // namespace

ImageFlavor imageFlavor(const std::string &image)
{
    const std::string_view name = std::string_view(image).substr(image.rfind('/') + 1);
    if (name.starts_with("busybox")) {
        return ImageFlavor::Busybox;
    }
    if (name.starts_with("redis")) {
        return ImageFlavor::Redis;
    }
    return ImageFlavor::Other;
}

std::unique_ptr<ShellContext> makePodShell(ToolState &state, const mesh::PodView &pod,
                                           const PodShellOptions &options)
{
    auto commands = std::make_shared<CommandRegistry>();
    registerBusyboxCommands(*commands);
    const auto addProbe = [&](probe::Tool tool) {
        commands->add(std::make_shared<ProbeCommand>(state, tool, pod.nameSpace, pod.name));
    };
    switch (imageFlavor(options.image)) {
    case ImageFlavor::Busybox:
        addProbe(probe::Tool::Telnet);
        addProbe(probe::Tool::Nc);
        break;
    case ImageFlavor::Redis:
        addProbe(probe::Tool::Nc);
        addProbe(probe::Tool::RedisCli);
        break;
    case ImageFlavor::Other:
        break;
    }

    auto shell = std::make_unique<PodShell>(options, state.podFs(pod.nameSpace, pod.name),
                                            std::move(commands));
    Environment &env = shell->variables();
    env.exportVariable("HOME", "/root");
    env.exportVariable("HOSTNAME", pod.name);
    env.exportVariable("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    if (options.tty) {
        env.exportVariable("TERM", "xterm");
    }
    // The container's own env from its spec (D7): busybox has none, cartservice REDIS_ADDR.
    for (const config::Container &container : pod.containers) {
        if (container.name == options.container) {
            for (const config::EnvVar &var : container.env) {
                if (Environment::isValidName(var.name)) {
                    env.exportVariable(var.name, var.value);
                }
            }
            break;
        }
    }
    shell->setCwd("/");
    return shell;
}

} // namespace meshcraft::core::shell::tools
