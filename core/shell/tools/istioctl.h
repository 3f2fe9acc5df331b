// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/shell_command.h"
#include "core/shell/tools/tool_state.h"

#include <memory>

namespace meshcraft::core::shell::tools {

/// istioctl: `kube-inject` and `version` as 1.3.x, `analyze` and `proxy-config` as current
/// Istio (D1, tool-outputs.md §4).
class Istioctl : public ShellCommand
{
public:
    explicit Istioctl(std::shared_ptr<ToolState> state);

    // Interface
    std::string_view name() const override { return "istioctl"; }
    std::string_view summary() const override { return "Istio configuration command line utility"; }
    CommandStatus run(CommandContext &ctx) override;
    CompletionSpec completion() const override;

private:
    std::shared_ptr<ToolState> m_state;
};

} // namespace meshcraft::core::shell::tools
