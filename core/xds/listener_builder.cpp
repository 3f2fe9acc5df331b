// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/listener_builder.h"

#include "core/xds/cluster_builder.h"
#include "core/xds/route_builder.h"

#include <algorithm>
#include <map>
#include <set>

namespace meshcraft::core::xds {

namespace {

std::string listenerName(Ipv4 ip, std::uint16_t port)
{
    return (ip == 0 ? std::string("0.0.0.0") : formatIpv4(ip)) + '_' + std::to_string(port);
}

/// One inbound port of the pod, and the Service port that declares it.
struct InboundPort
{
    std::uint16_t port = 0;
    Provenance provenance;
};

std::vector<InboundPort> inboundPorts(const PushContext &context, const mesh::PodView &pod)
{
    std::vector<InboundPort> out;
    std::set<std::uint16_t> seen;
    for (const mesh::ServiceView *service : context.topology().servicesOf(pod)) {
        const config::StoredObject *object =
            context.store().get(config::Kind::Service, service->nameSpace, service->name);
        for (const config::ServicePortSpec &spec : service->ports) {
            for (const mesh::ServiceEndpoint &endpoint :
                 context.topology().endpoints(*service, spec)) {
                if (endpoint.pod != &pod || !seen.insert(endpoint.port).second) {
                    continue;
                }
                InboundPort port;
                port.port = endpoint.port;
                if (object) {
                    port.provenance =
                        provenanceOf(*object, spec.mark,
                                     "Service port " + std::to_string(spec.port) +
                                         " -> targetPort " + std::to_string(endpoint.port));
                }
                out.push_back(std::move(port));
            }
        }
    }
    return out;
}

} // namespace

ListenerBuilder::ListenerBuilder(const PushContext &context, const ProxyScope &scope)
    : m_context(context), m_scope(scope)
{
}

std::vector<Listener> ListenerBuilder::build() const
{
    std::vector<Listener> out = outboundListeners();
    out.push_back(virtualOutbound());
    out.push_back(virtualInbound());
    return out;
}

std::vector<Listener> ListenerBuilder::outboundListeners() const
{
    const RouteBuilder routes(m_context);
    std::vector<Listener> out;
    std::map<std::pair<Ipv4, std::uint16_t>, std::size_t> index;

    for (const RegistryService *service : m_scope.services) {
        if (service->kubernetes && !service->address) {
            // A headless Service: Istio listens on each endpoint's IP. Not modelled; above all
            // it must not become a 0.0.0.0 catch-all on its ports.
            continue;
        }
        for (const RegistryPort &port : service->ports) {
            const Ipv4 ip = service->hasIpAddress() ? service->address->prefix : 0;
            const auto key = std::make_pair(ip, port.number);
            auto found = index.find(key);
            if (found != index.end() && ip != 0) {
                continue; // IP_port already taken by an earlier service
            }

            TcpRouteTarget target;
            target.port = port.number;
            target.proxy = m_scope.pod;
            std::vector<FilterChain> chains;
            bool defaultAdded = false;
            const auto bound = routes.boundVirtualServices({&service->hostname, 1}, target);
            if (!bound.empty()) {
                chains = routes.tcpChains(*bound.front(), target, defaultAdded);
            }
            if (!defaultAdded) {
                FilterChain chain;
                chain.tcpProxy = RouteBuilder::singleCluster(
                    subsetKey("outbound", port.number, "", service->hostname));
                chain.provenance = service->addressProvenance;
                chains.push_back(std::move(chain));
            }
            if (ip == 0 && service->address) {
                // A CIDR: the chains only take destinations inside it.
                for (FilterChain &chain : chains) {
                    if (chain.match.prefixRanges.empty()) {
                        chain.match.prefixRanges.push_back(*service->address);
                    }
                }
            }

            if (found == index.end()) {
                Listener listener;
                listener.name = listenerName(ip, port.number);
                listener.address = {ip, port.number};
                listener.direction = TrafficDirection::Outbound;
                listener.provenance = service->addressProvenance;
                index[key] = out.size();
                out.push_back(std::move(listener));
                found = index.find(key);
            }
            Listener &listener = out[found->second];
            for (FilterChain &chain : chains) {
                const bool clash = std::any_of(
                    listener.filterChains.begin(), listener.filterChains.end(),
                    [&](const FilterChain &existing) { return existing.match == chain.match; });
                if (!clash) {
                    listener.filterChains.push_back(std::move(chain));
                }
            }
        }
    }
    return out;
}

Listener ListenerBuilder::virtualOutbound() const
{
    Listener listener;
    listener.name = "virtualOutbound";
    listener.address = {0, VirtualOutboundPort};
    listener.direction = TrafficDirection::Outbound;
    listener.useOriginalDst = true;
    listener.provenance = {"Default", "", "", "", 0, "sidecar capture port 15001"};

    FilterChain loop;
    loop.name = "virtualOutbound-blackhole";
    loop.match.destinationPort = VirtualOutboundPort;
    loop.tcpProxy = RouteBuilder::singleCluster(std::string(BlackHoleCluster));
    loop.provenance = {"Default", "", "", "", 0, "loop prevention"};

    const bool registryOnly = m_scope.mode == config::OutboundTrafficPolicyMode::RegistryOnly;
    FilterChain catchAll;
    catchAll.name = "virtualOutbound-catchall-tcp";
    catchAll.tcpProxy = RouteBuilder::singleCluster(
        std::string(registryOnly ? BlackHoleCluster : PassthroughCluster));
    catchAll.provenance = m_scope.modeProvenance;

    listener.filterChains = {std::move(loop), std::move(catchAll)};
    return listener;
}

Listener ListenerBuilder::virtualInbound() const
{
    Listener listener;
    listener.name = "virtualInbound";
    listener.address = {0, VirtualInboundPort};
    listener.direction = TrafficDirection::Inbound;
    listener.useOriginalDst = true;
    listener.provenance = {"Default", "", "", "", 0, "sidecar inbound capture port 15006"};
    for (const InboundPort &port : inboundPorts(m_context, *m_scope.pod)) {
        FilterChain chain;
        chain.name = "0.0.0.0_" + std::to_string(port.port);
        chain.match.destinationPort = port.port;
        chain.tcpProxy = RouteBuilder::singleCluster(subsetKey("inbound", port.port, "", ""));
        chain.provenance = port.provenance;
        listener.filterChains.push_back(std::move(chain));
    }
    FilterChain passthrough;
    passthrough.name = "virtualInbound";
    passthrough.tcpProxy = RouteBuilder::singleCluster(std::string(InboundPassthroughCluster));
    passthrough.provenance = {"Default", "", "", "", 0, "inbound passthrough"};
    listener.filterChains.push_back(std::move(passthrough));
    return listener;
}

std::vector<Cluster> ListenerBuilder::inboundClusters() const
{
    std::vector<Cluster> out;
    for (const InboundPort &port : inboundPorts(m_context, *m_scope.pod)) {
        Cluster cluster;
        cluster.name = subsetKey("inbound", port.port, "", "");
        cluster.type = DiscoveryType::Static;
        cluster.endpoints = {{{m_scope.pod->ip, port.port}, {}}};
        cluster.provenance = port.provenance;
        out.push_back(std::move(cluster));
    }
    Cluster passthrough;
    passthrough.name = InboundPassthroughCluster;
    passthrough.type = DiscoveryType::OriginalDst;
    passthrough.provenance = {"Default", "", "", "", 0, "inbound passthrough"};
    out.push_back(std::move(passthrough));
    return out;
}

} // namespace meshcraft::core::xds
