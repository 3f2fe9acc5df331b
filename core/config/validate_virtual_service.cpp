// SPDX-License-Identifier: GPL-3.0-or-later
// VirtualService, as Istio's ValidateVirtualService (istio-behaviour.md §5.4): hosts, gateways,
// TCP and TLS routes, route destinations and weights (HTTP routes too), exportTo, and the
// unreachable-rule analysis that current Istio returns as warnings.
#include "core/config/validate_kinds_p.h"
#include "core/config/validation_primitives.h"

#include <algorithm>
#include <map>

namespace meshcraft::core::config::detail {

namespace {

constexpr std::string_view MeshGateway = "mesh";

// A canonical JSON form of a match, to compare matches as Istio's asJSON does: keys sorted,
// unset and zero values left out (Go's omitempty), and an HTTP match's `name` ignored.
std::string canonical(const Node &node, bool dropName)
{
    switch (node.kind) {
    case NodeKind::Null:
        return "";
    case NodeKind::Scalar: {
        if (node.isNullValue()) {
            return "";
        }
        if (const auto flag = node.asBool()) {
            return *flag ? "true" : "";
        }
        if (const auto number = node.asInt()) {
            return *number == 0 ? "" : std::to_string(*number);
        }
        if (node.scalar.empty()) {
            return "";
        }
        return goQuote(node.scalar);
    }
    case NodeKind::Sequence: {
        std::string out;
        for (const Node &item : node.items) {
            out += (out.empty() ? "" : ",") + canonical(item, false);
        }
        return out.empty() ? "" : "[" + out + "]";
    }
    case NodeKind::Map: {
        std::map<std::string, std::string> members;
        for (const MapEntry &entry : node.entries) {
            if (dropName && entry.key == "name") {
                continue;
            }
            std::string value = canonical(entry.value, false);
            if (entry.value.isMap() && value.empty()) {
                value = "{}"; // a set message is kept even when empty
            }
            if (!value.empty()) {
                members[entry.key] = std::move(value);
            }
        }
        std::string out;
        for (const auto &[key, value] : members) {
            out += (out.empty() ? "" : ",") + goQuote(key) + ":" + value;
        }
        return "{" + out + "}";
    }
    }
    return "";
}

std::string httpRouteName(const Field &route, std::size_t index)
{
    if (const auto name = route["name"].string(); name && !name->empty()) {
        return goQuote(*name);
    }
    return "#" + std::to_string(index);
}

std::string httpMatchName(const Field &match, std::size_t index)
{
    if (const auto name = match["name"].string(); name && !name->empty()) {
        return goQuote(*name);
    }
    return "#" + std::to_string(index);
}

// The unreachable-rule analysis shared by HTTP, TCP and TLS routes.
struct RuleReporter
{
    ValidationContext &context;

