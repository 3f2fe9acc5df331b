// SPDX-License-Identifier: GPL-3.0-or-later
// `meshcraft lab shell`: the lab's terminal on stdin and stdout. On a terminal it edits lines
// itself; from a pipe or a file it types each line when the lab's terminal waits for one, so a
// script reproduces a learner's session.
#include "app/cli/cmd_lab.h"
#include "app/cli/lab_support.h"
#include "app/cli/line_editor.h"
#include "core/common/text.h"

#include <algorithm>
#include <iostream>
#include <istream>
#include <thread>
#include <unistd.h>

namespace meshcraft::app::cli {

namespace {

namespace lab = core::lab;
namespace events = core::lab::events;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// While an interactive command (telnet) reads the terminal, a scripted line waits until the
/// command has been quiet this long (or has ended), as a person would read before typing.
constexpr auto ScriptQuiet = 200ms;
constexpr auto ScriptAttachedLimit = 5s;

/// The terminal's state as the events tell it.
struct TerminalView
{
    std::string prompt;
    bool awaiting = false; ///< a prompt was shown since the last line went in
    bool attached = false;
    bool exited = false;
    int exitStatus = 0;
    Clock::time_point lastActivity = Clock::now();
    std::map<int, bool> passed; ///< steps announced as passed
};

/// Applies one event to the view and prints what a terminal shows of it.
void show(const lab::Event &event, TerminalView &view, std::ostream &out, std::ostream &err,
          bool echoInput, const lab::Definition &definition)
{
    std::visit(
        [&](const auto &e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, events::CommandOutput>) {
                (e.stderrStream ? err : out) << e.text;
                (e.stderrStream ? err : out).flush();
                view.lastActivity = Clock::now();
            } else if constexpr (std::is_same_v<T, events::InputLine>) {
                if (echoInput) {
                    out << e.prompt << (e.text == "\x1d" ? std::string("^]") : e.text) << "\n";
                }
            } else if constexpr (std::is_same_v<T, events::PromptChanged>) {
                view.prompt = e.prompt;
                view.awaiting = true;
                view.attached = e.attached;
                view.lastActivity = Clock::now();
            } else if constexpr (std::is_same_v<T, events::TerminalAction>) {
                if (e.kind == events::TerminalAction::Kind::Exit) {
                    view.exited = true;
                    view.exitStatus = e.exitStatus;
                } else if (e.kind == events::TerminalAction::Kind::Clear) {
                    out << "\x1b[H\x1b[2J";
                } else {
                    err << "[meshcraft] edit: open " << e.path
                        << " in the Meshcraft app's editor, or change it with sed -i\n";
                }
            } else if constexpr (std::is_same_v<T, events::Note>) {
                err << "[meshcraft] note for step " << e.step << ":\n";
                for (const std::string &line : core::common::split(e.markdown, '\n')) {
                    err << "  " << line << "\n";
                }
            } else if constexpr (std::is_same_v<T, events::StepStateChanged>) {
                if (e.status.state == lab::StepState::Passed && !view.passed[e.status.index]) {
                    view.passed[e.status.index] = true;
                    err << "[meshcraft] step " << e.status.index << " passed: " << e.status.title
                        << "\n";
                } else if (e.status.state != lab::StepState::Passed) {
                    view.passed[e.status.index] = false;
                }
            }
            (void)definition;
        },
        event.payload);
}

void drain(EventQueue &queue, TerminalView &view, std::ostream &out, std::ostream &err, bool echo,
           const lab::Definition &definition, std::chrono::milliseconds wait)
{
    for (const lab::Event &event : queue.take(wait)) {
        show(event, view, out, err, echo, definition);
    }
}

/// Scripted input: each line goes in when the terminal waits for one.
void runScript(lab::Session &session, EventQueue &queue, TerminalView &view, std::istream &in,
               std::ostream &out, std::ostream &err, const lab::Definition &definition)
{
    std::string line;
    while (!view.exited && std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        const auto submitted = Clock::now();
        for (;;) {
            drain(queue, view, out, err, true, definition, 20ms);
            if (view.exited) {
                return;
            }
            if (!view.awaiting) {
                continue;
            }
            const bool quiet = Clock::now() - view.lastActivity >= ScriptQuiet;
            if (!view.attached || quiet || Clock::now() - submitted > ScriptAttachedLimit) {
                break;
            }
        }
        // An attached command may not announce a new prompt after each line it reads.
        view.awaiting = view.attached;
        view.lastActivity = Clock::now();
        session.submitLine(line);
    }
    // D13: the end of input ends telnet, then the pod's shell, then the host shell.
    for (int waited = 0; !view.awaiting && waited < 500 && !view.exited; ++waited) {
        drain(queue, view, out, err, true, definition, 20ms);
    }
    session.endOfInput();
    while (!view.exited) {
        drain(queue, view, out, err, true, definition, 100ms);
    }
}

/// A person at a terminal: the line editor, with the session's output printed above the line.
void runInteractive(lab::Session &session, EventQueue &queue, TerminalView &view,
                    LineEditor &editor, std::ostream &out, std::ostream &err,
                    const lab::Definition &definition)
{
    std::uint64_t completionId = 0;
    editor.setPrompt(session.prompt());
    editor.show();
    while (!view.exited) {
        std::vector<lab::Event> batch = queue.take(0ms);
        const bool visible = std::any_of(batch.begin(), batch.end(), [](const lab::Event &e) {
            return std::holds_alternative<events::CommandOutput>(e.payload) ||
                   std::holds_alternative<events::PromptChanged>(e.payload) ||
                   std::holds_alternative<events::TerminalAction>(e.payload) ||
                   std::holds_alternative<events::Note>(e.payload) ||
                   std::holds_alternative<events::StepStateChanged>(e.payload);
        });
        if (visible) {
            editor.hide();
        }
        for (const lab::Event &event : batch) {
            show(event, view, out, err, false, definition);
        }
        if (visible) {
            editor.setPrompt(view.awaiting ? view.prompt : std::string());
            editor.show();
        }
        switch (editor.poll(30ms)) {
        case LineEditor::Event::Line:
            view.awaiting = view.attached;
            editor.setPrompt({});
            session.submitLine(editor.takeLine());
            break;
        case LineEditor::Event::TelnetEscape:
            session.submitLine("\x1d");
            break;
        case LineEditor::Event::Interrupt:
            session.interrupt();
            break;
        case LineEditor::Event::EndOfFile:
            session.sendEndOfFile();
            break;
        case LineEditor::Event::ClearScreen:
            out << "\x1b[H\x1b[2J";
            editor.show();
            break;
        case LineEditor::Event::Complete: {
            session.complete(editor.buffer(), editor.cursor(), ++completionId);
            const auto deadline = Clock::now() + 1s;
            std::vector<lab::Event> others;
            std::optional<events::CompletionReady> ready;
            while (!ready && Clock::now() < deadline) {
                for (lab::Event &event : queue.take(50ms)) {
                    if (const auto *c = std::get_if<events::CompletionReady>(&event.payload);
                        c && c->requestId == completionId) {
                        ready = *c;
                    } else {
                        others.push_back(std::move(event));
                    }
                }
            }
            editor.hide();
            for (const lab::Event &event : others) {
                show(event, view, out, err, false, definition);
            }
            if (ready && ready->candidates.size() == 1) {
                editor.replaceBeforeCursor(ready->replaceFrom,
                                           ready->candidates[0] + (ready->appendSpace ? " " : ""));
            } else if (ready && !ready->candidates.empty()) {
                const std::size_t typed =
                    editor.cursor() - std::min(ready->replaceFrom, editor.cursor());
                if (ready->commonPrefix.size() > typed) {
                    editor.replaceBeforeCursor(ready->replaceFrom, ready->commonPrefix);
                } else {
                    out << core::common::join(ready->candidates, "  ") << "\n";
                }
            }
            editor.show();
            break;
        }
        case LineEditor::Event::None:
            break;
        }
    }
    editor.hide();
}

/// --checks: each step's checks, as they stood when the step passed during the session; a step
/// that has not passed is checked now, and again for a few seconds while the cart's success rate
/// converges.
bool checkAll(lab::Session &session, EventQueue &queue, const lab::Definition &definition,
              std::ostream &out)
{
    const int count = static_cast<int>(definition.steps.size());
    std::map<int, events::ChecksEvaluated> results;
    for (const lab::StepStatus &status : session.steps()) {
        if (status.state == lab::StepState::Passed) {
            results[status.index] = {status.index, session.lastResults(status.index), true};
        }
    }
    const auto settleUntil = Clock::now() + 10s;
    for (;;) {
        std::size_t asked = 0;
        for (int step = 1; step <= count; ++step) {
            if (!results.count(step) || !results[step].passed) {
                session.checkStep(step);
                ++asked;
            }
        }
        std::size_t answered = 0;
        const auto deadline = Clock::now() + 60s;
        while (answered < asked && Clock::now() < deadline) {
            for (const lab::Event &event : queue.take(200ms)) {
                if (const auto *c = std::get_if<events::ChecksEvaluated>(&event.payload)) {
                    results[c->step] = *c;
                    ++answered;
                }
            }
        }
        const bool allPassed = std::all_of(results.begin(), results.end(),
                                           [](const auto &r) { return r.second.passed; });
        if (allPassed || Clock::now() > settleUntil) {
            break;
        }
        std::this_thread::sleep_for(500ms);
    }
    bool allPassed = static_cast<int>(results.size()) == count;
    for (const auto &[step, result] : results) {
        out << formatChecks(step, result.results);
        allPassed = allPassed && result.passed;
    }
    return allPassed;
}

} // namespace

