// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/shell_context.h"

#include "core/shell/builtins.h"

namespace meshcraft::core::shell {

ShellContext::ShellContext(std::string name, ShellFlavor flavor, VirtualFs &fs,
                           std::shared_ptr<CommandRegistry> commands)
    : m_name(std::move(name)), m_flavor(flavor),
      m_shellName(flavor == ShellFlavor::Bash ? "bash" : "/bin/sh"), m_fs(fs),
      m_commands(commands ? std::move(commands) : std::make_shared<CommandRegistry>())
{
}

void ShellContext::setCwd(std::string absolutePath)
{
    const std::string previous = m_variables.contains("PWD") ? m_variables.value("PWD") : m_cwd;
    m_cwd = VirtualFs::normalize(absolutePath);
    m_variables.set("OLDPWD", previous);
    m_variables.set("PWD", m_cwd);
}

std::string ShellContext::home() const
{
    const std::string home = m_variables.value("HOME");
    return home.empty() ? std::string("/") : home;
}

std::string ShellContext::displayCwd() const
{
    const std::string homeDir = home();
    if (homeDir != "/" && (m_cwd == homeDir || m_cwd.starts_with(homeDir + "/"))) {
        return "~" + m_cwd.substr(homeDir.size());
    }
    return m_cwd;
}

std::string ShellContext::expandTilde(std::string_view user) const
{
    if (user.empty() || user == m_variables.value("USER")) {
        return home();
    }
    if (user == "root") {
        return "/root";
    }
    return "~" + std::string(user);
}

std::string ShellContext::prompt() const
{
    if (m_flavor == ShellFlavor::Ash) {
        const bool root = m_variables.value("USER").empty() || m_variables.value("USER") == "root";
        return displayCwd() + (root ? " # " : " $ ");
    }
    return m_variables.value("USER") + "@" + m_variables.value("HOSTNAME") + ":" + displayCwd() +
           "$ ";
}

std::string ShellContext::commandNotFound(std::string_view command) const
{
    if (m_flavor == ShellFlavor::Ash) {
        return m_shellName + ": " + std::string(command) + ": not found\n";
    }
    return m_shellName + ": " + std::string(command) +
           ": command not found\nType 'help' to see the commands this terminal has.\n";
}

std::unique_ptr<ShellContext> makeHostShell(VirtualFs &fs, const HostShellOptions &options)
{
    auto commands = std::make_shared<CommandRegistry>();
    registerStandardCommands(*commands);
    auto context = std::make_unique<ShellContext>("host", ShellFlavor::Bash, fs, commands);
    Environment &env = context->variables();
    env.exportVariable("HOME", options.home);
    env.exportVariable("USER", options.user);
    env.exportVariable("LOGNAME", options.user);
    env.exportVariable("SHELL", "/bin/bash");
    env.exportVariable("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.exportVariable("TERM", "xterm-256color");
    env.exportVariable("LANG", "C.UTF-8");
    env.set("HOSTNAME", options.hostName);
    env.exportVariable("WORKSHOP_HOME", options.workshopHome);
    (void)fs.makeDirectory(options.home, true);
    (void)fs.makeDirectory(options.workshopHome, true);
    (void)fs.makeDirectory("/tmp", true);
    const std::string start = VirtualFs::resolve(options.home, options.initialDirectory);
    (void)fs.makeDirectory(start, true);
    env.exportVariable("PWD", start);
    context->setCwd(start);
    env.unset("OLDPWD");
    return context;
}

} // namespace meshcraft::core::shell
