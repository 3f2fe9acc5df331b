// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cli.h"

#include "app/gui.h"

#include "app/cli/cmd_analyze.h"
#include "app/cli/cmd_lab.h"
#include "app/cli/cmd_tunnel.h"
#include "app/cli/cmd_validate.h"
#include "app/cli/command.h"
#include "core/common/version.h"

#include <array>
#include <cstring>
#include <iostream>

namespace meshcraft::app::cli {

namespace {

// The subcommands, in the order `--help` lists them.
const std::array<const Command *, 4> &commands()
{
    static const std::array<const Command *, 4> table{&validateCommand(), &analyzeCommand(),
                                                      &labCommand(), &tunnelCommand()};
    return table;
}

void printHelp(std::ostream &out)
{
    out << "Usage: meshcraft [COMMAND] [ARGS...]\n"
           "\n"
           "Meshcraft simulates a service mesh for hands-on workshops. With no command it opens\n"
           "the desktop app on the Egress Gateway lab.\n"
           "\n"
           "Commands:\n";
    for (const Command *command : commands()) {
        out << "  " << command->name;
        for (std::size_t pad = std::strlen(command->name); pad < 12; ++pad) {
            out << ' ';
        }
        out << command->summary << "\n";
    }
    out << "\n"
           "Options:\n"
           "  --help      show this help\n"
           "  --version   show the version\n"
           "\n"
           "Run 'meshcraft COMMAND --help' for a command's own options.\n";
}

} // namespace

int runCommandLine(const std::vector<std::string> &args, std::istream &in, std::ostream &out,
                   std::ostream &err)
{
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp(out);
        return ExitOk;
    }
    if (args[0] == "--version") {
        out << "meshcraft " << core::common::Version << "\n";
        return ExitOk;
    }
    for (const Command *command : commands()) {
        if (args[0] != command->name) {
            continue;
        }
        Invocation invocation{{args.begin() + 1, args.end()}, in, out, err};
        for (const std::string &arg : invocation.args) {
            if (arg == "--help" || arg == "-h") {
                out << command->usage;
                return ExitOk;
            }
        }
        return command->run(invocation);
    }
    err << "meshcraft: unknown command '" << args[0] << "'\n"
        << "Run 'meshcraft --help' for the list of commands.\n";
    return ExitUsage;
}

int run(int argc, char **argv)
{
    if (argc <= 1) {
        return runGui(argc, argv); // no command: the desktop app
    }
    std::vector<std::string> args(argv + 1, argv + argc);
    return runCommandLine(args, std::cin, std::cout, std::cerr);
}

} // namespace meshcraft::app::cli
