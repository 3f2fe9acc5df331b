// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/lab/session.h"

#include "core/common/data_paths.h"
#include "core/common/text.h"
#include "core/config/store.h"
#include "core/config/validator.h"
#include "core/config/yaml_loader.h"
#include "core/lab/progress_store.h"
#include "core/lab/session_runtime_p.h"
#include "core/probe/trace_collector.h"
#include "core/relay/engine.h"
#include "core/xds/control_plane.h"
#include "core/xds/proxy_config_dump.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace meshcraft::core::lab {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// A step of a solution script: polled on the session thread until it returns true.
using ScriptOp = std::function<bool()>;

/// How long a solution waits for an interactive command's reply after typing a line, and for a
/// command to end by itself (telnet closed by the sidecar) before its input is ended (D13).
constexpr auto ReplyWait = 3s;
constexpr auto QuietAfterReply = 60ms;
constexpr auto SelfEndWait = 700ms;
constexpr auto CommandWait = 60s;
constexpr auto SettleRetry = 250ms;
constexpr auto SaveDelay = 300ms;

struct StepRuntime
{
    StepState state = StepState::NotStarted;
    int failedChecks = 0;
    int hintsShown = 0;
    bool solutionShown = false;
    std::vector<CheckResult> last;
    Clock::time_point enteredAt = Clock::now();
};

} // namespace

const char *stepStateName(StepState state)
{
    switch (state) {
    case StepState::NotStarted:
        return "not-started";
    case StepState::Current:
        return "current";
    case StepState::Failed:
        return "failed";
    case StepState::Passed:
        return "passed";
    }
    return "not-started";
}

class Session::Impl final : public detail::RuntimeHost
{
public:
    explicit Impl(SessionOptions opts) : options(std::move(opts))
    {
        if (options.labsDir.empty()) {
            options.labsDir = common::dataPath("labs");
        }
        if (options.stateDir.empty()) {
            options.stateDir = defaultStateDir();
        }
        thread = std::thread([this] { loop(); });
    }

    ~Impl() override
    {
        {
            const std::lock_guard lock(taskMutex);
            stopping = true;
        }
        taskCv.notify_all();
        thread.join();
    }

    // ---- Cross-thread plumbing ----------------------------------------------------------------

    void post(std::function<void()> task)
    {
        {
            const std::lock_guard lock(taskMutex);
            tasks.push_back(std::move(task));
        }
        taskCv.notify_all();
    }

    bool onSessionThread() const { return std::this_thread::get_id() == thread.get_id(); }

    void runSync(std::function<void()> task)
    {
        if (onSessionThread()) {
            task();
            return;
        }
        std::promise<void> done;
        auto finished = done.get_future();
        post([&] {
            task();
            done.set_value();
        });
        finished.wait();
    }

    void emit(EventPayload payload) override
    {
        const bool quiet = std::holds_alternative<events::InputLine>(payload) ||
                           std::holds_alternative<events::CommandStarted>(payload) ||
                           std::holds_alternative<events::CommandOutput>(payload) ||
                           std::holds_alternative<events::CommandFinished>(payload) ||
                           std::holds_alternative<events::PromptChanged>(payload) ||
                           std::holds_alternative<events::TerminalAction>(payload) ||
                           std::holds_alternative<events::Connection>(payload) ||
                           std::holds_alternative<events::StoreChanged>(payload) ||
                           std::holds_alternative<events::ConfigPushed>(payload) ||
                           std::holds_alternative<events::FileChanged>(payload) ||
                           std::holds_alternative<events::CartStatsChanged>(payload) ||
                           std::holds_alternative<events::InstanceChanged>(payload) ||
                           std::holds_alternative<events::SolutionEdit>(payload) ||
                           std::holds_alternative<events::ProbeObserved>(payload) ||
                           std::holds_alternative<events::SolutionDeviation>(payload);
        if (quiet && muted.load()) {
            return;
        }
        {
            const std::lock_guard lock(eventMutex);
            const auto *connection = std::get_if<events::Connection>(&payload);
            if (pending.size() >= options.maxPendingEvents && connection &&
                connection->kind == events::Connection::Kind::Bytes) {
                ++dropped;
                return;
            }
            pending.push_back(Event{0, std::move(payload)});
        }
        eventsWaiting = true;
        taskCv.notify_all();
    }

    void wake() override
    {
        interpreterWake = true;
        taskCv.notify_all();
    }

    int currentStep() const override { return current; }

    void flushEvents()
    {
        std::vector<Event> batch;
        {
            const std::lock_guard lock(eventMutex);
            if (dropped > 0) {
                pending.push_back(Event{0, events::Dropped{dropped}});
                dropped = 0;
            }
            batch.swap(pending);
        }
        if (batch.empty()) {
            return;
        }
        for (Event &event : batch) {
            event.sequence = nextSequence++;
        }
        // Held while delivering, so that once setObserver() returns the old observer is never
        // called again (it may be destroyed). Recursive: an observer may replace itself.
        const std::lock_guard lock(observerMutex);
        if (SessionObserver *target = observer.load()) {
            target->onSessionEvents(batch);
        }
    }

    // ---- The loop -----------------------------------------------------------------------------

