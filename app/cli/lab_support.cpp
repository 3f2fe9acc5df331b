// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/lab_support.h"

#include "core/common/data_paths.h"
#include "core/common/text.h"

#include <charconv>

namespace meshcraft::app::cli {

namespace lab = core::lab;
namespace events = core::lab::events;

void EventQueue::onSessionEvents(const std::vector<lab::Event> &batch)
{
    {
        const std::lock_guard lock(m_mutex);
        m_events.insert(m_events.end(), batch.begin(), batch.end());
    }
    m_changed.notify_all();
}

std::vector<lab::Event> EventQueue::take(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return !m_events.empty() || m_finished; });
    std::vector<lab::Event> out(m_events.begin(), m_events.end());
    m_events.clear();
    return out;
}

void EventQueue::finish(bool ok)
{
    {
        const std::lock_guard lock(m_mutex);
        m_finished = ok;
    }
    m_changed.notify_all();
}

std::optional<bool> EventQueue::finished()
{
    const std::lock_guard lock(m_mutex);
    std::optional<bool> out = m_finished;
    if (m_events.empty()) {
        m_finished.reset();
        return out;
    }
    return std::nullopt; // events first: the job's last events come before its end
}

std::filesystem::path installedLabsDir()
{
    return core::common::dataPath("labs");
}

std::optional<int> parseUntil(Invocation &invocation, const char *command,
                              const OptionParser &options)
{
    const auto text = options.value("--until");
    if (!text) {
        return 1'000'000;
    }
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value < 0) {
        usageError(invocation, command, "--until takes a step number, not '" + *text + "'");
        return std::nullopt;
    }
    return value;
}

bool openLab(lab::Session &session, EventQueue &queue, const std::string &labName,
             std::ostream &err)
{
    session.open(labName);
    for (;;) {
        for (const lab::Event &event : queue.take(std::chrono::milliseconds(200))) {
            if (const auto *failed = std::get_if<events::OpenFailed>(&event.payload)) {
                err << "meshcraft: " << failed->message << "\n"
                    << core::common::formatDiagnostics(failed->diagnostics);
                return false;
            }
            if (const auto *locked = std::get_if<events::LabLocked>(&event.payload)) {
                err << "meshcraft: the lab " << locked->labId
                    << " is open in another session; progress will not be saved\n";
            }
            if (std::holds_alternative<events::LabOpened>(event.payload)) {
                return true;
            }
        }
    }
}

std::string formatChecks(int step, const std::vector<lab::CheckResult> &results)
{
    std::string out = "-- step " + std::to_string(step) + " checks\n";
    for (const lab::CheckResult &result : results) {
        out += result.passed ? "  PASS " : "  FAIL ";
        out += result.name;
        if (!result.passed) {
            out += ": " + result.sentence;
        }
        // Why a check failed; a passing one's detail (counts, rates) would make the
        // transcript differ from run to run.
        if (!result.passed && !result.detail.empty()) {
            out += "\n       " + result.detail;
        }
        out += "\n";
    }
    return out;
}

void TranscriptPrinter::write(const std::string &text)
{
    if (text.empty()) {
        return;
    }
    for (std::ostream *out : m_outputs) {
        *out << text;
        out->flush();
    }
    m_atLineStart = text.back() == '\n';
}

void TranscriptPrinter::ensureNewline()
{
    if (!m_atLineStart) {
        write("\n");
    }
}

void TranscriptPrinter::print(const lab::Event &event)
{
    std::visit(
        [&](const auto &e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, events::SolutionStarted>) {
                ensureNewline();
                write("\n== Step " + std::to_string(e.step) + ": " + e.title + " ==\n");
            } else if constexpr (std::is_same_v<T, events::Note>) {
                ensureNewline();
                std::string text;
                for (const std::string &line : core::common::split(e.markdown, '\n')) {
                    text += line.empty() ? "|\n" : "| " + line + "\n";
                }
                while (core::common::endsWith(text, "|\n|\n")) {
                    text.resize(text.size() - 2);
                }
                write(text);
            } else if constexpr (std::is_same_v<T, events::InputLine>) {
                ensureNewline();
                std::string shown = e.text;
                if (shown == "\x1d") {
                    shown = "^]";
                }
                write(e.prompt + shown + "\n");
            } else if constexpr (std::is_same_v<T, events::CommandOutput>) {
                write(e.text);
            } else if constexpr (std::is_same_v<T, events::SolutionEdit>) {
                ensureNewline();
                write("# edit " + std::filesystem::path(e.path).filename().string() + ": " +
                      e.description + "\n");
            } else if constexpr (std::is_same_v<T, events::SolutionDeviation>) {
                ensureNewline();
                ++m_deviations;
                write("!! `" + e.line + "` exited " + std::to_string(e.exitStatus) +
                      ", the lab expects " + std::to_string(e.expected) + "\n");
            } else if constexpr (std::is_same_v<T, events::ProbeObserved>) {
                ensureNewline();
                write("# path: " + e.probe.path + " (" + e.probe.outcome + ")\n");
            } else if constexpr (std::is_same_v<T, events::ChecksEvaluated>) {
                ensureNewline();
                write(formatChecks(e.step, e.results));
                m_stepResults[e.step] = e.passed;
                for (const lab::CheckResult &result : e.results) {
                    (result.passed ? m_checksPassed : m_checksFailed) += 1;
                }
            }
        },
        event.payload);
}

bool runSolutions(lab::Session &session, EventQueue &queue, int until, TranscriptPrinter *printer)
{
    session.runSolutions(1, until, [&queue](bool ok) { queue.finish(ok); });
    for (;;) {
        for (const lab::Event &event : queue.take(std::chrono::milliseconds(200))) {
            if (printer) {
                printer->print(event);
            }
        }
        if (const auto done = queue.finished()) {
            return *done;
        }
    }
}

} // namespace meshcraft::app::cli
