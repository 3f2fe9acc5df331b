// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"
#include "core/config/yaml_node.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshcraft::core::config {
class Store;
class Validator;
class HelmRelease;
class HelmChart;
struct StoreChange;
} // namespace meshcraft::core::config
namespace meshcraft::core::mesh {
class Topology;
class ClusterDns;
} // namespace meshcraft::core::mesh
namespace meshcraft::core::net {
class AddressMap;
}
namespace meshcraft::core::xds {
class ControlPlane;
struct SnapshotSet;
} // namespace meshcraft::core::xds
namespace meshcraft::core::relay {
class Engine;
struct ConnectionEvent;
} // namespace meshcraft::core::relay
namespace meshcraft::core::cloud {
class Memorystore;
struct Instance;
enum class InstanceChange;
} // namespace meshcraft::core::cloud
namespace meshcraft::core::probe {
class ProbeRunner;
class TraceCollector;
struct PodContext;
} // namespace meshcraft::core::probe
namespace meshcraft::core::workload {
struct CartStats;
}

namespace meshcraft::core::shell {

/// What a lab's world section describes: the state the simulation starts from.
struct WorldSpec
{
    struct Cluster
    {
        std::string name = "istio-workshop";
        std::string zone = "europe-west1-b";
    } cluster;

    struct Cloud
    {
        std::string project = "meshcraft-lab";
        std::string projectNumber = "318472609151";
        std::string account = "learner@example.com";
        std::string region = "europe-west1";
        std::string zone = "europe-west1-b";
        std::string network = "default";
        /// Instance name -> the /29 Memorystore reserves for it, so the lab's addresses are
        /// the same on every machine (10.59.118.56/29 gives host 10.59.118.59).
        std::map<std::string, std::string> reservedIpRanges;
    } cloud;

    struct ValuesFile
    {
        std::string name; ///< as a `-f` argument, for messages
        std::string text;
    };
    struct Istio
    {
        std::string release = "istio";
        /// What `helm install` was given: values files merged in order, then `--set`s.
        std::vector<ValuesFile> valuesFiles;
        std::vector<std::string> set;
    } istio;

    struct Objects
    {
        std::string name; ///< file name for messages ("world/online-boutique.yaml")
        std::string text;
        bool inject = false; ///< run through istioctl kube-inject first
    };
    /// Applied in order after the Istio release is installed.
    std::vector<Objects> objects;
    /// istioctl kube-inject, for objects marked `inject` (the tools module's kubeInject): the
    /// YAML, its name for messages, and the release's computed values.
    std::function<common::Result<std::string>(std::string_view yaml, const std::string &name,
                                              const config::Node &values)>
        injector;

    /// Exported in the learner's host shell.
    std::map<std::string, std::string> env;

    /// Time stamped on logs, operations and access-log lines. System time when empty; tests
    /// and `lab run --dump-state` use a fixed clock so every output is deterministic.
    std::function<std::chrono::system_clock::time_point()> clock;

    /// Overrides of the mesh's timeouts, for tests (the mesh config's values otherwise).
    std::optional<std::chrono::milliseconds> connectTimeout;
    std::optional<std::chrono::milliseconds> drainDuration;
    /// How often the cart service works (its default when unset).
    std::optional<std::chrono::milliseconds> cartInterval;
};

/// Notifications from the running world. Each method is called on the thread where the thing
/// happened (named below); implementations copy what they need and return quickly.
class WorldObserver
{
public:
    virtual ~WorldObserver() = default;
    /// Session thread: a committed store change set (after the topology settled).
    virtual void onStoreChanged(const config::StoreChange &change) { (void)change; }
    /// Session thread: the control plane pushed new snapshots.
    virtual void onConfigPushed(const xds::SnapshotSet &snapshots) { (void)snapshots; }
    /// Relay thread: a batch of connection events (one loop tick).
    virtual void onConnectionEvents(const std::vector<relay::ConnectionEvent> &events)
    {
        (void)events;
    }
    /// A cart service's worker thread: its stats; `pod` is the cartservice pod's name.
    virtual void onCartStats(const std::string &pod, const workload::CartStats &stats)
    {
        (void)pod;
        (void)stats;
    }
    /// The thread that changed the cloud: a Memorystore instance was created, became ready or
    /// was deleted.
    virtual void onInstanceChanged(cloud::InstanceChange change, const cloud::Instance &instance)
    {
        (void)change;
        (void)instance;
    }
};

/// The running simulation the terminal's tools act on: the cluster (the store, the Istio Helm
/// release, the topology and its controllers), the control plane, the relay data plane, the
/// cloud project with its Memorystore instances (real redis-servers), the probes and the
/// workloads (the cart service, one real Redis client per cartservice pod).
///
/// It wires them as a cluster would be wired: store changes settle the topology, then the
/// control plane compiles and the relay swaps snapshots; a ready Memorystore instance's address
/// is mapped to its redis-server, and so is each in-cluster Redis pod; the relay's events feed
/// the trace collector; a cartservice pod's REDIS_ADDR drives its cart workload.
///
/// Threading: the World is owned by one thread, the session's. Every method is called there.
/// The relay, probes, redis-servers and cart workloads run on their own threads; what they
/// report reaches observers on those threads (see WorldObserver).
class World
{
public:
    /// Builds the world: installs the Istio release with the spec's values, applies the
    /// objects, starts the relay with a proxy per injected pod and the egress gateway, and the
    /// in-cluster Redis servers. Errors (a missing redis-server binary, bad world YAML) are
    /// returned, never thrown.
    static common::Result<std::unique_ptr<World>> create(WorldSpec spec);
    ~World();
    World(const World &) = delete;
    World &operator=(const World &) = delete;

    const WorldSpec &spec() const;

    config::Store &store();
    const config::Validator &validator() const;
    config::HelmRelease &helm();
    mesh::Topology &topology();
    const mesh::ClusterDns &dns() const;
    xds::ControlPlane &controlPlane();
    relay::Engine &relay();
    std::shared_ptr<net::AddressMap> addressMap();
    cloud::Memorystore &memorystore();
    probe::ProbeRunner &probes();
    std::shared_ptr<probe::TraceCollector> traces();

    /// The context a probe needs to run as this pod (its IP, sidecar, DNS); nullopt when the
    /// pod does not exist or has no IP yet.
    std::optional<probe::PodContext> podContext(const std::string &nameSpace,
                                                const std::string &pod) const;

    /// The latest stats of each running cart workload, by cartservice pod name.
    std::map<std::string, workload::CartStats> cartStats() const;

    /// The time, from the spec's clock.
    std::chrono::system_clock::time_point now() const;

    /// Observers are not owned; remove before destroying them.
    void addObserver(WorldObserver *observer);
    void removeObserver(WorldObserver *observer);

    /// The canonical state (`lab run --dump-state`): the store's objects as sorted YAML, the
    /// mesh config, every proxy's snapshot as proxy-config tables, the cloud instances, and
    /// each Redis keyspace's keys. No event history, no host ports, no wall-clock times.
    std::string dumpState() const;

private:
    World();
    class Impl;
    std::unique_ptr<Impl> d;
};

} // namespace meshcraft::core::shell
