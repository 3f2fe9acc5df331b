// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/environment.h"
#include "core/shell/shell_command.h"
#include "core/shell/virtual_fs.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace meshcraft::core::shell {

/// Which shell's wording a context uses for its own messages.
enum class ShellFlavor {
    Bash, ///< The learner's machine: "bash: foo: command not found"
    Ash,  ///< busybox and alpine images: "/bin/sh: foo: not found"
};

/// One shell on the terminal's stack: the host shell at the bottom, a pod's shell above it
/// after `kubectl exec -it`. Each has its own variables, cwd, commands, filesystem and history.
/// Subclass to change the prompt or the not-found text.
class ShellContext
{
public:
    ShellContext(std::string name, ShellFlavor flavor, VirtualFs &fs,
                 std::shared_ptr<CommandRegistry> commands);
    virtual ~ShellContext() = default;
    ShellContext(const ShellContext &) = delete;
    ShellContext &operator=(const ShellContext &) = delete;

    /// "host", or the pod's name; events and tests use it.
    const std::string &name() const { return m_name; }
    ShellFlavor flavor() const { return m_flavor; }
    /// $0, and the prefix of the shell's own errors: "bash", "/bin/sh", "sh".
    const std::string &shellName() const { return m_shellName; }
    void setShellName(std::string shellName) { m_shellName = std::move(shellName); }

    Environment &variables() { return m_variables; }
    const Environment &variables() const { return m_variables; }
    VirtualFs &fs() { return m_fs; }
    const VirtualFs &fs() const { return m_fs; }
    CommandRegistry &commands() { return *m_commands; }
    const CommandRegistry &commands() const { return *m_commands; }

    const std::string &cwd() const { return m_cwd; }
    /// Sets the cwd and $PWD/$OLDPWD as cd does. The path must be absolute.
    void setCwd(std::string absolutePath);
    std::string home() const;
    /// cwd with $HOME shown as `~`, as bash's \w.
    std::string displayCwd() const;
    /// `~`, `~/x` and `~user` (for the context's own user only) to absolute paths.
    std::string expandTilde(std::string_view user) const;

    /// The variables and cwd: what a subshell (a pipe stage, `$(…)`) must not change in its
    /// parent, and what a lab's save file keeps of a shell.
    struct State
    {
        Environment variables;
        std::string cwd;
        bool operator==(const State &) const = default;
    };
    State state() const { return State{m_variables, m_cwd}; }
    void restore(State state)
    {
        m_variables = std::move(state.variables);
        m_cwd = std::move(state.cwd);
    }

    /// `alias k=kubectl`: names to the words they stand for.
    std::map<std::string, std::string, std::less<>> &aliases() { return m_aliases; }
    const std::map<std::string, std::string, std::less<>> &aliases() const { return m_aliases; }

    std::vector<std::string> &history() { return m_history; }
    const std::vector<std::string> &history() const { return m_history; }
    int lastStatus() const { return m_lastStatus; }
    void setLastStatus(int status) { m_lastStatus = status; }

    /// PS1. Default: bash's `user@host:\w$ ` or ash's `\w # ` (root) / `\w $ `.
    virtual std::string prompt() const;
    /// PS2.
    virtual std::string continuationPrompt() const { return "> "; }
    /// What the shell prints (with the trailing '\n') for a command it cannot find.
    virtual std::string commandNotFound(std::string_view command) const;

private:
    std::string m_name;
    ShellFlavor m_flavor;
    std::string m_shellName;
    VirtualFs &m_fs;
    std::shared_ptr<CommandRegistry> m_commands;
    Environment m_variables;
    std::string m_cwd = "/";
    std::vector<std::string> m_history;
    std::map<std::string, std::string, std::less<>> m_aliases;
    int m_lastStatus = 0;
};

struct HostShellOptions
{
    std::string user = "learner";
    std::string hostName = "meshcraft";
    std::string home = "/home/learner";
    /// $WORKSHOP_HOME; the lab's files go under $WORKSHOP_HOME/istio-workshop-labs/.
    std::string workshopHome = "/home/learner";
    /// Relative to home, or absolute; created if missing.
    std::string initialDirectory = "/home/learner";
};

/// The learner's own bash: home folder and $WORKSHOP_HOME created in `fs`, the usual
/// variables exported, and the standard commands registered.
std::unique_ptr<ShellContext> makeHostShell(VirtualFs &fs, const HostShellOptions &options = {});

} // namespace meshcraft::core::shell
