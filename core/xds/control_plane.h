// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/store.h"
#include "core/mesh/topology.h"
#include "core/xds/compiler.h"
#include "core/xds/control_plane_log.h"
#include "core/xds/snapshot.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::xds {

/// Every proxy's configuration after one push.
struct SnapshotSet
{
    std::uint64_t version = 0;      ///< the push number; each snapshot carries it too
    std::int64_t storeRevision = 0; ///< the store revision it was compiled from
    /// By proxy id. A proxy missing from the set has gone (its pod was deleted or rolled).
    std::vector<std::shared_ptr<const ProxySnapshot>> snapshots;

    std::shared_ptr<const ProxySnapshot> find(std::string_view proxyId) const;
};

/// Where the control plane delivers configuration: the relay engine. Called on the store's
/// thread after each push; the snapshots are immutable and may be handed to other threads.
/// The sink must not write to the store from this call.
class SnapshotSink
{
public:
    virtual ~SnapshotSink() = default;
    virtual void onSnapshots(const SnapshotSet &snapshots) = 0;
};

/// Which Pilot's wording the log uses (tool-outputs.md 6.1, istio-behaviour.md 3.2).
enum class LogDialect {
    Istio13, ///< the workshop's istio-pilot 1.3: `Push debounce stable[N] K: ...`,
             ///< `gateway omitting listener ...`, `buildGatewayListeners: Have zero listeners`
    Current, ///< today's istiod: `... for config Kind/ns/name: ...`, `listener missed network
             ///< filter`
};

struct ControlPlaneOptions
{
    LogDialect dialect = LogDialect::Istio13;
    ControlPlaneLog::Clock clock; ///< for the log's timestamps; the system clock when empty
};

/// istiod: watches the store and, after each change set, recompiles every proxy's snapshot and
/// pushes the whole set to the sink, writing Pilot's log lines as it goes.
///
/// Construct it after the Topology it reads (the Topology registers with the store first, so
/// its controllers have settled a change before the control plane sees it). A change set that
/// arrives while the topology's controllers are still writing is folded into the push that
/// follows. Store thread only.
class ControlPlane : public config::StoreObserver
{
public:
    ControlPlane(config::Store &store, const mesh::Topology &topology, SnapshotSink *sink = nullptr,
                 ControlPlaneOptions options = {});
    ~ControlPlane() override;
    ControlPlane(const ControlPlane &) = delete;
    ControlPlane &operator=(const ControlPlane &) = delete;

    void onStoreChanged(const config::StoreChange &change) override;

    /// Compiles and publishes now, whether or not anything changed.
    void push();
    /// Replaces the sink (null: none) and hands it the current set at once.
    void setSink(SnapshotSink *sink);

    const SnapshotSet &current() const { return m_current; }
    std::shared_ptr<const ProxySnapshot> snapshot(std::string_view proxyId) const;
    /// The last compile's extra findings (the gateway's omitted listeners).
    const CompileResult &lastResult() const { return m_result; }
    std::uint64_t pushCount() const { return m_pushes; }
    /// How long the last compile and publish took (measured, not the log's clock).
    std::chrono::nanoseconds lastPushDuration() const { return m_lastDuration; }

    ControlPlaneLog &log() { return m_log; }
    const ControlPlaneLog &log() const { return m_log; }

private:
    void writePushLines();
    void writeGatewayLines();

    config::Store &m_store;
    const mesh::Topology &m_topology;
    Compiler m_compiler;
    SnapshotSink *m_sink;
    ControlPlaneOptions m_options;
    ControlPlaneLog m_log;

    SnapshotSet m_current;
    CompileResult m_result;
    std::uint64_t m_pushes = 0;
    std::int64_t m_compiledRevision = -1;
    std::size_t m_pendingChanges = 0;
    std::string m_firstPendingConfig; ///< "ServiceEntry/default/redis-serviceentry"
    std::chrono::system_clock::time_point m_lastPush;
    std::chrono::nanoseconds m_lastDuration{0};
};

} // namespace meshcraft::core::xds
