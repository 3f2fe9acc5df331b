// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/push_context.h"

#include "core/common/text.h"
#include "core/config/k8s_types.h"
#include "core/config/node_read.h"
#include "core/config/yaml_loader.h"

#include <algorithm>
#include <set>

namespace meshcraft::core::xds {

namespace {

using config::OutboundTrafficPolicyMode;

constexpr const char *MeshConfigMap = "istio";

std::vector<std::string> values(const std::vector<config::MarkedString> &list)
{
    std::vector<std::string> out;
    for (const auto &item : list) {
        out.push_back(item.value);
    }
    return out;
}

ServiceResolution resolutionOf(config::Resolution resolution)
{
    switch (resolution) {
    case config::Resolution::None:
        return ServiceResolution::Passthrough;
    case config::Resolution::Static:
        return ServiceResolution::ClientSideLb;
    case config::Resolution::Dns:
    case config::Resolution::DynamicDns:
        return ServiceResolution::DnsLb;
    case config::Resolution::DnsRoundRobin:
        return ServiceResolution::DnsRoundRobinLb;
    }
    return ServiceResolution::Passthrough;
}

/// A ServiceEntry address: an IP or a CIDR (a /32 is normalised to the bare IP, as Istio does).
std::optional<CidrRange> entryAddress(std::string_view text)
{
    return CidrRange::parse(text);
}

template <class Entry, class Read>
std::vector<Entry> readAll(const config::Store &store, config::Kind kind, Read read)
{
    std::vector<Entry> out;
    for (const config::StoredObject *object : store.list(kind)) {
        if (auto spec = read(object->resource)) {
            Entry entry;
            entry.spec = std::move(*spec);
            entry.object = object;
            out.push_back(std::move(entry));
        }
    }
    return out;
}

/// The registry services one ServiceEntry defines (host x address).
std::vector<RegistryService> convertServiceEntry(const config::StoredObject &object);

/// A Sidecar egress host "ns/dnsName" against a service.
bool egressHostMatches(std::string_view egressHost, std::string_view sidecarNamespace,
                       const RegistryService &service)
{
    const auto slash = egressHost.find('/');
    if (slash == std::string_view::npos) {
        return false;
    }
    const std::string_view ns = egressHost.substr(0, slash);
    const std::string_view host = egressHost.substr(slash + 1);
    const bool nsMatches = ns == "*" || (ns == "." && service.nameSpace == sidecarNamespace) ||
                           ns == service.nameSpace;
    return nsMatches && hostMatches(host, service.hostname);
}

} // namespace

Provenance provenanceOf(const config::StoredObject &object, const config::Mark &mark,
                        std::string note)
{
    const config::Resource &resource = object.resource;
    Provenance out;
    out.kind = std::string(resource.info().name);
    out.ns = resource.metadata.nameSpace;
    out.name = resource.metadata.name;
    out.file = resource.file;
    out.line = mark.line > 0 ? mark.line : resource.location().line;
    out.note = std::move(note);
    return out;
}

bool hostMatches(std::string_view pattern, std::string_view hostname)
{
    if (pattern == "*" || pattern == hostname) {
        return true;
    }
    if (pattern.size() > 1 && pattern[0] == '*') {
        const std::string_view suffix = pattern.substr(1); // ".domain"
        return hostname.size() > suffix.size() && common::endsWith(hostname, suffix);
    }
    return false;
}

std::string gatewayKey(std::string_view reference, std::string_view nameSpace)
{
    if (reference == "mesh") {
        return "mesh";
    }
    if (reference.find('/') != std::string_view::npos) {
        return std::string(reference);
    }
    const auto dot = reference.find('.');
    if (dot != std::string_view::npos) {
        const auto parts = common::split(reference, '.');
        return parts.size() > 1 ? parts[1] + '/' + parts[0] : std::string(reference);
    }
    return std::string(nameSpace) + '/' + std::string(reference);
}

const std::vector<RegistryService> &RegistryCache::entryServices(const config::StoredObject &object)
{
    Entry &entry = m_entries[object.key()];
    if (entry.resourceVersion != object.resourceVersion) {
        entry.services = convertServiceEntry(object);
        entry.resourceVersion = object.resourceVersion;
    }
    return entry.services;
}

void RegistryCache::retainOnly(const std::vector<const config::StoredObject *> &present)
{
    std::set<config::ObjectKey> keep;
    for (const config::StoredObject *object : present) {
        keep.insert(object->key());
    }
    std::erase_if(m_entries, [&](const auto &item) { return keep.count(item.first) == 0; });
}

PushContext::PushContext(const config::Store &store, const mesh::Topology &topology,
                         RegistryCache *cache)
    : m_store(store), m_topology(topology), m_dns(topology)
{
    readMeshConfig();
    addKubernetesServices();
    addServiceEntries(cache);
    indexRoutingConfig();
}

void PushContext::indexRoutingConfig()
{
    m_destinationRules = readAll<DestinationRuleEntry>(m_store, config::Kind::DestinationRule,
                                                       config::destinationRuleFrom);
    for (DestinationRuleEntry &entry : m_destinationRules) {
        entry.host = config::resolveShortHost(entry.spec.host.value,
                                              entry.object->resource.metadata.nameSpace);
    }
    m_virtualServices = readAll<VirtualServiceEntry>(m_store, config::Kind::VirtualService,
                                                     config::virtualServiceFrom);
    for (VirtualServiceEntry &entry : m_virtualServices) {
        const std::string &ns = entry.object->resource.metadata.nameSpace;
        for (const config::MarkedString &host : entry.spec.hosts) {
            entry.hosts.push_back(config::resolveShortHost(host.value, ns));
        }
        for (const config::MarkedString &gateway : entry.spec.gateways) {
            entry.gateways.push_back(gatewayKey(gateway.value, ns));
        }
        if (entry.gateways.empty()) {
            entry.gateways.push_back("mesh");
        }
        for (const config::TcpRoute &route : entry.spec.tcp) {
            for (const config::L4Match &match : route.match) {
                entry.usesSourceLabels = entry.usesSourceLabels || !match.sourceLabels.empty();
            }
        }
        m_usesSourceLabels = m_usesSourceLabels || entry.usesSourceLabels;
    }
    m_gateways = readAll<GatewayEntry>(m_store, config::Kind::Gateway, config::gatewayFrom);
    m_sidecars = readAll<SidecarEntry>(m_store, config::Kind::Sidecar, config::sidecarFrom);
}

void PushContext::readMeshConfig()
{
    m_mesh = config::meshConfigFromStore(m_store, RootNamespace).config;
    const std::string mode = config::outboundModeName(m_mesh.outboundTrafficPolicy);
    m_meshModeProvenance = {"MeshConfig",
                            std::string(RootNamespace),
                            MeshConfigMap,
                            "",
                            0,
                            "mesh outboundTrafficPolicy " + mode};
    const config::StoredObject *object =
        m_store.get(config::Kind::ConfigMap, RootNamespace, MeshConfigMap);
    if (!object) {
        m_meshModeProvenance.name.clear();
        m_meshModeProvenance.kind = "Default";
        m_meshModeProvenance.ns.clear();
        m_meshModeProvenance.note = "mesh outboundTrafficPolicy " + mode + " (Istio's default)";
        return;
    }
    m_meshModeProvenance.file = object->resource.file;
    m_meshModeProvenance.line = object->resource.location().line;
    const auto configMap = config::configMapFrom(object->resource);
    if (!configMap || configMap->data.count("mesh") == 0) {
        return;
    }
    const std::string &text = configMap->data.at("mesh");
    const config::Mark start = configMap->dataMarks.at("mesh");
    int line = start.line;
    // Point at `mode:` inside a block scalar: its lines follow the key's line.
    const auto parsed = config::loadYaml(text, "mesh");
    if (!parsed.documents.empty() && text.find('\n') != std::string::npos) {
        const config::Node *policy =
            config::readMap(&parsed.documents.front().root, "outboundTrafficPolicy");
        if (const config::Node *modeNode = policy ? policy->find("mode") : nullptr) {
            line = start.line + modeNode->mark.line;
        }
    }
    m_meshModeProvenance.line = line;
}

MeshSettings PushContext::meshSettings() const
{
    MeshSettings settings;
    settings.connectTimeout = m_mesh.connectTimeout;
    settings.drainDuration = m_mesh.drainDuration;
    settings.accessLog = !m_mesh.accessLogFile.empty();
    return settings;
}

void PushContext::addKubernetesServices()
{
    for (const mesh::ServiceView &view : m_topology.services()) {
        if (view.clusterIP == 0 && !view.headless) {
            continue; // not allocated yet
        }
        const config::StoredObject *object =
            m_store.get(config::Kind::Service, view.nameSpace, view.name);
        RegistryService service;
        service.hostname = view.fqdn();
        service.nameSpace = view.nameSpace;
        if (view.clusterIP != 0) {
            service.address = CidrRange{view.clusterIP, 32};
        }
        service.resolution = ServiceResolution::ClientSideLb;
        service.kubernetes = &view;
        if (object) {
            service.provenance = provenanceOf(*object, {}, "Kubernetes Service");
            const config::Node *spec = object->resource.spec();
            service.addressProvenance = provenanceOf(*object, config::markOf(spec, "clusterIP"),
                                                     "ClusterIP " + mesh::formatIp(view.clusterIP));
        }
        for (const config::ServicePortSpec &port : view.ports) {
            if (port.port <= 0 || port.port > 65535 || common::toUpper(port.protocol) == "UDP") {
                continue;
            }
            RegistryPort out;
            out.number = static_cast<std::uint16_t>(port.port);
            out.name = port.name;
            out.protocol = port.protocol;
            if (object) {
                out.provenance =
                    provenanceOf(*object, port.mark, "Service port " + std::to_string(port.port));
            }
            service.ports.push_back(std::move(out));
        }
        m_kubernetes.push_back(std::move(service));
    }
    for (const RegistryService &service : m_kubernetes) {
        m_services.push_back(&service);
    }
}

void PushContext::addServiceEntries(RegistryCache *cache)
{
    const auto objects = m_store.list(config::Kind::ServiceEntry);
    if (cache) {
        cache->retainOnly(objects);
    }
    for (const config::StoredObject *object : objects) {
        if (!cache) {
            m_uncached.push_back(convertServiceEntry(*object));
        }
        for (const RegistryService &service :
             cache ? cache->entryServices(*object) : m_uncached.back()) {
            m_services.push_back(&service);
        }
    }
}

namespace {

std::vector<RegistryService> convertServiceEntry(const config::StoredObject &storedObject)
{
    std::vector<RegistryService> out;
    const config::StoredObject *object = &storedObject;
    const auto entry = config::serviceEntryFrom(object->resource);
    if (!entry) {
        return out;
    }
    RegistryService base;
    base.nameSpace = object->resource.metadata.nameSpace;
    base.resolution = resolutionOf(entry->resolution);
    base.meshExternal = entry->location == config::Location::MeshExternal;
    base.exportTo = values(entry->exportTo);
    for (const config::ServicePort &port : entry->ports) {
        if (port.number <= 0 || port.number > 65535 || common::toUpper(port.protocol) == "UDP") {
            continue;
        }
        RegistryPort converted;
        converted.number = static_cast<std::uint16_t>(port.number);
        converted.name = port.name;
        converted.protocol = port.protocol;
        converted.provenance = provenanceOf(
            *object, port.mark, "port " + std::to_string(port.number) + " " + port.name);
        base.ports.push_back(std::move(converted));
    }
    for (const config::ServiceEntryEndpoint &endpoint : entry->endpoints) {
        base.entryEndpoints.push_back({endpoint.address.value, endpoint.ports, endpoint.labels});
    }
    const std::string resolution = config::resolutionName(entry->resolution);
    for (const config::MarkedString &host : entry->hosts) {
        RegistryService service = base;
        service.hostname = host.value;
        service.provenance =
            provenanceOf(*object, host.mark, "host " + host.value + ", resolution " + resolution);
        if (entry->addresses.empty()) {
            service.addressProvenance =
                provenanceOf(*object, host.mark, "no addresses: any IP on the port");
            out.push_back(std::move(service));
            continue;
        }
        for (const config::MarkedString &address : entry->addresses) {
            const auto range = entryAddress(address.value);
            if (!range) {
                continue; // invalid: validation reports it
            }
            RegistryService addressed = service;
            addressed.address = range;
            addressed.addressProvenance =
                provenanceOf(*object, address.mark, "address " + address.value);
            out.push_back(std::move(addressed));
        }
    }
    return out;
}

} // namespace

bool PushContext::visible(const std::vector<config::MarkedString> &exportTo, std::string_view owner,
                          std::string_view proxyNamespace) const
{
    if (exportTo.empty()) {
        return true;
    }
    for (const config::MarkedString &target : exportTo) {
        if (target.value == "*" || target.value == proxyNamespace ||
            (target.value == "." && owner == proxyNamespace)) {
            return true;
        }
    }
    return false;
}

ProxyScope PushContext::scopeFor(const mesh::PodView &pod) const
{
    ProxyScope scope;
    scope.pod = &pod;
    scope.gateway = pod.isGateway;
    scope.mode = m_mesh.outboundTrafficPolicy;
    scope.modeProvenance = m_meshModeProvenance;

    if (!scope.gateway) {
        // Istio's Sidecar lookup: a workload-selected one in the pod's namespace, then the
        // namespace default, then the root namespace's default.
        const SidecarEntry *chosen = nullptr;
        for (const SidecarEntry &entry : m_sidecars) {
            const bool sameNs = entry.object->resource.metadata.nameSpace == pod.nameSpace;
            if (sameNs && entry.spec.workloadSelector &&
                mesh::selectorMatches(entry.spec.workloadSelector->labels, pod.labels)) {
                chosen = &entry;
                break;
            }
        }
        for (std::string_view ns : {std::string_view(pod.nameSpace), RootNamespace}) {
            for (const SidecarEntry &entry : m_sidecars) {
                if (!chosen && entry.object->resource.metadata.nameSpace == ns &&
                    !entry.spec.workloadSelector) {
                    chosen = &entry;
                }
            }
        }
        scope.sidecar = chosen;
        if (chosen && chosen->spec.outboundTrafficPolicy) {
            scope.mode = *chosen->spec.outboundTrafficPolicy;
            const config::Node *spec = chosen->object->resource.spec();
            const config::Node *policy = config::readMap(spec, "outboundTrafficPolicy");
            scope.modeProvenance = provenanceOf(*chosen->object, config::markOf(policy, "mode"),
                                                std::string("Sidecar outboundTrafficPolicy ") +
                                                    config::outboundModeName(scope.mode));
        }
    }

    for (const RegistryService *entry : m_services) {
        const RegistryService &service = *entry;
        if (!service.exportTo.empty()) {
            const auto &targets = service.exportTo;
            const bool exported =
                std::any_of(targets.begin(), targets.end(), [&](const std::string &target) {
                    return target == "*" || target == pod.nameSpace ||
                           (target == "." && service.nameSpace == pod.nameSpace);
                });
            if (!exported) {
                continue;
            }
        }
        if (scope.sidecar && !scope.sidecar->spec.egress.empty()) {
            bool listed = false;
            for (const config::SidecarEgress &egress : scope.sidecar->spec.egress) {
                for (const config::MarkedString &host : egress.hosts) {
                    listed = listed || egressHostMatches(host.value, pod.nameSpace, service);
                }
            }
            if (!listed) {
                continue;
            }
        }
        scope.services.push_back(entry);
    }
    return scope;
}

const DestinationRuleEntry *PushContext::destinationRule(const RegistryService &service,
                                                         std::string_view proxyNamespace) const
{
    const std::string_view order[] = {proxyNamespace, service.nameSpace, RootNamespace};
    for (const std::string_view ns : order) {
        for (const DestinationRuleEntry &entry : m_destinationRules) {
            const std::string &owner = entry.object->resource.metadata.nameSpace;
            if (owner != ns || !visible(entry.spec.exportTo, owner, proxyNamespace)) {
                continue;
            }
            if (hostMatches(entry.host, service.hostname)) {
                return &entry;
            }
        }
    }
    return nullptr;
}

const RegistryService *PushContext::findService(std::string_view hostname, std::uint16_t port) const
{
    for (const RegistryService *service : m_services) {
        if (service->hostname != hostname) {
            continue;
        }
        if (port == 0) {
            return service;
        }
        for (const RegistryPort &candidate : service->ports) {
            if (candidate.number == port) {
                return service;
            }
        }
    }
    return nullptr;
}

} // namespace meshcraft::core::xds
