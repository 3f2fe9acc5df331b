// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cmd_lab.h"

#include "app/cli/lab_support.h"
#include "core/common/diagnostic.h"
#include "core/lab/lab_definition.h"
#include "core/lab/progress_store.h"
#include "core/lab/session.h"

#include <ostream>
#include <system_error>

namespace meshcraft::app::cli {

namespace {

namespace lab = core::lab;

constexpr const char *Usage =
    "Usage: meshcraft lab list\n"
    "       meshcraft lab validate PATH\n"
    "       meshcraft lab reset LAB\n"
    "       meshcraft lab run LAB [--until N] [--transcript FILE] [--dump-state FILE]\n"
    "       meshcraft lab shell LAB [--checks] [--no-save]\n"
    "\n"
    "LAB is a lab id (a folder of the installed labs) or a lab folder's path.\n"
    "\n"
    "  list       the installed labs\n"
    "  validate   check a lab folder: lab.yaml against its schema, every file it names, that\n"
    "             its YAML files validate clean and its exercise files give exactly their\n"
    "             recorded diagnostics; file:line:col output, exit 1 on any problem\n"
    "  reset      forget a lab's saved progress and edits\n"
    "  run        run the solutions of steps 1..N (all by default) in the lab's terminal,\n"
    "             print the transcript and each step's checks; exit 0 iff every check passes\n"
    "             --transcript FILE  also write the transcript to FILE\n"
    "             --dump-state FILE  write the canonical state after the run to FILE\n"
    "  shell      the lab's terminal on stdin and stdout (line editing on a terminal)\n"
    "             --checks   at the end, check every step; exit 0 iff every check passes\n"
    "             --no-save  do not resume or save progress\n";

int runList(Invocation &invocation)
{
    const auto folders = lab::listLabFolders(installedLabsDir());
    if (folders.empty()) {
        invocation.err << "meshcraft lab list: no labs in " << installedLabsDir().string() << "\n";
        return ExitFailure;
    }
    for (const auto &folder : folders) {
        const lab::LoadResult loaded = lab::loadDefinition(folder);
        if (!loaded) {
            invocation.out << folder.filename().string()
                           << "\t(does not load: " << loaded.error().size()
                           << " problem(s); run meshcraft lab validate " << folder.string()
                           << ")\n";
            continue;
        }
        invocation.out << loaded->id << "\t" << loaded->title << " (" << loaded->steps.size()
                       << " steps, about " << loaded->estimatedMinutes << " minutes)\n";
    }
    return ExitOk;
}

int runValidateLab(Invocation &invocation, const std::vector<std::string> &args)
{
    if (args.size() != 1) {
        return usageError(invocation, "lab validate", "give one lab folder");
    }
    const auto folder = lab::resolveLabFolder(args[0], installedLabsDir());
    if (!folder) {
        invocation.err << "meshcraft lab validate: " << args[0]
                       << " is not a lab folder (no lab.yaml)\n";
        return ExitFailure;
    }
    const core::common::Diagnostics problems = lab::labValidate(*folder);
    invocation.out << core::common::formatDiagnostics(problems);
    if (!problems.empty()) {
        invocation.err << "meshcraft lab validate: " << problems.size() << " problem(s)\n";
        return ExitFailure;
    }
    invocation.out << folder->string() << ": ok\n";
    return ExitOk;
}

int runReset(Invocation &invocation, const std::vector<std::string> &args)
{
    if (args.size() != 1) {
        return usageError(invocation, "lab reset", "give one lab");
    }
    const auto folder = lab::resolveLabFolder(args[0], installedLabsDir());
    if (!folder) {
        invocation.err << "meshcraft lab reset: no lab " << args[0] << "\n";
        return ExitFailure;
    }
    const lab::LoadResult loaded = lab::loadDefinition(*folder);
    const std::string id = loaded ? loaded->id : folder->filename().string();
    const auto stateDir = lab::Session::defaultStateDir();
    auto lock = lab::LabLock::acquire(stateDir / id / "lock");
    if (!lock) {
        invocation.err << "meshcraft lab reset: " << lock.error().message << "\n";
        return ExitFailure;
    }
    std::error_code error;
    std::filesystem::remove(lab::Session::progressPath(stateDir, id), error);
    if (error) {
        invocation.err << "meshcraft lab reset: " << error.message() << "\n";
        return ExitFailure;
    }
    invocation.out << id << ": progress and edits forgotten\n";
    return ExitOk;
}

int runLab(Invocation &invocation)
{
    if (invocation.args.empty()) {
        return usageError(invocation, "lab",
                          "give a subcommand: list, validate, reset, run "
                          "or shell");
    }
    const std::string sub = invocation.args[0];
    Invocation rest{{invocation.args.begin() + 1, invocation.args.end()},
                    invocation.in,
                    invocation.out,
                    invocation.err};
    if (sub == "list") {
        return runList(rest);
    }
    if (sub == "validate") {
        return runValidateLab(rest, rest.args);
    }
    if (sub == "reset") {
        return runReset(rest, rest.args);
    }
    if (sub == "run") {
        return runLabRun(rest);
    }
    if (sub == "shell") {
        return runLabShell(rest);
    }
    return usageError(invocation, "lab", "unknown subcommand '" + sub + "'");
}

} // namespace

const Command &labCommand()
{
    static const Command command{"lab", "list, validate, reset, run or open a lab's shell", Usage,
                                 runLab};
    return command;
}

} // namespace meshcraft::app::cli
