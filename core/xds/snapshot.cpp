// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/snapshot.h"

#include <charconv>

namespace meshcraft::core::xds {

namespace {

std::optional<unsigned> parseNumber(std::string_view text, unsigned max)
{
    if (text.empty() || text.size() > 5) {
        return std::nullopt;
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) {
        return std::nullopt;
    }
    return value;
}

} // namespace

std::string formatIpv4(Ipv4 address)
{
    std::string out;
    out.reserve(15);
    for (int shift = 24; shift >= 0; shift -= 8) {
        out += std::to_string((address >> shift) & 0xffU);
        if (shift > 0) {
            out += '.';
        }
    }
    return out;
}

std::optional<Ipv4> parseIpv4(std::string_view text)
{
    Ipv4 result = 0;
    for (int i = 0; i < 4; ++i) {
        const auto dot = text.find('.');
        const bool last = i == 3;
        if (last != (dot == std::string_view::npos)) {
            return std::nullopt;
        }
        const auto part = last ? text : text.substr(0, dot);
        if (part.size() > 3) {
            return std::nullopt;
        }
        const auto octet = parseNumber(part, 255);
        if (!octet) {
            return std::nullopt;
        }
        result = (result << 8) | *octet;
        if (!last) {
            text.remove_prefix(dot + 1);
        }
    }
    return result;
}

std::string SocketAddress::toString() const
{
    return formatIpv4(ip) + ':' + std::to_string(port);
}

std::optional<SocketAddress> SocketAddress::parse(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    const auto ip = parseIpv4(text.substr(0, colon));
    const auto port = parseNumber(text.substr(colon + 1), 65535);
    if (!ip || !port) {
        return std::nullopt;
    }
    return SocketAddress{*ip, static_cast<std::uint16_t>(*port)};
}

bool CidrRange::contains(Ipv4 address) const
{
    if (length == 0) {
        return true;
    }
    const Ipv4 mask = length >= 32 ? 0xffffffffU : ~(0xffffffffU >> length);
    return (address & mask) == (prefix & mask);
}

std::string CidrRange::toString() const
{
    return formatIpv4(prefix) + '/' + std::to_string(length);
}

std::optional<CidrRange> CidrRange::parse(std::string_view text)
{
    const auto slash = text.find('/');
    const auto ip = parseIpv4(text.substr(0, slash));
    if (!ip) {
        return std::nullopt;
    }
    unsigned length = 32;
    if (slash != std::string_view::npos) {
        const auto parsed = parseNumber(text.substr(slash + 1), 32);
        if (!parsed) {
            return std::nullopt;
        }
        length = *parsed;
    }
    const CidrRange range{*ip, static_cast<std::uint8_t>(length)};
    if (length < 32 && (*ip & (0xffffffffU >> length)) != 0) {
        return std::nullopt; // host bits set: Istio rejects it, so do we
    }
    return range;
}

std::string Provenance::toString() const
{
    std::string out = kind;
    if (!name.empty()) {
        out += out.empty() ? "" : " ";
        out += ns.empty() ? name : ns + '/' + name;
    }
    if (!file.empty()) {
        out += " (" + file;
        if (line > 0) {
            out += ':' + std::to_string(line);
        }
        out += ')';
    }
    if (!note.empty()) {
        out += out.empty() ? note : ": " + note;
    }
    return out;
}

bool sameBehaviour(const FilterChain &a, const FilterChain &b)
{
    return a.name == b.name && a.match == b.match && a.tcpProxy == b.tcpProxy;
}

const char *discoveryTypeName(DiscoveryType type)
{
    switch (type) {
    case DiscoveryType::Static:
        return "STATIC";
    case DiscoveryType::StrictDns:
        return "STRICT_DNS";
    case DiscoveryType::LogicalDns:
        return "LOGICAL_DNS";
    case DiscoveryType::Eds:
        return "EDS";
    case DiscoveryType::OriginalDst:
        return "ORIGINAL_DST";
    }
    return "UNKNOWN";
}

const Listener *ProxySnapshot::findListener(std::string_view name) const
{
    for (const auto &listener : listeners) {
        if (listener.name == name) {
            return &listener;
        }
    }
    return nullptr;
}

const Cluster *ProxySnapshot::findCluster(std::string_view name) const
{
    for (const auto &cluster : clusters) {
        if (cluster.name == name) {
            return &cluster;
        }
    }
    return nullptr;
}

} // namespace meshcraft::core::xds
