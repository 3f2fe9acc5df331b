// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/istio_types.h"

namespace meshcraft::core::config {

namespace {

std::optional<WorkloadSelector> readWorkloadSelector(const Node *spec, std::string_view key)
{
    const Node *selector = readMap(spec, key);
    if (!selector) {
        return std::nullopt;
    }
    return WorkloadSelector{readStringMap(selector, "labels"), selector->mark};
}

ServicePort readServicePort(const Node &node)
{
    ServicePort port;
    port.number = readInt(&node, "number");
    port.protocol = readString(&node, "protocol");
    port.name = readString(&node, "name");
    port.targetPort = readInt(&node, "targetPort");
    port.mark = node.mark;
    return port;
}

Resolution parseResolution(std::string_view text)
{
    if (text == "STATIC") {
        return Resolution::Static;
    }
    if (text == "DNS") {
        return Resolution::Dns;
    }
    if (text == "DNS_ROUND_ROBIN") {
        return Resolution::DnsRoundRobin;
    }
    if (text == "DYNAMIC_DNS") {
        return Resolution::DynamicDns;
    }
    return Resolution::None;
}

} // namespace

const char *resolutionName(Resolution resolution)
{
    switch (resolution) {
    case Resolution::None:
        return "NONE";
    case Resolution::Static:
        return "STATIC";
    case Resolution::Dns:
        return "DNS";
    case Resolution::DnsRoundRobin:
        return "DNS_ROUND_ROBIN";
    case Resolution::DynamicDns:
        return "DYNAMIC_DNS";
    }
    return "NONE";
}

const char *locationName(Location location)
{
    return location == Location::MeshInternal ? "MESH_INTERNAL" : "MESH_EXTERNAL";
}

const char *outboundModeName(OutboundTrafficPolicyMode mode)
{
    return mode == OutboundTrafficPolicyMode::RegistryOnly ? "REGISTRY_ONLY" : "ALLOW_ANY";
}

std::optional<OutboundTrafficPolicyMode> parseOutboundMode(std::string_view text)
{
    if (text == "ALLOW_ANY") {
        return OutboundTrafficPolicyMode::AllowAny;
    }
    if (text == "REGISTRY_ONLY") {
        return OutboundTrafficPolicyMode::RegistryOnly;
    }
    return std::nullopt;
}

std::optional<ServiceEntry> serviceEntryFrom(const Resource &resource)
{
    if (resource.kind != Kind::ServiceEntry) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    ServiceEntry entry;
    entry.metadata = resource.metadata;
    entry.hosts = readMarkedStringList(spec, "hosts");
    entry.addresses = readMarkedStringList(spec, "addresses");
    for (const Node &item : readItems(spec, "ports")) {
        entry.ports.push_back(readServicePort(item));
    }
    if (readString(spec, "location") == "MESH_INTERNAL") {
        entry.location = Location::MeshInternal;
    }
    entry.resolutionText = readString(spec, "resolution");
    entry.resolution = parseResolution(entry.resolutionText);
    for (const Node &item : readItems(spec, "endpoints")) {
        ServiceEntryEndpoint endpoint;
        endpoint.address = readMarkedString(&item, "address");
        if (const Node *ports = readMap(&item, "ports")) {
            for (const MapEntry &port : ports->entries) {
                if (const auto number = readOptionalInt(ports, port.key)) {
                    endpoint.ports[port.key] = *number;
                }
            }
        }
        endpoint.labels = readStringMap(&item, "labels");
        endpoint.mark = item.mark;
        entry.endpoints.push_back(std::move(endpoint));
    }
    entry.exportTo = readMarkedStringList(spec, "exportTo");
    entry.workloadSelector = readWorkloadSelector(spec, "workloadSelector");
    return entry;
}

std::optional<Gateway> gatewayFrom(const Resource &resource)
{
    if (resource.kind != Kind::Gateway) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    Gateway gateway;
    gateway.metadata = resource.metadata;
    gateway.selector = readStringMap(spec, "selector");
    gateway.selectorMark = markOf(spec, "selector");
    for (const Node &item : readItems(spec, "servers")) {
        GatewayServer server;
        if (const Node *port = readMap(&item, "port")) {
            server.port.number = readInt(port, "number");
            server.port.name = readString(port, "name");
            server.port.protocol = readString(port, "protocol");
            server.port.mark = port->mark;
        }
        server.hosts = readMarkedStringList(&item, "hosts");
        server.bind = readString(&item, "bind");
        server.hasTls = readMap(&item, "tls") != nullptr;
        server.mark = item.mark;
        gateway.servers.push_back(std::move(server));
    }
    return gateway;
}

std::optional<DestinationRule> destinationRuleFrom(const Resource &resource)
{
    if (resource.kind != Kind::DestinationRule) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    DestinationRule rule;
    rule.metadata = resource.metadata;
    rule.host = readMarkedString(spec, "host");
    for (const Node &item : readItems(spec, "subsets")) {
        Subset subset;
        subset.name = readMarkedString(&item, "name");
        subset.labels = readStringMap(&item, "labels");
        subset.hasTrafficPolicy = readMap(&item, "trafficPolicy") != nullptr;
        subset.mark = item.mark;
        rule.subsets.push_back(std::move(subset));
    }
    rule.hasTrafficPolicy = readMap(spec, "trafficPolicy") != nullptr;
    rule.exportTo = readMarkedStringList(spec, "exportTo");
    return rule;
}

std::optional<VirtualService> virtualServiceFrom(const Resource &resource)
{
    if (resource.kind != Kind::VirtualService) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    VirtualService service;
    service.metadata = resource.metadata;
    service.hosts = readMarkedStringList(spec, "hosts");
    service.gateways = readMarkedStringList(spec, "gateways");
    for (const Node &item : readItems(spec, "tcp")) {
        TcpRoute route;
        route.mark = item.mark;
        for (const Node &matchNode : readItems(&item, "match")) {
            L4Match match;
            match.destinationSubnets = readMarkedStringList(&matchNode, "destinationSubnets");
            match.port = readInt(&matchNode, "port");
            match.gateways = readMarkedStringList(&matchNode, "gateways");
            match.sourceLabels = readStringMap(&matchNode, "sourceLabels");
            match.mark = matchNode.mark;
            route.match.push_back(std::move(match));
        }
        for (const Node &routeNode : readItems(&item, "route")) {
            RouteDestination destination;
            const Node *target = readMap(&routeNode, "destination");
            destination.host = readMarkedString(target, "host");
            destination.subset = readString(target, "subset");
            destination.subsetMark = markOf(target, "subset");
            destination.port = readInt(readMap(target, "port"), "number");
            destination.weight = readInt(&routeNode, "weight");
            destination.mark = target ? target->mark : routeNode.mark;
            route.route.push_back(std::move(destination));
        }
        service.tcp.push_back(std::move(route));
    }
    service.hasHttp = spec && spec->find("http") != nullptr;
    service.hasTls = spec && spec->find("tls") != nullptr;
    service.exportTo = readMarkedStringList(spec, "exportTo");
    return service;
}

std::optional<Sidecar> sidecarFrom(const Resource &resource)
{
    if (resource.kind != Kind::Sidecar) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    Sidecar sidecar;
    sidecar.metadata = resource.metadata;
    sidecar.workloadSelector = readWorkloadSelector(spec, "workloadSelector");
    sidecar.outboundTrafficPolicy =
        parseOutboundMode(readString(readMap(spec, "outboundTrafficPolicy"), "mode"));
    for (const Node &item : readItems(spec, "egress")) {
        SidecarEgress egress;
        if (const Node *port = readMap(&item, "port")) {
            egress.port = readServicePort(*port);
        }
        egress.bind = readString(&item, "bind");
        egress.hosts = readMarkedStringList(&item, "hosts");
        egress.mark = item.mark;
        sidecar.egress.push_back(std::move(egress));
    }
    return sidecar;
}

std::string resolveShortHost(std::string_view host, std::string_view nameSpace,
                             std::string_view domain)
{
    std::string out(host);
    // "*" and anything with a dot count as qualified; a colon means an IPv6 address.
    if (host.empty() || host == "*" || host.find('.') != std::string_view::npos ||
        host.find(':') != std::string_view::npos) {
        return out;
    }
    if (!nameSpace.empty()) {
        out += '.';
        out += nameSpace;
    }
    if (!domain.empty()) {
        out += ".svc.";
        out += domain;
    }
    return out;
}

} // namespace meshcraft::core::config