int runLabShell(Invocation &invocation)
{
    const OptionParser options(invocation.args, {"--checks", "--no-save"}, {});
    if (!options.ok()) {
        return usageError(invocation, "lab shell", options.error());
    }
    if (options.positionals().size() != 1) {
        return usageError(invocation, "lab shell", "give one LAB");
    }
    LineEditor editor(STDIN_FILENO, invocation.out);
    const bool terminal = &invocation.in == &std::cin && editor.start();

    lab::SessionOptions sessionOptions;
    sessionOptions.persist = !options.has("--no-save");
    sessionOptions.fixedClock = !terminal;
    EventQueue queue;
    lab::Session session(sessionOptions);
    session.setObserver(&queue);
    if (!openLab(session, queue, options.positionals()[0], invocation.err)) {
        return ExitFailure;
    }
    const auto definition = session.definition();
    TerminalView view;
    drain(queue, view, invocation.out, invocation.err, !terminal, *definition, 50ms);
    view.prompt = view.prompt.empty() ? session.prompt() : view.prompt;
    view.awaiting = true;
    if (terminal) {
        runInteractive(session, queue, view, editor, invocation.out, invocation.err, *definition);
        editor.stop();
    } else {
        runScript(session, queue, view, invocation.in, invocation.out, invocation.err, *definition);
    }
    if (options.has("--checks")) {
        return checkAll(session, queue, *definition, invocation.out) ? ExitOk : ExitFailure;
    }
    return view.exitStatus;
}

} // namespace meshcraft::app::cli