    void loop()
    {
        for (;;) {
            std::deque<std::function<void()>> batch;
            {
                std::unique_lock lock(taskMutex);
                const auto timeout = script.empty() ? 100ms : 3ms;
                taskCv.wait_for(lock, timeout, [&] {
                    return stopping || !tasks.empty() || interpreterWake.load() ||
                           eventsWaiting.load();
                });
                if (stopping) {
                    break;
                }
                batch.swap(tasks);
                interpreterWake = false;
                eventsWaiting = false;
            }
            for (auto &task : batch) {
                task();
            }
            pump();
            runScript();
            tick();
            flushEvents();
        }
        script.clear();
        saveNow();
        runtime.reset();
        flushEvents();
        // Tasks posted by callers waiting in runSync() still run, so nobody waits forever.
        std::deque<std::function<void()>> rest;
        {
            const std::lock_guard lock(taskMutex);
            rest.swap(tasks);
        }
        for (auto &task : rest) {
            task();
        }
    }

    void pump()
    {
        if (runtime) {
            runtime->terminal().processPosted();
        }
    }

    void runScript()
    {
        while (!script.empty()) {
            pump();
            ScriptOp op = script.front();
            if (!op()) {
                return;
            }
            if (!script.empty()) {
                script.pop_front();
            }
        }
    }

    void tick()
    {
        if (!runtime || !definition) {
            return;
        }
        if (topologyDirty) {
            topologyDirty = false;
            auto topology = runtime->buildTopology();
            auto proxies = runtime->buildProxies();
            {
                const std::lock_guard lock(snapshotMutex);
                publishedTopology = topology;
                publishedProxies = std::move(proxies);
            }
            emit(events::TopologyChanged{topology});
        }
        // Hints released by elapsed time (never in deterministic runs).
        if (!options.fixedClock && current >= 1 && current <= stepCount()) {
            const int released = hintsReleased(current);
            if (released != lastReleased[static_cast<std::size_t>(current)]) {
                publishStep(current);
            }
        }
        {
            const std::lock_guard lock(snapshotMutex);
            publishedPrompt = runtime->prompt();
        }
        if (Clock::now() - lastAutoEvaluation >= 1s) {
            lastAutoEvaluation = Clock::now();
            autoEvaluate();
        }
        if (workspaceDirty) {
            workspaceDirty = false;
            publishWorkspace();
        }
        if (saveDirty && Clock::now() - lastSave >= SaveDelay && script.empty()) {
            saveNow();
        }
    }

    // ---- Opening a lab and building worlds ----------------------------------------------------

    void doOpen(const std::string &idOrPath)
    {
        if (definition) {
            // Another lab was open: keep its progress, and let go of its lock.
            saveNow();
            script.clear();
            runtime.reset();
            labLock.reset();
        }
        const auto folder = resolveLabFolder(idOrPath, options.labsDir);
        if (!folder) {
            emit(events::OpenFailed{"no lab \"" + idOrPath + "\" (neither a folder with a " +
                                        "lab.yaml nor a lab in " + options.labsDir.string() + ")",
                                    {}});
            return;
        }
        LoadResult loaded = loadDefinition(*folder);
        if (!loaded) {
            emit(events::OpenFailed{"the lab does not load", loaded.error()});
            return;
        }
        definition = std::make_shared<const Definition>(std::move(*loaded));
        steps.assign(definition->steps.size(), StepRuntime{});
        lastReleased.assign(definition->steps.size() + 1, -1);
        persist = options.persist;
        std::optional<SavedProgress> saved;
        if (persist) {
            auto lock = LabLock::acquire(options.stateDir / definition->id / "lock");
            if (!lock) {
                emit(events::LabLocked{definition->id,
                                       (options.stateDir / definition->id / "lock").string()});
                persist = false;
            } else {
                labLock.emplace(std::move(*lock));
                if (auto text =
                        common::readFile(progressPath(options.stateDir, definition->id).string())) {
                    if (auto parsed = parseProgress(*text);
                        parsed && parsed->labId == definition->id) {
                        saved = std::move(*parsed);
                    }
                }
            }
        }
        {
            const std::lock_guard lock(snapshotMutex);
            publishedDefinition = definition;
        }
        const int startStep = saved ? std::clamp(saved->currentStep, 1, stepCount()) : 1;
        rebuild(startStep, [this, saved](bool ok) {
            if (!ok) {
                return;
            }
            if (saved) {
                restoreSaved(*saved);
            }
            emit(events::LabOpened{definition->id, saved.has_value()});
            publishAll();
        });
    }

    common::Result<void> buildRuntime()
    {
        // A rebuild abandons whatever script was running (a reset during `lab run`).
        script.clear();
        scripted = false;
        runtime.reset();
        detail::RuntimeOptions runtimeOptions{options.fixedClock, options.drainDuration,
                                              options.cartInterval};
        auto built = detail::Runtime::create(definition, runtimeOptions, *this);
        if (!built) {
            return tl::unexpected(built.error());
        }
        runtime = std::move(*built);
        topologyDirty = true;
        workspaceDirty = true;
        return {};
    }

