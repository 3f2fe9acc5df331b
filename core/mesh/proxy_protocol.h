// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace meshcraft::core::net {

/// A virtual IPv4 address and port (host byte order), e.g. a pod's 10.8.1.12:41240.
struct Address
{
    std::uint32_t ip = 0;
    std::uint16_t port = 0;
    auto operator<=>(const Address &) const = default;
};

/// The PROXY protocol version 2 header (haproxy's proxy-protocol.txt, section 2.2), as the
/// capture shim writes it in front of a redirected connection, the way iptables' REDIRECT leaves
/// the original destination for Envoy to read. Only TCP over IPv4 and LOCAL are produced.
struct ProxyHeader
{
    enum class Command : std::uint8_t { Local = 0x0, Proxy = 0x1 };

    Command command = Command::Proxy;
    Address source;      ///< the client, e.g. pod IP and its ephemeral port
    Address destination; ///< the original destination the client dialled
    /// Meshcraft's own TLV (type 0xE0, in the custom range): the id of the connection this hop
    /// belongs to, so a trace can follow a flow from sidecar to gateway to upstream.
    std::optional<std::uint64_t> connectionId;

    bool operator==(const ProxyHeader &) const = default;
};

inline constexpr std::size_t ProxyV2SignatureSize = 12;
inline constexpr std::size_t ProxyV2FixedSize = 16;      ///< signature + ver/cmd + fam + length
inline constexpr std::size_t ProxyV2MaxHeaderSize = 536; ///< what we accept (16 + 520)
inline constexpr std::uint8_t ProxyV2TlvConnectionId = 0xE0;

/// Appends the encoded header to `out`. A LOCAL header carries no addresses (AF_UNSPEC).
void encodeProxyV2(const ProxyHeader &header, std::vector<std::uint8_t> &out);
std::vector<std::uint8_t> encodeProxyV2(const ProxyHeader &header);

enum class DecodeStatus {
    Complete, ///< header decoded; `consumed` bytes belong to it, the rest is payload
    NeedMore, ///< a valid prefix: read more and try again
    Invalid,  ///< not a PROXY v2 header (or one we do not accept): close the connection
};

struct DecodeResult
{
    DecodeStatus status = DecodeStatus::NeedMore;
    ProxyHeader header;
    std::size_t consumed = 0;
    std::string error; ///< why it is invalid, for the log
};

/// Decodes a header at the start of `data`. Accepts version 2 with PROXY or LOCAL; for PROXY the
/// family must be AF_INET over STREAM (TCP). Unknown TLVs are skipped.
DecodeResult decodeProxyV2(std::span<const std::uint8_t> data);

} // namespace meshcraft::core::net
