// SPDX-License-Identifier: GPL-3.0-or-later
// VirtualService analyzers, after Istio's virtualservice.GatewayAnalyzer,
// DestinationHostAnalyzer, DestinationRuleAnalyzer and ConflictingMeshGatewayHostsAnalyzer.
#include "core/common/text.h"
#include "core/config/analyzer_p.h"
#include "core/config/node_read.h"

#include <algorithm>
#include <set>
#include <utility>

namespace meshcraft::core::config::detail {

namespace {

constexpr std::string_view MeshGateway = "mesh";

/// A route's destination and where it sits (Istio's AnnotatedDestination).
struct Destination
{
    std::string_view rule; ///< "tcp", "tls", "http", "http.mirror" or "http.mirrors"
    std::size_t ruleIndex = 0;
    std::size_t routeIndex = 0;
    const Node *node = nullptr; ///< the Destination map; null when absent

    std::string host() const { return readString(node, "host"); }
    std::string subset() const { return readString(node, "subset"); }
    const Node *port() const { return node ? node->find("port") : nullptr; }
};

/// Route destinations in Istio's order: tcp, then tls, then http.
std::vector<Destination> routeDestinations(const Node *spec)
{
    std::vector<Destination> out;
    for (const std::string_view rule : {"tcp", "tls", "http"}) {
        const std::vector<Node> &rules = readItems(spec, rule);
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const std::vector<Node> &routes = readItems(&rules[i], "route");
            for (std::size_t j = 0; j < routes.size(); ++j) {
                out.push_back({rule, i, j, readMap(&routes[j], "destination")});
            }
        }
    }
    return out;
}

std::vector<Destination> mirrorDestinations(const Node *spec)
{
    std::vector<Destination> out;
    const std::vector<Node> &rules = readItems(spec, "http");
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (const Node *mirror = readMap(&rules[i], "mirror")) {
            out.push_back({"http.mirror", i, 0, mirror});
        }
        const std::vector<Node> &mirrors = readItems(&rules[i], "mirrors");
        for (std::size_t j = 0; j < mirrors.size(); ++j) {
            out.push_back({"http.mirrors", i, j, readMap(&mirrors[j], "destination")});
        }
    }
    return out;
}

/// istioctl's DestinationHost key `{.spec.<rule>[i].route[j].destination.host}`, or its
/// MirrorHost key for http.mirror. For http.mirrors the key names no real field: no line.
int destinationLine(const AnalysisContext &context, const AnalyzedObject &object,
                    const Destination &destination)
{
    if (destination.rule == "http.mirror") {
        return context.fieldLine(object, {"spec", "http", destination.ruleIndex, "mirror", "host"});
    }
    if (destination.rule == "http.mirrors") {
        return 0;
    }
    return context.fieldLine(object, {"spec", destination.rule, destination.ruleIndex, "route",
                                      destination.routeIndex, "destination", "host"});
}

/// Istio reports mirror problems at the rule's `mirror.host`, whichever mirror it was.
int mirrorLine(const AnalysisContext &context, const AnalyzedObject &object,
               const Destination &destination)
{
    return context.fieldLine(object, {"spec", "http", destination.ruleIndex, "mirror", "host"});
}

/// resource.NewShortOrFullName: "ns/name", or a name in the referrer's namespace.
std::pair<std::string, std::string> shortOrFullName(const std::string &nameSpace,
                                                    const std::string &name)
{
    if (name.find('/') == std::string::npos) {
        return {nameSpace, name};
    }
    const std::vector<std::string> parts = common::split(name, '/');
    return {parts[0], parts[1]};
}

/// The hosts of a Gateway's servers, as seen from a VirtualService namespace
/// (sanitizeServerHostNamespace, then host.NamesForNamespace).
std::vector<std::string> gatewayHostsFor(const AnalyzedObject &gateway,
                                         const std::string &vsNamespace)
{
    std::vector<std::string> hosts;
    for (const Node &server : readItems(gateway.resource->spec(), "servers")) {
        std::vector<std::string> serverHosts = readStringList(&server, "hosts");
        for (std::string &host : serverHosts) {
            if (host.find('/') == std::string::npos) {
                continue;
            }
            const std::vector<std::string> parts = common::split(host, '/');
            if (parts[0] == ".") {
                host = gateway.nameSpace + "/" + parts[1];
            } else if (parts[0] == "*") {
                if (parts[1] == "*") {
                    serverHosts = {"*"};
                    break;
                }
                host = parts[1];
            }
        }
        hosts.insert(hosts.end(), serverHosts.begin(), serverHosts.end());
    }
    std::vector<std::string> visible;
    for (const std::string &host : hosts) {
        if (host.find('/') == std::string::npos) {
            visible.push_back(host);
            continue;
        }
        const std::vector<std::string> parts = common::split(host, '/');
        if (parts[0] == vsNamespace || parts[0] == "*") {
            visible.push_back(parts[1]);
        }
    }
    return visible;
}

} // namespace