    /// A fresh World with the solutions of 1..step-1 replayed quietly; `done` when it is there.
    void rebuild(int step, std::function<void(bool ok)> done)
    {
        const auto started = Clock::now();
        muted = true;
        if (auto built = buildRuntime(); !built) {
            muted = false;
            emit(events::OpenFailed{built.error().message, {}});
            if (done) {
                done(false);
            }
            return;
        }
        for (int s = 1; s < step; ++s) {
            script.push_back([this, s] {
                current = s;
                return true;
            });
            queueSolution(s);
        }
        script.push_back([this, step, started, done] {
            muted = false;
            for (int s = 1; s <= stepCount(); ++s) {
                StepRuntime &st = steps[static_cast<std::size_t>(s - 1)];
                if (s < step) {
                    st.state = StepState::Passed;
                } else {
                    st = StepRuntime{};
                }
            }
            current = 0;
            setCurrent(step, true);
            topologyDirty = true;
            emit(events::PromptChanged{runtime->prompt(), runtime->attached(), false});
            emit(events::WorldRebuilt{step, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                Clock::now() - started)});
            saveDirty = true;
            if (done) {
                done(true);
            }
            return true;
        });
    }

    // ---- Solutions ----------------------------------------------------------------------------

    const StepDef &stepDef(int step) const
    {
        return definition->steps[static_cast<std::size_t>(step - 1)];
    }
    int stepCount() const { return definition ? static_cast<int>(definition->steps.size()) : 0; }
    bool validStep(int step) const { return step >= 1 && step <= stepCount(); }

    std::map<std::string, std::string> labVariables() const
    {
        std::map<std::string, std::string> vars;
        for (const auto &[name, value] : definition->world.variables) {
            vars[name] = value;
        }
        return vars;
    }

    /// Terminal idle: waiting at a prompt (the shell's or an attached command's).
    bool awaitingSince(std::uint64_t mark) const
    {
        const auto state = runtime->terminal().state();
        return runtime->promptsAwaited() > mark && state != shell::Interpreter::State::Busy &&
               !runtime->terminal().hasPosted();
    }

    void queueRun(int step, const SolutionAction &action)
    {
        const std::string line = expandVariables(action.run, labVariables());
        auto mark = std::make_shared<std::uint64_t>(0);
        auto since = std::make_shared<Clock::time_point>();
        script.push_back([this, line, mark, since] {
            *mark = runtime->promptsAwaited();
            *since = Clock::now();
            runtime->submit(line);
            return true;
        });
        script.push_back([this, mark, since] {
            return awaitingSince(*mark) || Clock::now() - *since > CommandWait;
        });
        // Type only once the command has spoken ("Connected to …"), as a person would; it also
        // keeps the transcript's order the same on every run.
        if (!action.input.empty()) {
            script.push_back([this, since] {
                if (runtime->terminal().state() != shell::Interpreter::State::Attached) {
                    return true;
                }
                const bool spoke = runtime->lastOutput() > *since &&
                                   Clock::now() - runtime->lastOutput() >= QuietAfterReply;
                return spoke || Clock::now() - *since > ReplyWait;
            });
        }
        for (const std::string &input : action.input) {
            const std::string typed = expandVariables(input, labVariables());
            auto outputMark = std::make_shared<std::uint64_t>(0);
            script.push_back([this, typed, outputMark, since] {
                if (runtime->terminal().state() != shell::Interpreter::State::Attached) {
                    return true;
                }
                *outputMark = runtime->outputCount();
                *since = Clock::now();
                runtime->submit(typed);
                return true;
            });
            // The reply: some output after the line, then a short quiet.
            script.push_back([this, outputMark, since] {
                if (runtime->terminal().state() != shell::Interpreter::State::Attached) {
                    return true;
                }
                const bool replied = runtime->outputCount() > *outputMark &&
                                     Clock::now() - runtime->lastOutput() >= QuietAfterReply;
                return replied || Clock::now() - *since > ReplyWait;
            });
        }
        // A command that attached and got no input may end by itself (closed by its peer).
        script.push_back([this, since, hasInput = !action.input.empty()] {
            if (runtime->terminal().state() != shell::Interpreter::State::Attached || hasInput) {
                return true;
            }
            return Clock::now() - *since > SelfEndWait;
        });
        script.push_back([this] {
            if (runtime->terminal().state() == shell::Interpreter::State::Attached) {
                runtime->terminal().sendEndOfFile(); // D13: the input ends
            }
            return true;
        });
        // The command has ended: the shell's own prompt again.
        script.push_back([this, since] {
            const auto state = runtime->terminal().state();
            const bool ended = (state == shell::Interpreter::State::Ready ||
                                state == shell::Interpreter::State::Exited) &&
                               !runtime->terminal().hasPosted();
            return ended || Clock::now() - *since > CommandWait;
        });
        const int expected = action.expectExit.value_or(0);
        script.push_back([this, step, line, expected] {
            const int status = runtime->terminal().lastStatus();
            if (status != expected) {
                ++deviations;
                emit(events::SolutionDeviation{step, line, status, expected});
            }
            return true;
        });
    }

    void queueEdit(int step, const SolutionAction &action)
    {
        script.push_back([this, step, action] {
            const auto vars = labVariables();
            const std::string path = runtime->absolutePath(action.file);
            std::string text = runtime->fs().readFile(path).value_or("");
            std::string description;
            if (action.content) {
                text = expandVariables(*action.content, vars);
                description = "new content";
            } else if (action.replace && action.with) {
                const std::string from = expandVariables(*action.replace, vars);
                const std::string to = expandVariables(*action.with, vars);
                for (std::size_t at = text.find(from); !from.empty() && at != std::string::npos;
                     at = text.find(from, at + to.size())) {
                    text.replace(at, from.size(), to);
                }
                description = from + " -> " + to;
            }
            (void)runtime->fs().writeFile(path, text, true);
            emit(events::SolutionEdit{step, path, description});
            return true;
        });
    }

    void queueSolution(int step)
    {
        for (const SolutionAction &action : stepDef(step).solution) {
            if (action.kind == SolutionAction::Kind::Edit) {
                queueEdit(step, action);
            } else {
                queueRun(step, action);
            }
        }
    }

    void doRunSolutions(int from, int to, std::function<void(bool)> done)
    {
        if (!runtime) {
            if (done) {
                done(false);
            }
            return;
        }
        auto allPassed = std::make_shared<bool>(true);
        const int deviationsBefore = deviations;
        scripted = true;
        for (int s = std::max(from, 1); s <= std::min(to, stepCount()); ++s) {
            script.push_back([this, s] {
                emit(events::SolutionStarted{s, stepDef(s).title});
                setCurrent(s, true);
                return true;
            });
            queueSolution(s);
            const auto deadline = std::make_shared<std::optional<Clock::time_point>>();
            const auto nextTry = std::make_shared<Clock::time_point>();
            script.push_back([this, s, deadline, nextTry, allPassed] {
                if (!*deadline) {
                    *deadline = Clock::now() + options.settleTimeout;
                } else if (Clock::now() < *nextTry) {
                    return false;
                }
                std::vector<CheckResult> results = evaluate(s);
                const bool passed = std::all_of(results.begin(), results.end(),
                                                [](const CheckResult &r) { return r.passed; });
                if (!passed && Clock::now() < **deadline && needsSettle(s)) {
                    *nextTry = Clock::now() + SettleRetry;
                    return false;
                }
                recordCheck(s, std::move(results), true);
                *allPassed = *allPassed && passed;
                return true;
            });
        }
        script.push_back([this, done, allPassed, deviationsBefore] {
            scripted = false;
            const bool ok = *allPassed && deviations == deviationsBefore;
            flushEvents();
            if (done) {
                done(ok);
            }
            return true;
        });
    }

    /// Checks that converge over time (the cart's success rate) are retried in `lab run`.
    bool needsSettle(int step) const
    {
        const auto &checks = stepDef(step).checks;
        return std::any_of(checks.begin(), checks.end(), [](const CheckDef &c) {
            return std::holds_alternative<CartCondition>(c.condition);
        });
    }

    // ---- The guide ----------------------------------------------------------------------------

    std::vector<CheckResult> evaluate(int step)
    {
        std::vector<CheckResult> results;
        const CheckHistory history{runtime->probes(), runtime->commands(), step};
        const auto vars = definition->variables();
        for (const CheckDef &check : stepDef(step).checks) {
            results.push_back(evaluateCheck(check, *runtime, history, vars));
        }
        return results;
    }

    /// Stores a step's results; a failed Check counts towards its hints when `counted`.
    void recordCheck(int step, std::vector<CheckResult> results, bool counted)
    {
        StepRuntime &st = steps[static_cast<std::size_t>(step - 1)];
        const bool passed = std::all_of(results.begin(), results.end(),
                                        [](const CheckResult &r) { return r.passed; });
        st.last = results;
        if (passed) {
            st.state = StepState::Passed;
        } else if (counted) {
            ++st.failedChecks;
            st.state = StepState::Failed;
        }
        emit(events::ChecksEvaluated{step, std::move(results), passed});
        {
            const std::lock_guard lock(snapshotMutex);
            publishedResults[step] = st.last;
        }
        publishStep(step);
        if (passed && !scripted) {
            advanceToFrontier();
        }
        publishProgress();
        saveDirty = true;
    }

    void doCheckStep(int step)
    {
        if (!runtime || !validStep(step)) {
            emit(events::Error{"there is no step " + std::to_string(step)});
            return;
        }
        recordCheck(step, evaluate(step), true);
    }

    /// The learner works on the step after the last one passed: the current step moves there
    /// (never back), and the probes they run from now on belong to it.
    void advanceToFrontier()
    {
        int frontier = 1;
        for (int s = stepCount(); s >= 1; --s) {
            if (steps[static_cast<std::size_t>(s - 1)].state == StepState::Passed) {
                frontier = std::min(s + 1, stepCount());
                break;
            }
        }
        if (frontier > current) {
            setCurrent(frontier, true);
        }
    }

    /// After each command (and now and then, for the cart): every step not passed yet passes by
    /// itself once its state is reached. Steps whose checks run a probe wait for Check; nothing
    /// happens while a script runs.
    void autoEvaluate()
    {
        if (muted || scripted || !runtime) {
            return;
        }
        for (int s = 1; s <= stepCount(); ++s) {
            if (steps[static_cast<std::size_t>(s - 1)].state == StepState::Passed) {
                continue;
            }
            const auto &checks = stepDef(s).checks;
            if (std::any_of(checks.begin(), checks.end(), [](const CheckDef &c) {
                    return std::holds_alternative<RunProbeCondition>(c.condition);
                })) {
                continue;
            }
            std::vector<CheckResult> results = evaluate(s);
            if (std::all_of(results.begin(), results.end(),
                            [](const CheckResult &r) { return r.passed; })) {
                recordCheck(s, std::move(results), false);
            }
        }
    }

    void onCommandFinished() override
    {
        saveDirty = true;
        autoEvaluate();
    }

    void onWorkspaceChanged() override
    {
        workspaceDirty = true;
        saveDirty = true;
    }

    void onTopologyDirty() override { topologyDirty = true; }

    int hintsReleased(int step) const
    {
        const StepRuntime &st = steps[static_cast<std::size_t>(step - 1)];
        const auto elapsed = Clock::now() - st.enteredAt;
        int released = 0;
        for (const HintDef &hint : stepDef(step).hints) {
            const bool byChecks = st.failedChecks >= hint.afterFailedChecks &&
                                  (hint.afterFailedChecks > 0 || !hint.afterSeconds);
            const bool byTime = hint.afterSeconds && !options.fixedClock && step == current &&
                                elapsed >= std::chrono::seconds(*hint.afterSeconds);
            if (!byChecks && !byTime) {
                break;
            }
            ++released;
        }
        return released;
    }

    void setCurrent(int step, bool announce)
    {
        if (!validStep(step)) {
            return;
        }
        const bool changed = step != current;
        current = step;
        StepRuntime &st = steps[static_cast<std::size_t>(step - 1)];
        if (changed) {
            st.enteredAt = Clock::now();
        }
        if (st.state == StepState::NotStarted) {
            st.state = StepState::Current;
        }
        for (int s = 1; s <= stepCount(); ++s) {
            StepRuntime &other = steps[static_cast<std::size_t>(s - 1)];
            if (s != step && other.state == StepState::Current) {
                other.state = StepState::NotStarted;
                publishStep(s);
            }
        }
        publishStep(step);
        publishProgress();
        if (announce && changed) {
            for (const auto &[path, markdown] : stepDef(step).notes) {
                emit(events::Note{step, markdown});
            }
        }
        saveDirty = true;
    }

    void doNextHint(int step)
    {
        if (!validStep(step)) {
            return;
        }
        StepRuntime &st = steps[static_cast<std::size_t>(step - 1)];
        const int released = hintsReleased(step);
        if (st.hintsShown >= released) {
            emit(events::Error{released == static_cast<int>(stepDef(step).hints.size())
                                   ? "there are no more hints for this step"
                                   : "no further hint yet: check the step first"});
            return;
        }
        const HintDef &hint = stepDef(step).hints[static_cast<std::size_t>(st.hintsShown)];
        ++st.hintsShown;
        emit(events::HintReleased{step, st.hintsShown,
                                  expandVariables(hint.text, definition->variables())});
        publishStep(step);
        saveDirty = true;
    }

    void doShowSolution(int step)
    {
        if (!validStep(step)) {
            return;
        }
        events::SolutionShown shown;
        shown.step = step;
        const auto vars = labVariables();
        for (const SolutionAction &action : stepDef(step).solution) {
            if (action.kind == SolutionAction::Kind::Edit) {
                shown.lines.push_back("edit " + action.file + ": " +
                                      (action.content
                                           ? std::string("set its content")
                                           : "replace " + expandVariables(*action.replace, vars) +
                                                 " with " + expandVariables(*action.with, vars)));
                continue;
            }
            shown.lines.push_back(expandVariables(action.run, vars));
            for (const std::string &input : action.input) {
                shown.lines.push_back("  (type) " + expandVariables(input, vars));
            }
        }
        steps[static_cast<std::size_t>(step - 1)].solutionShown = true;
        emit(std::move(shown));
        publishStep(step);
        saveDirty = true;
    }

    // ---- Publishing snapshots -----------------------------------------------------------------

    StepStatus statusOf(int step) const
    {
        const StepRuntime &st = steps[static_cast<std::size_t>(step - 1)];
        StepStatus status;
        status.index = step;
        status.id = stepDef(step).id;
        status.title = stepDef(step).title;
        status.state = st.state;
        status.failedChecks = st.failedChecks;
        status.hintsReleased = hintsReleased(step);
        status.hintsShown = st.hintsShown;
        status.solutionShown = st.solutionShown;
        return status;
    }

    void publishStep(int step)
    {
        StepStatus status = statusOf(step);
        lastReleased[static_cast<std::size_t>(step)] = status.hintsReleased;
        {
            const std::lock_guard lock(snapshotMutex);
            publishedSteps.resize(static_cast<std::size_t>(stepCount()));
            publishedSteps[static_cast<std::size_t>(step - 1)] = status;
        }
        emit(events::StepStateChanged{std::move(status)});
    }

    Progress computeProgress() const
    {
        Progress p;
        p.stepCount = stepCount();
        for (const StepRuntime &st : steps) {
            p.stepsPassed += st.state == StepState::Passed ? 1 : 0;
        }
        p.percent = p.stepCount ? p.stepsPassed * 100 / p.stepCount : 0;
        p.currentStep = std::max(current, 1);
        p.finished = p.stepCount > 0 && p.stepsPassed == p.stepCount;
        return p;
    }

    void publishProgress()
    {
        const Progress p = computeProgress();
        {
            const std::lock_guard lock(snapshotMutex);
            if (publishedProgress == p) {
                return;
            }
            publishedProgress = p;
        }
        emit(events::ProgressChanged{p});
    }

    void publishAll()
    {
        for (int s = 1; s <= stepCount(); ++s) {
            publishStep(s);
        }
        publishProgress();
    }

    void publishWorkspace()
    {
        std::map<std::string, std::string> files;
        for (const auto &entry : runtime->fs().snapshot().entries) {
            if (!entry.isDirectory) {
                files[entry.path] = entry.content;
            }
        }
        const std::lock_guard lock(snapshotMutex);
        publishedFiles = std::move(files);
    }

    // ---- Save and restore ---------------------------------------------------------------------

    SavedProgress toSaved() const
    {
        SavedProgress saved;
        saved.labId = definition->id;
        saved.currentStep = std::max(current, 1);
        for (int s = 1; s <= stepCount(); ++s) {
            const StepRuntime &st = steps[static_cast<std::size_t>(s - 1)];
            saved.steps.push_back({stepDef(s).id, stepStateName(st.state), st.failedChecks,
                                   st.hintsShown, st.solutionShown});
        }
        std::map<std::string, std::string> originals;
        for (const auto &entry : runtime->originals().entries) {
            if (!entry.isDirectory) {
                originals[entry.path] = entry.content;
            }
        }
        for (const auto &entry : runtime->fs().snapshot().entries) {
            if (entry.isDirectory) {
                continue;
            }
            const auto it = originals.find(entry.path);
            if (it == originals.end() || it->second != entry.content) {
                saved.files[entry.path] = entry.content;
            }
            if (it != originals.end()) {
                originals.erase(it);
            }
        }
        for (const auto &[path, content] : originals) {
            saved.removedFiles.push_back(path);
        }
        return saved;
    }

    void saveNow()
    {
        saveDirty = false;
        lastSave = Clock::now();
        if (!persist || !definition || !runtime) {
            return;
        }
        const auto path = progressPath(options.stateDir, definition->id);
        if (auto written = writeFileAtomically(path, serializeProgress(toSaved())); !written) {
            emit(events::Error{written.error().message});
            return;
        }
        emit(events::Saved{path});
    }

    void restoreSaved(const SavedProgress &saved)
    {
        for (const SavedProgress::Step &s : saved.steps) {
            for (int i = 1; i <= stepCount(); ++i) {
                if (stepDef(i).id != s.id) {
                    continue;
                }
                StepRuntime &st = steps[static_cast<std::size_t>(i - 1)];
                st.failedChecks = s.failedChecks;
                st.hintsShown = s.hintsShown;
                st.solutionShown = s.solutionShown;
                st.state = s.state == "passed"   ? StepState::Passed
                           : s.state == "failed" ? StepState::Failed
                           : i == current        ? StepState::Current
                                                 : StepState::NotStarted;
            }
        }
        for (const auto &[path, content] : saved.files) {
            (void)runtime->fs().writeFile(path, content, true);
        }
        for (const std::string &path : saved.removedFiles) {
            (void)runtime->fs().remove(path);
        }
    }

    // ---- State --------------------------------------------------------------------------------

    SessionOptions options;

    std::thread thread;
    std::mutex taskMutex;
    std::condition_variable taskCv;
    std::deque<std::function<void()>> tasks;
    bool stopping = false;
    std::atomic<bool> interpreterWake{false};
    std::atomic<bool> eventsWaiting{false};

    std::mutex eventMutex;
    std::vector<Event> pending;
    std::size_t dropped = 0;
    std::uint64_t nextSequence = 1; // session thread
    std::atomic<SessionObserver *> observer{nullptr};
    std::recursive_mutex observerMutex;
    std::atomic<bool> muted{false};

    mutable std::mutex snapshotMutex;
    std::shared_ptr<const Definition> publishedDefinition;
    std::vector<StepStatus> publishedSteps;
    Progress publishedProgress{};
    std::map<int, std::vector<CheckResult>> publishedResults;
    std::shared_ptr<const TopologySnapshot> publishedTopology;
    std::vector<ProxySummary> publishedProxies;
    std::map<std::string, std::string> publishedFiles;
    std::string publishedPrompt;

    // Session thread only.
    std::shared_ptr<const Definition> definition;
    std::unique_ptr<detail::Runtime> runtime;
    std::vector<StepRuntime> steps;
    std::vector<int> lastReleased;
    int current = 0;
    std::deque<ScriptOp> script;
    bool scripted = false;
    int deviations = 0;
    bool persist = false;
    std::optional<LabLock> labLock;
    bool topologyDirty = false;
    bool workspaceDirty = false;
    bool saveDirty = false;
    Clock::time_point lastSave;
    Clock::time_point lastAutoEvaluation;
};

