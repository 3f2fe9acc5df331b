// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace meshcraft::app::cli {

/// The process entry point: dispatches to a subcommand, or opens the app.
int run(int argc, char **argv);

/// Runs a subcommand line (args excludes the program name) on the given streams.
/// Returns the exit status. Used by run() and by tests.
int runCommandLine(const std::vector<std::string> &args, std::istream &in, std::ostream &out,
                   std::ostream &err);

} // namespace meshcraft::app::cli
