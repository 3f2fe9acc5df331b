// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cmd_analyze.h"

#include "app/cli/cmd_validate.h"
#include "app/cli/lab_support.h"
#include "core/config/analyzer.h"
#include "core/shell/world.h"

#include <algorithm>
#include <ostream>

namespace meshcraft::app::cli {

namespace {

constexpr const char *Usage =
    "Usage: meshcraft analyze [-n NAMESPACE | -A] [--failure-threshold LEVEL]\n"
    "                         [--output-threshold LEVEL] [--lab LAB [--until N]] FILE...\n"
    "\n"
    "Runs istioctl analyze's checks (current Istio numbering) over the files, and prints its\n"
    "messages in istioctl's format: Level [CODE] (Kind ns/name file:line) text.\n"
    "Use - to read standard input.\n"
    "\n"
    "Options:\n"
    "  -n, --namespace NS         namespace to report on (default: default)\n"
    "  -A, --all-namespaces       report on every namespace\n"
    "  --failure-threshold LEVEL  Info, Warning or Error (default: Error)\n"
    "  --output-threshold LEVEL   Info, Warning or Error (default: Info)\n"
    "  --lab LAB                  analyse on top of the lab's cluster after its steps 1..N\n"
    "  --until N                  with --lab: the last step whose solution runs (default: all)\n"
    "\n"
    "Exit status: 0 when nothing reaches the failure threshold, 1 when something does or a\n"
    "file does not parse, 2 on a usage error or an unreadable file.\n";

int runAnalyze(Invocation &invocation)
{
    const OptionParser options(
        invocation.args, {"-A", "--all-namespaces"},
        {"-n", "--namespace", "--failure-threshold", "--output-threshold", "--lab", "--until"});
    if (!options.ok()) {
        return usageError(invocation, "analyze", options.error());
    }
    if (options.positionals().empty()) {
        return usageError(invocation, "analyze", "no FILE given");
    }
    core::config::AnalysisInput input;
    input.nameSpace = options.value("--namespace").value_or(options.value("-n").value_or(""));
    input.allNamespaces = options.has("-A") || options.has("--all-namespaces");
    for (const char *flag : {"--failure-threshold", "--output-threshold"}) {
        if (const auto text = options.value(flag)) {
            const auto level = core::config::parseAnalysisLevel(*text);
            if (!level) {
                return usageError(invocation, "analyze",
                                  std::string(flag) + " must be Info, Warning or Error");
            }
            (std::string_view(flag) == "--failure-threshold" ? input.failureThreshold
                                                             : input.outputThreshold) = *level;
        }
    }
    for (const std::string &path : options.positionals()) {
        core::config::AnalysisFile file{path, {}};
        if (!readInput(invocation, "analyze", path, file.text)) {
            return ExitUsage;
        }
        input.files.push_back(std::move(file));
    }
    core::config::AnalysisResult result;
    if (const auto labName = options.value("--lab")) {
        const auto until = parseUntil(invocation, "analyze", options);
        if (!until) {
            return ExitUsage;
        }
        core::lab::SessionOptions sessionOptions;
        sessionOptions.persist = false;
        sessionOptions.fixedClock = true;
        EventQueue queue;
        core::lab::Session session(sessionOptions);
        session.setObserver(&queue);
        if (!openLab(session, queue, *labName, invocation.err)) {
            return ExitUsage;
        }
        runSolutions(session, queue, *until, nullptr);
        session.withWorld([&](core::shell::World *world) {
            input.store = world ? &world->store() : nullptr;
            result = core::config::analyze(input);
        });
    } else {
        result = core::config::analyze(input);
    }
    for (const std::string &line : result.stdoutLines) {
        invocation.out << line << "\n";
    }
    for (const std::string &line : result.stderrLines) {
        invocation.err << line << "\n";
    }
    return result.exitStatus == 0 ? ExitOk : ExitFailure;
}

} // namespace

const Command &analyzeCommand()
{
    static const Command command{"analyze", "istioctl analyze-style messages over YAML files",
                                 Usage, runAnalyze};
    return command;
}

} // namespace meshcraft::app::cli
