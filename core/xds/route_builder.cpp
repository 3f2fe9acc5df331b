// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/route_builder.h"

#include "core/common/text.h"
#include "core/xds/cluster_builder.h"

#include <algorithm>

namespace meshcraft::core::xds {

namespace {

std::vector<std::string> gatewayKeys(const std::vector<config::MarkedString> &references,
                                     const std::string &nameSpace)
{
    std::vector<std::string> out;
    for (const config::MarkedString &reference : references) {
        out.push_back(gatewayKey(reference.value, nameSpace));
    }
    return out;
}

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string gatewaysNote(const std::vector<std::string> &gateways)
{
    return "tcp route gateways: [" + common::join(gateways, ", ") + "]";
}

} // namespace

RouteBuilder::RouteBuilder(const PushContext &context) : m_context(context) {}

TcpProxy RouteBuilder::singleCluster(const std::string &cluster)
{
    TcpProxy proxy;
    proxy.statPrefix = cluster;
    proxy.cluster = cluster;
    return proxy;
}

std::vector<const VirtualServiceEntry *>
RouteBuilder::boundVirtualServices(std::span<const std::string> hosts,
                                   const TcpRouteTarget &target) const
{
    std::vector<const VirtualServiceEntry *> out;
    const std::string &proxyNs = target.proxy->nameSpace;
    for (const VirtualServiceEntry &entry : m_context.virtualServices()) {
        const std::string &ns = entry.object->resource.metadata.nameSpace;
        if (entry.spec.tcp.empty() || !m_context.visible(entry.spec.exportTo, ns, proxyNs)) {
            continue;
        }
        const bool hostMatch =
            std::any_of(entry.hosts.begin(), entry.hosts.end(), [&](const std::string &vsHost) {
                return std::any_of(hosts.begin(), hosts.end(), [&](const std::string &host) {
                    return hostMatches(vsHost, host) || hostMatches(host, vsHost);
                });
            });
        if (!hostMatch) {
            continue;
        }
        // A match may name gateways of its own; the route is bound where any of them is.
        bool bound = contains(entry.gateways, target.gateway);
        for (const config::TcpRoute &route : entry.spec.tcp) {
            for (const config::L4Match &match : route.match) {
                bound = bound || contains(gatewayKeys(match.gateways, ns), target.gateway);
            }
        }
        if (bound) {
            out.push_back(&entry);
        }
    }
    return out;
}

TcpProxy RouteBuilder::destination(const VirtualServiceEntry &entry, const config::TcpRoute &route,
                                   const TcpRouteTarget &target) const
{
    const std::string &ns = entry.object->resource.metadata.nameSpace;
    std::vector<WeightedCluster> clusters;
    for (const config::RouteDestination &dest : route.route) {
        const std::string host = config::resolveShortHost(dest.host.value, ns);
        std::uint16_t port = static_cast<std::uint16_t>(dest.port);
        if (port == 0) {
            // Unset: the destination's only port, else the port being routed.
            const RegistryService *service = m_context.findService(host);
            port =
                service && service->ports.size() == 1 ? service->ports.front().number : target.port;
        }
        const auto weight = static_cast<std::uint32_t>(std::max(0, dest.weight));
        clusters.push_back({subsetKey("outbound", port, dest.subset, host), weight});
    }
    if (clusters.size() == 1) {
        return singleCluster(clusters.front().name);
    }
    TcpProxy proxy;
    if (!clusters.empty()) {
        proxy.statPrefix = clusters.front().name;
    }
    proxy.weightedClusters = std::move(clusters);
    return proxy;
}

std::vector<FilterChain> RouteBuilder::tcpChains(const VirtualServiceEntry &entry,
                                                 const TcpRouteTarget &target,
                                                 bool &defaultAdded) const
{
    std::vector<FilterChain> out;
    defaultAdded = false;
    const std::string &ns = entry.object->resource.metadata.nameSpace;
    const std::vector<std::string> &vsGateways = entry.gateways;
    for (const config::TcpRoute &route : entry.spec.tcp) {
        std::vector<config::L4Match> matches = route.match;
        if (matches.empty()) {
            matches.emplace_back(); // no match: everything
            matches.back().mark = route.mark;
        }
        for (const config::L4Match &match : matches) {
            const std::vector<std::string> gateways =
                match.gateways.empty() ? vsGateways : gatewayKeys(match.gateways, ns);
            if (!contains(gateways, target.gateway)) {
                continue;
            }
            if (match.port != 0 && match.port != target.port) {
                continue;
            }
            if (target.proxy && !labelsMatch(match.sourceLabels, target.proxy->labels)) {
                continue;
            }
            FilterChain chain;
            chain.tcpProxy = destination(entry, route, target);
            chain.provenance =
                provenanceOf(*entry.object, match.mark.line > 0 ? match.mark : route.mark,
                             gatewaysNote(gateways));
            for (const config::MarkedString &subnet : match.destinationSubnets) {
                if (const auto range = CidrRange::parse(subnet.value)) {
                    chain.match.prefixRanges.push_back(*range);
                }
            }
            if (chain.match.prefixRanges.empty()) {
                out.push_back(std::move(chain));
                defaultAdded = true;
                return out;
            }
            out.push_back(std::move(chain));
        }
    }
    return out;
}

} // namespace meshcraft::core::xds
