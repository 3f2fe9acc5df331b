// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/push_context.h"
#include "core/xds/snapshot.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace meshcraft::core::xds {

/// Where a TCP route is being built: a sidecar's listener for a service port (bound to `mesh`),
/// or a gateway server's port (bound to that gateway, "namespace/name").
struct TcpRouteTarget
{
    std::string gateway = "mesh";
    std::uint16_t port = 0;
    const mesh::PodView *proxy = nullptr;
};

/// The filter chains VirtualService `tcp` routes give a listener, in istiod's order: each
/// applicable match with `destinationSubnets` becomes a chain matching those prefixes; the first
/// one without them is the default chain and ends the list. An unmatched route counts as a
/// match on everything. `defaultAdded` tells whether a default chain was produced.
class RouteBuilder
{
public:
    explicit RouteBuilder(const PushContext &context);

    /// The VirtualServices bound to `target.gateway` whose hosts match one of `hosts`, visible
    /// from `proxyNamespace`.
    std::vector<const VirtualServiceEntry *>
    boundVirtualServices(std::span<const std::string> hosts, const TcpRouteTarget &target) const;

    std::vector<FilterChain> tcpChains(const VirtualServiceEntry &entry,
                                       const TcpRouteTarget &target, bool &defaultAdded) const;

    /// A tcp_proxy to one cluster (stat_prefix is the cluster name, as istiod sets it).
    static TcpProxy singleCluster(const std::string &cluster);

private:
    TcpProxy destination(const VirtualServiceEntry &entry, const config::TcpRoute &route,
                         const TcpRouteTarget &target) const;

    const PushContext &m_context;
};

} // namespace meshcraft::core::xds