// ---- Session: the public face, posting to the session thread ----------------------------------

Session::Session(SessionOptions options) : d(std::make_unique<Impl>(std::move(options))) {}

Session::~Session() = default;

void Session::setObserver(SessionObserver *observer)
{
    const std::lock_guard lock(d->observerMutex);
    d->observer = observer;
}

void Session::open(std::string labIdOrPath)
{
    d->post([this, id = std::move(labIdOrPath)] { d->doOpen(id); });
}

std::shared_ptr<const Definition> Session::definition() const
{
    const std::lock_guard lock(d->snapshotMutex);
    return d->publishedDefinition;
}

void Session::submitLine(std::string line)
{
    d->post([this, line = std::move(line)] {
        if (d->runtime) {
            d->runtime->submit(line);
        }
    });
}

void Session::sendEndOfFile()
{
    d->post([this] {
        if (d->runtime) {
            d->runtime->terminal().sendEndOfFile();
        }
    });
}

void Session::interrupt()
{
    d->post([this] {
        if (d->runtime) {
            d->runtime->terminal().interrupt();
        }
    });
}

void Session::endOfInput()
{
    d->post([this] {
        if (d->runtime) {
            d->runtime->terminal().endOfInput();
        }
    });
}

void Session::complete(std::string line, std::size_t cursor, std::uint64_t requestId)
{
    d->post([this, line = std::move(line), cursor, requestId] {
        if (!d->runtime) {
            return;
        }
        const shell::CompletionResult result = d->runtime->terminal().complete(line, cursor);
        d->emit(events::CompletionReady{requestId, result.replaceFrom, result.candidates,
                                        result.commonPrefix, result.appendSpace});
    });
}

