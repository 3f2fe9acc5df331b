// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/shell_command.h"
#include "core/shell/tools/tool_state.h"

#include <memory>

namespace meshcraft::core::shell::tools {

/// Helm 2.16 with Tiller, over the World's Istio release (D1, D2, tool-outputs.md §3):
/// `upgrade`, `get values [--all]`, `ls`/`list`, `version`. Meshcraft's own notes (an unknown
/// key's did-you-mean, what re-rendering would reset) go to stderr as `meshcraft: note: …`.
class Helm : public ShellCommand
{
public:
    explicit Helm(std::shared_ptr<ToolState> state);

    // Interface
    std::string_view name() const override { return "helm"; }
    std::string_view summary() const override { return "the Kubernetes package manager (v2)"; }
    CommandStatus run(CommandContext &ctx) override;
    CompletionSpec completion() const override;

private:
    std::shared_ptr<ToolState> m_state;
};

} // namespace meshcraft::core::shell::tools
