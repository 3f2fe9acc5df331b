// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/cli/command.h"

namespace meshcraft::app::cli {

/// `meshcraft lab list|validate|reset|run|shell …`
const Command &labCommand();

/// `meshcraft lab run LAB [--until N] [--transcript FILE] [--dump-state FILE]` (cmd_lab_run.cpp)
int runLabRun(Invocation &invocation);
/// `meshcraft lab shell LAB [--checks] [--no-save]` (cmd_lab_shell.cpp)
int runLabShell(Invocation &invocation);

} // namespace meshcraft::app::cli
