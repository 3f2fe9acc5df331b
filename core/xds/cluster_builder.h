// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/push_context.h"
#include "core/xds/snapshot.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::xds {

inline constexpr std::string_view PassthroughCluster = "PassthroughCluster";
inline constexpr std::string_view BlackHoleCluster = "BlackHoleCluster";
inline constexpr std::string_view InboundPassthroughCluster = "InboundPassthroughClusterIpv4";

/// Istio's subset key, "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local".
std::string subsetKey(std::string_view direction, std::uint16_t port, std::string_view subset,
                      std::string_view host);

/// The outbound clusters of one proxy, as istiod's cluster builder makes them: one per visible
/// service port, one more per DestinationRule subset, then PassthroughCluster and
/// BlackHoleCluster (sidecars) or BlackHoleCluster (gateways).
///
/// Resolution, per istio-behaviour.md 3.1: Passthrough is ORIGINAL_DST on a sidecar and EDS on
/// a gateway ("Gateways cannot use passthrough clusters"), with the entry's endpoints if any;
/// ClientSideLb is EDS (the selected pods' IP:targetPort, or the entry's endpoints); DnsLb is
/// STRICT_DNS and DnsRoundRobinLb LOGICAL_DNS, resolved here through the cluster DNS from the
/// proxy's namespace, as Envoy's periodic resolution would (a name that does not resolve gives
/// no endpoint, hence UH). Resolved endpoints carry the address; `hostname` stays empty.
class ClusterBuilder
{
public:
    ClusterBuilder(const PushContext &context, const ProxyScope &scope);

    std::vector<Cluster> build() const;

    /// The endpoints a (subset of a) service port has for this proxy.
    std::vector<Endpoint> endpointsOf(const RegistryService &service, const RegistryPort &port,
                                      const std::map<std::string, std::string> &labels) const;

private:
    Cluster serviceCluster(const RegistryService &service, const RegistryPort &port,
                           const config::Subset *subset, const DestinationRuleEntry *rule) const;

    const PushContext &m_context;
    const ProxyScope &m_scope;
};

/// A label subset match: every subset label present with the same value (none: all).
bool labelsMatch(const std::map<std::string, std::string> &subset,
                 const std::map<std::string, std::string> &labels);

} // namespace meshcraft::core::xds