std::string Session::prompt() const
{
    const std::lock_guard lock(d->snapshotMutex);
    return d->publishedPrompt;
}

void Session::validateBuffer(std::string path, std::string text, std::uint64_t requestId)
{
    d->post([this, path = std::move(path), text = std::move(text), requestId] {
        const std::string name = shell::VirtualFs::baseName(path);
        // A lab's Helm values file is YAML but no Kubernetes object: only its syntax counts.
        const bool helmValues =
            d->definition && std::any_of(d->definition->files.begin(), d->definition->files.end(),
                                         [&](const FileDef &file) {
                                             return file.helmValues &&
                                                    shell::VirtualFs::baseName(file.path) == name;
                                         });
        d->emit(events::BufferValidated{
            requestId, path,
            helmValues ? config::loadYaml(text, name).diagnostics
                       : config::validateText(text, name).diagnostics});
    });
}

void Session::applyBuffer(std::string path, std::string text, std::uint64_t requestId)
{
    d->post([this, path = std::move(path), text = std::move(text), requestId] {
        if (!d->runtime) {
            return;
        }
        const std::string absolute = d->runtime->absolutePath(path);
        (void)d->runtime->fs().writeFile(absolute, text, true);
        const config::ApplyResult result = d->runtime->world().store().applyText(
            text, shell::VirtualFs::baseName(absolute), config::ApplyMode::Batch);
        common::Diagnostics diagnostics = result.parseDiagnostics;
        for (const config::DocumentResult &document : result.documents) {
            diagnostics.insert(diagnostics.end(), document.diagnostics.begin(),
                               document.diagnostics.end());
        }
        d->emit(events::Applied{requestId, absolute, result.ok(), result.outputLines(),
                                std::move(diagnostics)});
        d->onCommandFinished();
    });
}

