// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/address_map.h"

#include <unordered_map>
#include <unordered_set>

namespace meshcraft::core::net {

namespace {

std::uint64_t key(Address address)
{
    return (std::uint64_t{address.ip} << 16) | address.port;
}

struct Served
{
    Route::Kind kind;
    std::uint16_t loopbackPort;
};

} // namespace

struct AddressMap::Table
{
    std::unordered_map<std::uint64_t, Served> served;
    std::unordered_set<std::uint32_t> hosts;
    std::unordered_map<std::uint32_t, std::uint16_t> inboundCapture;
    std::unordered_map<std::uint32_t, std::uint16_t> outboundCapture;
    std::unordered_map<std::uint64_t, Address> serviceBackends;
};

AddressMap::AddressMap() : m_table(std::make_shared<const Table>()) {}

AddressMap::~AddressMap() = default;

std::shared_ptr<const AddressMap::Table> AddressMap::table() const
{
    std::lock_guard lock(m_readMutex);
    return m_table;
}

template <typename Edit> void AddressMap::edit(Edit &&change)
{
    // Writers are serialised; readers keep using the old table until the pointer swap.
    std::lock_guard writeLock(m_writeMutex);
    auto next = std::make_shared<Table>(*table());
    change(*next);
    std::shared_ptr<const Table> published = std::move(next);
    std::lock_guard readLock(m_readMutex);
    m_table.swap(published);
}

void AddressMap::setEndpoint(Address address, std::uint16_t loopbackPort)
{
    edit([&](Table &t) {
        t.served[key(address)] = {Route::Kind::Endpoint, loopbackPort};
        t.hosts.insert(address.ip);
    });
}

void AddressMap::setProxyListener(Address address, std::uint16_t loopbackPort)
{
    edit([&](Table &t) {
        t.served[key(address)] = {Route::Kind::ProxyListener, loopbackPort};
        t.hosts.insert(address.ip);
    });
}

void AddressMap::remove(Address address)
{
    edit([&](Table &t) { t.served.erase(key(address)); });
}

void AddressMap::addHost(std::uint32_t ip)
{
    edit([&](Table &t) { t.hosts.insert(ip); });
}

void AddressMap::removeHost(std::uint32_t ip)
{
    edit([&](Table &t) {
        t.hosts.erase(ip);
        t.inboundCapture.erase(ip);
        t.outboundCapture.erase(ip);
        std::erase_if(t.served, [ip](const auto &entry) { return (entry.first >> 16) == ip; });
        std::erase_if(t.serviceBackends, [ip](const auto &entry) { return entry.second.ip == ip; });
    });
}

void AddressMap::setInboundCapture(std::uint32_t podIp, std::uint16_t loopbackPort)
{
    edit([&](Table &t) {
        t.inboundCapture[podIp] = loopbackPort;
        t.hosts.insert(podIp);
    });
}

void AddressMap::setOutboundCapture(std::uint32_t podIp, std::uint16_t loopbackPort)
{
    edit([&](Table &t) {
        t.outboundCapture[podIp] = loopbackPort;
        t.hosts.insert(podIp);
    });
}

void AddressMap::clearCaptures(std::uint32_t podIp)
{
    edit([&](Table &t) {
        t.inboundCapture.erase(podIp);
        t.outboundCapture.erase(podIp);
    });
}

void AddressMap::setServiceBackend(Address service, Address backend)
{
    edit([&](Table &t) { t.serviceBackends[key(service)] = backend; });
}

void AddressMap::removeServiceBackend(Address service)
{
    edit([&](Table &t) { t.serviceBackends.erase(key(service)); });
}

Route AddressMap::resolve(Address destination, bool bypassInboundCapture) const
{
    const auto t = table();
    Route route;
    route.destination = destination;
    if (const auto dnat = t->serviceBackends.find(key(destination));
        dnat != t->serviceBackends.end()) {
        route.destination = dnat->second;
    }
    const Address target = route.destination;
    if (!bypassInboundCapture) {
        if (const auto it = t->inboundCapture.find(target.ip); it != t->inboundCapture.end()) {
            route.kind = Route::Kind::ProxyListener;
            route.loopbackPort = it->second;
            return route;
        }
    }
    if (const auto it = t->served.find(key(target)); it != t->served.end()) {
        route.kind = it->second.kind;
        route.loopbackPort = it->second.loopbackPort;
        return route;
    }
    route.kind = t->hosts.contains(target.ip) ? Route::Kind::Refused : Route::Kind::Unroutable;
    return route;
}

std::uint16_t AddressMap::outboundCapture(std::uint32_t podIp) const
{
    const auto t = table();
    const auto it = t->outboundCapture.find(podIp);
    return it == t->outboundCapture.end() ? 0 : it->second;
}

} // namespace meshcraft::core::net
