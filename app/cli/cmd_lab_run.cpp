// SPDX-License-Identifier: GPL-3.0-or-later
// `meshcraft lab run`: every solution through the real terminal, then each step's checks.
#include "app/cli/cmd_lab.h"
#include "app/cli/lab_support.h"
#include "core/lab/progress_store.h"

#include <fstream>
#include <memory>
#include <ostream>

namespace meshcraft::app::cli {

int runLabRun(Invocation &invocation)
{
    const OptionParser options(invocation.args, {}, {"--until", "--transcript", "--dump-state"});
    if (!options.ok()) {
        return usageError(invocation, "lab run", options.error());
    }
    if (options.positionals().size() != 1) {
        return usageError(invocation, "lab run", "give one LAB");
    }
    const auto until = parseUntil(invocation, "lab run", options);
    if (!until) {
        return ExitUsage;
    }
    std::unique_ptr<std::ofstream> transcriptFile;
    std::vector<std::ostream *> outputs{&invocation.out};
    if (const auto path = options.value("--transcript")) {
        transcriptFile = std::make_unique<std::ofstream>(*path, std::ios::binary);
        if (!*transcriptFile) {
            invocation.err << "meshcraft lab run: cannot write " << *path << "\n";
            return ExitUsage;
        }
        outputs.push_back(transcriptFile.get());
    }

    // Deterministic and forgetful: a fixed clock, nothing saved, nothing resumed.
    core::lab::SessionOptions sessionOptions;
    sessionOptions.persist = false;
    sessionOptions.fixedClock = true;
    EventQueue queue;
    core::lab::Session session(sessionOptions);
    session.setObserver(&queue);
    if (!openLab(session, queue, options.positionals()[0], invocation.err)) {
        return ExitFailure;
    }
    const auto lab = session.definition();
    const int stepCount = static_cast<int>(lab->steps.size());
    const int last = std::min(*until, stepCount);

    TranscriptPrinter printer(outputs);
    printer.write("# " + lab->title + " (" + lab->id + "): steps 1 to " + std::to_string(last) +
                  " of " + std::to_string(stepCount) + "\n");
    const bool passed = runSolutions(session, queue, last, &printer);

    printer.write("\n== Summary ==\n");
    int stepsPassed = 0;
    for (int step = 1; step <= stepCount; ++step) {
        const auto result = printer.stepResults().find(step);
        const std::string title = lab->steps[static_cast<std::size_t>(step - 1)].title;
        std::string verdict = "not attempted";
        if (result != printer.stepResults().end()) {
            verdict = result->second ? "passed" : "FAILED";
            stepsPassed += result->second ? 1 : 0;
        }
        printer.write("step " + std::to_string(step) + " " + verdict + ": " + title + "\n");
    }
    printer.write(std::to_string(stepsPassed) + " of " + std::to_string(last) + " steps passed, " +
                  std::to_string(printer.checksPassed()) + " of " +
                  std::to_string(printer.checksPassed() + printer.checksFailed()) +
                  " checks passed\n");

    if (const auto path = options.value("--dump-state")) {
        const std::string state = session.dumpState();
        if (auto written = core::lab::writeFileAtomically(*path, state); !written) {
            invocation.err << "meshcraft lab run: " << written.error().message << "\n";
            return ExitFailure;
        }
    }
    return passed && printer.deviations() == 0 ? ExitOk : ExitFailure;
}

} // namespace meshcraft::app::cli