void Session::writeFile(std::string path, std::string text)
{
    d->post([this, path = std::move(path), text = std::move(text)] {
        if (d->runtime) {
            (void)d->runtime->fs().writeFile(d->runtime->absolutePath(path), text, true);
        }
    });
}

void Session::revertFile(std::string path)
{
    d->post([this, path = std::move(path)] {
        if (!d->runtime) {
            return;
        }
        const std::string absolute = d->runtime->absolutePath(path);
        for (const auto &entry : d->runtime->originals().entries) {
            if (entry.path == absolute && !entry.isDirectory) {
                (void)d->runtime->fs().writeFile(absolute, entry.content, true);
                return;
            }
        }
        (void)d->runtime->fs().remove(absolute);
    });
}

std::optional<std::string> Session::readFile(const std::string &path) const
{
    const std::shared_ptr<const Definition> lab = definition();
    const std::string absolute =
        common::startsWith(path, "/") || !lab
            ? shell::VirtualFs::normalize(path)
            : shell::VirtualFs::normalize(lab->workshopFilesDir() + "/" + path);
    const std::lock_guard lock(d->snapshotMutex);
    const auto it = d->publishedFiles.find(absolute);
    return it == d->publishedFiles.end() ? std::nullopt : std::optional(it->second);
}

std::vector<std::string> Session::workspaceFiles() const
{
    const std::shared_ptr<const Definition> lab = definition();
    std::vector<std::string> out;
    if (!lab) {
        return out;
    }
    const std::string folder = lab->workshopFilesDir() + "/";
    const std::lock_guard lock(d->snapshotMutex);
    for (const auto &[path, content] : d->publishedFiles) {
        if (common::startsWith(path, folder)) {
            out.push_back(path);
        }
    }
    return out;
}

