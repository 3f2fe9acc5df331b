// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/shell_command.h"

namespace meshcraft::core::shell {

/// The host shell's own commands: the shell builtins (cd, export, history, …), the text tools
/// the workshop uses (cat, grep, sed, …) and Meshcraft's `edit`.
void registerStandardCommands(CommandRegistry &registry);

/// What a busybox image offers as ash builtins and applets (D6); its telnet and nc come from
/// the modules that simulate the network.
void registerBusyboxCommands(CommandRegistry &registry);

} // namespace meshcraft::core::shell