void analyzeVirtualServiceGateways(AnalysisContext &context)
{
    for (const AnalyzedObject *object : context.objects(Kind::VirtualService)) {
        const Node *spec = object->resource->spec();
        const std::vector<std::string> gateways = readStringList(spec, "gateways");
        const std::vector<std::string> hosts = readStringList(spec, "hosts");
        for (std::size_t i = 0; i < gateways.size(); ++i) {
            if (gateways[i] == MeshGateway) {
                continue;
            }
            const auto [gwNamespace, gwName] = shortOrFullName(object->nameSpace, gateways[i]);
            const AnalyzedObject *gateway = context.find(Kind::Gateway, gwNamespace, gwName);
            const int line = context.fieldLine(*object, {"spec", "gateways", i});
            if (!gateway) {
                context.report(*object, ReferencedResourceNotFound,
                               referencedNotFound("gateway", gateways[i]), line);
            }
            const std::vector<std::string> gwHosts =
                gateway ? gatewayHostsFor(*gateway, object->nameSpace) : std::vector<std::string>{};
            const bool found = std::any_of(gwHosts.begin(), gwHosts.end(), [&](const auto &gh) {
                return std::any_of(hosts.begin(), hosts.end(),
                                   [&](const std::string &vh) { return hostMatches(gh, vh); });
            });
            if (!found) {
                context.report(*object, VirtualServiceHostNotFoundInGateway,
                               "one or more host " + goList(hosts) + " defined in VirtualService " +
                                   object->fullName() + " not found in Gateway " + gwNamespace +
                                   "/" + gwName + ".",
                               line);
            }
        }
    }
}

namespace {

void checkDestinationPort(AnalysisContext &context, const AnalyzedObject &object,
                          const Destination &destination, const ServiceRegistry::Service &service)
{
    const Node *port = destination.port();
    if (!port) {
        // Without a port the destination is ambiguous only when the service has several.
        if (service.ports.size() > 1) {
            context.report(object, VirtualServiceDestinationPortSelectorRequired,
                           "This VirtualService routes to a service " +
                               goQuote(destination.host()) + " that exposes multiple ports " +
                               goList(service.ports) +
                               ". Specifying a port in the destination is required to "
                               "disambiguate.",
                           destinationLine(context, object, destination));
        }
        return;
    }
    const int number = readInt(port, "number");
    if (std::find(service.ports.begin(), service.ports.end(), number) == service.ports.end()) {
        context.report(
            object, ReferencedResourceNotFound,
            referencedNotFound("host:port", destination.host() + ":" + std::to_string(number)),
            destinationLine(context, object, destination));
    }
}

} // namespace

void analyzeDestinationHosts(AnalysisContext &context)
{
    const ServiceRegistry registry(context);
    for (const AnalyzedObject *object : context.objects(Kind::VirtualService)) {
        const Node *spec = object->resource->spec();
        const std::vector<std::string> exportTo = readStringList(spec, "exportTo");
        for (const Destination &destination : routeDestinations(spec)) {
            const auto *service = registry.lookup(object->nameSpace, exportTo, destination.host());
            if (!service) {
                context.report(*object, ReferencedResourceNotFound,
                               referencedNotFound("host", destination.host()),
                               destinationLine(context, *object, destination));
                continue;
            }
            checkDestinationPort(context, *object, destination, *service);
        }
        for (const Destination &destination : mirrorDestinations(spec)) {
            const auto *service = registry.lookup(object->nameSpace, exportTo, destination.host());
            if (!service) {
                context.report(*object, ReferencedResourceNotFound,
                               referencedNotFound("mirror host", destination.host()),
                               mirrorLine(context, *object, destination));
                continue;
            }
            checkDestinationPort(context, *object, destination, *service);
        }
    }
}

