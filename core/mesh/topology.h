// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/k8s_types.h"
#include "core/config/store.h"
#include "core/mesh/deployment_controller.h"
#include "core/mesh/ip_allocator.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::mesh {

/// The cluster's DNS domain.
inline constexpr std::string_view ClusterDomain = "cluster.local";

/// A pod as the mesh sees it.
struct PodView
{
    std::string name;
    std::string nameSpace;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    Ipv4 ip = 0; ///< status.podIP; 0 until assigned
    /// An `istio-proxy` container in the spec (kube-inject's sidecar), gateways excluded.
    bool hasSidecar = false;
    /// The pod runs istio-proxy as a standalone router: the egress gateway.
    bool isGateway = false;
    std::string image;               ///< the application container's image (the first one)
    std::vector<config::EnvVar> env; ///< the application container's env
    std::vector<config::Container> containers;
    std::string deployment; ///< the owning Deployment, "" for a bare pod
    std::string file;       ///< where it was applied (its Deployment's file)

    /// Istio's proxy id, "busybox.default".
    std::string proxyId() const { return name + '.' + nameSpace; }
    bool isProxy() const { return hasSidecar || isGateway; }
    /// The port a named container port has; 0 when none.
    int containerPort(std::string_view portName) const;
};

/// A Kubernetes Service.
struct ServiceView
{
    std::string name;
    std::string nameSpace;
    std::string type = "ClusterIP";
    Ipv4 clusterIP = 0; ///< spec.clusterIP; 0 until allocated, and for headless Services
    bool headless = false;
    std::map<std::string, std::string> selector;
    std::vector<config::ServicePortSpec> ports;
    std::string file;
    int line = 0; ///< the document's first line

    /// "redis-cart.default.svc.cluster.local"
    std::string fqdn() const;
};

/// One endpoint of a Service port: a selected pod and the port it serves on.
struct ServiceEndpoint
{
    const PodView *pod = nullptr;
    std::uint16_t port = 0;
};

/// What owns a virtual address.
struct AddressOwner
{
    enum class Kind { None, Pod, Service };
    Kind kind = Kind::None;
    const PodView *pod = nullptr;
    const ServiceView *service = nullptr;
};

/// The simulated cluster as a view over the store: pods with their addresses and sidecars,
/// Services with their ClusterIPs and endpoints, and the egress gateway.
///
/// It is also the cluster's controllers. Registered as a store observer at construction, on
/// each change set it runs the DeploymentController and allocates addresses the way Kubernetes
/// does, writing them into the objects (a Pod's `status.podIP`, a Service's `spec.clusterIP`).
/// Allocation is deterministic: new objects are addressed in store order (namespace, then name)
/// within a change set, from 10.8.0.0/14 and 10.11.240.0/20.
///
/// Create the Topology before any observer that reads it (the control plane): observers are
/// told in registration order, so they then see the settled state.
///
/// The views are rebuilt lazily when the store's revision moves. Pointers and references
/// returned by the queries stay valid until the store next changes. Store thread only.
class Topology : public config::StoreObserver
{
public:
    explicit Topology(config::Store &store);
    ~Topology() override;
    Topology(const Topology &) = delete;
    Topology &operator=(const Topology &) = delete;

    void onStoreChanged(const config::StoreChange &change) override;
    /// Runs the controllers now (the constructor does it once).
    void reconcile();
    /// True while the controllers are writing; observers told meanwhile see a state in flux.
    bool isReconciling() const { return m_reconciling; }

    const config::Store &store() const { return m_store; }
    std::int64_t revision() const { return m_store.revision(); }

    const std::vector<PodView> &pods() const;
    const std::vector<ServiceView> &services() const;
    const PodView *pod(std::string_view nameSpace, std::string_view name) const;
    const ServiceView *service(std::string_view nameSpace, std::string_view name) const;
    /// The Service with this FQDN ("redis-cart.default.svc.cluster.local").
    const ServiceView *serviceByHost(std::string_view fqdn) const;
    const PodView *podByIp(Ipv4 ip) const;
    const ServiceView *serviceByClusterIp(Ipv4 ip) const;
    AddressOwner lookup(Ipv4 ip) const;

    /// The pods a Service selects: same namespace, labels matching, an IP assigned.
    std::vector<const PodView *> selectedPods(const ServiceView &service) const;
    /// The endpoints of one Service port: the selected pods with the target port resolved
    /// (a named targetPort through the pod's container ports).
    std::vector<ServiceEndpoint> endpoints(const ServiceView &service,
                                           const config::ServicePortSpec &port) const;
    /// The Services that select a pod.
    std::vector<const ServiceView *> servicesOf(const PodView &pod) const;
    /// The egress gateway's pod (label `istio: egressgateway`); null when none runs.
    const PodView *egressGateway() const;
    /// Every pod with a proxy and an IP (sidecars and gateways), in store order.
    std::vector<const PodView *> proxies() const;
    /// The pods a Deployment owns.
    std::vector<const PodView *> podsOf(std::string_view nameSpace,
                                        std::string_view deployment) const;

private:
    void refresh() const;
    bool assignAddresses();

    config::Store &m_store;
    IpAllocator m_podIps = IpAllocator::podRange();
    IpAllocator m_serviceIps = IpAllocator::serviceRange();
    DeploymentController m_deployments;
    bool m_reconciling = false;
    bool m_dirty = false;

    mutable std::int64_t m_viewRevision = -1;
    mutable std::vector<PodView> m_pods;
    mutable std::vector<ServiceView> m_services;
};

/// Whether every key of `selector` is in `labels` with the same value. An empty selector
/// matches nothing (a Service without a selector has no automatic endpoints).
bool selectorMatches(const std::map<std::string, std::string> &selector,
                     const std::map<std::string, std::string> &labels);

} // namespace meshcraft::core::mesh
