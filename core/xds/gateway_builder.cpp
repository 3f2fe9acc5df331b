// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/gateway_builder.h"

#include "core/common/text.h"
#include "core/xds/cluster_builder.h"
#include "core/xds/route_builder.h"

#include <algorithm>
#include <map>

namespace meshcraft::core::xds {

namespace {

bool opaqueTcp(const config::GatewayServer &server)
{
    const std::string protocol = common::toUpper(server.port.protocol);
    return protocol == "TCP" || protocol == "MONGO" || protocol == "REDIS" || protocol == "MYSQL" ||
           (protocol == "TLS" && !server.hasTls);
}

/// The host parts of the server's "ns/host" or "host" entries.
std::vector<std::string> serverHosts(const config::GatewayServer &server)
{
    std::vector<std::string> out;
    for (const config::MarkedString &host : server.hosts) {
        const auto slash = host.value.find('/');
        out.push_back(slash == std::string::npos ? host.value : host.value.substr(slash + 1));
    }
    return out;
}

} // namespace

bool gatewaySelects(const config::Gateway &gateway, const mesh::PodView &pod)
{
    return gateway.selector.empty() ? pod.isGateway : labelsMatch(gateway.selector, pod.labels);
}

GatewayBuilder::GatewayBuilder(const PushContext &context, const ProxyScope &scope)
    : m_context(context), m_scope(scope)
{
}

GatewayListeners GatewayBuilder::build() const
{
    const RouteBuilder routes(m_context);
    GatewayListeners out;
    // Servers merge by port, in Gateway order.
    std::map<std::uint16_t, Listener> byPort;
    std::vector<std::uint16_t> order;
    std::map<std::uint16_t, std::string> firstGateway;

    for (const GatewayEntry &entry : m_context.gateways()) {
        if (!gatewaySelects(entry.spec, *m_scope.pod)) {
            continue;
        }
        const auto &metadata = entry.object->resource.metadata;
        const std::string key = metadata.nameSpace + '/' + metadata.name;
        for (const config::GatewayServer &server : entry.spec.servers) {
            if (!opaqueTcp(server) || server.port.number <= 0 || server.port.number > 65535) {
                continue;
            }
            const auto port = static_cast<std::uint16_t>(server.port.number);
            if (byPort.count(port) == 0) {
                Listener listener;
                listener.name = "0.0.0.0_" + std::to_string(port);
                listener.address = {0, port};
                listener.direction = TrafficDirection::Outbound;
                listener.provenance = provenanceOf(*entry.object, server.port.mark,
                                                   "server port " + std::to_string(port) + " " +
                                                       server.port.protocol);
                byPort[port] = std::move(listener);
                order.push_back(port);
                firstGateway[port] = key;
            }
            Listener &listener = byPort[port];
            TcpRouteTarget target;
            target.gateway = key;
            target.port = port;
            target.proxy = m_scope.pod;
            for (const VirtualServiceEntry *vs :
                 routes.boundVirtualServices(serverHosts(server), target)) {
                bool defaultAdded = false;
                for (FilterChain &chain : routes.tcpChains(*vs, target, defaultAdded)) {
                    const bool clash = std::any_of(
                        listener.filterChains.begin(), listener.filterChains.end(),
                        [&](const FilterChain &existing) { return existing.match == chain.match; });
                    if (!clash) {
                        listener.filterChains.push_back(std::move(chain));
                    }
                }
            }
        }
    }
    for (const std::uint16_t port : order) {
        Listener &listener = byPort[port];
        if (listener.filterChains.empty()) {
            out.omitted.push_back({firstGateway[port], port, listener.name,
                                   "must have more than 0 chains in listener"});
            continue;
        }
        out.listeners.push_back(std::move(listener));
    }
    return out;
}

} // namespace meshcraft::core::xds
