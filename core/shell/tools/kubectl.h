// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/shell_command.h"
#include "core/shell/tools/tool_state.h"

#include <memory>

namespace meshcraft::core::shell::tools {

/// kubectl 1.30 against the World's cluster (D1, tool-outputs.md §2): apply, create, replace,
/// delete, get, describe, exec, logs, label, version.
class Kubectl : public ShellCommand
{
public:
    explicit Kubectl(std::shared_ptr<ToolState> state);

    // Interface
    std::string_view name() const override { return "kubectl"; }
    std::string_view summary() const override { return "run commands against the cluster"; }
    CommandStatus run(CommandContext &ctx) override;
    CompletionSpec completion() const override;

private:
    std::shared_ptr<ToolState> m_state;
};

/// Names for Tab: `pods`, `services`, … for a resource type, and the stored objects' names.
std::vector<std::string> kubectlResourceNames(ToolState &state, std::string_view resourceType,
                                              std::string_view nameSpace);

} // namespace meshcraft::core::shell::tools
