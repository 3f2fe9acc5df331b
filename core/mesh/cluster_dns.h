// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/mesh/ip_allocator.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::mesh {

class Topology;

/// kube-dns as a pod sees it (D8). A Service's `name.ns.svc.cluster.local` resolves to its
/// ClusterIP. Shorter names go through the pod's search path (`<ns>.svc.cluster.local`,
/// `svc.cluster.local`, `cluster.local`, with ndots 5), so `redis-cart` works within the pod's
/// namespace and `istio-egressgateway.istio-system` from anywhere. Nothing outside the cluster
/// resolves: there is no upstream DNS, so `redis.domain` does not (1.3 had no DNS proxy either).
/// A dotted-quad literal resolves to itself, as the resolver library does.
///
/// Threading: lookups run on any thread (the relay's, probes', the cart's), so they read an
/// immutable record table, never the topology. refresh() rebuilds the table from the topology
/// and must be called on the store's thread after each change set (the constructor does it once).
class ClusterDns
{
public:
    explicit ClusterDns(const Topology &topology);

    /// Republishes the records from the topology's current Services. Store thread only.
    void refresh();

    /// kube-dns's ClusterIP, the pod's nameserver.
    static Ipv4 serverAddress();

    /// Resolves `name` for a pod in `podNamespace`; nullopt when it does not resolve
    /// (busybox prints `telnet: bad address 'redis.domain'`).
    std::optional<Ipv4> resolve(std::string_view name, std::string_view podNamespace) const;
    /// The names tried, in order (for traces and messages).
    static std::vector<std::string> candidates(std::string_view name,
                                               std::string_view podNamespace);
    /// The same lookup as a function, for the relay's resolver hook (xds::Resolver has this
    /// signature). It refers to this ClusterDns, which must outlive it.
    std::function<std::optional<Ipv4>(std::string_view)> resolver(std::string podNamespace) const;

private:
    using Records = std::map<std::string, Ipv4, std::less<>>; // FQDN -> address
    std::shared_ptr<const Records> records() const;
    std::optional<Ipv4> lookupFqdn(std::string_view fqdn) const;

    const Topology &m_topology;
    mutable std::mutex m_mutex; // guards the pointer only; the table itself is immutable
    std::shared_ptr<const Records> m_records;
};

} // namespace meshcraft::core::mesh
