// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace meshcraft::core::mesh {

/// An IPv4 address in host byte order, the representation xds::Ipv4 and net::Address use too.
using Ipv4 = std::uint32_t;

/// "10.8.0.2". (The mesh layer sits below xds, so it keeps its own two helpers.)
std::string formatIp(Ipv4 address);
/// Dotted quad only; nullopt for anything else.
std::optional<Ipv4> parseIp(std::string_view text);

/// Hands out addresses of one range in a fixed order, so that the same sequence of store
/// operations always yields the same addresses. The cursor only moves forward (wrapping at the
/// end), so a released address is not handed out again at once: a rolled pod gets a new IP,
/// as on a real cluster.
class IpAllocator
{
public:
    /// `first` is the first address handed out (after wrapping, the range starts over from its
    /// beginning); `skipNodeAddresses` skips .0, .1 and .255 of
    /// every /24, as GKE's per-node pod ranges do (.1 is the node's bridge).
    IpAllocator(Ipv4 network, int prefixLength, Ipv4 first, bool skipNodeAddresses);

    /// GKE's pod range of the lab's cluster, 10.8.0.0/14, from 10.8.0.2.
    static IpAllocator podRange();
    /// GKE's service range, 10.11.240.0/20. 10.11.240.1 (the `kubernetes` Service) and
    /// 10.11.240.10 (kube-dns) are reserved.
    static IpAllocator serviceRange();

    /// The next free address; nullopt when the range is exhausted.
    std::optional<Ipv4> allocate();
    /// Marks an address already written into an object as used. False when it is outside the
    /// range or already taken.
    bool reserve(Ipv4 address);
    void release(Ipv4 address);
    /// Makes the used set exactly `addresses` (those of the range), e.g. what the store holds
    /// after objects were deleted. The cursor stays where it is.
    void syncUsed(const std::set<Ipv4> &addresses);
    bool contains(Ipv4 address) const;
    bool inUse(Ipv4 address) const { return m_used.count(address) > 0; }
    std::size_t usedCount() const { return m_used.size(); }

private:
    bool usable(Ipv4 address) const;

    Ipv4 m_network;
    Ipv4 m_mask;
    Ipv4 m_cursor;
    bool m_skipNodeAddresses;
    std::set<Ipv4> m_used;
};

} // namespace meshcraft::core::mesh
