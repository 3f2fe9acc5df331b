// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/shell_command.h"

namespace meshcraft::core::shell {

// ---- Registry --------------------------------------------------------------------------------

void CommandRegistry::add(std::shared_ptr<ShellCommand> command)
{
    if (command) {
        const std::string name(command->name());
        m_commands.insert_or_assign(name, std::move(command));
    }
}

bool CommandRegistry::remove(std::string_view name)
{
    const auto it = m_commands.find(name);
    if (it == m_commands.end()) {
        return false;
    }
    m_commands.erase(it);
    return true;
}

ShellCommand *CommandRegistry::find(std::string_view name) const
{
    const auto it = m_commands.find(name);
    return it == m_commands.end() ? nullptr : it->second.get();
}

std::shared_ptr<ShellCommand> CommandRegistry::share(std::string_view name) const
{
    const auto it = m_commands.find(name);
    return it == m_commands.end() ? nullptr : it->second;
}

std::vector<std::string> CommandRegistry::names() const
{
    std::vector<std::string> result;
    for (const auto &[name, command] : m_commands) {
        result.push_back(name);
    }
    return result;
}

FunctionCommand::FunctionCommand(std::string name, std::string summary, Function function,
                                 CompletionSpec completion, Kind kind)
    : m_name(std::move(name)), m_summary(std::move(summary)), m_function(std::move(function)),
      m_completion(std::move(completion)), m_kind(kind)
{
}

} // namespace meshcraft::core::shell
