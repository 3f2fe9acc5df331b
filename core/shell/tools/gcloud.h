// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/shell_command.h"
#include "core/shell/tools/tool_state.h"

#include <memory>

namespace meshcraft::core::shell::tools {

/// gcloud (a current release, D1) over the World's project: `services enable|list`,
/// `redis instances create|describe|list|delete`, `config list`. A successful create exports
/// REDIS_ADDR (the instance's host) in the shell that ran it (D7). Create and delete start or
/// stop a real redis-server, so they run on a worker thread and finish later.
class Gcloud : public ShellCommand
{
public:
    explicit Gcloud(std::shared_ptr<ToolState> state);

    // Interface
    std::string_view name() const override { return "gcloud"; }
    std::string_view summary() const override { return "manage Google Cloud resources"; }
    CommandStatus run(CommandContext &ctx) override;
    CompletionSpec completion() const override;

private:
    std::shared_ptr<ToolState> m_state;
};

} // namespace meshcraft::core::shell::tools
