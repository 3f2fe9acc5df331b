// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/cli/command.h"

namespace meshcraft::app::cli {

/// `meshcraft validate FILE...`
const Command &validateCommand();

/// Reads a FILE argument ("-" is stdin). On failure prints the reason and returns false.
bool readInput(Invocation &invocation, const char *command, const std::string &path,
               std::string &text);

} // namespace meshcraft::app::cli
