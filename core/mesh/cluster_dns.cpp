// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/cluster_dns.h"

#include "core/common/text.h"
#include "core/mesh/topology.h"

#include <algorithm>

namespace meshcraft::core::mesh {

namespace {

constexpr std::size_t Ndots = 5; // kubelet's resolv.conf option

} // namespace

ClusterDns::ClusterDns(const Topology &topology) : m_topology(topology)
{
    refresh();
}

void ClusterDns::refresh()
{
    auto records = std::make_shared<Records>();
    for (const ServiceView &service : m_topology.services()) {
        if (service.clusterIP != 0) {
            records->emplace(service.fqdn(), service.clusterIP);
            continue;
        }
        // A headless Service answers with its pods.
        const auto pods = m_topology.selectedPods(service);
        if (!pods.empty()) {
            records->emplace(service.fqdn(), pods.front()->ip);
        }
    }
    std::lock_guard lock(m_mutex);
    m_records = std::move(records);
}

std::shared_ptr<const ClusterDns::Records> ClusterDns::records() const
{
    std::lock_guard lock(m_mutex);
    return m_records;
}

Ipv4 ClusterDns::serverAddress()
{
    return *parseIp("10.11.240.10");
}

std::vector<std::string> ClusterDns::candidates(std::string_view name,
                                                std::string_view podNamespace)
{
    std::string query = common::toLower(name);
    if (!query.empty() && query.back() == '.') {
        query.pop_back(); // absolute: no search path
        return {query};
    }
    const std::string domain(ClusterDomain);
    const std::vector<std::string> search = {std::string(podNamespace) + ".svc." + domain,
                                             "svc." + domain, domain};
    std::vector<std::string> out;
    const auto dots = static_cast<std::size_t>(std::count(query.begin(), query.end(), '.'));
    if (dots >= Ndots) {
        out.push_back(query);
    }
    for (const std::string &suffix : search) {
        out.push_back(query + '.' + suffix);
    }
    if (dots < Ndots) {
        out.push_back(query);
    }
    return out;
}

std::optional<Ipv4> ClusterDns::lookupFqdn(std::string_view fqdn) const
{
    const auto table = records();
    const auto found = table->find(fqdn);
    if (found == table->end()) {
        return std::nullopt;
    }
    return found->second;
}

std::optional<Ipv4> ClusterDns::resolve(std::string_view name, std::string_view podNamespace) const
{
    if (const auto literal = parseIp(name)) {
        return literal;
    }
    if (name.empty()) {
        return std::nullopt;
    }
    const auto table = records();
    for (const std::string &candidate : candidates(name, podNamespace)) {
        if (const auto found = table->find(candidate); found != table->end()) {
            return found->second;
        }
    }
    return std::nullopt;
}

std::function<std::optional<Ipv4>(std::string_view)>
ClusterDns::resolver(std::string podNamespace) const
{
    return
        [this, ns = std::move(podNamespace)](std::string_view name) { return resolve(name, ns); };
}

} // namespace meshcraft::core::mesh
