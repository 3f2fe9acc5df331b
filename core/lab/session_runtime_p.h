// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One running instance of a lab: the World, the terminal's filesystem and interpreter, and the
// records checks judge (commands and probes). A reset or jump throws it away and builds another.
// Private to core/lab.

#include "core/lab/checks.h"
#include "core/lab/lab_definition.h"
#include "core/lab/session.h"
#include "core/mesh/topology.h"
#include "core/shell/interpreter.h"
#include "core/shell/virtual_fs.h"
#include "core/shell/world.h"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace meshcraft::core::lab::detail {

/// What the runtime needs from its session. emit() and wake() may be called from any thread.
class RuntimeHost
{
public:
    virtual ~RuntimeHost() = default;
    virtual void emit(EventPayload payload) = 0;
    virtual void wake() = 0;
    virtual int currentStep() const = 0;
    /// The session thread's reaction to a finished command line (auto-check, save).
    virtual void onCommandFinished() = 0;
    virtual void onWorkspaceChanged() = 0;
    virtual void onTopologyDirty() = 0;
};

struct RuntimeOptions
{
    bool fixedClock = false;
    std::optional<std::chrono::milliseconds> drainDuration;
    std::optional<std::chrono::milliseconds> cartInterval;
};

/// The fixed time of headless runs: 2019-10-02 09:00:00 UTC, the workshop's week.
std::chrono::system_clock::time_point fixedTime();

class Runtime final : public shell::WorldObserver,
                      public shell::InterpreterObserver,
                      public shell::VirtualFsObserver,
                      public CheckWorld
{
public:
    static common::Result<std::unique_ptr<Runtime>>
    create(std::shared_ptr<const Definition> definition, const RuntimeOptions &options,
           RuntimeHost &host);
    ~Runtime() override;

    shell::World &world() { return *m_world; }
    shell::Interpreter &terminal() { return *m_terminal; }
    shell::VirtualFs &fs() { return m_fs; }
    const shell::FsSnapshot &originals() const { return m_originals; }

    const std::vector<ProbeRecord> &probes() const { return m_probes; }
    const std::vector<CommandRecord> &commands() const { return m_commands; }

    /// Counters the solution scripts wait on.
    std::uint64_t promptsAwaited() const { return m_promptsAwaited; }
    std::uint64_t outputCount() const { return m_outputCount; }
    std::chrono::steady_clock::time_point lastOutput() const { return m_lastOutput; }
    const std::string &prompt() const { return m_prompt; }
    bool attached() const { return m_attached; }

    /// Types a line as the terminal would, echoing it into the stream first.
    void submit(const std::string &line);

    /// The lab's virtual path of a workspace file given as typed by the editor.
    std::string absolutePath(const std::string &path) const;

    /// World::dumpState() plus the workspace files that differ from the lab's originals.
    std::string dumpState();
    std::shared_ptr<const TopologySnapshot> buildTopology();
    std::vector<ProxySummary> buildProxies();

    // Interface: CheckWorld
    const config::Store &store() const override;
    bool serviceEnabled(const std::string &service) const override;
    std::optional<std::string> instanceState(const std::string &name) const override;
    std::optional<CartWindow> cartWindow(const std::string &target) const override;
    std::optional<ProbeRecord> runProbe(const ProbeCondition &condition) override;

    // Interface: WorldObserver
    void onStoreChanged(const config::StoreChange &change) override;
    void onConfigPushed(const xds::SnapshotSet &snapshots) override;
    void onConnectionEvents(const std::vector<relay::ConnectionEvent> &events) override;
    void onCartStats(const std::string &pod, const workload::CartStats &stats) override;
    void onInstanceChanged(cloud::InstanceChange change, const cloud::Instance &instance) override;

    // Interface: InterpreterObserver
    void onOutput(shell::OutputStream stream, std::string_view text) override;
    void onAction(const shell::ShellAction &action) override;
    void onLineStarted(std::string_view context, std::string_view line) override;
    void onLineFinished(std::string_view context, std::string_view line, int exitStatus) override;
    void onAwaitingInput(InputState state, std::string_view prompt) override;

    // Interface: VirtualFsObserver
    void onFsChanged(const shell::FsChange &change) override;

private:
    Runtime(std::shared_ptr<const Definition> definition, RuntimeHost &host);

    struct PendingProbe
    {
        std::string context;
        std::string line;
        std::string tool;
        std::string pod;
        std::string nameSpace;
        std::string proxyId; ///< empty without a sidecar
        std::uint64_t lastTraceBefore = 0;
        std::string destination; ///< from the arguments, when there is no trace
        int step = 0;
    };
    struct CartSample
    {
        std::chrono::steady_clock::time_point at;
        std::uint64_t successes = 0;
        std::uint64_t failures = 0;
        std::string target;
    };

    std::optional<PendingProbe> probeOf(const std::string &context, const std::string &line);
    const mesh::PodView *findPod(const std::string &name, const std::string &nameSpace) const;
    std::uint64_t latestTrace(const std::string &proxyId) const;
    std::optional<CartWindow> windowOf(const std::deque<CartSample> &samples,
                                       const std::string &target) const;

    std::shared_ptr<const Definition> m_definition;
    RuntimeHost &m_host;
    std::unique_ptr<shell::World> m_world;
    shell::VirtualFs m_fs;
    std::unique_ptr<shell::Interpreter> m_terminal;
    shell::FsSnapshot m_originals;

    std::vector<ProbeRecord> m_probes;
    std::vector<CommandRecord> m_commands;
    std::vector<PendingProbe> m_pendingProbes;
    std::uint64_t m_sequence = 0;

    std::uint64_t m_promptsAwaited = 0;
    std::uint64_t m_outputCount = 0;
    std::chrono::steady_clock::time_point m_lastOutput;
    std::string m_prompt;
    bool m_attached = false;

    mutable std::mutex m_cartMutex;
    std::map<std::string, std::deque<CartSample>> m_cart;
};

} // namespace meshcraft::core::lab::detail
