// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/proxy_protocol.h"

#include <algorithm>
#include <array>

namespace meshcraft::core::net {

namespace {

constexpr std::array<std::uint8_t, ProxyV2SignatureSize> Signature = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr std::uint8_t Version2 = 0x20;
constexpr std::uint8_t FamilyUnspec = 0x00;
constexpr std::uint8_t FamilyInetStream = 0x11; // AF_INET << 4 | STREAM
constexpr std::size_t InetAddressBlock = 12;    // src ip, dst ip, src port, dst port

void put16(std::vector<std::uint8_t> &out, std::uint16_t value)
{
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

void put32(std::vector<std::uint8_t> &out, std::uint32_t value)
{
    put16(out, static_cast<std::uint16_t>(value >> 16));
    put16(out, static_cast<std::uint16_t>(value & 0xffff));
}

std::uint16_t get16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t get32(const std::uint8_t *p)
{
    return (std::uint32_t{get16(p)} << 16) | get16(p + 2);
}

DecodeResult invalid(std::string why)
{
    DecodeResult result;
    result.status = DecodeStatus::Invalid;
    result.error = std::move(why);
    return result;
}

} // namespace

void encodeProxyV2(const ProxyHeader &header, std::vector<std::uint8_t> &out)
{
    out.insert(out.end(), Signature.begin(), Signature.end());
    out.push_back(static_cast<std::uint8_t>(Version2 | static_cast<std::uint8_t>(header.command)));
    const bool local = header.command == ProxyHeader::Command::Local;
    out.push_back(local ? FamilyUnspec : FamilyInetStream);
    std::size_t length = local ? 0 : InetAddressBlock;
    if (header.connectionId) {
        length += 3 + 8;
    }
    put16(out, static_cast<std::uint16_t>(length));
    if (!local) {
        put32(out, header.source.ip);
        put32(out, header.destination.ip);
        put16(out, header.source.port);
        put16(out, header.destination.port);
    }
    if (header.connectionId) {
        out.push_back(ProxyV2TlvConnectionId);
        put16(out, 8);
        put32(out, static_cast<std::uint32_t>(*header.connectionId >> 32));
        put32(out, static_cast<std::uint32_t>(*header.connectionId & 0xffffffffU));
    }
}

std::vector<std::uint8_t> encodeProxyV2(const ProxyHeader &header)
{
    std::vector<std::uint8_t> out;
    out.reserve(ProxyV2FixedSize + InetAddressBlock + 11);
    encodeProxyV2(header, out);
    return out;
}

DecodeResult decodeProxyV2(std::span<const std::uint8_t> data)
{
    // Judge the signature on what we have, so a missing header fails on the first bytes.
    const std::size_t prefix = std::min(data.size(), ProxyV2SignatureSize);
    if (!std::equal(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(prefix),
                    Signature.begin())) {
        return invalid("no PROXY v2 signature");
    }
    if (data.size() < ProxyV2FixedSize) {
        return {};
    }
    const std::uint8_t versionCommand = data[12];
    if ((versionCommand & 0xf0) != Version2) {
        return invalid("unsupported PROXY protocol version");
    }
    const auto command = versionCommand & 0x0f;
    if (command != 0x0 && command != 0x1) {
        return invalid("unknown PROXY v2 command");
    }
    const std::size_t length = get16(data.data() + 14);
    const std::size_t total = ProxyV2FixedSize + length;
    if (total > ProxyV2MaxHeaderSize) {
        return invalid("PROXY v2 header too long");
    }
    if (data.size() < total) {
        return {};
    }
    DecodeResult result;
    result.status = DecodeStatus::Complete;
    result.consumed = total;
    const std::uint8_t family = data[13];
    const std::uint8_t *body = data.data() + ProxyV2FixedSize;
    std::size_t tlvOffset = 0;
    if (command == 0x0) {
        result.header.command = ProxyHeader::Command::Local;
        // A LOCAL header's address block, whatever its family, is ignored (spec 2.2).
        tlvOffset =
            family == FamilyInetStream && length >= InetAddressBlock ? InetAddressBlock : length;
    } else {
        if (family != FamilyInetStream) {
            return invalid("PROXY v2 family is not TCP over IPv4");
        }
        if (length < InetAddressBlock) {
            return invalid("PROXY v2 address block too short");
        }
        result.header.command = ProxyHeader::Command::Proxy;
        result.header.source = {get32(body), get16(body + 8)};
        result.header.destination = {get32(body + 4), get16(body + 10)};
        tlvOffset = InetAddressBlock;
    }
    while (tlvOffset < length) {
        if (length - tlvOffset < 3) {
            return invalid("PROXY v2 TLV truncated");
        }
        const std::uint8_t type = body[tlvOffset];
        const std::size_t valueLength = get16(body + tlvOffset + 1);
        if (length - tlvOffset - 3 < valueLength) {
            return invalid("PROXY v2 TLV truncated");
        }
        const std::uint8_t *value = body + tlvOffset + 3;
        if (type == ProxyV2TlvConnectionId && valueLength == 8) {
            result.header.connectionId = (std::uint64_t{get32(value)} << 32) | get32(value + 4);
        }
        tlvOffset += 3 + valueLength;
    }
    return result;
}

} // namespace meshcraft::core::net