void Session::checkStep(int step)
{
    d->post([this, step] { d->doCheckStep(step); });
}

void Session::nextHint(int step)
{
    d->post([this, step] { d->doNextHint(step); });
}

void Session::showSolution(int step)
{
    d->post([this, step] { d->doShowSolution(step); });
}

void Session::resetStep(int step)
{
    jumpToStep(step);
}

void Session::jumpToStep(int step)
{
    d->post([this, step] {
        if (!d->definition || !d->validStep(step)) {
            d->emit(events::Error{"there is no step " + std::to_string(step)});
            return;
        }
        d->rebuild(step, {});
    });
}

void Session::resetLab()
{
    d->post([this] {
        if (!d->definition) {
            return;
        }
        d->rebuild(1, [this](bool) {
            for (StepRuntime &st : d->steps) {
                st = StepRuntime{};
            }
            d->setCurrent(1, false);
            d->publishAll();
            d->saveNow();
        });
    });
}

void Session::runSolutions(int from, int to, std::function<void(bool allPassed)> done)
{
    d->post([this, from, to, done = std::move(done)] { d->doRunSolutions(from, to, done); });
}

std::vector<StepStatus> Session::steps() const
{
    const std::lock_guard lock(d->snapshotMutex);
    return d->publishedSteps;
}

