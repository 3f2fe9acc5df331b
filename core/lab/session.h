// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/cloud/memorystore.h"
#include "core/common/diagnostic.h"
#include "core/lab/checks.h"
#include "core/lab/lab_definition.h"
#include "core/probe/probe_result.h"
#include "core/workload/cart_service.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace meshcraft::core::shell {
class World;
}

namespace meshcraft::core::lab {

// ---- Values the session reports ---------------------------------------------------------------

enum class StepState {
    NotStarted, ///< never checked, and not the current step
    Current,    ///< the step the learner is on
    Failed,     ///< checked, and at least one check failed
    Passed,     ///< every check passed
};
const char *stepStateName(StepState state); ///< "not-started", "current", "failed", "passed"

/// What the guide shows of one step (immutable; from the Definition plus the session's state).
struct StepStatus
{
    int index = 0; ///< 1-based
    std::string id;
    std::string title;
    StepState state = StepState::NotStarted;
    int failedChecks = 0;  ///< how many times Check failed on this step (releases hints)
    int hintsReleased = 0; ///< rungs of the ladder the learner may see now
    int hintsShown = 0;    ///< rungs the learner asked for
    bool solutionShown = false;
};

struct Progress
{
    int stepsPassed = 0;
    int stepCount = 0;
    int percent = 0;       ///< stepsPassed * 100 / stepCount
    int currentStep = 1;   ///< 1-based
    bool finished = false; ///< every step passed: show the finish page
    bool operator==(const Progress &) const = default;
};

/// A proxy the inspector can select.
struct ProxySummary
{
    std::string proxyId; ///< "busybox.default"
    std::string pod;
    std::string nameSpace;
    bool gateway = false;
    std::string ip; ///< the pod's virtual IP
};

/// What `istioctl proxy-config` and Envoy's admin would show for one proxy.
struct ProxyDetails
{
    std::string proxyId;
    std::string listeners; ///< `istioctl proxy-config listeners` table
    std::string clusters;  ///< `… clusters`
    std::string routes;    ///< `… routes`
    std::vector<std::pair<std::string, std::uint64_t>> stats; ///< Envoy names, sorted
    std::vector<std::string> accessLog;                       ///< oldest first
};

/// The mesh view's picture of the world; rebuilt when the store or the cloud changes.
struct TopologySnapshot
{
    struct Pod
    {
        std::string name;
        std::string nameSpace;
        std::string ip;
        bool sidecar = false;
        bool gateway = false;
        std::string deployment;
        std::string image;
    };
    struct Service
    {
        std::string name;
        std::string nameSpace;
        std::string clusterIp;
        std::vector<int> ports;
    };
    std::vector<std::string> namespaces;
    std::vector<Pod> pods;
    std::vector<Service> services;
    std::vector<cloud::Instance> instances;
    std::vector<std::string> serviceEntryHosts; ///< "redis.domain (10.59.118.59/32)"
    std::string outboundTrafficPolicy;          ///< "ALLOW_ANY" | "REGISTRY_ONLY"
    std::int64_t storeRevision = 0;
};

// ---- The event stream -------------------------------------------------------------------------

namespace events {

/// The lab is loaded and its world runs (or a resumed lab, with its saved progress).
struct LabOpened
{
    std::string labId;
    bool resumed = false;
};
/// The lab could not be opened: diagnostics of lab.yaml, or the world failed (no redis-server).
struct OpenFailed
{
    std::string message;
    common::Diagnostics diagnostics;
};
/// The lab is locked by another session (D26).
struct LabLocked
{
    std::string labId;
    std::string lockPath;
};
/// A line the terminal received (typed, scripted, or a solution's), as a terminal echoes it
/// after `prompt`; `attached` when it went to an interactive command (telnet) rather than the
/// shell.
struct InputLine
{
    std::string prompt;
    std::string text;
    bool attached = false;
};
struct CommandStarted
{
    std::string context; ///< "host" or the pod's name
    std::string line;
};
struct CommandOutput
{
    bool stderrStream = false;
    std::string text;
};
struct CommandFinished
{
    std::string context;
    std::string line;
    int exitStatus = 0;
};
/// The terminal waits for input again; show `prompt`. `attached`: a command (telnet) reads.
struct PromptChanged
{
    std::string prompt;
    bool attached = false;
    bool continuation = false;
};
/// `clear`, `edit FILE` (path in the virtual filesystem), `exit` of the host shell.
struct TerminalAction
{
    enum class Kind { Clear, OpenEditor, Exit };
    Kind kind = Kind::Clear;
    std::string path;
    int exitStatus = 0; ///< Exit
};
struct CompletionReady
{
    std::uint64_t requestId = 0;
    std::size_t replaceFrom = 0;
    std::vector<std::string> candidates;
    std::string commonPrefix;
    bool appendSpace = false;
};
/// An editor buffer's diagnostics (validateBuffer) or an Apply's result (applyBuffer).
struct BufferValidated
{
    std::uint64_t requestId = 0;
    std::string path;
    common::Diagnostics diagnostics;
};
struct Applied
{
    std::uint64_t requestId = 0; ///< 0 when the terminal applied (kubectl)
    std::string path;
    bool ok = false;
    std::vector<std::string> lines; ///< what kubectl would print (created/configured/errors)
    common::Diagnostics diagnostics;
};
/// The store committed changes; `objects` are "ServiceEntry default/redis-serviceentry" lines.
struct StoreChanged
{
    std::int64_t revision = 0;
    std::vector<std::string> objects;
};
/// The control plane pushed; `proxies` are the proxy ids that got a snapshot.
struct ConfigPushed
{
    std::vector<std::string> proxies;
};
/// One connection hop's life, coalesced: a hop's bytes arrive as their latest totals.
struct Connection
{
    enum class Kind { Opened, Decided, Bytes, Closed };
    Kind kind = Kind::Opened;
    std::uint64_t connectionId = 0;
    std::uint64_t traceId = 0;
    std::uint64_t parentId = 0;
    std::string proxyId;
    std::string downstream;          ///< "10.8.1.12:40312"
    std::string originalDestination; ///< "10.59.118.59:6379"
    std::string cluster;             ///< once decided
    std::string flags;               ///< Closed: "UH", "-"
    std::uint64_t bytesReceived = 0;
    std::uint64_t bytesSent = 0;
    std::string detail;
};
/// The learner ran a probe (telnet, nc, redis-cli) from a pod; what the checks will judge.
struct ProbeObserved
{
    ProbeRecord probe;
};
/// Events dropped to keep the stream bounded (only connection bytes are ever dropped).
struct Dropped
{
    std::size_t count = 0;
};
struct ChecksEvaluated
{
    int step = 0; ///< 1-based
    std::vector<CheckResult> results;
    bool passed = false;
};
struct StepStateChanged
{
    StepStatus status;
};
struct ProgressChanged
{
    Progress progress;
};
/// A simulator note to show apart from the step text (markdown), e.g. step 6's typo note or
/// a tool's own note (helm's did-you-mean).
struct Note
{
    int step = 0;
    std::string markdown;
};
struct HintReleased
{
    int step = 0;
    int rung = 0; ///< 1-based
    std::string markdown;
};
/// `lab run` (runSolutions) begins the solution of `step`: a transcript's step heading.
struct SolutionStarted
{
    int step = 0;
    std::string title;
};
/// A solution's file edit was made (lab run, reset, jump).
struct SolutionEdit
{
    int step = 0;
    std::string path;        ///< absolute in the virtual filesystem
    std::string description; ///< "REDIS_ENDPOINT -> 10.59.118.59", or "new content"
};
/// A solution command did not exit as the lab expects.
struct SolutionDeviation
{
    int step = 0;
    std::string line;
    int exitStatus = 0;
    int expected = 0;
};
struct SolutionShown
{
    int step = 0;
    std::vector<std::string> lines; ///< commands, and "edit FILE: …" for edits
};
struct CartStatsChanged
{
    std::string pod;
    workload::CartStats stats;
    double recentSuccessRate = 0.0; ///< over the recent window; 0 with no operations
};
struct InstanceChanged
{
    cloud::InstanceChange change{};
    cloud::Instance instance;
};
struct TopologyChanged
{
    std::shared_ptr<const TopologySnapshot> topology;
};
/// A workspace file changed (a tool, an edit, a revert). `content` is the new text.
struct FileChanged
{
    std::string path; ///< absolute in the virtual filesystem
    bool removed = false;
};
/// The world was rebuilt (reset, jump): the UI drops what it shows of connections and logs.
struct WorldRebuilt
{
    int atStep = 1;
    std::chrono::milliseconds took{0};
};
struct ProxyDetailsReady
{
    std::uint64_t requestId = 0;
    ProxyDetails details;
};
struct TraceReady
{
    std::uint64_t requestId = 0;
    std::optional<probe::Trace> trace;
};
struct Saved
{
    std::filesystem::path path;
};
/// Something went wrong that the learner should see (a failed save, an unknown step).
struct Error
{
    std::string message;
};

} // namespace events

using EventPayload = std::variant<
    events::LabOpened, events::OpenFailed, events::LabLocked, events::InputLine,
    events::CommandStarted, events::CommandOutput, events::CommandFinished, events::PromptChanged,
    events::TerminalAction, events::CompletionReady, events::BufferValidated, events::Applied,
    events::StoreChanged, events::ConfigPushed, events::Connection, events::ProbeObserved,
    events::Dropped, events::ChecksEvaluated, events::StepStateChanged, events::ProgressChanged,
    events::Note, events::HintReleased, events::SolutionStarted, events::SolutionEdit,
    events::SolutionDeviation, events::SolutionShown, events::CartStatsChanged,
    events::InstanceChanged, events::TopologyChanged, events::FileChanged, events::WorldRebuilt,
    events::ProxyDetailsReady, events::TraceReady, events::Saved, events::Error>;

/// One entry of the session's single ordered stream.
struct Event
{
    std::uint64_t sequence = 0; ///< 1, 2, 3 … with no gaps, in the order things happened
    EventPayload payload;
};

/// Receives the stream in batches, on the session thread, in order. Copy and return quickly:
/// an app hands the batch to its UI thread with a queued call and coalesces to ~30 Hz itself.
class SessionObserver
{
public:
    virtual ~SessionObserver() = default;
    virtual void onSessionEvents(const std::vector<Event> &batch) = 0;
};

// ---- The session ------------------------------------------------------------------------------

struct SessionOptions
{
    /// Where labs are found by id (`<dataDir>/labs/<id>`); common::dataPath("labs") if empty.
    std::filesystem::path labsDir;
    /// Where progress and edits are kept (`<stateDir>/<labId>/progress.json`);
    /// $XDG_DATA_HOME/meshcraft/labs (or ~/.local/share/meshcraft/labs) if empty.
    std::filesystem::path stateDir;
    /// Save progress and edits as they change, and resume them on open. Off for `lab run`.
    bool persist = true;
    /// Deterministic output (CLI, tests): a fixed clock for logs, operations and access-log
    /// lines, and hints never released by elapsed time.
    bool fixedClock = false;
    /// The event stream keeps at most this many undelivered events; past it, connection Bytes
    /// events are dropped (reported as events::Dropped), never the others.
    std::size_t maxPendingEvents = 4096;
    /// Test knobs passed to the world (WorldSpec): short drains and cart intervals.
    std::optional<std::chrono::milliseconds> drainDuration;
    std::optional<std::chrono::milliseconds> cartInterval;
    /// How long `lab run` (and checkStep with settle) retries a failing check that depends on
    /// something still converging (the cart's success rate).
    std::chrono::milliseconds settleTimeout{8'000};
};

/// The lab facade for the app and the CLI: the lab's definition, the running World and the
/// terminal's Interpreter, the guide's state (checks, hints, solutions, progress), reset and
/// jump, save and restore, and one ordered event stream.
///
/// Threading: the session owns one worker thread, the session thread, which owns the World and
/// the Interpreter. Every public method is thread-safe and returns at once: commands are posted
/// to the session thread, and their results come back as events to the SessionObserver (on the
/// session thread). The synchronous queries (steps(), progress(), lastResults(), topology(),
/// readFile()) read immutable snapshots the session thread publishes. Nothing here throws.
///
/// Steps are 1-based everywhere.
class Session
{
public:
    explicit Session(SessionOptions options = {});
    /// Stops the session thread: saves, tears the World down (its redis-servers included).
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    /// Not owned. Set it before open() to see every event; it may be replaced or cleared at any
    /// time (the next batch goes to the new one, none to null). Called on the session thread.
    /// Once this returns, the previous observer is not called again (a delivery in progress is
    /// waited for), so it may then be destroyed.
    void setObserver(SessionObserver *observer);

