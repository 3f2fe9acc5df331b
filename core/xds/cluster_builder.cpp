// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/cluster_builder.h"

#include <set>

namespace meshcraft::core::xds {

namespace {

std::string ruleName(const DestinationRuleEntry *rule)
{
    if (!rule) {
        return {};
    }
    const auto &metadata = rule->object->resource.metadata;
    return metadata.name + '.' + metadata.nameSpace;
}

std::uint16_t entryPort(const EntryEndpoint &endpoint, const RegistryPort &port)
{
    const auto found = endpoint.ports.find(port.name);
    if (found != endpoint.ports.end() && found->second > 0 && found->second <= 65535) {
        return static_cast<std::uint16_t>(found->second);
    }
    return port.number;
}

} // namespace

std::string subsetKey(std::string_view direction, std::uint16_t port, std::string_view subset,
                      std::string_view host)
{
    std::string out(direction);
    out += '|';
    out += std::to_string(port);
    out += '|';
    out += subset;
    out += '|';
    out += host;
    return out;
}

bool labelsMatch(const std::map<std::string, std::string> &subset,
                 const std::map<std::string, std::string> &labels)
{
    for (const auto &[key, value] : subset) {
        const auto found = labels.find(key);
        if (found == labels.end() || found->second != value) {
            return false;
        }
    }
    return true;
}

ClusterBuilder::ClusterBuilder(const PushContext &context, const ProxyScope &scope)
    : m_context(context), m_scope(scope)
{
}

std::vector<Endpoint>
ClusterBuilder::endpointsOf(const RegistryService &service, const RegistryPort &port,
                            const std::map<std::string, std::string> &labels) const
{
    std::vector<Endpoint> out;
    if (service.kubernetes) {
        const mesh::ServiceView &view = *service.kubernetes;
        for (const config::ServicePortSpec &spec : view.ports) {
            if (spec.port != port.number) {
                continue;
            }
            for (const mesh::ServiceEndpoint &endpoint :
                 m_context.topology().endpoints(view, spec)) {
                if (labelsMatch(labels, endpoint.pod->labels)) {
                    out.push_back({{endpoint.pod->ip, endpoint.port}, {}});
                }
            }
        }
        return out;
    }
    const bool dns = service.resolution == ServiceResolution::DnsLb ||
                     service.resolution == ServiceResolution::DnsRoundRobinLb;
    if (dns && service.entryEndpoints.empty()) {
        // No endpoints: Envoy resolves the host itself.
        if (const auto ip = m_context.dns().resolve(service.hostname, m_scope.pod->nameSpace)) {
            out.push_back({{*ip, port.number}, {}});
        }
        return out;
    }
    for (const EntryEndpoint &endpoint : service.entryEndpoints) {
        if (!labelsMatch(labels, endpoint.labels)) {
            continue;
        }
        const std::uint16_t target = entryPort(endpoint, port);
        if (const auto ip = parseIpv4(endpoint.address)) {
            out.push_back({{*ip, target}, {}});
        } else if (dns) {
            if (const auto resolved =
                    m_context.dns().resolve(endpoint.address, m_scope.pod->nameSpace)) {
                out.push_back({{*resolved, target}, {}});
            }
        }
    }
    return out;
}

Cluster ClusterBuilder::serviceCluster(const RegistryService &service, const RegistryPort &port,
                                       const config::Subset *subset,
                                       const DestinationRuleEntry *rule) const
{
    Cluster cluster;
    cluster.name =
        subsetKey("outbound", port.number, subset ? subset->name.value : "", service.hostname);
    cluster.destinationRule = ruleName(rule);
    if (subset) {
        cluster.provenance =
            provenanceOf(*rule->object, subset->mark,
                         "subset " + subset->name.value + " of " + service.hostname);
    } else {
        cluster.provenance = service.provenance;
    }
    const std::map<std::string, std::string> noLabels;
    const auto &labels = subset ? subset->labels : noLabels;
    switch (service.resolution) {
    case ServiceResolution::Passthrough:
        if (m_scope.gateway) {
            cluster.type = DiscoveryType::Eds;
            cluster.endpoints = endpointsOf(service, port, labels);
        } else {
            cluster.type = DiscoveryType::OriginalDst;
        }
        break;
    case ServiceResolution::ClientSideLb:
        cluster.type = DiscoveryType::Eds;
        cluster.endpoints = endpointsOf(service, port, labels);
        break;
    case ServiceResolution::DnsLb:
        cluster.type = DiscoveryType::StrictDns;
        cluster.endpoints = endpointsOf(service, port, labels);
        break;
    case ServiceResolution::DnsRoundRobinLb:
        cluster.type = DiscoveryType::LogicalDns;
        cluster.endpoints = endpointsOf(service, port, labels);
        if (cluster.endpoints.size() > 1) {
            cluster.endpoints.resize(1); // LOGICAL_DNS keeps the first answer
        }
        break;
    }
    return cluster;
}

std::vector<Cluster> ClusterBuilder::build() const
{
    std::vector<Cluster> out;
    std::set<std::string> seen;
    const auto add = [&](Cluster cluster) {
        if (seen.insert(cluster.name).second) {
            out.push_back(std::move(cluster));
        }
    };
    const std::string &proxyNs = m_scope.pod->nameSpace;
    for (const RegistryService *service : m_scope.services) {
        const DestinationRuleEntry *rule = m_context.destinationRule(*service, proxyNs);
        for (const RegistryPort &port : service->ports) {
            add(serviceCluster(*service, port, nullptr, rule));
            if (!rule) {
                continue;
            }
            for (const config::Subset &subset : rule->spec.subsets) {
                if (!subset.name.value.empty()) {
                    add(serviceCluster(*service, port, &subset, rule));
                }
            }
        }
    }

    const Provenance allowAny = {"Default", "", "",
                                 "",        0,  "used by outboundTrafficPolicy ALLOW_ANY"};
    const Provenance registryOnly = {"Default", "", "",
                                     "",        0,  "used by outboundTrafficPolicy REGISTRY_ONLY"};
    Cluster blackHole;
    blackHole.name = BlackHoleCluster;
    blackHole.type = DiscoveryType::Static;
    blackHole.provenance = registryOnly;
    add(std::move(blackHole));
    if (!m_scope.gateway) {
        Cluster passthrough;
        passthrough.name = PassthroughCluster;
        passthrough.type = DiscoveryType::OriginalDst;
        passthrough.provenance = allowAny;
        add(std::move(passthrough));
    }
    return out;
}

} // namespace meshcraft::core::xds