Progress Session::progress() const
{
    const std::lock_guard lock(d->snapshotMutex);
    return d->publishedProgress;
}

std::vector<CheckResult> Session::lastResults(int step) const
{
    const std::lock_guard lock(d->snapshotMutex);
    const auto it = d->publishedResults.find(step);
    return it == d->publishedResults.end() ? std::vector<CheckResult>{} : it->second;
}

std::shared_ptr<const TopologySnapshot> Session::topology() const
{
    const std::lock_guard lock(d->snapshotMutex);
    return d->publishedTopology;
}

std::vector<ProxySummary> Session::proxies() const
{
    const std::lock_guard lock(d->snapshotMutex);
    return d->publishedProxies;
}

void Session::requestProxyDetails(std::string proxyId, std::uint64_t requestId)
{
    d->post([this, proxyId = std::move(proxyId), requestId] {
        ProxyDetails details;
        details.proxyId = proxyId;
        if (d->runtime) {
            shell::World &world = d->runtime->world();
            if (const auto snapshot = world.controlPlane().snapshot(proxyId)) {
                details.listeners = xds::listenersTable(*snapshot);
                details.clusters = xds::clustersTable(*snapshot);
                details.routes = xds::routesTable(*snapshot);
            }
            details.stats = world.relay().stats(proxyId).envoyStats();
            details.accessLog = world.relay().accessLog(proxyId);
        }
        d->emit(events::ProxyDetailsReady{requestId, std::move(details)});
    });
}

void Session::requestTrace(std::uint64_t traceId, std::uint64_t requestId)
{
    d->post([this, traceId, requestId] {
        std::optional<probe::Trace> trace;
        if (d->runtime) {
            trace = d->runtime->world().traces()->trace(traceId);
        }
        d->emit(events::TraceReady{requestId, std::move(trace)});
    });
}

void Session::runSync(std::function<void()> task)
{
    d->runSync(std::move(task));
}

std::string Session::dumpState()
{
    std::string out;
    d->runSync([&] {
        if (d->runtime) {
            out = d->runtime->dumpState();
        }
    });
    return out;
}

bool Session::waitIdle(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        bool idle = false;
        d->runSync([&] {
            if (!d->runtime) {
                idle = d->definition == nullptr ? false : true;
                return;
            }
            const auto state = d->runtime->terminal().state();
            idle = d->script.empty() && !d->runtime->terminal().hasPosted() &&
                   (state == shell::Interpreter::State::Ready ||
                    state == shell::Interpreter::State::Exited);
        });
        if (idle) {
            return true;
        }
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
}

common::Result<std::uint16_t> Session::openTunnel(const std::string &pod,
                                                  const std::string &nameSpace,
                                                  const std::string &destination,
                                                  const std::string &listenHost,
                                                  std::uint16_t listenPort)
{
    common::Result<std::uint16_t> result = common::fail("lab.not-open", "no lab is open");
    d->runSync([&] {
        if (!d->runtime) {
            return;
        }
        shell::World &world = d->runtime->world();
        const auto address = xds::SocketAddress::parse(destination);
        if (!address) {
            result = common::fail("lab.bad-address",
                                  "\"" + destination + "\" is not an IPv4 address:port");
            return;
        }
        const mesh::PodView *found = nullptr;
        for (const mesh::PodView &candidate : world.topology().pods()) {
            if ((candidate.name == pod || candidate.deployment == pod) &&
                (nameSpace.empty() || candidate.nameSpace == nameSpace)) {
                found = &candidate;
                break;
            }
        }
        if (!found) {
            result = common::fail("lab.no-pod", "there is no pod \"" + pod + "\" in the lab");
            return;
        }
        if (!found->hasSidecar) {
            result = common::fail("lab.no-sidecar",
                                  "the pod \"" + pod + "\" has no istio-proxy sidecar");
            return;
        }
        result = world.relay().openTunnel(found->proxyId(), *address, listenHost, listenPort);
    });
    return result;
}

void Session::withWorld(std::function<void(shell::World *world)> task)
{
    d->runSync([&] { task(d->runtime ? &d->runtime->world() : nullptr); });
}

std::filesystem::path Session::progressPath(const std::filesystem::path &stateDir,
                                            const std::string &labId)
{
    return stateDir / labId / "progress.json";
}

std::filesystem::path Session::defaultStateDir()
{
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/') {
        return std::filesystem::path(xdg) / "meshcraft" / "labs";
    }
    const char *home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : "/tmp") / ".local" / "share" / "meshcraft" /
           "labs";
}

} // namespace meshcraft::core::lab
