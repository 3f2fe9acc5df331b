// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the built-in commands; not part of the module's API.
#pragma once

#include "core/shell/shell_command.h"
#include "core/shell/shell_context.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell::detail {

inline bool isAsh(CommandContext &ctx)
{
    return ctx.shell().flavor() == ShellFlavor::Ash;
}

/// "tool: message\n" on stderr; returns `status` for `return fail(...)`.
inline CommandStatus fail(CommandContext &ctx, std::string_view tool, std::string_view message,
                          int status)
{
    ctx.err().write(std::string(tool) + ": " + std::string(message) + "\n");
    return CommandStatus::exited(status);
}

/// GNU's reply to an unknown option.
CommandStatus invalidOption(CommandContext &ctx, std::string_view tool, char option, int status);

/// Splits text into lines without their '\n'; a last line without '\n' still counts.
std::vector<std::string_view> splitLines(std::string_view text);

/// A non-negative count ("10"); nullopt if not a number.
std::optional<std::size_t> parseCount(std::string_view text);

/// The inputs of a filter: each named file (or "-"), or stdin when none.
struct Input
{
    std::string name; ///< As given; "-" or empty for stdin
    std::string text;
};

void registerTextTools(CommandRegistry &registry, bool busybox);

} // namespace meshcraft::core::shell::detail
