// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the `lab`, `tunnel` and `analyze --lab` subcommands share: a session driven from the
// CLI's main thread through a queue of its events, and the transcript they print.

#include "app/cli/command.h"
#include "core/lab/session.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace meshcraft::app::cli {

/// Collects a session's events (delivered on the session thread) for the main thread.
class EventQueue final : public core::lab::SessionObserver
{
public:
    // Interface
    void onSessionEvents(const std::vector<core::lab::Event> &batch) override;

    /// The events so far, waiting up to `timeout` for at least one.
    std::vector<core::lab::Event> take(std::chrono::milliseconds timeout);
    /// Marks a posted job finished (called from the session thread) and wakes take().
    void finish(bool ok);
    /// The job's result once finished, and forgets it.
    std::optional<bool> finished();

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<core::lab::Event> m_events;
    std::optional<bool> m_finished;
};

/// The labs folder of the installed data (`share/meshcraft/labs`).
std::filesystem::path installedLabsDir();

/// Parses `--until N`: 1..stepCount, or the whole lab when absent. nullopt (and a usage error
/// printed) when malformed.
std::optional<int> parseUntil(Invocation &invocation, const char *command,
                              const OptionParser &options);

/// Opens a lab and waits until it runs. Prints OpenFailed's diagnostics to err.
bool openLab(core::lab::Session &session, EventQueue &queue, const std::string &lab,
             std::ostream &err);

/// Formats events as a transcript that reads like the workshop: each command after its
/// prompt, its output, notes, edits, probe paths and checks.
class TranscriptPrinter
{
public:
    explicit TranscriptPrinter(std::vector<std::ostream *> outputs) : m_outputs(std::move(outputs))
    {
    }
    void print(const core::lab::Event &event);
    void write(const std::string &text);
    /// Step -> passed, from the checks printed.
    const std::map<int, bool> &stepResults() const { return m_stepResults; }
    int checksPassed() const { return m_checksPassed; }
    int checksFailed() const { return m_checksFailed; }
    int deviations() const { return m_deviations; }

private:
    void ensureNewline();

    std::vector<std::ostream *> m_outputs;
    bool m_atLineStart = true;
    std::map<int, bool> m_stepResults;
    int m_checksPassed = 0;
    int m_checksFailed = 0;
    int m_deviations = 0;
};

/// The checks of one step as the transcript prints them.
std::string formatChecks(int step, const std::vector<core::lab::CheckResult> &results);

/// Runs the solutions of steps 1..until through `session`, printing the transcript.
/// Returns whether every check passed.
bool runSolutions(core::lab::Session &session, EventQueue &queue, int until,
                  TranscriptPrinter *printer);

} // namespace meshcraft::app::cli