    // -- The lab --
    /// A lab id (a folder of labsDir) or a folder path (D26). Emits LabOpened, or OpenFailed /
    /// LabLocked. With persist, resumes the saved progress and edits and holds the lab's lock.
    void open(std::string labIdOrPath);
    /// The loaded definition; null before LabOpened.
    std::shared_ptr<const Definition> definition() const;

    // -- The terminal --
    void submitLine(std::string line);
    void sendEndOfFile(); ///< Ctrl+D
    void interrupt();     ///< Ctrl+C
    void endOfInput();    ///< scripted input is over (D13)
    /// Tab: answered by events::CompletionReady with the same id.
    void complete(std::string line, std::size_t cursor, std::uint64_t requestId);
    std::string prompt() const; ///< the last prompt published

    // -- The editor (paths absolute in the virtual filesystem, or relative to the lab's files) --
    /// Diagnostics as you type (D4): events::BufferValidated.
    void validateBuffer(std::string path, std::string text, std::uint64_t requestId);
    /// Saves the buffer to the workspace and applies it as a batch, all or nothing (D4):
    /// events::Applied.
    void applyBuffer(std::string path, std::string text, std::uint64_t requestId);
    /// Saves an edit to the virtual workspace (D23); kept with the progress.
    void writeFile(std::string path, std::string text);
    /// Restores the lab's original of a workspace file.
    void revertFile(std::string path);
    /// The workspace's current text of a file; nullopt when there is none.
    std::optional<std::string> readFile(const std::string &path) const;
    /// The lab's files as the learner sees them (absolute paths), sorted.
    std::vector<std::string> workspaceFiles() const;

