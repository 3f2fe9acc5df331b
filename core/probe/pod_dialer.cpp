// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/pod_dialer.h"

namespace meshcraft::core::probe {

PodDialer::PodDialer(std::shared_ptr<const net::AddressMap> addressMap, xds::Ipv4 podIp,
                     xds::Resolver resolver)
    : m_addressMap(addressMap), m_capture(std::move(addressMap)), m_podIp(podIp),
      m_resolver(std::move(resolver))
{
}

std::optional<xds::Ipv4> PodDialer::resolve(std::string_view host) const
{
    if (const auto ip = xds::parseIpv4(host)) {
        return ip;
    }
    if (!m_resolver || host.empty()) {
        return std::nullopt;
    }
    return m_resolver(host);
}

common::Result<net::CapturedConnection> PodDialer::dial(xds::SocketAddress destination,
                                                        std::chrono::milliseconds timeout) const
{
    return m_capture.connect(m_podIp, {destination.ip, destination.port}, timeout);
}

bool PodDialer::passesProxy(xds::SocketAddress destination) const
{
    if (m_addressMap->outboundCapture(m_podIp) != 0) {
        return true;
    }
    return m_addressMap->resolve({destination.ip, destination.port}).kind ==
           net::Route::Kind::ProxyListener;
}

} // namespace meshcraft::core::probe