namespace {

/// util.GetResourceNameFromHost: `name.ns.svc.cluster.local` names a namespace; any other
/// host is a name in the given namespace.
std::pair<std::string, std::string> resourceNameFromHost(const std::string &nameSpace,
                                                         const std::string &host)
{
    constexpr std::string_view suffix = ".svc.cluster.local";
    if (common::endsWith(host, suffix)) {
        const std::string prefix = host.substr(0, host.size() - suffix.size());
        const std::size_t dot = prefix.rfind('.');
        if (dot != std::string::npos && dot > 0 && dot + 1 < prefix.size()) {
            return {prefix.substr(dot + 1), prefix.substr(0, dot)};
        }
    }
    return {nameSpace, host};
}

using HostSubset = std::pair<std::pair<std::string, std::string>, std::string>;

} // namespace

void analyzeDestinationRuleSubsets(AnalysisContext &context)
{
    std::set<HostSubset> defined;
    for (const AnalyzedObject *object : context.objects(Kind::DestinationRule)) {
        const Node *spec = object->resource->spec();
        const std::string host = toFqdn(object->nameSpace, readString(spec, "host"));
        for (const Node &subset : readItems(spec, "subsets")) {
            defined.insert(
                {resourceNameFromHost(object->nameSpace, host), readString(&subset, "name")});
        }
    }
    const auto missing = [&](const AnalyzedObject &object, const Destination &destination) {
        const std::string subset = destination.subset();
        return !subset.empty() &&
               defined.count(
                   {resourceNameFromHost(object.nameSpace, destination.host()), subset}) == 0;
    };
    for (const AnalyzedObject *object : context.objects(Kind::VirtualService)) {
        const Node *spec = object->resource->spec();
        for (const Destination &destination : routeDestinations(spec)) {
            if (missing(*object, destination)) {
                context.report(*object, ReferencedResourceNotFound,
                               referencedNotFound("host+subset in destinationrule",
                                                  destination.host() + "+" + destination.subset()),
                               destinationLine(context, *object, destination));
            }
        }
        for (const Destination &destination : mirrorDestinations(spec)) {
            if (missing(*object, destination)) {
                context.report(*object, ReferencedResourceNotFound,
                               referencedNotFound("mirror+subset in destinationrule",
                                                  destination.host() + "+" + destination.subset()),
                               mirrorLine(context, *object, destination));
            }
        }
    }
}

void analyzeConflictingMeshGatewayHosts(AnalysisContext &context)
{
    // "<scope>/<fqdn>" -> the mesh-bound VirtualServices defining it, in order.
    std::map<std::string, std::vector<const AnalyzedObject *>> byHost;
    for (const AnalyzedObject *object : context.objects(Kind::VirtualService)) {
        const Node *spec = object->resource->spec();
        const std::vector<std::string> gateways = readStringList(spec, "gateways");
        // No gateways means the mesh.
        if (!gateways.empty() &&
            std::find(gateways.begin(), gateways.end(), MeshGateway) == gateways.end()) {
            continue;
        }
        const std::vector<std::string> exportTo = readStringList(spec, "exportTo");
        std::set<std::string> scopes;
        if (exportTo.empty() ||
            std::find(exportTo.begin(), exportTo.end(), "*") != exportTo.end()) {
            scopes.insert("*");
        } else {
            for (const std::string &scope : exportTo) {
                scopes.insert(scope == "." ? object->nameSpace : scope);
            }
        }
        for (const std::string &scope : scopes) {
            for (const std::string &host : readStringList(spec, "hosts")) {
                byHost[scope + "/" + toFqdn(object->nameSpace, host)].push_back(object);
            }
        }
    }
    for (const auto &[scopedHost, services] : byHost) {
        if (services.size() < 2) {
            continue;
        }
        std::vector<std::string> names;
        for (const AnalyzedObject *service : services) {
            names.push_back(service->fullName());
        }
        const std::string joined = common::join(names, ",");
        for (const AnalyzedObject *service : services) {
            context.report(*service, ConflictingMeshGatewayVirtualServiceHosts,
                           "The VirtualServices " + joined +
                               " associated with mesh gateway define the same host " + scopedHost +
                               " which can lead to undefined behavior. This can be fixed by "
                               "merging the conflicting VirtualServices into a single resource.",
                           context.fieldLine(*service, {"metadata", "name"}));
        }
    }
}

} // namespace meshcraft::core::config::detail