    // -- The guide --
    /// Evaluates the step's checks: events::ChecksEvaluated, StepStateChanged, ProgressChanged.
    /// A failed Check counts towards the hints. Steps also pass by themselves: after each
    /// command every step not passed yet is evaluated (not those whose checks run a probe), and
    /// the current step moves to the one after the last passed.
    void checkStep(int step);
    /// The next rung of the hint ladder: events::HintReleased, or events::Error when the next
    /// rung is not released yet (it needs failed Checks or time) or there is none.
    void nextHint(int step);
    /// The step's solution as lines to show: events::SolutionShown.
    void showSolution(int step);
    /// Rebuilds the World from the initial spec and replays the solutions of the steps before
    /// `step`; the step and those after it lose their state. events::WorldRebuilt.
    void resetStep(int step);
    /// Goes to `step` the same way: the solutions of 1..step-1 replayed on a fresh World.
    void jumpToStep(int step);
    /// Forgets all progress and edits: a fresh World at step 1 (`meshcraft lab reset`).
    void resetLab();
    /// For `lab run`: runs the solutions of `from`..`to` through the terminal, checking each
    /// step after its solution. `done` is called on the session thread when finished.
    void runSolutions(int from, int to, std::function<void(bool allPassed)> done = {});

    // -- Queries on published snapshots (any thread, never block on the session thread) --
    std::vector<StepStatus> steps() const;
    Progress progress() const;
    std::vector<CheckResult> lastResults(int step) const;
    std::shared_ptr<const TopologySnapshot> topology() const;
    std::vector<ProxySummary> proxies() const;

