// SPDX-License-Identifier: GPL-3.0-or-later
// What the terminal's tools share over one World (internal to core/shell/tools).
#pragma once

#include "core/config/store.h"
#include "core/shell/virtual_fs.h"
#include "core/shell/world.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace meshcraft::core::probe {
struct ProbeResult;
}

namespace meshcraft::core::shell::tools {

/// Called on the interpreter's thread when a probe (telnet, nc, redis-cli) run in a pod ends.
using ProbeFinishedHandler = std::function<void(
    const std::string &nameSpace, const std::string &pod, const probe::ProbeResult &result)>;

/// The tools' own bookkeeping over the World: when each object was created (the store keeps
/// revisions, kubectl shows ages), each pod's filesystem (files survive between execs), and
/// worker threads for slow cloud operations.
class ToolState
{
public:
    explicit ToolState(World &world);
    ~ToolState();
    ToolState(const ToolState &) = delete;
    ToolState &operator=(const ToolState &) = delete;

    World &world() { return m_world; }

    /// Notes objects that appeared since the last call (stamped now) and forgets deleted ones.
    void syncCreationTimes();
    std::chrono::system_clock::time_point createdAt(const config::ObjectKey &key);

    /// A pod's filesystem: `/`, `/root`, `/tmp`, `/etc/hostname`; kept while the pod exists.
    VirtualFs &podFs(const std::string &nameSpace, const std::string &pod);

    /// When the Istio release was last deployed (helm ls, LAST DEPLOYED).
    std::chrono::system_clock::time_point helmDeployedAt() const { return m_helmDeployedAt; }
    void setHelmDeployedAt(std::chrono::system_clock::time_point time) { m_helmDeployedAt = time; }

    /// Runs `task` on a worker thread; the destructor joins them all.
    void runInBackground(std::function<void()> task);

    ProbeFinishedHandler onProbeFinished;

private:
    World &m_world;
    std::map<config::ObjectKey, std::chrono::system_clock::time_point> m_created;
    std::map<std::string, std::unique_ptr<VirtualFs>> m_podFs;
    std::chrono::system_clock::time_point m_helmDeployedAt;
    std::mutex m_workersMutex;
    std::vector<std::thread> m_workers;
};

} // namespace meshcraft::core::shell::tools