    void unused(const std::string &rule, const std::string &reason, const Field &at) const
    {
        context.warning("istio.vs-unreachable-rule",
                        "virtualService rule " + rule + " not used (" + reason + ")", at);
    }
    void ineffective(const std::string &rule, const std::string &match, const std::string &dup,
                     const Field &at) const
    {
        context.warning("istio.vs-ineffective-match",
                        "virtualService rule " + rule + " match " + match +
                            " is not used (duplicate/overlapping match in rule " + dup + ")",
                        at);
    }
};

// What genMatchHTTPRoutes keeps of a prefix match, for the overlap check.
struct PrefixMatch
{
    std::string route;
    std::string match;
    std::string prefix;
    std::int64_t port = 0;
    std::string method;
    std::string authority;
    std::map<std::string, std::string> headers;
    std::map<std::string, std::string> queryParams;
    std::map<std::string, std::string> withoutHeaders;
    Field at;
};

std::string exactOrPrefix(const Field &stringMatch)
{
    const std::string exact = stringMatch["exact"].string().value_or(std::string());
    if (!exact.empty()) {
        return "exact:" + exact;
    }
    const std::string prefix = stringMatch["prefix"].string().value_or(std::string());
    if (!prefix.empty()) {
        return "prefix:" + prefix;
    }
    return {};
}

std::map<std::string, std::string> exactOrPrefixMap(const Field &matches)
{
    std::map<std::string, std::string> out;
    for (const auto &[key, value] : matches.entries()) {
        out[key] = exactOrPrefix(value);
    }
    return out;
}

bool startsWith(const std::string &text, const std::string &prefix)
{
    return text.rfind(prefix, 0) == 0;
}

bool coveredMaps(const std::map<std::string, std::string> &a,
                 const std::map<std::string, std::string> &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (const auto &[key, value] : a) {
        const auto found = b.find(key);
        if (found == b.end()) {
            return false;
        }
        if (value != found->second && !startsWith(value, found->second)) {
            return false;
        }
    }
    return true;
}

// coveredValidation: does the earlier match a cover the later match b?
bool covered(const PrefixMatch &a, const PrefixMatch &b)
{
    if (!startsWith(b.prefix, a.prefix) || a.port != b.port) {
        return false;
    }
    if (a.method != b.method && !startsWith(a.method, b.method)) {
        return false;
    }
    if (a.authority != b.authority && !startsWith(a.authority, b.authority)) {
        return false;
    }
    return coveredMaps(a.headers, b.headers) && coveredMaps(a.queryParams, b.queryParams) &&
           coveredMaps(a.withoutHeaders, b.withoutHeaders);
}

void analyzeUnreachableRules(const RuleReporter &report, const Field &routes, bool http)
{
    std::map<std::string, std::size_t> seen;
    bool emptyMatchSeen = false;
    std::vector<PrefixMatch> prefixMatches;
    const std::vector<Field> items = routes.items();
    for (std::size_t rule = 0; rule < items.size(); ++rule) {
        const Field &route = items[rule];
        if (!route.present()) {
            continue;
        }
        const std::string routeName =
            http ? httpRouteName(route, rule) : "#" + std::to_string(rule);
        const std::vector<Field> matches = route["match"].items();
        if (matches.empty()) {
            if (emptyMatchSeen) {
                report.unused(routeName, "only the last rule can have no matches", route);
            }
            emptyMatchSeen = true;
            continue;
        }
        std::size_t duplicates = 0;
        for (std::size_t m = 0; m < matches.size(); ++m) {
            const Field &match = matches[m];
            const std::string key = match.node() ? canonical(*match.node(), http) : "null";
            const std::string matchName = http ? httpMatchName(match, m) : "#" + std::to_string(m);
            if (const auto found = seen.find(key); found != seen.end()) {
                const std::size_t dup = found->second;
                const std::string dupName =
                    http ? httpRouteName(items[dup], dup) : "#" + std::to_string(dup);
                report.ineffective(routeName, matchName, dupName, match);
                ++duplicates;
                continue;
            }
            seen.emplace(key, rule);
            if (!http || !match.present()) {
                continue;
            }
            const std::string prefix = match["uri"]["prefix"].string().value_or(std::string());
            if (!match["uri"].present() || prefix.empty()) {
                continue;
            }
            PrefixMatch entry;
            entry.route = routeName;
            entry.match = matchName;
            entry.prefix = prefix;
            entry.port = match["port"].uint32().value_or(0);
            entry.method = exactOrPrefix(match["method"]);
            if (entry.method.empty()) {
                entry.method = "exact:GET";
            }
            entry.authority = exactOrPrefix(match["authority"]);
            entry.headers = exactOrPrefixMap(match["headers"]);
            entry.queryParams = exactOrPrefixMap(match["queryParams"]);
            entry.withoutHeaders = exactOrPrefixMap(match["withoutHeaders"]);
            entry.at = match;
            prefixMatches.push_back(std::move(entry));
        }
        if (duplicates == matches.size()) {
            report.unused(routeName, "all matches used by prior rules", route);
        }
    }
    for (std::size_t i = 0; i + 1 < prefixMatches.size(); ++i) {
        for (std::size_t j = i + 1; j < prefixMatches.size(); ++j) {
            const PrefixMatch &earlier = prefixMatches[i];
            const PrefixMatch &later = prefixMatches[j];
            if (later.prefix == earlier.prefix) {
                continue;
            }
            if (covered(earlier, later)) {
                report.ineffective(later.route, later.match + " of prefix " + later.prefix,
                                   earlier.match + " of prefix " + earlier.prefix + " on " +
                                       earlier.route,
                                   later.at);
            }
        }
    }
}

// validateGatewayNames. Like Istio, it stops at the first name without a namespace.
void validateGatewayNames(ValidationContext &context, const Field &gateways)
{
    for (const auto &[name, field] : gateways.stringItems()) {
        const auto slash = name.find('/');
        if (slash == std::string::npos) {
            if (name.find('.') != std::string::npos) {
                const auto dot = name.find('.');
                const auto next = name.find('.', dot + 1);
                const std::string recommended =
                    name.substr(dot + 1,
                                next == std::string::npos ? std::string::npos : next - dot - 1) +
                    "/" + name.substr(0, dot);
                context.warning(
                    "istio.legacy-gateway-name",
                    "using legacy gatewayName format " + goQuote(name) +
                        "; prefer the <namespace>/<name> format: " + goQuote(recommended),
                    field);
            }
            context.error(validateFqdn(name), field);
            return;
        }
        const std::string nameSpace = name.substr(0, slash);
        const std::string gateway = name.substr(slash + 1);
        if (nameSpace.empty() || gateway.empty()) {
            context.error("istio.empty-gateway-name-part",
                          "config namespace and gateway name cannot be empty", field);
        }
        if (!isDns1123Label(nameSpace)) {
            context.error("istio.invalid-gateway-namespace",
                          "invalid value for namespace: " + goQuote(nameSpace), field);
        }
        if (!isDns1123Label(gateway)) {
            context.error("istio.invalid-gateway-reference",
                          "invalid value for gateway name: " + goQuote(gateway), field);
        }
    }
}

// validateRouteDestinations and validateHTTPRouteDestinations: destinations and weights.
void validateRouteDestinations(ValidationContext &context, const Field &routes)
{
    std::int64_t totalWeight = 0;
    const std::vector<Field> items = routes.items();
    for (const Field &item : items) {
        if (!item.present()) {
            context.error("istio.null-route-destination", "weight may not be nil", item);
            continue;
        }
        const Field destination = item["destination"];
        if (!destination.present()) {
            context.error("istio.destination-required", "destination is required", destination);
        }
        validateDestination(context, destination);
        const Field weightField = item["weight"];
        if (const auto weight = weightField.int32()) {
            if (*weight < 0) {
                context.error("istio.negative-weight", "weight " + std::to_string(*weight) + " < 0",
                              weightField);
            }
            totalWeight += *weight;
        }
    }
    if (items.size() > 1 && totalWeight == 0) {
        context.error("istio.zero-total-weight", "total destination weight = 0", routes);
    }
}

// The L4 parts of a TCP or TLS match: subnets, port, source labels, gateways.
void validateL4Match(ValidationContext &context, const Field &match)
{
    for (const auto &[subnet, field] : match["destinationSubnets"].stringItems()) {
        context.error(validateIpSubnet(subnet), field);
    }
    const Field port = match["port"];
    if (const auto number = port.uint32(); number && *number != 0) {
        context.error(validatePort(*number), port);
    }
    validateLabels(context, match["sourceLabels"]);
    validateGatewayNames(context, match["gateways"]);
}

void validateTcpRoute(ValidationContext &context, const Field &route)
{
    if (!route.present()) {
        return;
    }
    for (const Field &match : route["match"].items()) {
        if (!match.present()) {
            context.error("istio.null-match", "tcp match may not be nil", match);
            continue;
        }
        validateL4Match(context, match);
    }
    const Field destinations = route["route"];
    if (destinations.size() == 0 && destinations.strings()) {
        context.error("istio.tcp-route-required", "TCP route is required", destinations);
    }
    validateRouteDestinations(context, destinations);
}

bool isGatewayBound(const std::vector<std::string> &gateways)
{
    return std::find(gateways.begin(), gateways.end(), MeshGateway) == gateways.end();
}

bool hasSniHosts(const Field &spec)
{
    for (const Field &route : spec["tls"].items()) {
        for (const Field &match : route["match"].items()) {
            if (match["sniHosts"].size() > 0) {
                return true;
            }
        }
    }
    return false;
}

// agent.ValidateWildcardDomainForVirtualServiceBoundToGateway.
std::optional<Problem> validateGatewayBoundDomain(bool sni, std::string_view domain)
{
    if (auto failed = checkDns1123Preconditions(domain)) {
        return failed;
    }
    const auto dot = domain.find('.');
    const std::string_view first = domain.substr(0, dot);
    const Problem invalidLabel{"istio.invalid-domain-label", "domain name " + goQuote(domain) +
                                                                 " invalid (label " +
                                                                 goQuote(first) + " invalid)"};
    if (sni && first == "outbound_") {
        // Auto-generated SNI names: Go's unanchored regexp `outbound_.([0-8].*).*`.
        for (std::size_t at = domain.find("outbound_"); at != std::string_view::npos;
             at = domain.find("outbound_", at + 1)) {
            const std::size_t digit = at + 10;
            if (digit < domain.size() && domain[at + 9] != '\n' && domain[digit] >= '0' &&
                domain[digit] <= '8') {
                return std::nullopt;
            }
        }
        return invalidLabel;
    }
    if (!isWildcardDns1123Label(first)) {
        return invalidLabel;
    }
    if (dot != std::string_view::npos) {
        return validateDns1123Labels(domain.substr(dot + 1));
    }
    return std::nullopt;
}

void validateTlsRoute(ValidationContext &context, const Field &route,
                      const std::vector<std::string> &vsHosts,
                      const std::vector<std::string> &vsGateways)
{
    if (!route.present()) {
        return;
    }
    const Field matches = route["match"];
    if (matches.size() == 0 && matches.strings()) {
        context.error("istio.tls-route-match-required",
                      "TLS route must have at least one match condition", matches);
    }
    for (const Field &match : matches.items()) {
        if (!match.present()) {
            context.error("istio.null-match", "TLS match may not be null", match);
            continue;
        }
        const Field sniHosts = match["sniHosts"];
        if (sniHosts.size() == 0 && sniHosts.strings()) {
            context.error("istio.tls-match-sni-required",
                          "TLS match must have at least one SNI host", sniHosts);
        }
        for (const auto &[sni, field] : sniHosts.stringItems()) {
            const std::optional<Problem> failed = isGatewayBound(vsGateways)
                                                      ? validateGatewayBoundDomain(true, sni)
                                                      : validateWildcardDomain(sni);
            if (failed) {
                if (isValidIpAddress(sni)) {
                    context.warning("istio.sni-ip-address",
                                    "using an IP address (" + goQuote(sni) +
                                        ") goes against SNI spec and most clients do not "
                                        "support this",
                                    field);
                } else {
                    context.error(*failed, field);
                }
                continue;
            }
            const bool compatible =
                std::any_of(vsHosts.begin(), vsHosts.end(), [&sni = sni](const std::string &host) {
                    return hostSubsetOf(sni, host);
                });
            if (!compatible) {
                std::string joined;
                for (const std::string &host : vsHosts) {
                    joined += (joined.empty() ? "" : ", ") + host;
                }
                context.error("istio.sni-host-not-in-hosts",
                              "SNI host " + goQuote(sni) +
                                  " is not a compatible subset of any of the virtual service "
                                  "hosts: [" +
                                  joined + "]",
                              field);
            }
        }
        validateL4Match(context, match);
    }
    const Field destinations = route["route"];
    if (destinations.size() == 0 && destinations.strings()) {
        context.error("istio.tls-route-required", "TLS route is required", destinations);
    }
    validateRouteDestinations(context, destinations);
}

// The parts of an HTTP route that §5.4 covers: its matches' L4 fields and its destinations.
void validateHttpRoute(ValidationContext &context, const Field &route)
{
    for (const Field &match : route["match"].items()) {
        if (!match.present()) {
            continue;
        }
        const Field port = match["port"];
        if (const auto number = port.uint32(); number && *number != 0) {
            context.error(validatePort(*number), port);
        }
        validateLabels(context, match["sourceLabels"]);
        validateGatewayNames(context, match["gateways"]);
        const Field sourceNamespace = match["sourceNamespace"];
        if (const auto ns = sourceNamespace.string(); ns && !ns->empty() && !isDns1123Label(*ns)) {
            context.error("istio.invalid-source-namespace",
                          "sourceNamespace match " + *ns + " is invalid", sourceNamespace);
        }
    }
    validateRouteDestinations(context, route["route"]);
}

} // namespace

void validateVirtualService(ValidationContext &context)
{
    const Field spec = context.spec();
    const Field hostsField = spec["hosts"];
    const Field gatewaysField = spec["gateways"];
    const Field http = spec["http"];
    const Field tcp = spec["tcp"];
    const Field tls = spec["tls"];

    if (hostsField.size() == 0 && hostsField.strings()) {
        // No hosts: a delegate VirtualService.
        if (gatewaysField.size() != 0) {
            context.error("istio.delegate-gateways",
                          "delegate virtual service must have no gateways specified",
                          gatewaysField);
        }
        if (tls.size() != 0) {
            context.error("istio.delegate-tls",
                          "delegate virtual service must have no tls route specified", tls);
        }
        if (tcp.size() != 0) {
            context.error("istio.delegate-tcp",
                          "delegate virtual service must have no tcp route specified", tcp);
        }
    }

    const std::vector<std::string> gateways =
        gatewaysField.strings().value_or(std::vector<std::string>());
    bool appliesToMesh = false;
    bool appliesToGateway = false;
    if (gatewaysField.size() == 0) {
        appliesToMesh = true;
    } else {
        validateGatewayNames(context, gatewaysField);
        appliesToGateway = isGatewayBound(gateways);
        appliesToMesh = !appliesToGateway;
    }

    const auto hosts = hostsField.stringItems();
    bool allHostsValid = true;
    const bool sni = hasSniHosts(spec);
    for (const auto &[host, field] : hosts) {
        const std::optional<Problem> failed =
            appliesToGateway ? validateGatewayBoundDomain(sni, host) : validateWildcardDomain(host);
        if (failed) {
            if (!isValidIpAddress(host)) {
                context.error(*failed, field);
                allHostsValid = false;
            }
        } else if (appliesToMesh && host == "*") {
            context.error("istio.vs-mesh-wildcard-host",
                          "wildcard host * is not allowed for virtual services bound to the mesh "
                          "gateway",
                          field);
            allHostsValid = false;
        }
    }
    if (allHostsValid) {
        for (std::size_t i = 0; i < hosts.size(); ++i) {
            for (std::size_t j = i + 1; j < hosts.size(); ++j) {
                if (hostMatches(hosts[i].first, hosts[j].first)) {
                    context.error("istio.duplicate-vs-host",
                                  "duplicate hosts in virtual service: " + hosts[i].first + " & " +
                                      hosts[j].first,
                                  hosts[j].second);
                }
            }
        }
    }

    if (http.size() == 0 && tcp.size() == 0 && tls.size() == 0) {
        context.error("istio.vs-no-routes", "http, tcp or tls must be provided in virtual service",
                      spec);
    }
    for (const Field &route : http.items()) {
        if (!route.present()) {
            context.error("istio.null-route", "http route may not be null", route);
            continue;
        }
        validateHttpRoute(context, route);
    }
    std::vector<std::string> hostNames;
    for (const auto &[host, field] : hosts) {
        hostNames.push_back(host);
    }
    for (const Field &route : tls.items()) {
        validateTlsRoute(context, route, hostNames, gateways);
    }
    for (const Field &route : tcp.items()) {
        validateTcpRoute(context, route);
    }

    validateExportTo(context, spec["exportTo"], false, false);

    const RuleReporter report{context};
    analyzeUnreachableRules(report, http, true);
    analyzeUnreachableRules(report, tcp, false);
    analyzeUnreachableRules(report, tls, false);
}

} // namespace meshcraft::core::config::detail