    // -- Inspector requests (answered by events) --
    void requestProxyDetails(std::string proxyId, std::uint64_t requestId);
    void requestTrace(std::uint64_t traceId, std::uint64_t requestId);

    // -- Headless helpers (CLI and tests) --
    /// Runs `task` on the session thread and waits for it; for the CLI and tests only (never
    /// from the UI thread, never from the session thread).
    void runSync(std::function<void()> task);
    /// The canonical state (World::dumpState()) plus the workspace files that differ from the
    /// lab's originals; progress excluded. Blocks like runSync().
    std::string dumpState();
    /// Waits until the terminal is idle (Ready or Exited, nothing posted). Blocks like runSync().
    bool waitIdle(std::chrono::milliseconds timeout);
    /// `meshcraft tunnel`: a loopback listener that enters `pod`'s sidecar towards
    /// `destination`. Returns the bound port or an error. Blocks like runSync().
    common::Result<std::uint16_t> openTunnel(const std::string &pod, const std::string &nameSpace,
                                             const std::string &destination,
                                             const std::string &listenHost,
                                             std::uint16_t listenPort);
    /// Runs `task` on the session thread with the running World (null before a lab is open)
    /// and waits; for the CLI (`analyze --lab`) and tests.
    void withWorld(std::function<void(shell::World *world)> task);
    /// The progress file of a lab under `stateDir` (for `lab reset` and tests).
    static std::filesystem::path progressPath(const std::filesystem::path &stateDir,
                                              const std::string &labId);
    /// $XDG_DATA_HOME/meshcraft/labs, or ~/.local/share/meshcraft/labs.
    static std::filesystem::path defaultStateDir();

    class Impl;

private:
    std::unique_ptr<Impl> d;
};

} // namespace meshcraft::core::lab
