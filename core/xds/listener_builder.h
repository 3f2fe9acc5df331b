// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/push_context.h"
#include "core/xds/snapshot.h"

#include <vector>

namespace meshcraft::core::xds {

inline constexpr std::uint16_t VirtualOutboundPort = 15001;
inline constexpr std::uint16_t VirtualInboundPort = 15006;

/// A sidecar's listeners, as istiod builds them (istio-behaviour.md 2.1, 3.1):
/// - `IP_port` for each service port with an IP address (a ServiceEntry address, a ClusterIP),
///   reached through virtualOutbound's original-destination hand-off;
/// - `0.0.0.0_port` for CIDR addresses (a chain per prefix) and for ServiceEntries without
///   addresses (a chain matching everything on the port);
/// - each with the chains of the VirtualService `tcp` routes bound to `mesh`, then a default
///   chain to the service's own cluster unless a route already ended the list;
/// - `virtualOutbound` (15001): the loop-prevention chain and the catch-all chain, to
///   PassthroughCluster under ALLOW_ANY and BlackHoleCluster under REGISTRY_ONLY;
/// - `virtualInbound` (15006): a chain per port the pod serves for a Service, to
///   `inbound|port||`, and a catch-all to InboundPassthroughClusterIpv4.
/// When two services claim the same listener and match, the first in registry order wins.
class ListenerBuilder
{
public:
    ListenerBuilder(const PushContext &context, const ProxyScope &scope);

    std::vector<Listener> build() const;
    /// The per-service listeners only. They depend on the namespace, the Sidecar resource and
    /// (with sourceLabels routes) the pod's labels, so pods alike can share them.
    std::vector<Listener> outboundListeners() const;
    Listener virtualOutbound() const;
    Listener virtualInbound() const;
    /// The inbound clusters the virtualInbound chains use (STATIC, the pod's own endpoint).
    std::vector<Cluster> inboundClusters() const;

private:
    const PushContext &m_context;
    const ProxyScope &m_scope;
};

} // namespace meshcraft::core::xds
