// SPDX-License-Identifier: GPL-3.0-or-later
// Gateway analyzers: the workloads a Gateway selects and the ports their Services expose
// (Istio's gateway.IngressGatewayPortAnalyzer), and Gateways that claim the same workload, port
// and host (gateway.ConflictingGatewayAnalyzer).
#include "core/common/text.h"
#include "core/config/analyzer_p.h"
#include "core/config/istio_types.h"
#include "core/config/k8s_types.h"

#include <algorithm>
#include <set>

namespace meshcraft::core::config::detail {

namespace {

/// istioctl points selector messages at the selector's first label (in sorted order).
int selectorLine(const AnalysisContext &context, const AnalyzedObject &gateway,
                 const std::string &selector)
{
    const std::size_t equals = selector.find('=');
    if (equals == std::string::npos) {
        return 0;
    }
    return context.fieldLine(gateway,
                             {"spec", "selector", std::string_view(selector).substr(0, equals)});
}

void reportSelectorNotFound(AnalysisContext &context, const AnalyzedObject &gateway,
                            const std::string &selector)
{
    context.report(gateway, ReferencedResourceNotFound, referencedNotFound("selector", selector),
                   selectorLine(context, gateway, selector));
}

/// The target ports (TCP) of the Services in the pod's namespace that select the pod.
void addServicePorts(const AnalysisContext &context, const AnalyzedObject &pod,
                     std::set<int> &ports)
{
    for (const AnalyzedObject *object : context.objects(Kind::Service)) {
        if (object->nameSpace != pod.nameSpace) {
            continue;
        }
        const auto service = serviceFrom(*object->resource);
        if (!selectorMatches(service->selector, pod.labels())) {
            continue;
        }
        for (const ServicePortSpec &port : service->ports) {
            if (port.protocol == "TCP") {
                // The gateway listens on the port traffic is delivered to: the target port.
                ports.insert(port.effectiveTargetPort());
            }
        }
    }
}

} // namespace

void analyzeGatewayPorts(AnalysisContext &context)
{
    for (const AnalyzedObject *object : context.objects(Kind::Gateway)) {
        const auto gateway = gatewayFrom(*object->resource);
        const std::string selector = selectorString(gateway->selector);
        std::set<int> servicePorts;
        int selected = 0;
        for (const AnalyzedObject *pod : context.objects(Kind::Pod)) {
            if (selectorMatches(gateway->selector, pod->labels())) {
                ++selected;
                addServicePorts(context, *pod, servicePorts);
            }
        }
        if (selected == 0) {
            reportSelectorNotFound(context, *object, selector);
            continue;
        }
        const std::vector<Node> &serverNodes = readItems(object->resource->spec(), "servers");
        for (std::size_t i = 0; i < gateway->servers.size(); ++i) {
            const int port = gateway->servers[i].port.number;
            if (!serverNodes[i].find("port") || servicePorts.count(port) > 0) {
                continue;
            }
            context.report(*object, GatewayPortNotDefinedOnService,
                           "The gateway is listening on a target port (port " +
                               std::to_string(port) +
                               ") that is not defined in the Service associated with its "
                               "workload instances (Pod selector " +
                               selector +
                               "). If you need to access the gateway port through the gateway "
                               "Service, it will not be available.",
                           selectorLine(context, *object, selector));
        }
    }
}

namespace {

/// Hosts of one Gateway's server on one port, with their bind address.
using HostBinds = std::map<std::string, std::string>;
/// "<selector>~<port>" -> gateway full name -> hosts.
using GatewayPortMap = std::map<std::string, std::map<std::string, HostBinds>>;

std::map<std::string, std::string> parseSelector(std::string_view text)
{
    std::map<std::string, std::string> out;
    for (const std::string &pair : common::split(text, ',')) {
        const std::vector<std::string> parts = common::split(pair, '=');
        if (parts.size() == 2) {
            out[parts[0]] = parts[1];
        }
    }
    return out;
}

/// Whether two selectors that differ still pick a common pod; Istio only asks when one
/// selector's text contains the other's.
bool selectSamePod(const AnalysisContext &context, const std::map<std::string, std::string> &own,
                   const std::string &ownText, const std::string &otherText)
{
    if (otherText.find(ownText) == std::string::npos &&
        ownText.find(otherText) == std::string::npos) {
        return false;
    }
    const auto other = parseSelector(otherText);
    const auto &pods = context.objects(Kind::Pod);
    return std::any_of(pods.begin(), pods.end(), [&](const AnalyzedObject *pod) {
        return selectorMatches(own, pod->labels()) && selectorMatches(other, pod->labels());
    });
}

/// model.CheckDuplicates: a host the other Gateway already serves with the same bind.
bool hostsConflict(const GatewayServer &server, const HostBinds &known)
{
    return std::any_of(server.hosts.begin(), server.hosts.end(), [&](const MarkedString &host) {
        const auto it = known.find(host.value);
        return it != known.end() && it->second == server.bind;
    });
}

std::pair<std::string, std::string> splitKey(const std::string &key)
{
    const std::vector<std::string> parts = common::split(key, '~');
    if (parts.size() != 2) {
        return {};
    }
    return {parts[0], parts[1]};
}

} // namespace

void analyzeConflictingGateways(AnalysisContext &context)
{
    GatewayPortMap byPort;
    for (const AnalyzedObject *object : context.objects(Kind::Gateway)) {
        const auto gateway = gatewayFrom(*object->resource);
        const std::string selector = selectorString(gateway->selector);
        for (const GatewayServer &server : gateway->servers) {
            HostBinds hosts;
            for (const MarkedString &host : server.hosts) {
                hosts[host.value] = server.bind;
            }
            byPort[selector + "~" + std::to_string(server.port.number)][object->fullName()] =
                std::move(hosts);
        }
    }

    for (const AnalyzedObject *object : context.objects(Kind::Gateway)) {
        const auto gateway = gatewayFrom(*object->resource);
        const std::string selector = selectorString(gateway->selector);
        const std::string name = object->fullName();
        std::vector<const GatewayPortMap::value_type *> sameWorkload;
        for (const auto &entry : byPort) {
            const std::string other = splitKey(entry.first).first;
            if (other == selector || selectSamePod(context, gateway->selector, selector, other)) {
                sameWorkload.push_back(&entry);
            }
        }
        // Istio's check: a selector no Gateway server is keyed under (a Gateway without
        // servers) counts as a selector that was not found.
        if (!selector.empty() && sameWorkload.empty()) {
            reportSelectorNotFound(context, *object, selector);
            continue;
        }
        for (const GatewayServer &server : gateway->servers) {
            const std::string port = std::to_string(server.port.number);
            std::vector<std::string> conflicting;
            for (const auto *entry : sameWorkload) {
                if (splitKey(entry->first).second != port) {
                    continue;
                }
                for (const auto &[otherName, hosts] : entry->second) {
                    if (otherName != name && hostsConflict(server, hosts)) {
                        conflicting.push_back(otherName);
                    }
                }
            }
            if (conflicting.empty()) {
                continue;
            }
            std::sort(conflicting.begin(), conflicting.end());
            std::vector<std::string> hosts;
            for (const MarkedString &host : server.hosts) {
                hosts.push_back(host.value);
            }
            context.report(*object, ConflictingGateways,
                           "Conflict with gateways " + common::join(conflicting, ",") +
                               " (workload selector " + selector + ", port " + port + ", hosts " +
                               common::join(hosts, ",") + ").");
        }
    }
}

} // namespace meshcraft::core::config::detail
