// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/ip_allocator.h"

#include <charconv>

namespace meshcraft::core::mesh {

std::string formatIp(Ipv4 address)
{
    std::string out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        out += std::to_string((address >> shift) & 0xffU);
        if (shift > 0) {
            out += '.';
        }
    }
    return out;
}

std::optional<Ipv4> parseIp(std::string_view text)
{
    Ipv4 result = 0;
    for (int part = 0; part < 4; ++part) {
        const auto dot = text.find('.');
        const bool last = part == 3;
        if (last != (dot == std::string_view::npos)) {
            return std::nullopt;
        }
        const std::string_view octet = last ? text : text.substr(0, dot);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(octet.data(), octet.data() + octet.size(), value);
        if (octet.empty() || octet.size() > 3 || ec != std::errc() ||
            end != octet.data() + octet.size() || value > 255) {
            return std::nullopt;
        }
        result = (result << 8) | value;
        if (!last) {
            text.remove_prefix(dot + 1);
        }
    }
    return result;
}

IpAllocator::IpAllocator(Ipv4 network, int prefixLength, Ipv4 first, bool skipNodeAddresses)
    : m_network(network), m_mask(prefixLength <= 0 ? 0U : ~(0xffffffffU >> prefixLength)),
      m_cursor(first), m_skipNodeAddresses(skipNodeAddresses)
{
}

IpAllocator IpAllocator::podRange()
{
    return IpAllocator(*parseIp("10.8.0.0"), 14, *parseIp("10.8.0.2"), true);
}

IpAllocator IpAllocator::serviceRange()
{
    IpAllocator allocator(*parseIp("10.11.240.0"), 20, *parseIp("10.11.240.1"), false);
    allocator.reserve(*parseIp("10.11.240.1"));
    allocator.reserve(*parseIp("10.11.240.10"));
    return allocator;
}

bool IpAllocator::contains(Ipv4 address) const
{
    return (address & m_mask) == (m_network & m_mask);
}

bool IpAllocator::usable(Ipv4 address) const
{
    if (!contains(address) || address == m_network || address == (m_network | ~m_mask)) {
        return false;
    }
    const Ipv4 host = address & 0xffU;
    return !m_skipNodeAddresses || (host != 0 && host != 1 && host != 255);
}

std::optional<Ipv4> IpAllocator::allocate()
{
    const Ipv4 size = ~m_mask + 1U;
    for (Ipv4 tried = 0; tried < size; ++tried) {
        const Ipv4 candidate = m_cursor;
        m_cursor = contains(m_cursor + 1) ? m_cursor + 1 : m_network;
        if (usable(candidate) && !inUse(candidate)) {
            m_used.insert(candidate);
            return candidate;
        }
    }
    return std::nullopt;
}

bool IpAllocator::reserve(Ipv4 address)
{
    if (!contains(address)) {
        return false;
    }
    return m_used.insert(address).second;
}

void IpAllocator::release(Ipv4 address)
{
    m_used.erase(address);
}

void IpAllocator::syncUsed(const std::set<Ipv4> &addresses)
{
    m_used.clear();
    for (const Ipv4 address : addresses) {
        if (contains(address)) {
            m_used.insert(address);
        }
    }
}

} // namespace meshcraft::core::mesh
