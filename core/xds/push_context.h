// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The control plane's view of the cluster for one push, like istiod's PushContext: the service
// registry (Kubernetes Services and ServiceEntries), the Istio resources indexed once, and the
// per-proxy scope (which services a proxy sees, its outbound policy). Built once per compile;
// the builders only read it.

#include "core/config/istio_types.h"
#include "core/config/mesh_config.h"
#include "core/config/store.h"
#include "core/mesh/cluster_dns.h"
#include "core/mesh/topology.h"
#include "core/xds/snapshot.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::xds {

/// Istio's internal resolution of a service (ServiceEntry NONE -> Passthrough, STATIC ->
/// ClientSideLb, DNS -> DnsLb, DNS_ROUND_ROBIN -> DnsRoundRobinLb; Kubernetes -> ClientSideLb).
enum class ServiceResolution { Passthrough, ClientSideLb, DnsLb, DnsRoundRobinLb };

/// The config root namespace: mesh-wide Sidecar and DestinationRule defaults live here.
inline constexpr std::string_view RootNamespace = "istio-system";

struct RegistryPort
{
    std::uint16_t number = 0;
    std::string name;
    std::string protocol;
    Provenance provenance; ///< the port's definition
};

/// An endpoint of a ServiceEntry (Kubernetes endpoints come from the topology).
struct EntryEndpoint
{
    std::string address; ///< an IP, or a host name for DNS resolution
    std::map<std::string, int> ports;
    std::map<std::string, std::string> labels;
};

/// One service of the registry: a Kubernetes Service, or one host x address of a ServiceEntry.
struct RegistryService
{
    std::string hostname;
    std::string nameSpace;
    /// The address; nullopt when it has none (a ServiceEntry without addresses: 0.0.0.0).
    std::optional<CidrRange> address;
    std::vector<RegistryPort> ports;
    ServiceResolution resolution = ServiceResolution::ClientSideLb;
    bool meshExternal = false;
    std::vector<std::string> exportTo; ///< empty: everywhere
    const mesh::ServiceView *kubernetes = nullptr;
    std::vector<EntryEndpoint> entryEndpoints;
    Provenance provenance;        ///< the host (ServiceEntry) or the Service
    Provenance addressProvenance; ///< the address it listens on

    bool hasIpAddress() const { return address && address->length == 32; }
};

template <class T> struct ConfigEntry
{
    T spec;
    const config::StoredObject *object = nullptr;
};

/// A DestinationRule with its host expanded once.
struct DestinationRuleEntry : ConfigEntry<config::DestinationRule>
{
    std::string host;
};

/// A VirtualService with its hosts expanded and gateway references normalised once.
struct VirtualServiceEntry : ConfigEntry<config::VirtualService>
{
    std::vector<std::string> hosts;
    std::vector<std::string> gateways; ///< "mesh" when the resource names none
    bool usesSourceLabels = false;
};

using GatewayEntry = ConfigEntry<config::Gateway>;
using SidecarEntry = ConfigEntry<config::Sidecar>;

/// ServiceEntries converted to registry services, kept between pushes and reused while an
/// entry's resourceVersion is unchanged (istiod keeps its registry the same way), so a push with
/// 1,000 entries does not re-read 1,000 YAML trees.
class RegistryCache
{
public:
    const std::vector<RegistryService> &entryServices(const config::StoredObject &object);
    /// Forgets entries that are no longer in the store.
    void retainOnly(const std::vector<const config::StoredObject *> &present);

private:
    struct Entry
    {
        std::int64_t resourceVersion = -1;
        std::vector<RegistryService> services;
    };
    std::map<config::ObjectKey, Entry> m_entries;
};

/// "ServiceEntry default/redis-serviceentry (file:line): note" for a field of a stored object.
Provenance provenanceOf(const config::StoredObject &object, const config::Mark &mark,
                        std::string note = {});

/// The 1.3 DNS-name match of a resource host against a service host: equal, `*`, or a
/// `*.suffix` wildcard.
bool hostMatches(std::string_view pattern, std::string_view hostname);

/// "mesh" stays "mesh"; a gateway reference becomes "namespace/name" (short names are relative
/// to `nameSpace`, and the old `name.namespace.svc.cluster.local` form is understood).
std::string gatewayKey(std::string_view reference, std::string_view nameSpace);

/// What one proxy sees.
struct ProxyScope
{
    const mesh::PodView *pod = nullptr;
    bool gateway = false;
    config::OutboundTrafficPolicyMode mode = config::OutboundTrafficPolicyMode::AllowAny;
    Provenance modeProvenance;
    const SidecarEntry *sidecar = nullptr;         ///< the Sidecar resource that applies, if any
    std::vector<const RegistryService *> services; ///< visible, in registry order
};

class PushContext
{
public:
    /// `cache` (optional, must outlive this context) keeps converted ServiceEntries.
    PushContext(const config::Store &store, const mesh::Topology &topology,
                RegistryCache *cache = nullptr);

    const config::Store &store() const { return m_store; }
    const mesh::Topology &topology() const { return m_topology; }
    const mesh::ClusterDns &dns() const { return m_dns; }
    const config::MeshConfig &meshConfig() const { return m_mesh; }
    MeshSettings meshSettings() const;

    /// The registry: Kubernetes Services, then ServiceEntry hosts x addresses, in store order.
    const std::vector<const RegistryService *> &services() const { return m_services; }
    /// Whether any VirtualService matches on sourceLabels (then routes depend on the pod).
    bool usesSourceLabels() const { return m_usesSourceLabels; }
    const std::vector<VirtualServiceEntry> &virtualServices() const { return m_virtualServices; }
    const std::vector<GatewayEntry> &gateways() const { return m_gateways; }

    ProxyScope scopeFor(const mesh::PodView &pod) const;
    /// The DestinationRule for a host as seen from `proxyNamespace`: the proxy's namespace
    /// first, then the service's, then the root namespace.
    const DestinationRuleEntry *destinationRule(const RegistryService &service,
                                                std::string_view proxyNamespace) const;
    /// VirtualServices exported to `proxyNamespace`.
    bool visible(const std::vector<config::MarkedString> &exportTo, std::string_view owner,
                 std::string_view proxyNamespace) const;
    /// The first registry service with this host name (and port, when non-zero).
    const RegistryService *findService(std::string_view hostname, std::uint16_t port = 0) const;

private:
    void addKubernetesServices();
    void addServiceEntries(RegistryCache *cache);
    void readMeshConfig();
    void indexRoutingConfig();

    const config::Store &m_store;
    const mesh::Topology &m_topology;
    mesh::ClusterDns m_dns;
    config::MeshConfig m_mesh;
    Provenance m_meshModeProvenance;
    std::vector<RegistryService> m_kubernetes;            ///< owned here
    std::vector<std::vector<RegistryService>> m_uncached; ///< entries when there is no cache
    std::vector<const RegistryService *> m_services;
    bool m_usesSourceLabels = false;
    std::vector<DestinationRuleEntry> m_destinationRules;
    std::vector<VirtualServiceEntry> m_virtualServices;
    std::vector<GatewayEntry> m_gateways;
    std::vector<SidecarEntry> m_sidecars;
};

} // namespace meshcraft::core::xds
